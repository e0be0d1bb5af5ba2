/**
 * @file Shape manipulation: values worked out by hand (NumPy semantics), gradients through the
 * gather/slice-based ops, and round-trip properties (reshape, transpose, split/concatenate,
 * flip, roll).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad } from "../../src/transforms/autodiff.js";
import { jit } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import * as np from "../../src/numpy/index.js";
import { expectArray, expectSameArray } from "../helpers/allclose.js";

const x23 = () => np.array([[1, 2, 3], [4, 5, 6]]);
const x22 = () => np.array([[1, 2], [3, 4]]);

describe("reshape and ravel", () => {
  it("reshape, with one inferred -1", () => {
    expectArray(np.reshape(np.arange(6), [2, 3]), [[0, 1, 2], [3, 4, 5]], { dtype: "int32" });
    expectArray(np.reshape(np.arange(6), [-1, 2]), [[0, 1], [2, 3], [4, 5]]);
    expectArray(np.reshape(x23(), 6), [1, 2, 3, 4, 5, 6]);
    expectArray(x23().reshape(3, 2), [[1, 2], [3, 4], [5, 6]]);
    expectArray(x23().reshape([3, -1]), [[1, 2], [3, 4], [5, 6]]);
    expectArray(np.reshape(np.array([7]), []), 7);
    expect(np.reshape(np.zeros([0, 3]), [-1, 3]).shape).toEqual([0, 3]);
  });

  it("ravel is row-major", () => {
    expectArray(np.ravel(x22()), [1, 2, 3, 4]);
    expectArray(np.ravel(np.transpose(x22())), [1, 3, 2, 4]);
    expectArray(x22().flatten(), [1, 2, 3, 4]);
  });
});

describe("axis permutations", () => {
  it("transpose reverses the axes by default", () => {
    expectArray(np.transpose(x23()), [[1, 4], [2, 5], [3, 6]]);
    expectArray(x23().T, [[1, 4], [2, 5], [3, 6]]);
  });

  it("transpose with explicit (and negative) axes", () => {
    const x = np.arange(8).reshape(2, 2, 2);
    expectArray(np.transpose(x, [1, 0, 2]), [[[0, 1], [4, 5]], [[2, 3], [6, 7]]]);
    expectArray(np.transpose(x, [-1, 0, 1]), [[[0, 2], [4, 6]], [[1, 3], [5, 7]]]);
  });

  it("swapaxes and moveaxis", () => {
    expectArray(np.swapaxes(np.arange(6).reshape(1, 2, 3), 0, 2), [[[0], [3]], [[1], [4]], [[2], [5]]]);
    expect(np.moveaxis(np.zeros([2, 3, 4]), 0, -1).shape).toEqual([3, 4, 2]);
    expect(np.moveaxis(np.zeros([2, 3, 4]), -1, 0).shape).toEqual([4, 2, 3]);
    expect(np.moveaxis(np.zeros([2, 3, 4]), [0, 1], [-1, -2]).shape).toEqual([4, 3, 2]);
    expectArray(np.moveaxis(x23(), 0, 1), [[1, 4], [2, 5], [3, 6]]);
  });

  it("expandDims and squeeze", () => {
    expectArray(np.expandDims(np.array([1, 2]), 0), [[1, 2]]);
    expectArray(np.expandDims(np.array([1, 2]), 1), [[1], [2]]);
    expect(np.expandDims(np.array([1, 2]), [0, -1]).shape).toEqual([1, 2, 1]);
    expect(np.array(3).expandDims(0).shape).toEqual([1]);
    expect(np.squeeze(np.zeros([1, 3, 1])).shape).toEqual([3]);
    expect(np.squeeze(np.zeros([1, 3, 1]), 0).shape).toEqual([3, 1]);
    expect(np.squeeze(np.zeros([1, 3, 1]), -1).shape).toEqual([1, 3]);
    expect(np.squeeze(np.zeros([1, 3, 1]), [0, 2]).shape).toEqual([3]);
    expect(np.zeros([1, 1]).squeeze().shape).toEqual([]);
  });
});

describe("broadcasting", () => {
  it("broadcastTo, broadcastArrays, broadcastShapes", () => {
    expectArray(np.broadcastTo(np.array([1, 2, 3]), [2, 3]), [[1, 2, 3], [1, 2, 3]]);
    expectArray(np.broadcastTo(np.array([[1], [2]]), [2, 2]), [[1, 1], [2, 2]]);
    expectArray(np.broadcastTo(5, [2]), [5, 5]);
    const [a, b] = np.broadcastArrays(np.array([[1], [2]]), np.array([10, 20, 30], { dtype: "int32" }));
    expectArray(a!, [[1, 1, 1], [2, 2, 2]], { dtype: "float32" });
    expectArray(b!, [[10, 20, 30], [10, 20, 30]], { dtype: "int32" });
    expect(np.broadcastShapes([3, 1], [4], [1, 1])).toEqual([3, 4]);
  });
});

describe("joining", () => {
  it("concatenate along an axis, or flattened with axis null; dtypes promote", () => {
    const a = np.array([[1, 2]]);
    const b = np.array([[3, 4]], { dtype: "int32" });
    expectArray(np.concatenate([a, b]), [[1, 2], [3, 4]], { dtype: "float32" });
    expectArray(np.concatenate([a, b], 1), [[1, 2, 3, 4]]);
    expectArray(np.concatenate([a, b], -1), [[1, 2, 3, 4]]);
    expectArray(np.concatenate([a, np.array([5])], null), [1, 2, 5]);
    expectArray(np.concatenate([np.array([1, 2])]), [1, 2]);
    expectArray(np.concatenate([np.zeros([0]), np.array([1])]), [1]);
  });

  it("stack adds an axis", () => {
    const a = np.array([1, 2]);
    const b = np.array([3, 4]);
    expectArray(np.stack([a, b]), [[1, 2], [3, 4]]);
    expectArray(np.stack([a, b], 1), [[1, 3], [2, 4]]);
    expectArray(np.stack([a, b], -1), [[1, 3], [2, 4]]);
    expectArray(np.stack([np.array(1), np.array(2)]), [1, 2]);
  });

  it("hstack, vstack, dstack and atleast*", () => {
    expectArray(np.hstack([np.array([1, 2]), np.array([3])]), [1, 2, 3]);
    expectArray(np.hstack([np.array([[1], [2]]), np.array([[3], [4]])]), [[1, 3], [2, 4]]);
    expectArray(np.vstack([np.array([1, 2]), np.array([3, 4])]), [[1, 2], [3, 4]]);
    expectArray(np.dstack([np.array([1, 2]), np.array([3, 4])]), [[[1, 3], [2, 4]]]);
    expectArray(np.atleast1d(5), [5]);
    expect(np.atleast2d(np.array([1, 2])).shape).toEqual([1, 2]);
    expect(np.atleast2d(np.array(1)).shape).toEqual([1, 1]);
    expect(np.atleast3d(np.array([[1, 2]])).shape).toEqual([1, 2, 1]);
    expect(np.atleast3d(np.array([1, 2])).shape).toEqual([1, 2, 1]);
  });
});

describe("splitting", () => {
  const lists = (xs: np.Array[]) => xs.map((x) => x.tolist());

  it("split into equal sections or at indices (Python slice semantics)", () => {
    expect(lists(np.split(np.arange(6), 3))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(lists(np.split(np.arange(6), [1, 4]))).toEqual([[0], [1, 2, 3], [4, 5]]);
    expect(lists(np.split(np.arange(6), [-2]))).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect(lists(np.split(np.arange(6), [9]))).toEqual([[0, 1, 2, 3, 4, 5], []]);
    expect(lists(np.split(np.arange(6).reshape(2, 3), [1], 1))).toEqual([[[0], [3]], [[1, 2], [4, 5]]]);
  });

  it("arraySplit allows unequal sections, the first ones longer", () => {
    expect(lists(np.arraySplit(np.arange(7), 3))).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
    expect(lists(np.arraySplit(np.arange(2), 3))).toEqual([[0], [1], []]);
  });
});

describe("repetition", () => {
  it("tile", () => {
    expectArray(np.tile(np.array([1, 2]), 2), [1, 2, 1, 2]);
    expectArray(np.tile(np.array([1, 2]), [2, 1]), [[1, 2], [1, 2]]);
    expectArray(np.tile(x22(), 2), [[1, 2, 1, 2], [3, 4, 3, 4]]);
    expectArray(np.tile(x22(), [2, 1]), [[1, 2], [3, 4], [1, 2], [3, 4]]);
    expect(np.tile(np.array([1, 2]), 0).shape).toEqual([0]);
  });

  it("repeat with a count or one count per element", () => {
    expectArray(np.repeat(np.array([1, 2]), 2), [1, 1, 2, 2]);
    expectArray(np.repeat(x22(), 2), [1, 1, 2, 2, 3, 3, 4, 4]);
    expectArray(np.repeat(x22(), 2, 0), [[1, 2], [1, 2], [3, 4], [3, 4]]);
    expectArray(np.repeat(x22(), 2, 1), [[1, 1, 2, 2], [3, 3, 4, 4]]);
    expectArray(np.repeat(x22(), [1, 2], 0), [[1, 2], [3, 4], [3, 4]]);
    expectArray(np.repeat(x22(), [0, 2], 1), [[2, 2], [4, 4]]);
  });
});

describe("reordering", () => {
  it("flip, fliplr, flipud", () => {
    expectArray(np.flip(np.array([1, 2, 3])), [3, 2, 1]);
    expectArray(np.flip(x22(), 0), [[3, 4], [1, 2]]);
    expectArray(np.flip(x22()), [[4, 3], [2, 1]]);
    expectArray(np.fliplr(x22()), [[2, 1], [4, 3]]);
    expectArray(np.flipud(x22()), [[3, 4], [1, 2]]);
  });

  it("roll", () => {
    const x = np.array([1, 2, 3, 4]);
    expectArray(np.roll(x, 1), [4, 1, 2, 3]);
    expectArray(np.roll(x, -1), [2, 3, 4, 1]);
    expectArray(np.roll(x, 5), [4, 1, 2, 3]);
    expectArray(np.roll(x22(), 1), [[4, 1], [2, 3]]);
    expectArray(np.roll(x22(), 1, 1), [[2, 1], [4, 3]]);
    expectArray(np.roll(x22(), [1, 1], [0, 1]), [[4, 3], [2, 1]]);
  });
});

describe("pad", () => {
  const v5 = () => np.array([1, 2, 3, 4, 5], { dtype: "int32" });

  it("constant padding", () => {
    expectArray(np.pad(np.array([1, 2, 3]), 1), [0, 1, 2, 3, 0]);
    expectArray(np.pad(np.array([1, 2, 3]), [2, 1], { constantValues: 9 }), [9, 9, 1, 2, 3, 9]);
    expectArray(np.pad(x22(), [[1, 0], [0, 1]]), [[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
    expectArray(np.pad(x22(), [[1, 1]]), [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]);
  });

  it("edge, reflect, symmetric and wrap (NumPy's documented examples)", () => {
    expectArray(np.pad(np.array([1, 2, 3]), 2, { mode: "edge" }), [1, 1, 1, 2, 3, 3, 3]);
    expectArray(np.pad(np.array([1, 2, 3]), 2, "edge"), [1, 1, 1, 2, 3, 3, 3]);
    expectArray(np.pad(np.array([1, 2]), 1, "constant", { constantValues: 9 }), [9, 1, 2, 9]);
    expectArray(np.pad(v5(), [2, 3], { mode: "reflect" }), [3, 2, 1, 2, 3, 4, 5, 4, 3, 2], { dtype: "int32" });
    expectArray(np.pad(v5(), [2, 3], { mode: "symmetric" }), [2, 1, 1, 2, 3, 4, 5, 5, 4, 3]);
    expectArray(np.pad(v5(), [2, 3], { mode: "wrap" }), [4, 5, 1, 2, 3, 4, 5, 1, 2, 3]);
  });

  it("pads wider than the axis repeat the pattern", () => {
    expectArray(np.pad(np.array([1, 2, 3]), 5, { mode: "reflect" }), [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2]);
    expectArray(np.pad(np.array([1]), 2, { mode: "reflect" }), [1, 1, 1, 1, 1]);
  });

  it("reflect on two axes", () => {
    expectArray(np.pad(x22(), 1, { mode: "reflect" }), [[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3], [2, 1, 2, 1]]);
  });
});

describe("astype", () => {
  it("converts with truncation and saturation; the result is strongly typed", () => {
    expectArray(np.astype(np.array([1.7, -1.7, NaN, 3e9]), "int32"), [1, -1, 0, 2147483647], { dtype: "int32" });
    expectArray(np.array([0, 0.5]).astype("bool"), [false, true], { dtype: "bool" });
    expectArray(np.array([true, false]).astype("float32"), [1, 0], { dtype: "float32" });
    const weak = np.add(1, 2);
    expect(weak.weakType).toBe(true);
    expect(np.astype(weak, "int32").weakType).toBe(false);
  });
});

describe("shape ops under transformations", () => {
  it("gradients flow through pad, tile, repeat and roll", () => {
    const x = np.array([1, 2, 3], { dtype: "float64" });
    expectArray(grad((v: np.Array) => np.sum(np.pad(v, 1, { mode: "edge" })))(x), [2, 1, 2]);
    expectArray(grad((v: np.Array) => np.sum(np.repeat(v, [1, 2, 3]).mul(np.arange(6))))(x), [0, 3, 12]);
    expectArray(grad((v: np.Array) => np.sum(np.tile(v, 2)))(x), [2, 2, 2]);
    expectArray(grad((v: np.Array) => np.sum(np.roll(v, 1).mul(np.array([1, 10, 100]))))(x), [10, 100, 1]);
  });

  it("vmap of stack and concatenate; jit of roll and pad", () => {
    const xs = np.array([[1, 2], [3, 4]]);
    expectArray(vmap((r: np.Array) => np.stack([r, r], 1))(xs), [[[1, 1], [2, 2]], [[3, 3], [4, 4]]]);
    expectArray(vmap((r: np.Array) => np.concatenate([r, np.array([9])]))(xs), [[1, 2, 9], [3, 4, 9]]);
    expectSameArray(jit((v: np.Array) => np.roll(v, 1, 1))(xs), np.roll(xs, 1, 1));
    expectSameArray(jit((v: np.Array) => np.pad(v, 1, { mode: "wrap" }))(xs), np.pad(xs, 1, { mode: "wrap" }));
  });
});

// ---------------------------------------------------------------------------------------------

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const withPerm = shapeArb.chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.shuffledSubarray(
      shape.map((_, i) => i),
      { minLength: shape.length, maxLength: shape.length },
    ),
  ),
);

function iota(shape: number[]) {
  return np.arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);
}

describe("round-trip properties", () => {
  it("reshape to flat and back is the identity; reshape preserves row-major order", () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const x = iota(shape);
        expectSameArray(np.reshape(np.ravel(x), shape), x);
        expectSameArray(np.ravel(np.reshape(x, [-1, shape[shape.length - 1]!])), np.ravel(x));
      }),
      { numRuns: 40 },
    );
  });

  it("transposing by a permutation and then by its inverse is the identity", () => {
    fc.assert(
      fc.property(withPerm, ([shape, perm]) => {
        const x = iota(shape);
        const t = np.transpose(x, perm);
        expect(t.shape).toEqual(perm.map((p) => shape[p]));
        const inv = new Array<number>(perm.length);
        perm.forEach((p, i) => (inv[p] = i));
        expectSameArray(np.transpose(t, inv), x);
      }),
      { numRuns: 60 },
    );
  });

  it("concatenate undoes split; flip twice and roll there and back are identities", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), fc.integer({ min: -7, max: 7 }), (shape, axisSeed, shift) => {
        const x = iota(shape);
        const axis = axisSeed % shape.length;
        const parts = np.arraySplit(x, 3, axis);
        expectSameArray(np.concatenate(parts, axis), x);
        expectSameArray(np.flip(np.flip(x, axis), axis), x);
        expectSameArray(np.roll(np.roll(x, shift, axis), -shift, axis), x);
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * @file Bad input gives a typed error that names the function, what it got and what is valid:
 * wrong shapes, bad axes, wrong dtypes, ragged nested lists, negative sizes, empty reductions.
 */
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/core/errors.js";
import * as np from "../../src/numpy/index.js";

/** Expect `f` to throw an error of `cls` whose message matches every pattern. */
function expectError(f: () => unknown, cls: new (...args: any[]) => Error, ...patterns: (string | RegExp)[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, "expected an error").toBeInstanceOf(cls);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

const lit = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

describe("shape errors", () => {
  it("binary functions name themselves and both shapes", () => {
    const a = np.zeros([3, 4]);
    const b = np.zeros([5]);
    expectError(() => np.add(a, b), ShapeError, lit("add: shapes [3,4] and [5] cannot be broadcast together"));
    expectError(() => np.subtract(a, b), ShapeError, /^subtract: shapes \[3,4\] and \[5\]/);
    expectError(() => np.arctan2(a, b), ShapeError, /^arctan2: /);
    expectError(() => np.less(a, b), ShapeError, /^less: /);
    expectError(() => np.logicalAnd(a, b), ShapeError, /^logicalAnd: /);
    expectError(() => np.floorDivide(a, b), ShapeError, /^floorDivide: /);
    expectError(() => a.mul(b), ShapeError, /^multiply: shapes \[3,4\] and \[5\]/);
  });

  it("where checks all three shapes", () => {
    expectError(() => np.where(np.zeros([2], { dtype: "bool" }), np.zeros([3]), 0), ShapeError, /^where: shapes \[2\] and \[3\]/);
  });

  it("reshape says which sizes do not match", () => {
    expectError(() => np.reshape(np.zeros([2, 3]), [4, 2]), ShapeError, lit("reshape: cannot reshape an array of shape [2,3] (size 6) into shape [4,2] (size 8)"));
    expectError(() => np.reshape(np.zeros([2, 3]), [4, -1]), ShapeError, /reshape: .*\[4,-1\].*not a multiple of 4/);
    expectError(() => np.reshape(np.zeros([6]), [-1, -1]), ValueError, /only one dimension can be -1/);
    expectError(() => np.reshape(np.zeros([6]), [-2, -3]), ValueError, /reshape: shape entries must be non-negative/);
  });

  it("joining checks ranks and the other axes", () => {
    expectError(() => np.concatenate([np.zeros([2, 3]), np.zeros([2, 4])]), ShapeError, lit("concatenate: shapes must match except on axis 0, but array 0 has shape [2,3] and array 1 has shape [2,4]"));
    expectError(() => np.concatenate([np.zeros([2, 3]), np.zeros([3])]), ShapeError, /same number of dimensions/);
    expectError(() => np.concatenate([np.array(1), np.array(2)]), ValueError, /zero-dimensional arrays cannot be concatenated/);
    expectError(() => np.concatenate([]), ValueError, /concatenate: need at least one array/);
    expectError(() => np.stack([np.zeros([2]), np.zeros([3])]), ShapeError, lit("stack: all input arrays must have the same shape, but array 0 has shape [2] and array 1 has shape [3]"));
  });

  it("broadcastTo names both shapes", () => {
    expectError(() => np.broadcastTo(np.zeros([3]), [4]), ShapeError, lit("broadcastTo: cannot broadcast shape [3] to shape [4]"));
    expectError(() => np.broadcastTo(np.zeros([2, 3]), [3]), ShapeError, /broadcastTo: /);
    expectError(() => np.full([2], np.zeros([3])), ShapeError, /^full: cannot broadcast shape \[3\] to shape \[2\]/);
  });

  it("splitting into unequal parts", () => {
    expectError(() => np.split(np.arange(7), 3), ValueError, /split: array split does not result in an equal division: axis 0 of size 7 into 3 sections/);
    expectError(() => np.split(np.arange(6), 0), ValueError, /number of sections must be a positive integer/);
  });

  it("repeat with the wrong number of counts", () => {
    expectError(() => np.repeat(np.zeros([3]), [1, 2]), ValueError, /repeat: repeats has 2 entries but axis 0 of shape \[3\] has 3 elements/);
  });

  it("TypedArray data that does not fit the shape", () => {
    expectError(() => np.array(new Float32Array(5), { shape: [2, 3] }), ShapeError, /array: the data has 5 elements, which does not fit shape \[2,3\] \(6 elements\)/);
  });
});

describe("axis errors", () => {
  const x = np.zeros([2, 3]);

  it("reductions name the axis, the rank and the valid range", () => {
    expectError(() => np.sum(x, 2), ValueError, lit("sum: axis 2 is out of bounds for an array of dimension 2 (valid: -2..1)"));
    expectError(() => np.mean(x, -3), ValueError, /^mean: axis -3 is out of bounds/);
    expectError(() => np.max(x, [0, 0]), ValueError, /^max: repeated axis/);
    expectError(() => np.sum(x, 1.5), ValueError, /^sum: axis must be an integer, got 1.5/);
    expectError(() => np.argmax(x, 2), ValueError, /^argmax: axis 2 is out of bounds/);
    expectError(() => np.cumsum(x, 5), ValueError, /^cumsum: axis 5 is out of bounds/);
    expectError(() => np.all(x, 9), ValueError, /^all: axis 9/);
    expectError(() => np.logsumexp(x, 2), ValueError, /^logsumexp: axis 2/);
  });

  it("shape functions validate axes", () => {
    expectError(() => np.transpose(x, [0, 0]), ValueError, /^transpose: axes \[0,0\] repeat an axis/);
    expectError(() => np.transpose(x, [0]), ValueError, /^transpose: axes \[0\] must list each of the 2 axes of shape \[2,3\]/);
    expectError(() => np.expandDims(x, 3), ValueError, /^expandDims: axis 3 is out of bounds for an array of dimension 3/);
    expectError(() => np.squeeze(x, 0), ValueError, lit("squeeze: cannot squeeze axis 0: it has size 2 in shape [2,3]"));
    expectError(() => np.concatenate([x, x], 2), ValueError, /^concatenate: axis 2 is out of bounds/);
    expectError(() => np.stack([x, x], 3), ValueError, /^stack: axis 3 is out of bounds for an array of dimension 3/);
    expectError(() => np.moveaxis(x, 0, 2), ValueError, /^moveaxis: axis 2/);
    expectError(() => np.swapaxes(x, 0, -3), ValueError, /^swapaxes: axis -3/);
    expectError(() => np.flip(x, 2), ValueError, /^flip: axis 2/);
    expectError(() => np.roll(x, 1, 2), ValueError, /^roll: axis 2/);
    expectError(() => np.split(x, 2, 2), ValueError, /^split: axis 2/);
    expectError(() => np.repeat(x, 2, -3), ValueError, /^repeat: axis -3/);
  });
});

describe("dtype errors", () => {
  const f = np.array([1.5]);

  it("bitwise and shift ops reject floats, naming the dtypes and the valid ones", () => {
    expectError(() => np.bitwiseAnd(f, f), DTypeError, lit("bitwiseAnd: expected bool, int32 or uint32 operands, got float32 and float32"));
    expectError(() => np.bitwiseOr(np.array([1], { dtype: "int32" }), 1.5), DTypeError, /^bitwiseOr: .*got int32 and JS number \(promoted to float32\)/);
    expectError(() => np.invert(f), DTypeError, /^invert: expected bool, int32 or uint32, got float32/);
    expectError(() => np.leftShift(f, 1), DTypeError, /^leftShift: expected integer operands \(int32 or uint32\), got float32/);
  });

  it("bool arithmetic that NumPy forbids", () => {
    const b = np.array([true]);
    expectError(() => np.subtract(b, b), DTypeError, /^subtract: not supported for bool operands; use logicalXor/);
    expectError(() => np.negative(b), DTypeError, /^negative: not supported for bool operands; use logicalNot/);
  });

  it("unknown dtype names list the valid ones", () => {
    expectError(() => np.zeros([2], { dtype: "int64" as never }), DTypeError, lit('zeros: unknown dtype "int64"; valid dtypes are bool, int32, uint32, float32, float64'));
    expectError(() => np.astype(f, "float16" as never), DTypeError, /^astype: unknown dtype "float16"/);
    expectError(() => np.array([1], { dtype: "f32" as never }), DTypeError, /^array: unknown dtype "f32"/);
    expectError(() => np.sum(f, null, { dtype: "bool" }), DTypeError, /^sum: cannot accumulate in bool/);
  });

  it("non-array arguments are rejected with what was received", () => {
    expectError(() => np.add("a" as never, 1), ValueError, /^add: expected an Array, a number or a boolean, got string a/);
    expectError(() => np.sum([1, 2] as never), ValueError, /^sum: expected an Array, a number or a boolean, got a JS array \(wrap it with np.array/);
    expectError(() => np.concatenate(np.zeros([2]) as never), ValueError, /^concatenate: expected a list of arrays/);
  });
});

describe("ragged and invalid nested lists", () => {
  it("names the path and the lengths", () => {
    expectError(() => np.array([[1, 2], [3]]), ShapeError, lit("array: ragged nested list: data[1] has length 1, but data[0] has length 2"));
    expectError(() => np.array([[[1], [2]], [[3], [4, 5]]]), ShapeError, lit("data[1][1] has length 2, but data[0][0] has length 1"));
  });

  it("names a scalar where a list was expected, and the reverse", () => {
    expectError(() => np.array([[1, 2], 3]), ShapeError, lit("array: ragged nested list: data[1] is number 3, but data[0] is a list of length 2"));
    expectError(() => np.array([1, [2]]), ShapeError, lit("array: ragged nested list: data[1] is a list of length 1, but data[0] is number 1"));
  });

  it("rejects non-numbers with their path", () => {
    expectError(() => np.array([1, "a"] as never), ValueError, lit('array: data[1] is the string "a"; expected numbers, booleans or Arrays'));
    expectError(() => np.array([[1, null]] as never), ValueError, lit("array: data[0][1] is null"));
    expectError(() => np.array([1, undefined] as never), ValueError, /data\[1\] is undefined/);
    expectError(() => np.array({} as never), ValueError, /^array: cannot make an array from an object \(Object\)/);
    expectError(() => np.array("abc" as never), ValueError, /^array: cannot make an array from the string "abc"/);
  });

  it("stacking Arrays of different shapes", () => {
    expectError(() => np.array([np.zeros([2]), np.zeros([3])]), ShapeError, lit("array: cannot stack entries of different shapes: data[1] has shape [3] but data[0] has shape [2]"));
    expectError(() => np.array([[np.zeros([2])], [1, "x"]] as never), ValueError, lit('array: data[1][1] is the string "x"'));
  });
});

describe("negative and invalid sizes", () => {
  it("creation functions reject negative dimensions", () => {
    expectError(() => np.zeros([2, -1]), ValueError, lit("zeros: negative dimensions are not allowed, got shape [2,-1]"));
    expectError(() => np.ones(-3), ValueError, /^ones: negative dimensions/);
    expectError(() => np.full([-1], 0), ValueError, /^full: negative dimensions/);
    expectError(() => np.empty([2.5]), ValueError, /^empty: shape entries must be integers, got number 2.5 at position 0/);
    expectError(() => np.zeros("3" as never), ValueError, /^zeros: shape must be a number or a list of numbers, got the string "3"/);
    expectError(() => np.eye(-1), ValueError, /^eye: N must be a non-negative integer, got number -1/);
    expectError(() => np.linspace(0, 1, -1), ValueError, /^linspace: num must be a non-negative integer/);
    expectError(() => np.zerosLike(np.zeros([1]), { shape: [-2] }), ValueError, /^zerosLike: negative dimensions/);
  });

  it("ranges need a nonzero finite step", () => {
    expectError(() => np.arange(0, 10, 0), ValueError, /^arange: step must not be zero/);
    expectError(() => np.arange(0, Infinity), ValueError, /^arange: stop must be a finite number, got number Infinity/);
    expectError(() => np.arange(NaN), ValueError, /^arange: start must be a finite number/);
  });

  it("repetition and padding amounts must be non-negative", () => {
    expectError(() => np.tile(np.zeros([2]), -1), ValueError, /^tile: reps must be non-negative, got \[-1\]/);
    expectError(() => np.repeat(np.zeros([2]), -1), ValueError, /^repeat: repeats must be non-negative/);
    expectError(() => np.pad(np.zeros([2]), -1), ValueError, /^pad: padWidth must be .* non-negative integers; got -1/);
    expectError(() => np.pad(np.zeros([2, 2]), [[1, 1], [1, 1], [1, 1]]), ValueError, /^pad: padWidth must be .*2 axes for shape \[2,2\]/);
    expectError(() => np.pad(np.zeros([2]), 1, { mode: "mean" as never }), ValueError, /^pad: unknown mode "mean"; valid modes are "constant", "edge", "reflect", "symmetric", "wrap"/);
    expectError(() => np.pad(np.zeros([0]), 1, { mode: "edge" }), ValueError, /^pad: cannot pad the empty axis 0/);
    expectError(() => np.pad(np.zeros([2]), 1, "edge", { mode: "wrap" }), ValueError, /^pad: mode given twice: "edge" and \{ mode: "wrap" \}/);
  });
});

describe("empty and degenerate reductions", () => {
  it("max and min of an empty axis are errors (no identity)", () => {
    expectError(() => np.max(np.zeros([0])), ValueError, lit("max: zero-size array to reduction operation max which has no identity (axis 0 of shape [0] is empty); pass { initial }"));
    expectError(() => np.min(np.zeros([2, 0]), 1), ValueError, /^min: zero-size array .*axis 1 of shape \[2,0\]/);
    expectError(() => np.ptp(np.zeros([0])), ValueError, /^ptp: zero-size array/);
  });

  it("argmax and argmin of an empty sequence", () => {
    expectError(() => np.argmax(np.zeros([0])), ValueError, lit("argmax: attempt to get argmax of an empty sequence (shape [0])"));
    expectError(() => np.argmin(np.zeros([3, 0]), 1), ValueError, /^argmin: attempt to get argmin of an empty sequence \(axis 1 of shape \[3,0\] is empty\)/);
  });

  it("var and std with no degrees of freedom left", () => {
    expectError(() => np.var(np.zeros([3]), null, { ddof: 3 }), ValueError, lit("var: ddof=3 leaves no degrees of freedom: only 3 element(s) are reduced over axes [0] of shape [3] (ddof must be < 3)"));
    expectError(() => np.std(np.zeros([3]), null, { ddof: -1 }), ValueError, /^std: ddof must be a non-negative number/);
  });

  it("round needs integer decimals", () => {
    expectError(() => np.round(np.zeros([1]), 0.5), ValueError, /^round: decimals must be an integer, got number 0.5/);
  });
});

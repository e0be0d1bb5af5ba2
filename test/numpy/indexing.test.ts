/**
 * @file NumPy indexing: `slice` (basic and advanced), `at(...)` updates, `take`, `takeAlongAxis`,
 * `nonzero`, `flatnonzero`, `argwhere`. Expected values are worked out by hand from NumPy's rules;
 * properties compare `slice` with a naive reference and check the `slice` / `at().set` round trip.
 * A small value-carrying trace checks that the traced code paths (which cannot read index
 * values) compute the same results.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Array, Index, ShapedArray } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { ConcretizationError } from "../../src/core/errors.js";
import type { Primitive } from "../../src/core/primitive.js";
import { Trace, Tracer, withMain, type MainTrace } from "../../src/core/trace.js";
import { array } from "../../src/numpy/creation.js";
import { argwhere, at, flatnonzero, nonzero, slice, take, takeAlongAxis } from "../../src/numpy/indexing.js";
import { einsum, linalg, matmul, tensordot } from "../../src/numpy/linalg.js";
import { allclose, argsort, median, sort } from "../../src/numpy/sorting.js";
import { reshape } from "../../src/primitives/util.js";
import { grad } from "../../src/transforms/autodiff.js";
import * as np from "../../src/numpy/index.js";

// ---------------------------------------------------------------------------------------------
// helpers

/** `0, 1, ..., n-1` as float32 with the given shape. */
function iota(shape: number[], dtype: "float32" | "int32" = "float32"): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return array(
    globalThis.Array.from({ length: n }, (_, i) => i),
    { shape, dtype },
  );
}
const i32 = (d: number[] | number[][]) => array(d, { dtype: "int32" });
const u32 = (d: number[]) => array(d, { dtype: "uint32" });
const b = (d: boolean[] | boolean[][]) => array(d);

/** A tracer that carries its value but hides it (`concreteData` throws), as jit's tracers do. */
class ValueTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly val: ConcreteArray,
  ) {
    super(trace, val.aval);
  }
}

/** Runs each primitive eagerly on the hidden values and checks the shape rule agrees. */
class ValueTrace extends Trace {
  pure(x: ConcreteArray): Tracer {
    return new ValueTracer(this, x);
  }
  lift(x: Tracer): Tracer {
    return new ValueTracer(this, (x as ValueTracer).val);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[] {
    const avals: ShapedArray[] = prim.abstractEval(
      tracers.map((t) => t.aval),
      params,
    );
    const outs = prim.impl(
      tracers.map((t) => (t as ValueTracer).val),
      params,
    );
    outs.forEach((o, i) => {
      expect(o.shape, `${prim.name} shape rule`).toEqual(avals[i]!.shape);
      expect(o.dtype, `${prim.name} dtype rule`).toBe(avals[i]!.dtype);
    });
    return outs.map((o) => new ValueTracer(this, o));
  }
}

/** Call `f` with its array arguments replaced by tracers; returns the (concrete) result. */
function traced(f: (...xs: Array[]) => Array, ...args: Array[]): Array {
  return withMain(
    "jit",
    (m: MainTrace) => new ValueTrace(m),
    null,
    (main) => {
      const r = f(...args.map((a) => new ValueTracer(main.trace, a as ConcreteArray)));
      return r instanceof ValueTracer ? r.val : r;
    },
  );
}

const x34 = iota([3, 4]); // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
const z234 = iota([2, 3, 4]); // z[a][b][c] = 12a + 4b + c
const y10 = iota([10]);

// ---------------------------------------------------------------------------------------------

describe("slice: basic indexing", () => {
  it("integers, negative integers and fewer indices than axes", () => {
    expect(slice(x34, [1]).tolist()).toEqual([4, 5, 6, 7]);
    expect(slice(x34, [-1]).tolist()).toEqual([8, 9, 10, 11]);
    const e = slice(x34, [1, -2]);
    expect(e.shape).toEqual([]);
    expect(e.item()).toBe(6);
    expect(slice(x34, []).tolist()).toEqual(x34.tolist());
  });

  it("positive-step slices with NumPy's clamping", () => {
    expect(slice(y10, [[-3]]).tolist()).toEqual([7, 8, 9]);
    expect(slice(y10, [[2, 100]]).tolist()).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(slice(y10, [[100]]).tolist()).toEqual([]);
    expect(slice(y10, [[-100, 2]]).tolist()).toEqual([0, 1]);
    expect(slice(y10, [[1, 8, 3]]).tolist()).toEqual([1, 4, 7]);
    expect(slice(y10, [[null, null, 4]]).tolist()).toEqual([0, 4, 8]);
    expect(slice(y10, [[5, 2]]).tolist()).toEqual([]);
    expect(slice(x34, [[1, null], [null, null, 2]]).tolist()).toEqual([
      [4, 6],
      [8, 10],
    ]);
  });

  it("negative steps (rev + slice) with NumPy's clamping", () => {
    expect(slice(y10, [[null, null, -1]]).tolist()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(slice(y10, [[8, 2, -2]]).tolist()).toEqual([8, 6, 4]);
    expect(slice(y10, [[-1, -4, -1]]).tolist()).toEqual([9, 8, 7]);
    expect(slice(y10, [[null, 3, -3]]).tolist()).toEqual([9, 6]);
    expect(slice(y10, [[2, null, -1]]).tolist()).toEqual([2, 1, 0]);
    expect(slice(y10, [[100, null, -3]]).tolist()).toEqual([9, 6, 3, 0]);
    expect(slice(y10, [[-100, null, -1]]).tolist()).toEqual([]);
    expect(slice(y10, [[3, -100, -1]]).tolist()).toEqual([3, 2, 1, 0]);
    expect(slice(y10, [[5, 5, -1]]).tolist()).toEqual([]);
    expect(slice(x34, [[null, null, -1], [null, null, -2]]).tolist()).toEqual([
      [11, 9],
      [7, 5],
      [3, 1],
    ]);
    expect(slice(iota([0]), [[null, null, -1]]).shape).toEqual([0]);
  });

  it("null adds axes and '...' expands to full slices", () => {
    expect(slice(x34, [null]).shape).toEqual([1, 3, 4]);
    expect(slice(x34, [1, null]).tolist()).toEqual([[4, 5, 6, 7]]);
    expect(slice(x34, ["...", null]).shape).toEqual([3, 4, 1]);
    expect(slice(x34, [null, "...", null]).shape).toEqual([1, 3, 4, 1]);
    expect(slice(x34, ["...", 1]).tolist()).toEqual([1, 5, 9]);
    expect(slice(z234, [0, "...", 2]).tolist()).toEqual([2, 6, 10]);
    expect(slice(z234, ["..."]).tolist()).toEqual(z234.tolist());
    expect(slice(z234, [1, 2, 3, "..."]).item()).toBe(23);
    const s = slice(iota([]), [null, null]);
    expect(s.shape).toEqual([1, 1]);
  });

  it("keeps the dtype and leaves the input unchanged", () => {
    const xi = iota([3, 4], "int32");
    expect(slice(xi, [[null, null, -1]]).dtype).toBe("int32");
    expect(xi.tolist()).toEqual(x34.tolist());
  });
});

describe("slice: advanced indexing", () => {
  it("one integer array", () => {
    expect(slice(x34, [i32([2, 0])]).tolist()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
    ]);
    expect(slice(x34, [[null], i32([3, 0])]).tolist()).toEqual([
      [3, 0],
      [7, 4],
      [11, 8],
    ]);
    expect(slice(x34, [i32([-1])]).tolist()).toEqual([[8, 9, 10, 11]]);
    expect(slice(y10, [i32([[1, 2], [3, -1]])]).tolist()).toEqual([
      [1, 2],
      [3, 9],
    ]);
    expect(slice(x34, [u32([1, 1])]).tolist()).toEqual([
      [4, 5, 6, 7],
      [4, 5, 6, 7],
    ]);
    expect(slice(x34, [i32([])]).shape).toEqual([0, 4]);
  });

  it("several integer arrays broadcast together", () => {
    expect(slice(x34, [i32([0, 2]), i32([1, 3])]).tolist()).toEqual([1, 11]);
    expect(slice(x34, [i32([[0], [2]]), i32([1, 3])]).tolist()).toEqual([
      [1, 3],
      [9, 11],
    ]);
  });

  it("mixed basic and advanced: adjacent advanced indices keep their place", () => {
    // z[:, [0, 2], 1:3] -> [2, 2, 2]
    expect(slice(z234, [[null], i32([0, 2]), [1, 3]]).tolist()).toEqual([
      [
        [1, 2],
        [9, 10],
      ],
      [
        [13, 14],
        [21, 22],
      ],
    ]);
    // z[:, 1, [1, 2]]: the integer and the array are adjacent -> [2, 2]
    expect(slice(z234, [[null], 1, i32([1, 2])]).tolist()).toEqual([
      [5, 6],
      [17, 18],
    ]);
    // z[None, [1], 0] -> [1, 1, 4]
    const r = slice(z234, [null, i32([1]), 0]);
    expect(r.shape).toEqual([1, 1, 4]);
    expect(r.tolist()).toEqual([[[12, 13, 14, 15]]]);
  });

  it("mixed basic and advanced: separated advanced indices go to the front", () => {
    // z[0, :, [1, 2]] -> [2, 3] (NumPy's famous case)
    expect(slice(z234, [0, [null], i32([1, 2])]).tolist()).toEqual([
      [1, 5, 9],
      [2, 6, 10],
    ]);
    // z[[0, 1], :, [0, 3]] -> [2, 3]
    expect(slice(z234, [i32([0, 1]), [null], i32([0, 3])]).tolist()).toEqual([
      [0, 4, 8],
      [15, 19, 23],
    ]);
    // z[[0, 1], None, :, [0, 3]]: a new axis separates them too -> [2, 1, 3]
    expect(slice(z234, [i32([0, 1]), null, [null], i32([0, 3])]).shape).toEqual([2, 1, 3]);
  });

  it("boolean masks select the true elements (eagerly)", () => {
    const m = b([
      [false, false, false, false],
      [false, false, true, true],
      [true, true, true, true],
    ]);
    expect(slice(x34, [m]).tolist()).toEqual([6, 7, 8, 9, 10, 11]);
    expect(slice(x34, [b([true, false, true])]).tolist()).toEqual([
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(slice(x34, [b([true, false, true]), [1, 3]]).tolist()).toEqual([
      [1, 2],
      [9, 10],
    ]);
    expect(slice(x34, [[null], b([false, true, false, true])]).tolist()).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    expect(slice(x34, [b([false, false, false])]).shape).toEqual([0, 4]);
  });
});

describe("at: functional updates", () => {
  it("set at integers, slices and negative steps; the input is unchanged", () => {
    expect(at(x34, [1]).set(0).tolist()).toEqual([
      [0, 1, 2, 3],
      [0, 0, 0, 0],
      [8, 9, 10, 11],
    ]);
    expect(at(y10, [[null, null, -3]]).set(-1).tolist()).toEqual([-1, 1, 2, -1, 4, 5, -1, 7, 8, -1]);
    expect(at(x34, [[null], 1]).set(array([10, 20, 30])).tolist()).toEqual([
      [0, 10, 2, 3],
      [4, 20, 6, 7],
      [8, 30, 10, 11],
    ]);
    expect(slice(at(x34, [null, 1]).set(array([[9, 9, 9, 9]])), [1]).tolist()).toEqual([9, 9, 9, 9]);
    expect(x34.tolist()).toEqual(iota([3, 4]).tolist());
  });

  it("add accumulates repeated indices (as JAX)", () => {
    expect(at(array([0, 0, 0, 0, 0]), [i32([0, 1, 0, 0, 4])]).add(1).tolist()).toEqual([3, 1, 0, 0, 1]);
    expect(
      at(array([0, 0, 0, 0, 0]), [i32([0, 1, 0, 0, 4])])
        .add(array([1, 2, 3, 4, 5]))
        .tolist(),
    ).toEqual([8, 2, 0, 0, 5]);
    expect(at(x34, [i32([0, 0]), i32([1, 1])]).add(5).tolist()[0]).toEqual([0, 11, 2, 3]);
  });

  it("mul, min and max", () => {
    const v = array([1, 2, 3, 4]);
    expect(at(v, [[1, 3]]).mul(10).tolist()).toEqual([1, 20, 30, 4]);
    expect(at(v, [[1, 3]]).min(2.5).tolist()).toEqual([1, 2, 2.5, 4]);
    expect(at(v, [[1, 3]]).max(2.5).tolist()).toEqual([1, 2.5, 3, 4]);
    expect(at(v, [i32([0, 0])]).mul(3).tolist()).toEqual([9, 2, 3, 4]);
  });

  it("mixed advanced indices and masks use slice's placement rules", () => {
    // z[0, :, [1, 2]] has shape [2, 3]
    const vals = array([
      [-1, -2, -3],
      [-4, -5, -6],
    ]);
    const r = at(z234, [0, [null], i32([1, 2])]).set(vals);
    expect(slice(r, [0]).tolist()).toEqual([
      [0, -1, -4, 3],
      [4, -2, -5, 7],
      [8, -3, -6, 11],
    ]);
    expect(slice(r, [1]).tolist()).toEqual(slice(z234, [1]).tolist());
    const m = b([
      [false, false, false, false],
      [false, false, true, true],
      [true, true, true, true],
    ]);
    expect(at(x34, [m]).set(0).tolist()).toEqual([
      [0, 1, 2, 3],
      [4, 5, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it("get is slice", () => {
    expect(at(z234, [[null, null, -1], 1]).get().tolist()).toEqual(slice(z234, [[null, null, -1], 1]).tolist());
  });

  it("casts the value to the array's dtype; bool add is OR", () => {
    const xi = array([1, 2, 3], { dtype: "int32" });
    const r = at(xi, [0]).add(2.7);
    expect(r.dtype).toBe("int32");
    expect(r.tolist()).toEqual([3, 2, 3]);
    const xb = b([false, true, false]);
    const rb = at(xb, [i32([0, 0, 1])]).add(true);
    expect(rb.dtype).toBe("bool");
    expect(rb.tolist()).toEqual([true, true, false]);
  });
});

describe("take, takeAlongAxis, nonzero, flatnonzero, argwhere", () => {
  const m = array([
    [1, 2],
    [3, 4],
  ]);
  it("take along an axis or the flattened array", () => {
    expect(take(m, [1, 0], 1).tolist()).toEqual([
      [2, 1],
      [4, 3],
    ]);
    expect(take(m, [-1]).tolist()).toEqual([4]);
    expect(take(m, 2).tolist()).toEqual(3);
    expect(take(m, i32([[0, 0]]), 0).shape).toEqual([1, 2, 2]);
    expect(take(z234, [3], -1).tolist()).toEqual([[[3], [7], [11]], [[15], [19], [23]]]);
  });

  it("takeAlongAxis with broadcasting and axis null", () => {
    const x = array([
      [10, 30, 20],
      [60, 40, 50],
    ]);
    expect(takeAlongAxis(x, i32([[0, 2, 1], [1, 2, 0]]), 1).tolist()).toEqual([
      [10, 20, 30],
      [40, 50, 60],
    ]);
    expect(takeAlongAxis(x, i32([[1, 0, 1]]), 0).tolist()).toEqual([[60, 30, 50]]);
    expect(takeAlongAxis(x, i32([[-1], [0]]), 1).tolist()).toEqual([[20], [60]]);
    expect(takeAlongAxis(x, i32([5, 0]), null).tolist()).toEqual([50, 10]);
  });

  it("nonzero, flatnonzero and argwhere (NaN counts as nonzero)", () => {
    const x = array([
      [0, 1],
      [NaN, 0],
    ]);
    expect(nonzero(x).map((a) => a.tolist())).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(nonzero(x)[0]!.dtype).toBe("int32");
    expect(flatnonzero(x).tolist()).toEqual([1, 2]);
    expect(argwhere(x).tolist()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(argwhere(array([0, 0])).shape).toEqual([0, 1]);
    expect(argwhere(array(5)).shape).toEqual([1, 0]);
  });
});

describe("under tracing (values hidden)", () => {
  it("slice with traced arrays and traced indices agrees with eager", () => {
    const idx = i32([2, -1, 0]);
    expect(traced((x, i) => slice(x, [i, [null, null, -1]]), x34, idx).tolist()).toEqual(slice(x34, [idx, [null, null, -1]]).tolist());
    expect(traced((x) => slice(x, [0, [null], i32([1, 2])]), z234).tolist()).toEqual(slice(z234, [0, [null], i32([1, 2])]).tolist());
  });

  it("traced out-of-range indices are clamped, as JAX", () => {
    expect(traced((x, i) => slice(x, [i]), y10, i32([12, -12])).tolist()).toEqual([9, 0]);
  });

  it("at(...).max/min gradients go to the winner and split ties evenly (JAX's rule)", () => {
    const x = array([1, 0, 3], { dtype: "float64" });
    const v = array([1, 0.5, 2], { dtype: "float64" });
    const i = array([0, 1, 2], { dtype: "int32" });
    // slot 0: x ties the update (1 = 1) → ½ each; slot 1: the update wins; slot 2: x wins.
    const [gx, gv] = grad((a: Array, b: Array) => np.sum(at(a, [i]).max(b).mul(array([1, 10, 100], { dtype: "float64" }))), { argnums: [0, 1] })(x, v) as Array[];
    expect(gx!.tolist()).toEqual([0.5, 0, 100]);
    expect(gv!.tolist()).toEqual([0.5, 10, 0]);
    const [gx2, gv2] = grad((a: Array, b: Array) => np.sum(at(a, [i]).min(b)), { argnums: [0, 1] })(x, v) as Array[];
    expect(gx2!.tolist()).toEqual([0.5, 1, 0]);
    expect(gv2!.tolist()).toEqual([0.5, 0, 1]);
  });

  it("at(...).add with a traced index accumulates duplicates", () => {
    expect(traced((x, i) => at(x, [i]).add(1), array([0, 0, 0]), i32([0, -1, 0])).tolist()).toEqual([2, 0, 1]);
  });

  it("linalg and sorting give the same values traced as eager (shape rules agree)", () => {
    const a = iota([2, 1, 2, 3]);
    const c = iota([4, 3, 2]);
    const cases: [(...xs: Array[]) => Array, Array[]][] = [
      [(p, q) => matmul(p, q), [a, c]],
      [(p, q) => einsum("...ij,...jk", p, q), [a, c]],
      [(p) => einsum("iij->ij", p), [iota([2, 2, 3])]],
      [(p, q) => tensordot(p, q, [[1, 2], [0, 1]]), [z234, iota([3, 4, 2])]],
      [(p) => linalg.norm(p, 1, [1, 0], { keepdims: true }), [x34]],
      [(p) => median(p, [0, 2]), [z234]],
      [(p) => sort(slice(p, [[null, null, -1]]), 0), [x34]],
      [(p) => takeAlongAxis(p, argsort(p, 1), 1), [slice(x34, [[null, null, -1], [null, null, -1]])]],
      [(p, q) => allclose(p, q), [x34, x34]],
    ];
    for (const [f, args] of cases) expect(traced(f, ...args).tolist()).toEqual(f(...args).tolist());
  });

  it("a traced boolean mask or nonzero needs concrete values", () => {
    const m = b([true, false, true]);
    expect(() => traced((x, mk) => slice(x, [mk]), x34, m)).toThrow(ConcretizationError);
    expect(() => traced((x, mk) => slice(x, [mk]), x34, m)).toThrow(/np\.where/);
    expect(() => traced((x) => nonzero(x)[0]!, m)).toThrow(ConcretizationError);
    expect(() => traced((x) => argwhere(x), m)).toThrow(ConcretizationError);
  });
});

// ---------------------------------------------------------------------------------------------
// properties

type BasicIndex = number | [number | null, number | null, number | null] | null;

/** The positions a slice selects on an axis of size n, straight from Python's definition. */
function slicePositions(n: number, [start, stop, step]: [number | null, number | null, number | null]): number[] {
  const st = step ?? 1;
  const norm = (v: number) => (v < 0 ? v + n : v);
  const out: number[] = [];
  if (st > 0) {
    const s = Math.max(0, start === null ? 0 : norm(start));
    const e = stop === null ? n : norm(stop);
    for (let i = s; i < Math.min(e, n); i += st) out.push(i);
  } else {
    const s = Math.min(n - 1, start === null ? n - 1 : norm(start));
    const e = stop === null ? -1 : Math.max(-1, norm(stop));
    for (let i = s; i > e && i >= 0; i += st) out.push(i);
  }
  return out;
}

/** Naive NumPy basic indexing on nested lists. */
function referenceSlice(data: any, shape: number[], idx: BasicIndex[]): any {
  const go = (node: any, axis: number, k: number): any => {
    if (k === idx.length) return axis === shape.length ? node : go(node, axis, k + 0.5);
    if (!Number.isInteger(k)) {
      // Implicit trailing full slices.
      if (axis === shape.length) return node;
      return (node as any[]).map((c) => go(c, axis + 1, k));
    }
    const e = idx[k]!;
    if (e === null) return [go(node, axis, k + 1)];
    if (typeof e === "number") return go(node[e < 0 ? e + shape[axis]! : e], axis + 1, k + 1);
    return slicePositions(shape[axis]!, e).map((i) => go(node[i], axis + 1, k + 1));
  };
  return go(data, 0, 0);
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const boundArb = fc.option(fc.integer({ min: -6, max: 6 }), { nil: null });
const stepArb = fc.option(fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0), { nil: null });

function basicIndexArb(shape: number[]): fc.Arbitrary<BasicIndex[]> {
  const perAxis = shape.map((n) =>
    fc.oneof(
      fc.integer({ min: -n, max: n - 1 }),
      fc.tuple(boundArb, boundArb, stepArb) as fc.Arbitrary<[number | null, number | null, number | null]>,
    ),
  );
  return fc
    .tuple(fc.tuple(...perAxis), fc.integer({ min: 0, max: shape.length }), fc.boolean(), fc.integer({ min: 0, max: shape.length }))
    .map(([entries, cut, withNew, newAt]) => {
      const list: BasicIndex[] = (entries as BasicIndex[]).slice(0, cut);
      if (withNew) list.splice(Math.min(newAt, list.length), 0, null);
      return list;
    });
}

describe("properties", () => {
  it("basic slice agrees with a naive reference", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), basicIndexArb(s))),
        ([shape, idx]) => {
          const x = iota(shape);
          expect(slice(x, idx as Index[]).tolist()).toEqual(referenceSlice(x.tolist(), shape, idx));
        },
      ),
      { numRuns: 300 },
    );
  });

  /** An index with basic entries and at most one (duplicate-free) integer array. */
  function mixedIndexArb(shape: number[]): fc.Arbitrary<Index[]> {
    return fc.tuple(basicIndexArb(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.boolean(), fc.nat()).chain(([basic, axis, useArray, seed]) => {
      if (!useArray) return fc.constant(basic as Index[]);
      const n = shape[axis]!;
      return fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 0, maxLength: n }).map((vals) => {
        const list: Index[] = [];
        for (let a = 0; a < axis; a++) list.push(seed % 2 === 0 ? [null] : a % 2 === 0 ? 0 : [null, null, -1]);
        list.push(i32(vals.map((v, k) => (k % 2 === 1 ? v - n : v))));
        return list;
      });
    });
  }

  it("at(idx).set(slice(x, idx)) is x, and slice(at(idx).set(v), idx) is v", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), mixedIndexArb(s))),
        ([shape, idx]) => {
          const x = iota(shape);
          const sel = slice(x, idx);
          expect(at(x, idx).set(sel).tolist()).toEqual(x.tolist());
          const v = reshape(
            array(
              globalThis.Array.from({ length: sel.size }, (_, i) => -1 - i),
              { shape: [sel.size] },
            ),
            sel.shape,
          );
          expect(slice(at(x, idx).set(v), idx).tolist()).toEqual(v.tolist());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("through the np namespace and fluent methods", () => {
  it("x.slice(...) and x.at(...) are these functions", async () => {
    const np = await import("../../src/numpy/index.js");
    const x = np.arange(12).reshape(3, 4);
    expect(x.slice(1, [null, null, -1]).tolist()).toEqual([7, 6, 5, 4]);
    expect(x.slice("...", np.array([0, 3], { dtype: "int32" })).tolist()).toEqual([
      [0, 3],
      [4, 7],
      [8, 11],
    ]);
    expect(x.at(0).set(-1).tolist()[0]).toEqual([-1, -1, -1, -1]);
    expect(x.at(np.array([1, 1], { dtype: "int32" }), 0).add(10).slice(1, 0).item()).toBe(24);
    expect(np.take(x, [5]).tolist()).toEqual([5]);
    expect(np.matmul(x, np.ones([4], { dtype: "int32" })).tolist()).toEqual([6, 22, 38]);
    expect(x.matmul(np.ones([4, 1], { dtype: "int32" })).shape).toEqual([3, 1]);
    expect(np.linalg.norm(np.array([3, 4])).item()).toBe(5);
    expect(np.sort(np.array([2, 1])).tolist()).toEqual([1, 2]);
  });
});

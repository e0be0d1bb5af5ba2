/**
 * @file Window reductions (`reduce_window_sum` / `_max` / `_min`), their selection primitives
 * (`select_and_gather_add`, `select_and_scatter_add`) and the `lax` wrappers (`reduceWindow`,
 * `maxPool`, `avgPool`): values against a naive reference over random shapes, windows, strides,
 * padding and dilations; derivatives against finite differences (max/min on distinct values);
 * `vmap` against loop-and-stack; `jit` against eager; errors.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import type { DType } from "../../src/core/dtype.js";
import { bind1 } from "../../src/core/trace.js";
import { avgPool, maxPool, reduceWindow, type Padding } from "../../src/lax/conv.js";
import { mul } from "../../src/primitives/elementwise.js";
import { reduceSumP } from "../../src/primitives/reduce.js";
import {
  reduceWindowMaxP,
  reduceWindowMinP,
  reduceWindowSumP,
  selectAndGatherAddP,
  selectAndScatterAddP,
  type ReduceWindowParams,
} from "../../src/primitives/reduceWindow.js";
import { checkGrads } from "../../src/testing/checkGrads.js";
import { indices, prod, rng, stridesOf } from "../helpers/plain.js";
import { grad } from "../../src/transforms/autodiff.js";
import { jit, makeJaxpr } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";

// ---------------------------------------------------------------------------------------------
// Helpers and the naive reference



function arr(data: readonly number[], shape: readonly number[], dtype: DType = "float64"): ConcreteArray {
  const d = dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Float64Array.from(data);
  return new ConcreteArray(d, [...shape], dtype);
}

function randomArray(shape: readonly number[], seed: number, dtype: DType = "float64"): ConcreteArray {
  const r = rng(seed);
  const n = prod(shape);
  const vals = globalThis.Array.from({ length: n }, () => (dtype === "int32" ? Math.floor(r() * 200) - 100 : r() * 2 - 1));
  return arr(vals, shape, dtype);
}

/** Distinct values (a shuffled ladder 0.1 apart, centred), so that max/min have no ties even after finite-difference steps. */
function distinctArray(shape: readonly number[], seed: number): ConcreteArray {
  const r = rng(seed);
  const n = prod(shape);
  const vals = globalThis.Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [vals[i], vals[j]] = [vals[j]!, vals[i]!];
  }
  return arr(vals, shape);
}

const dil = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));

/** Direct window reduction: every output position, every window tap, the element under it if any. */
function refReduceWindow(kind: "sum" | "max" | "min", data: ArrayLike<number>, shape: readonly number[], p: ReduceWindowParams): { data: number[]; shape: number[] } {
  const outShape = shape.map((n, i) => Math.floor((dil(n, p.baseDilation[i]!) + p.padding[i]![0] + p.padding[i]![1] - dil(p.windowDimensions[i]!, p.windowDilation[i]!)) / p.windowStrides[i]!) + 1);
  const st = stridesOf(shape);
  const out: number[] = [];
  for (const y of indices(outShape)) {
    let acc = kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity;
    for (const k of indices(p.windowDimensions)) {
      let off = 0;
      let ok = true;
      for (let d = 0; d < shape.length && ok; d++) {
        const pos = y[d]! * p.windowStrides[d]! + k[d]! * p.windowDilation[d]! - p.padding[d]![0];
        if (pos < 0 || pos % p.baseDilation[d]! !== 0 || pos / p.baseDilation[d]! >= shape[d]!) ok = false;
        else off += (pos / p.baseDilation[d]!) * st[d]!;
      }
      if (!ok) continue;
      const v = data[off]!;
      acc = kind === "sum" ? acc + v : kind === "max" ? Math.max(acc, v) : Math.min(acc, v);
    }
    out.push(acc);
  }
  return { data: out, shape: outShape };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what = ""): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const same = g === w || Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!same) throw new Error(`${what} mismatch at flat index ${i}: got ${g}, want ${w}`);
  }
}

const sumAll = (y: Array) => bind1(reduceSumP, [y], { axes: y.shape.map((_, i) => i) });

function params(nd: number, q: Partial<ReduceWindowParams>): ReduceWindowParams {
  const ones = new globalThis.Array<number>(nd).fill(1);
  return {
    windowDimensions: q.windowDimensions ?? ones,
    windowStrides: q.windowStrides ?? ones,
    padding: q.padding ?? ones.map(() => [0, 0] as [number, number]),
    baseDilation: q.baseDilation ?? ones,
    windowDilation: q.windowDilation ?? ones,
  };
}

const prims = { sum: reduceWindowSumP, max: reduceWindowMaxP, min: reduceWindowMinP } as const;

// ---------------------------------------------------------------------------------------------
// Forward values

interface WindowCase {
  shape: number[];
  p: ReduceWindowParams;
  kind: "sum" | "max" | "min";
  dtype: DType;
  seed: number;
}

const windowCaseArb: fc.Arbitrary<WindowCase> = fc.integer({ min: 1, max: 4 }).chain((nd) =>
  fc
    .record({
      dims: fc.array(
        fc.record({
          n: fc.integer({ min: 1, max: nd >= 3 ? 4 : 7 }),
          w: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 3 }),
          bd: fc.integer({ min: 1, max: 2 }),
          wd: fc.integer({ min: 1, max: 2 }),
          lo: fc.integer({ min: -1, max: 2 }),
          hi: fc.integer({ min: -1, max: 2 }),
        }),
        { minLength: nd, maxLength: nd },
      ),
      kind: fc.constantFrom<"sum" | "max" | "min">("sum", "max", "min"),
      dtype: fc.constantFrom<DType>("float32", "float64", "int32"),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => {
      const padding = r.dims.map((d): [number, number] => {
        let hi = d.hi;
        while (dil(d.n, d.bd) + d.lo + hi < dil(d.w, d.wd)) hi++;
        return [d.lo, hi];
      });
      return {
        shape: r.dims.map((d) => d.n),
        p: {
          windowDimensions: r.dims.map((d) => d.w),
          windowStrides: r.dims.map((d) => d.s),
          padding,
          baseDilation: r.dims.map((d) => d.bd),
          windowDilation: r.dims.map((d) => d.wd),
        },
        kind: r.kind,
        dtype: r.dtype,
        seed: r.seed,
      };
    }),
);

describe("reduce_window forward", () => {
  test("sum / max / min match a direct reference on random shapes, windows, strides, padding and dilations (float32, float64, int32)", () => {
    fc.assert(
      fc.property(windowCaseArb, (c) => {
        const x = randomArray(c.shape, c.seed, c.dtype);
        const y = bind1(prims[c.kind], [x], c.p);
        const want = refReduceWindow(c.kind, x.dataSync(), c.shape, c.p);
        expect(y.shape).toEqual(want.shape);
        expect(y.dtype).toBe(c.dtype);
        // Windows of padding only hold the identity (the dtype's extreme value for integers).
        const fixed = c.dtype === "int32" ? want.data.map((v) => (v === -Infinity ? -2147483648 : v === Infinity ? 2147483647 : v)) : want.data;
        const tol = c.dtype === "float32" ? 1e-6 : 1e-12;
        expectClose(y.dataSync(), fixed, tol, tol, JSON.stringify(c));
      }),
      { numRuns: 200 },
    );
  });

  test("a hand-computed 1-D example, with the selection primitives", () => {
    const x = arr([1, 3, 2, 5, 4], [5]);
    const p = params(1, { windowDimensions: [2] });
    expect(globalThis.Array.from(bind1(reduceWindowMaxP, [x], p).dataSync())).toEqual([3, 3, 5, 5]);
    expect(globalThis.Array.from(bind1(reduceWindowMinP, [x], p).dataSync())).toEqual([1, 2, 2, 4]);
    expect(globalThis.Array.from(bind1(reduceWindowSumP, [x], p).dataSync())).toEqual([4, 5, 7, 9]);
    const t = arr([10, 20, 30, 40, 50], [5]);
    expect(globalThis.Array.from(bind1(selectAndGatherAddP, [t, x], { ...p, select: "max" }).dataSync())).toEqual([20, 20, 40, 40]);
    expect(globalThis.Array.from(bind1(selectAndGatherAddP, [t, x], { ...p, select: "min" }).dataSync())).toEqual([10, 30, 30, 50]);
    const s = arr([1, 2, 3, 4], [4]);
    expect(globalThis.Array.from(bind1(selectAndScatterAddP, [s, x], { ...p, select: "max" }).dataSync())).toEqual([0, 3, 0, 7, 0]);
    // Ties pick the first element of the window.
    const tie = arr([2, 2, 2], [3]);
    expect(globalThis.Array.from(bind1(selectAndScatterAddP, [arr([1, 1], [2]), tie], { ...p, select: "max" }).dataSync())).toEqual([1, 1, 0]);
  });

  test("NaN propagates through max and min", () => {
    const x = arr([1, NaN, 2, 3], [4]);
    const p = params(1, { windowDimensions: [2], windowStrides: [2] });
    const y = globalThis.Array.from(bind1(reduceWindowMaxP, [x], p).dataSync());
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
// Derivatives

describe("reduce_window derivatives (float64, finite differences)", () => {
  const configs: [string, number[], Partial<ReduceWindowParams>][] = [
    ["2x2 stride 2 (NHWC pooling)", [2, 4, 4, 2], { windowDimensions: [1, 2, 2, 1], windowStrides: [1, 2, 2, 1] }],
    ["3x3 stride 2 with padding", [1, 5, 6, 1], { windowDimensions: [1, 3, 3, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [1, 1], [1, 0], [0, 0]] }],
    ["1-D with base dilation and negative padding", [9], { windowDimensions: [3], windowStrides: [2], padding: [[-1, 1]], baseDilation: [2] }],
    ["1-D with window dilation", [8], { windowDimensions: [2], windowStrides: [1], padding: [[1, 0]], windowDilation: [3] }],
    ["3-D, overlapping windows", [3, 4, 3], { windowDimensions: [2, 2, 2], windowStrides: [1, 2, 1], padding: [[1, 0], [0, 1], [0, 0]] }],
  ];
  test("reduce_window_sum, order 2, with both dilations (windows of holes only are fine for a sum)", () => {
    const p = params(1, { windowDimensions: [3], windowStrides: [2], padding: [[-1, 2]], baseDilation: [2], windowDilation: [2] });
    checkGrads((x: Array) => bind1(reduceWindowSumP, [x], p), [randomArray([9], 1)], { order: 2 });
  });
  for (const [name, shape, q] of configs) {
    const p = params(shape.length, q);
    test(`reduce_window_sum, order 2, fwd and rev: ${name}`, () => {
      checkGrads((x: Array) => bind1(reduceWindowSumP, [x], p), [randomArray(shape, 1)], { order: 2 });
    });
    test(`reduce_window_max and _min, orders 1 and 2 on distinct values: ${name}`, () => {
      const x = distinctArray(shape, 2);
      checkGrads((a: Array) => bind1(reduceWindowMaxP, [a], p), [x], { order: 2 });
      checkGrads((a: Array) => bind1(reduceWindowMinP, [a], p), [x], { order: 2 });
    });
  }

  test("the gradient of max pooling lands on each window's argmax", () => {
    const x = arr([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 3, 5, 4], [1, 4, 4, 1]);
    const g = grad((a: Array) => sumAll(maxPool(a, [2, 2], [2, 2])))(x) as Array;
    expect(globalThis.Array.from(g.dataSync())).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
  });

  test("select_and_gather_add and select_and_scatter_add are transposes of each other (⟨gather(t), s⟩ = ⟨t, scatter(s)⟩)", () => {
    const x = distinctArray([5, 7], 3);
    const p = { ...params(2, { windowDimensions: [3, 2], windowStrides: [2, 1], padding: [[1, 1], [0, 1]] }), select: "max" as const };
    const t = randomArray([5, 7], 4);
    const s = randomArray(bind1(reduceWindowMaxP, [x], p).shape, 5);
    const lhs = sumAll(mul(bind1(selectAndGatherAddP, [t, x], p), s)).item() as number;
    const rhs = sumAll(mul(t, bind1(selectAndScatterAddP, [s, x], p))).item() as number;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
  });

  test("pooling helpers: avgPool (both divisors) and maxPool derivatives", () => {
    const x = distinctArray([2, 5, 5, 3], 6);
    checkGrads((a: Array) => avgPool(a, [3, 3], [2, 2], "SAME"), [x], { order: 2 });
    checkGrads((a: Array) => avgPool(a, [3, 3], [2, 2], "SAME", { countIncludePad: false }), [x], { order: 1 });
    checkGrads((a: Array) => maxPool(a, [2, 3], [2, 1], "SAME"), [x], { order: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// lax wrappers

describe("lax.reduceWindow and the pooling helpers", () => {
  test("reduceWindow with string padding equals the explicit pairs and the reference", () => {
    const x = randomArray([2, 7, 6, 3], 7);
    const y = reduceWindow(x, -Infinity, "max", [1, 3, 2, 1], [1, 2, 2, 1], "SAME");
    const want = refReduceWindow("max", x.dataSync(), x.shape, params(4, { windowDimensions: [1, 3, 2, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [1, 1], [0, 0], [0, 0]] }));
    expect(y.shape).toEqual([2, 4, 3, 3]);
    expectClose(y.dataSync(), want.data, 0, 0);
    const v = reduceWindow(x, 0, "sum", [1, 3, 3, 1], null, "VALID");
    expect(v.shape).toEqual([2, 5, 4, 3]);
  });

  test("a finite initial value of max / min is combined with every window", () => {
    const x = arr([1, 3, 2, 5, 4], [5]);
    expect(globalThis.Array.from(reduceWindow(x, 3.5, "max", [2], [1], "VALID").dataSync())).toEqual([3.5, 3.5, 5, 5]);
    expect(globalThis.Array.from(reduceWindow(x, 2.5, "min", [2], [1], "VALID").dataSync())).toEqual([1, 2, 2, 2.5]);
  });

  test("maxPool / avgPool follow flax's layout (batch, spatial, features) and match the reference", () => {
    const x = randomArray([2, 5, 6, 3], 8);
    const pMax = params(4, { windowDimensions: [1, 2, 3, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [0, 1], [0, 1], [0, 0]] });
    const mp = maxPool(x, [2, 3], [2, 2], "SAME");
    expect(mp.shape).toEqual([2, 3, 3, 3]);
    expectClose(mp.dataSync(), refReduceWindow("max", x.dataSync(), x.shape, pMax).data, 0, 0);
    const ap = avgPool(x, [2, 3], [2, 2], "SAME");
    expectClose(
      ap.dataSync(),
      refReduceWindow("sum", x.dataSync(), x.shape, pMax).data.map((v) => v / 6),
      1e-12,
      1e-12,
    );
    // countIncludePad: false divides by the number of real elements of each window.
    const ones = arr(new globalThis.Array(2 * 5 * 6 * 3).fill(1), [2, 5, 6, 3]);
    const counts = refReduceWindow("sum", ones.dataSync(), ones.shape, pMax).data;
    const apx = avgPool(x, [2, 3], [2, 2], "SAME", { countIncludePad: false });
    expectClose(
      apx.dataSync(),
      refReduceWindow("sum", x.dataSync(), x.shape, pMax).data.map((v, i) => v / counts[i]!),
      1e-12,
      1e-12,
    );
    // Unbatched input (no leading batch axes) and a 1-D pool.
    expect(maxPool(randomArray([8, 2], 9), [2], [2]).shape).toEqual([4, 2]);
  });
});

// ---------------------------------------------------------------------------------------------
// vmap and jit

function take(x: Array, axis: number, i: number): ConcreteArray {
  const shape = x.shape.filter((_, j) => j !== axis);
  const st = stridesOf(x.shape);
  const out: number[] = [];
  const data = x.dataSync();
  for (const idx of indices(shape)) {
    const full = [...idx.slice(0, axis), i, ...idx.slice(axis)];
    out.push(data[full.reduce((s, v, d) => s + v * st[d]!, 0)]!);
  }
  return arr(out, shape, x.dtype);
}

describe("reduce_window under vmap and jit", () => {
  const p = params(3, { windowDimensions: [2, 2, 1], windowStrides: [2, 1, 1], padding: [[1, 0], [0, 1], [0, 0]], windowDilation: [1, 2, 1] });
  for (const kind of ["sum", "max", "min"] as const) {
    test(`vmap ≈ loop-and-stack for reduce_window_${kind} and its gradient (batch axis 1)`, () => {
      const f = (a: Array) => bind1(prims[kind], [a], p);
      const X = distinctArray([4, 3, 5, 2], 10);
      const out = vmap(f, 1)(X) as Array;
      const loss = (a: Array) => sumAll(mul(f(a), f(a)));
      const gs = vmap(grad(loss), 1)(X) as Array;
      for (let i = 0; i < 3; i++) {
        const xi = take(X, 1, i);
        expectClose(take(out, 0, i).dataSync(), f(xi).dataSync(), 0, 0);
        expectClose(take(gs, 0, i).dataSync(), (grad(loss)(xi) as Array).dataSync(), 1e-12, 1e-12);
      }
    });
  }

  test("vmap of select_and_scatter_add with only one operand batched", () => {
    const q = { ...params(1, { windowDimensions: [2], windowStrides: [2] }), select: "max" as const };
    const x = distinctArray([6], 11);
    const S = randomArray([3, 3], 12);
    const out = vmap((s: Array) => bind1(selectAndScatterAddP, [s, x], q))(S) as Array;
    for (let i = 0; i < 3; i++) expectClose(take(out, 0, i).dataSync(), bind1(selectAndScatterAddP, [take(S, 0, i), x], q).dataSync(), 0, 0);
    const X = distinctArray([3, 6], 13);
    const t = randomArray([6], 14);
    const g = vmap((a: Array) => bind1(selectAndGatherAddP, [t, a], q))(X) as Array;
    for (let i = 0; i < 3; i++) expectClose(take(g, 0, i).dataSync(), bind1(selectAndGatherAddP, [t, take(X, 0, i)], q).dataSync(), 0, 0);
  });

  test("jit ≈ eager for pooling and its gradient; the jaxpr names the primitives", () => {
    const x = distinctArray([2, 6, 6, 3], 15);
    const f = (a: Array) => sumAll(mul(maxPool(a, [3, 3], [2, 2], "SAME"), avgPool(a, [2, 2], [2, 2], "SAME")));
    expectClose((jit(f)(x) as Array).dataSync(), f(x).dataSync(), 1e-12, 1e-12);
    expectClose((jit(grad(f))(x) as Array).dataSync(), (grad(f)(x) as Array).dataSync(), 1e-12, 1e-12);
    const text = makeJaxpr(grad(f))(x).toString();
    expect(text).toContain("reduce_window_max");
    expect(text).toContain("select_and_scatter_add");
    expect(text).toContain("window_dimensions=(1, 3, 3, 1)");
  });
});

// ---------------------------------------------------------------------------------------------
// XLA edge semantics

/** XLA's reduce_window on a 1-D list: dilate and pad with `init`, every window starts from `init`. */
function naiveReduceWindow1d(x: number[], init: number, op: (a: number, b: number) => number, w: number, stride: number, pad: [number, number], bd: number, wd: number): number[] {
  const dil: number[] = [];
  x.forEach((v, i) => {
    if (i > 0) for (let k = 1; k < bd; k++) dil.push(init);
    dil.push(v);
  });
  const padded = [...new globalThis.Array<number>(pad[0]).fill(init), ...dil, ...new globalThis.Array<number>(pad[1]).fill(init)];
  const span = (w - 1) * wd + 1;
  const out: number[] = [];
  for (let s = 0; s + span <= padded.length; s += stride) {
    let acc = init;
    for (let t = 0; t < w; t++) acc = op(acc, padded[s + t * wd]!);
    out.push(acc);
  }
  return out;
}

describe("reduceWindow follows XLA at the edges", () => {
  test("a window larger than the padded operand gives an empty axis (as JAX), with zero gradients", () => {
    const x = randomArray([2, 4, 4, 3], 1);
    expect(maxPool(x, [5, 2], [1, 1], "VALID").shape).toEqual([2, 0, 3, 3]);
    expect(bind1(reduceWindowSumP, [arr([1, 2], [2])], params(1, { windowDimensions: [3] })).shape).toEqual([0]);
    const g = grad((a: Array) => sumAll(maxPool(a, [5, 2], [1, 1], "VALID")))(x) as Array;
    expect(g.shape).toEqual(x.shape);
    expect((g as ConcreteArray).dataSync().every((v) => v === 0)).toBe(true);
    expect(jit((a: Array) => avgPool(a, [5, 5], [1, 1], "VALID"))(x).shape).toEqual([2, 0, 0, 3]);
  });

  test("sum with any initial value: init once per window plus once per padding/dilation hole", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        (xs, init, w, stride, pad, bd, wd) => {
          const want = naiveReduceWindow1d(xs, init, (a, b) => a + b, w, stride, pad, bd, wd);
          const x = arr(xs, [xs.length]);
          const got = reduceWindow(x, init, "sum", [w], [stride], [pad], { baseDilation: [bd], windowDilation: [wd] });
          expect((got as ConcreteArray).tolist()).toEqual(want);
          const wantMax = naiveReduceWindow1d(xs, init, Math.max, w, stride, pad, bd, wd);
          expect((reduceWindow(x, init, "max", [w], [stride], [pad], { baseDilation: [bd], windowDilation: [wd] }) as ConcreteArray).tolist()).toEqual(wantMax);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

describe("window reduction errors name the function and the shapes", () => {
  const x = randomArray([2, 4, 4, 3], 1);
  test("bad padding strings and parameter lengths", () => {
    expect(() => reduceWindow(x, 0, "sum", [1, 2, 2, 1], [1, 2, 2, 1], "FULL" as Padding)).toThrow(/^lax\.reduceWindow: padding must be "SAME", "SAME_LOWER", "VALID".*got "FULL"/);
    expect(() => reduceWindow(x, 0, "sum", [2, 2], [1, 1], "VALID")).toThrow(/^lax\.reduceWindow: windowDimensions must be a list of 4 positive integers/);
    expect(() => avgPool(x, [2, 2], [2], "VALID")).toThrow(/^lax\.avgPool: strides must be a list of 2 positive integers/);
    expect(() => maxPool(randomArray([4], 1), [2, 2])).toThrow(/^lax\.maxPool: x must have rank >= len\(windowShape\) \+ 1/);
  });
  test("unsupported initial values, computations and dtypes", () => {
    expect(() => reduceWindow(x, 0, "prod" as "sum", [1, 2, 2, 1], null, "VALID")).toThrow(/computation must be "sum", "max" or "min"/);
    const b = new ConcreteArray(new Uint8Array(4), [4], "bool");
    expect(() => reduceWindow(b, 0, "max", [2], null, "VALID")).toThrow(/^lax\.reduceWindow: expected a numeric operand/);
    expect(() => bind1(reduceWindowMaxP, [b], params(1, { windowDimensions: [2] }))).toThrow(/^reduce_window_max: expected a numeric dtype/);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as lax from "../../src/lax/index.js";
import * as np from "../../src/numpy/index.js";
import { checkGrads } from "../../src/testing/index.js";
import { arrays } from "../../src/testing/arbitraries.js";
import { grad, jvp } from "../../src/transforms/autodiff.js";
import { jit, makeJaxpr } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import { expectClose } from "../helpers/close.js";

const f64 = (v: unknown) => np.array(v as number[], { dtype: "float64" });

// A piecewise function: x·x summed where the total is positive, Σ sin(x) otherwise.
const piecewise = (x: Array) =>
  lax.cond(
    np.sum(x).gt(0),
    (y: Array) => np.sum(y.mul(y)),
    (y: Array) => np.sum(np.sin(y)),
    x,
  );
const piecewiseRef = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) > 0 ? xs.reduce((a, b) => a + b * b, 0) : xs.reduce((a, b) => a + Math.sin(b), 0));

// A scan-based RNN: h ← tanh(w·h + x_t); returns h_T + Σ_t h_t.
const rnn = (w: Array, xs: Array) => {
  const [h, hs] = lax.scan((hPrev: Array, xt: Array) => {
    const next = np.tanh(hPrev.mul(w).add(xt));
    return [next, next];
  }, np.array(0.1, { dtype: "float64" }), xs);
  return (h as Array).add(np.sum(hs as Array));
};
const rnnRef = (w: number, xs: number[]) => {
  let h = 0.1;
  let s = 0;
  for (const x of xs) {
    h = Math.tanh(w * h + x);
    s += h;
  }
  return h + s;
};

describe("lax.cond / lax.switch", () => {
  it("picks the branch by the predicate, eagerly and under jit", () => {
    for (const xs of [[1, 2, -0.5], [-1, -2, 0.5]]) {
      expectClose(piecewise(f64(xs)), piecewiseRef(xs));
      expectClose(jit(piecewise)(f64(xs)), piecewiseRef(xs));
    }
  });

  it("is one primitive inside jit (not unrolled)", () => {
    const text = makeJaxpr(piecewise)(f64([1, 2])).toString();
    expect(text).toContain("cond[branches=2]");
  });

  it("differentiates through the taken branch (grad, jit(grad), jvp)", () => {
    const x = f64([1, 2, -0.5]);
    expectClose(grad(piecewise)(x), [2, 4, -1]);
    expectClose(jit(grad(piecewise))(x), [2, 4, -1]);
    const y = f64([-1, -2, 0.5]);
    expectClose(grad(piecewise)(y), [-1, -2, 0.5].map(Math.cos));
    expectClose(jvp(piecewise, [y], [f64([1, 0, 0])])[1], Math.cos(-1));
  });

  it("vmap with a batched predicate selects per example", () => {
    const xs = np.array([[1, 2], [-1, -2]], { dtype: "float64" });
    expectClose(vmap(piecewise)(xs), [5, Math.sin(-1) + Math.sin(-2)]);
    expectClose(vmap(grad(piecewise))(xs), [[2, 4], [Math.cos(-1), Math.cos(-2)]]);
  });

  it("checkGrads of the piecewise function (order 2, both modes)", () => {
    fc.assert(
      fc.property(arrays({ shape: [3], min: -2, max: 2 }), (x) => {
        const s = (x.sum().item() as number);
        fc.pre(Math.abs(s) > 0.1); // stay away from the switching surface
        checkGrads(piecewise, [x], { order: 2 });
      }),
      { numRuns: 10 },
    );
  });

  it("switch clamps the index and runs n-way branches", () => {
    const branches = [(x: Array) => x.add(1), (x: Array) => x.mul(10), (x: Array) => x.neg()];
    const x = f64([2]);
    expectClose(lax.switch(0, branches, x), [3]);
    expectClose(lax.switch(1, branches, x), [20]);
    expectClose(lax.switch(7, branches, x), [-2]);
    expectClose(lax.switch(-3, branches, x), [3]);
    expectClose(jit((i: Array, y: Array) => lax.switch(i, branches, y))(np.array(2, { dtype: "int32" }), x), [-2]);
  });

  it("closes over outer values and traced values", () => {
    const w = f64([3]);
    const f = (x: Array) => lax.cond(x.sum().gt(0), (y: Array) => y.mul(w), (y: Array) => y.sub(w), x);
    expectClose(f(f64([2])), [6]);
    expectClose(grad((v: Array) => np.sum(lax.cond(v.sum().gt(0), (y: Array) => y.mul(v), (y: Array) => y, f64([2]))))(f64([1])), [2]);
  });

  it("rejects branches with different output types", () => {
    expect(() => lax.cond(true, (x: Array) => x, (x: Array) => x.sum(), f64([1, 2]))).toThrow(/cond|switch/);
    expect(() => lax.cond(np.array([true, false]), (x: Array) => x, (x: Array) => x, f64([1]))).toThrow(/predicate must be a scalar/);
  });
});

describe("lax.scan", () => {
  const xs = f64([0.3, -0.2, 0.5, 0.1]);
  const w = np.array(0.7, { dtype: "float64" });

  it("computes running results (eager and jit)", () => {
    expectClose(rnn(w, xs), rnnRef(0.7, [0.3, -0.2, 0.5, 0.1]));
    expectClose(jit(rnn)(w, xs), rnnRef(0.7, [0.3, -0.2, 0.5, 0.1]));
    const [total, running] = lax.scan((c: Array, x: Array) => [c.add(x), c.add(x)], np.array(0), np.arange(5).astype("float32"));
    expectClose(total, 10);
    expectClose(running, [0, 1, 3, 6, 10]);
  });

  it("reverse scans from the end and keeps outputs in order", () => {
    const [, ys] = lax.scan((c: Array, x: Array) => [c.add(x), c.add(x)], np.array(0), np.array([1, 2, 3]), { reverse: true });
    expectClose(ys, [6, 5, 3]);
  });

  it("is one primitive inside jit", () => {
    expect(makeJaxpr(rnn)(w, xs).toString()).toMatch(/scan\[length=4 reverse=False/);
  });

  it("gradients match the hand-derived recurrence (grad, jit(grad), grad∘grad)", () => {
    const e = 1e-6;
    const fd = (rnnRef(0.7 + e, [0.3, -0.2, 0.5, 0.1]) - rnnRef(0.7 - e, [0.3, -0.2, 0.5, 0.1])) / (2 * e);
    expectClose(grad(rnn)(w, xs), fd, { atol: 1e-7 });
    expectClose(jit(grad(rnn))(w, xs), fd, { atol: 1e-7 });
    const h = 1e-4;
    const fd2 = (rnnRef(0.7 + h, [0.3, -0.2, 0.5, 0.1]) - 2 * rnnRef(0.7, [0.3, -0.2, 0.5, 0.1]) + rnnRef(0.7 - h, [0.3, -0.2, 0.5, 0.1])) / (h * h);
    expectClose(grad(grad(rnn))(w, xs), fd2, { atol: 1e-5, rtol: 1e-5 });
  });

  it("checkGrads with respect to weights and inputs (order 2, both modes)", () => {
    fc.assert(
      fc.property(arrays({ shape: [], min: -1, max: 1 }), arrays({ shape: [5], min: -1, max: 1 }), (wv, xv) => {
        checkGrads(rnn, [wv, xv], { order: 2 });
      }),
      { numRuns: 6 },
    );
  });

  it("vmap over weights and over sequences; per-example gradients", () => {
    const ws = f64([0.7, 0.1]);
    expectClose(vmap((wi: Array) => rnn(wi, xs))(ws), [rnnRef(0.7, [0.3, -0.2, 0.5, 0.1]), rnnRef(0.1, [0.3, -0.2, 0.5, 0.1])]);
    const seqs = np.array([[0.3, -0.2, 0.5, 0.1], [0, 0, 0, 1]], { dtype: "float64" });
    expectClose(vmap(rnn, [null, 0])(w, seqs), [rnnRef(0.7, [0.3, -0.2, 0.5, 0.1]), rnnRef(0.7, [0, 0, 0, 1])]);
    const perEx = vmap(grad(rnn), [null, 0])(w, seqs) as Array;
    const loop = [0, 1].map((i) => (grad(rnn)(w, seqs.slice(i)) as Array).item());
    expectClose(perEx, loop);
  });

  it("rejects a body whose carry changes type", () => {
    expect(() => lax.scan((c: Array, x: Array) => [c.sum(), x], np.zeros([2]), np.ones([3]))).toThrow(/carry/);
  });
});

describe("lax.whileLoop / foriLoop / map", () => {
  const doubleUntil = (x: Array) => lax.whileLoop((c: Array) => c.lt(10), (c: Array) => c.mul(2), x);

  it("loops while the condition holds (eager, jit, vmap with per-example trip counts)", () => {
    expectClose(doubleUntil(f64([1.5]).reshape([])), 12);
    expectClose(jit(doubleUntil)(f64([1.5]).reshape([])), 12);
    expectClose(vmap(doubleUntil)(f64([1.5, 3, 20])), [12, 12, 20]);
  });

  it("forward mode works; reverse mode is a clear error", () => {
    expectClose(jvp(doubleUntil, [f64([1.5]).reshape([])], [f64([1]).reshape([])])[1], 8);
    expect(() => grad(doubleUntil)(f64([1.5]).reshape([]))).toThrow(/whileLoop.*reverse-mode.*lax\.scan/s);
  });

  it("foriLoop with static bounds is reverse-differentiable (lowers to scan)", () => {
    const f = (v: Array) => lax.foriLoop(0, 3, (_i: Array, a: Array) => np.sin(a), v);
    const x = np.array(1, { dtype: "float64" });
    expectClose(f(x), Math.sin(Math.sin(Math.sin(1))));
    expectClose(grad(f)(x), Math.cos(1) * Math.cos(Math.sin(1)) * Math.cos(Math.sin(Math.sin(1))));
    expectClose(lax.foriLoop(2, 5, (i: Array, acc: Array) => acc.add(i), np.array(0, { dtype: "int32" })), 9);
  });

  it("foriLoop with traced bounds runs as a while loop", () => {
    const f = jit((n: Array) => lax.foriLoop(0, n, (i: Array, acc: Array) => acc.add(i), np.array(0, { dtype: "int32" })));
    expectClose(f(np.array(5, { dtype: "int32" })), 10);
  });

  it("map applies a function to each slice", () => {
    expectClose(lax.map((r: Array) => r.sum(), np.array([[1, 2], [3, 4]])), [3, 7]);
  });
});

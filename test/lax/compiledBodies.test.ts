/**
 * @file Hot control-flow bodies run through the jit compiler (`runBody`): after a few runs of the
 * same closed jaxpr, `scan`, `while` and `cond` bodies execute as fused kernels. The compiled
 * results must match the equation-by-equation interpreter, and the fused kernels must actually run.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as lax from "../../src/lax/index.js";
import * as np from "../../src/numpy/index.js";
import { HOT_BODY_RUNS, setBodyCompiler } from "../../src/interpreters/jaxprTransforms.js";
import { compileJaxpr } from "../../src/jit/compile.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";
import { config } from "../../src/core/config.js";
import { jit } from "../../src/transforms/jit.js";
import { expectClose } from "../helpers/close.js";

/** `f()` with bodies interpreted equation by equation (the reference). */
function interpreted<T>(f: () => T): T {
  setBodyCompiler(undefined);
  try {
    return f();
  } finally {
    setBodyCompiler(compileJaxpr);
  }
}

// An RNN-like scan: matmul, tanh and a leaky update, with a per-step reduction as output.
const rnn = (w: Array, xs: Array, h0: Array) =>
  lax.scan((h: Array, x: Array) => {
    const hn = np.tanh(np.matmul(h, w).add(x)).mul(0.5).add(h.mul(0.5));
    return [hn, np.sum(hn.mul(hn), -1)];
  }, h0, xs);

function randomArray(shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const a: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a.push((s / 2 ** 32) * 2 - 1);
  }
  return np.array(a, { shape, dtype });
}

describe("hot control-flow bodies are compiled", () => {
  afterEach(() => {
    setBodyCompiler(compileJaxpr);
    config.debugNans(false);
  });

  it("a jitted scan body runs as fused kernels and matches the interpreter", () => {
    const w = randomArray([16, 16], 1);
    const xs = randomArray([40, 8, 16], 2);
    const h0 = randomArray([8, 16], 3);
    const f = jit(rnn);
    const want = interpreted(() => f(w, xs, h0));
    f(w, xs, h0); // compiles the body after HOT_BODY_RUNS steps
    resetJitStats();
    const got = f(w, xs, h0);
    // Every one of the 40 steps ran the fused body (at least one kernel per step).
    expect(jitStats().kernelLaunches).toBeGreaterThanOrEqual(40);
    expectClose(got, want, { rtol: 2e-5, atol: 2e-6 });
  });

  it("eager loops switch to the compiled body after a few iterations, with the same values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * HOT_BODY_RUNS }), fc.double({ min: -2, max: 2, noNaN: true }), (n, a) => {
        const x0 = np.array([a, a / 2, -a], { dtype: "float64" });
        const loop = () => lax.foriLoop(0, n, (i: Array, x: Array) => np.sin(x).mul(0.9).add(i.astype("float64").mul(0.01)), x0);
        const wloop = () => lax.whileLoop((c: Array[]) => c[0]!.lt(n), (c: Array[]) => [c[0]!.add(1), np.cos(c[1]!).add(c[1]!.mul(0.1))], [np.array(0), x0]);
        expectClose(loop(), interpreted(loop), { rtol: 1e-12, atol: 1e-12 });
        expectClose(wloop(), interpreted(wloop), { rtol: 1e-12, atol: 1e-12 });
      }),
      { numRuns: 25 },
    );
  });

  it("cond branches inside a jitted scan are compiled too", () => {
    const f = jit((xs: Array) =>
      lax.scan((c: Array, x: Array) => {
        const y = lax.cond(x.gt(0), (v: Array) => np.exp(v.mul(-1)).add(c), (v: Array) => np.log1p(v.mul(v)).sub(c), x);
        return [y.mul(0.5), y];
      }, np.array(0.25), xs),
    );
    const xs = randomArray([64], 4);
    const want = interpreted(() => f(xs));
    f(xs);
    expectClose(f(xs), want, { rtol: 2e-6, atol: 1e-7 });
  });

  it("with debugNans on, bodies stay interpreted so the check names the primitive", () => {
    config.debugNans(true);
    const x0 = np.array([1, 2], { dtype: "float64" });
    const ok = () => lax.foriLoop(0, 3 * HOT_BODY_RUNS, (_i: Array, x: Array) => x.mul(0.5), x0);
    expectClose(ok(), interpreted(ok), { rtol: 0, atol: 0 });
    expect(() => lax.foriLoop(0, 3 * HOT_BODY_RUNS, (i: Array, x: Array) => np.log(x.sub(i.astype("float64"))), x0)).toThrow(/log/);
  });
});

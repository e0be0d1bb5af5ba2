/**
 * @file Accuracy of the vector float32 transcendentals that fused WebAssembly kernels use
 * (`src/jit/vecmath.ts`), measured in ulps against the correctly rounded result (float64 `Math.*`
 * rounded to float32), over sweeps of the whole float32 range and over special values: ±0, ±Inf,
 * NaN, subnormals, huge and tiny arguments, tanh saturation, exp overflow and underflow, and the
 * floats closest to the zeros of sin and cos. The bounds asserted are the ones documented in
 * `vecmath.ts`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConcreteArray } from "../../src/core/concrete.js";
import { hasWasmSimd } from "../../src/backend/wasm/simd.js";
import { jit } from "../../src/index.js";
import type { Array } from "../../src/core/array.js";
import { bind1 } from "../../src/core/trace.js";
import * as E from "../../src/primitives/elementwise.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Position of a float32 on the number line, so that |ord(a) - ord(b)| counts ulps (±0 are one point). */
function ord(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  return u & 0x80000000 ? -(u & 0x7fffffff) : u;
}

const prims = {
  exp: E.expP,
  log: E.logP,
  tanh: E.tanhP,
  logistic: E.logisticP,
  sin: E.sinP,
  cos: E.cosP,
  sqrt: E.sqrtP,
} as const;
type Name = keyof typeof prims;

const reference: Record<Name, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  logistic: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  sin: Math.sin,
  cos: Math.cos,
  sqrt: Math.sqrt,
};

/** Documented maximum errors (ulp). */
const BOUND: Record<Name, number> = { exp: 1, log: 1, tanh: 2, logistic: 2, sin: 2, cos: 2, sqrt: 0 };

const kernels = new Map<Name, (x: Array) => Array>();
function apply(name: Name, xs: Float32Array): Float32Array {
  let k = kernels.get(name);
  if (k === undefined) {
    k = jit((x: Array) => bind1(prims[name], [x], {}));
    kernels.set(name, k);
  }
  // Pad to at least 1024 elements so the cluster takes the Wasm path.
  const n = Math.max(xs.length, 1024);
  const padded = new Float32Array(n);
  padded.set(xs);
  const out = ConcreteArray.dataOf(k(new ConcreteArray(padded, [n], "float32")) as ConcreteArray) as Float32Array;
  return out.subarray(0, xs.length);
}

/** Max ulp error of `name` over `xs`, and the worst argument. */
function maxUlp(name: Name, xs: Float32Array): { ulp: number; at: number; got: number; want: number } {
  const got = apply(name, xs);
  let worst = { ulp: 0, at: NaN, got: NaN, want: NaN };
  for (let i = 0; i < xs.length; i++) {
    const want = Math.fround(reference[name](xs[i]!));
    const g = got[i]!;
    if (Number.isNaN(want) || Number.isNaN(g)) {
      if (Number.isNaN(want) !== Number.isNaN(g)) return { ulp: Infinity, at: xs[i]!, got: g, want };
      continue;
    }
    if (!Number.isFinite(want) || !Number.isFinite(g)) {
      if (want !== g) return { ulp: Infinity, at: xs[i]!, got: g, want };
      continue;
    }
    const u = Math.abs(ord(g) - ord(want));
    if (u > worst.ulp) worst = { ulp: u, at: xs[i]!, got: g, want };
  }
  return worst;
}

/** Every `stride`-th float32 bit pattern (both signs), so the sweep covers all binades. */
function sweep(stride: number, offset = 0): Float32Array {
  const n = Math.floor(0x100000000 / stride);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = (i * stride + offset) >>> 0;
  return out;
}

const EDGES = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 1e-30, -1e-30, 0.5, 1, -1, 2, 88.72, 88.7228, 88.73, -87.3, -103.9, -103.98, -104, 0.625, -0.625, 0.6249999, 8.9, 9, 9.01, 20, -20, 8192, 8193, -8193, 1e6, 3.1415927, 1.5707964, 1e-8];

const simd = hasWasmSimd();

describe.skipIf(!simd)("vector float32 transcendentals (WebAssembly SIMD)", () => {
  beforeAll(() => {
    resetJitStats();
    apply("exp", new Float32Array([1]));
  });

  it("runs on the Wasm path", () => {
    expect(jitStats().wasmLaunches).toBeGreaterThan(0);
  });

  for (const name of Object.keys(prims) as Name[]) {
    it(`${name}: within ${BOUND[name]} ulp over a sweep of all float32 values`, () => {
      const r = maxUlp(name, sweep(4093));
      expect(r.ulp, `${name}(${r.at}) = ${r.got}, want ${r.want}`).toBeLessThanOrEqual(BOUND[name]);
    });
    it(`${name}: special values (±0, ±Inf, NaN, subnormals, huge, tiny, thresholds)`, () => {
      const r = maxUlp(name, Float32Array.from(EDGES));
      expect(r.ulp, `${name}(${r.at}) = ${r.got}, want ${r.want}`).toBeLessThanOrEqual(BOUND[name]);
    });
  }

  it("exp: overflow to +Inf above 88.7228, underflow to 0 below -103.98, subnormals rounded once", () => {
    const xs = new Float32Array(20001);
    for (let i = 0; i < xs.length; i++) xs[i] = -104 + (i * 193) / 20000; // -104 .. 89
    expect(maxUlp("exp", xs).ulp).toBeLessThanOrEqual(BOUND.exp);
    const y = apply("exp", Float32Array.from([89, 88.73, -104, -110, -Infinity]));
    expect([...y]).toEqual([Infinity, Infinity, 0, 0, 0]);
  });

  it("tanh: odd, saturates to exactly ±1, tanh(-0) = -0", () => {
    const y = apply("tanh", Float32Array.from([9.5, -9.5, 50, -Infinity, -0, 0]));
    expect([...y.subarray(0, 4)]).toEqual([1, -1, 1, -1]);
    expect(Object.is(y[4], -0)).toBe(true);
    expect(Object.is(y[5], 0)).toBe(true);
    const xs = new Float32Array(20000);
    for (let i = 0; i < xs.length; i++) xs[i] = (i - 10000) / 1000; // -10 .. 10, through the 0.625 switch
    expect(maxUlp("tanh", xs).ulp).toBeLessThanOrEqual(BOUND.tanh);
  });

  it("log: ±0 -> -Inf, negatives -> NaN, subnormal inputs exact to 1 ulp", () => {
    const y = apply("log", Float32Array.from([0, -0, -1, Infinity, 1e-45, 1]));
    expect([y[0], y[1], y[3], y[5]]).toEqual([-Infinity, -Infinity, Infinity, 0]);
    expect(Number.isNaN(y[2]!)).toBe(true);
    const xs = sweep(4099).filter((x) => x > 0 && x < 1.2e-38);
    expect(maxUlp("log", xs).ulp).toBeLessThanOrEqual(BOUND.log);
  });

  it("sin/cos: the floats nearest the zeros k·π/2 (|x| <= 8192), and huge arguments via Math", () => {
    const xs = new Float32Array(2 * 5216);
    for (let k = 0; k < 5216; k++) {
      xs[2 * k] = (k * Math.PI) / 2;
      xs[2 * k + 1] = -(k * Math.PI) / 2;
    }
    expect(maxUlp("sin", xs).ulp).toBeLessThanOrEqual(BOUND.sin);
    expect(maxUlp("cos", xs).ulp).toBeLessThanOrEqual(BOUND.cos);
    const huge = Float32Array.from([1e5, -3e7, 1e30, 3.4e38, Infinity, 8192.5]);
    expect(maxUlp("sin", huge).ulp).toBe(0);
    expect(maxUlp("cos", huge).ulp).toBe(0);
  });
});

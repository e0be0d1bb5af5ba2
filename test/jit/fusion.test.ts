/**
 * @file The jit compiler against eager execution: random programs of elementwise primitives over
 * broadcasting shapes and every dtype (float32, float64, int32, bool), optionally ending in a
 * reduction, must give eager's values — bit for bit on the portable JS backend and for all
 * arithmetic and integer work, and within float32 tolerance where Wasm kernels use the vector
 * transcendentals. Also: fused chains allocate nothing but their outputs (instrumentation hook),
 * private intermediates are reused across calls, and the trace cache still behaves.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { allocate, type DType } from "../../src/core/dtype.js";
import { sizeOf } from "../../src/core/shape.js";
import { bind1 } from "../../src/core/trace.js";
import { jit, np } from "../../src/index.js";
import { setJitBackend } from "../../src/jit/compile.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";
import * as E from "../../src/primitives/elementwise.js";
import { reduceMaxP, reduceMinP, reduceSumP, reduceAndP, reduceOrP } from "../../src/primitives/reduce.js";
import { broadcastInDimP } from "../../src/primitives/movement.js";
import { hasWasmSimd } from "../../src/backend/wasm/simd.js";

const seedOf = (name: string) => {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
};
// FC_RUNS scales the number of runs, FC_SEED changes the seed ("random" for a fresh one).
const params = (name: string, numRuns: number) => {
  const env = process.env.FC_SEED;
  const seed = env === undefined ? seedOf(name) : env === "random" ? (Date.now() ^ seedOf(name)) | 0 : (Number(env) ^ seedOf(name)) | 0;
  return { numRuns: Math.max(1, Math.round(numRuns * Number(process.env.FC_RUNS ?? 1))), seed };
};

afterEach(() => setJitBackend("auto"));

// ---------------------------------------------------------------------------------------------
// Random programs

type Op = { kind: "un"; prim: string } | { kind: "bin"; prim: string } | { kind: "cmpSelect"; cmp: string } | { kind: "roundTrip" };

interface Program {
  dtype: DType;
  shape: number[];
  inputShapes: number[][];
  ops: { op: Op; a: number; b: number }[];
  reduce: { prim: string; axes: number[] } | null;
}

const UN: Record<string, string[]> = {
  float: ["neg", "abs", "sin", "cos", "tanh", "exp", "log", "logistic", "sqrt", "floor", "ceil", "round", "sign", "atan", "expm1"],
  exact: ["neg", "abs", "sqrt", "floor", "ceil", "round", "trunc", "sign"],
  int32: ["neg", "abs", "sign", "not"],
  bool: ["not"],
};
const BIN: Record<string, string[]> = {
  float: ["add", "sub", "mul", "max", "min", "pow"],
  exact: ["add", "sub", "mul", "div", "max", "min"],
  int32: ["add", "sub", "mul", "max", "min", "and", "or", "xor", "div", "rem"],
  bool: ["and", "or", "xor", "add", "mul"],
};
const primByName: Record<string, any> = {
  neg: E.negP, abs: E.absP, sin: E.sinP, cos: E.cosP, tanh: E.tanhP, exp: E.expP, log: E.logP, logistic: E.logisticP,
  sqrt: E.sqrtP, floor: E.floorP, ceil: E.ceilP, round: E.roundP, trunc: E.truncP, sign: E.signP, atan: E.atanP,
  expm1: E.expm1P, not: E.notP, add: E.addP, sub: E.subP, mul: E.mulP, div: E.divP, max: E.maxP, min: E.minP,
  pow: E.powP, and: E.andP, or: E.orP, xor: E.xorP, rem: E.remP, eq: E.eqP, ne: E.neP, lt: E.ltP, le: E.leP, gt: E.gtP, ge: E.geP,
  reduce_sum: reduceSumP, reduce_max: reduceMaxP, reduce_min: reduceMinP, reduce_and: reduceAndP, reduce_or: reduceOrP,
};

/** An operand shape broadcastable to `shape`: some axes set to 1, some leading axes dropped. */
const operandShape = (shape: number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), fc.nat({ max: shape.length })).map(([ones, drop]) =>
    shape.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, shape.length)),
  );

const shapeArb = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
  // big enough for the Wasm path (>= 256 elements), with odd sizes for tails
  fc.constantFrom<number[][]>([300], [257], [3, 130], [2, 5, 33], [1031], [64, 9]),
);

function programArb(family: "float" | "exact" | "int32" | "bool", dtypes: DType[]): fc.Arbitrary<Program> {
  return fc.tuple(fc.constantFrom(...dtypes), shapeArb).chain(([dtype, shape]) => {
    const nIn = 3;
    const un = UN[family]!;
    const bin = BIN[family]!;
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...un).map((prim): Op => ({ kind: "un", prim })) },
      { weight: 4, arbitrary: fc.constantFrom(...bin).map((prim): Op => ({ kind: "bin", prim })) },
      { weight: 1, arbitrary: fc.constantFrom("lt", "le", "gt", "ge", "eq", "ne").map((cmp): Op => ({ kind: "cmpSelect", cmp })) },
      { weight: 1, arbitrary: fc.constant<Op>({ kind: "roundTrip" }) },
    );
    const reduceKinds = dtype === "bool" ? ["reduce_and", "reduce_or"] : ["reduce_sum", "reduce_max", "reduce_min"];
    return fc.record({
      dtype: fc.constant(dtype),
      shape: fc.constant(shape),
      inputShapes: fc.tuple(fc.constant(shape), ...new globalThis.Array(nIn - 1).fill(0).map(() => operandShape(shape))),
      ops: fc.array(fc.record({ op: opArb, a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 7 }),
      reduce:
        shape.length === 0
          ? fc.constant(null)
          : fc.option(
              fc.record({
                prim: fc.constantFrom(...reduceKinds),
                axes: fc.subarray(shape.map((_, i) => i), { minLength: 1 }),
              }),
              { nil: null },
            ),
    });
  });
}

function randomData(dtype: DType, shape: number[], seed: number, family: string): ConcreteArray {
  const n = sizeOf(shape);
  const data = allocate(dtype, n);
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    if (dtype === "bool") data[i] = rnd() < 0.5 ? 1 : 0;
    else if (dtype === "int32") data[i] = Math.floor(rnd() * 200 - 100);
    else if (family === "exact" && rnd() < 0.05) data[i] = [0, -0, Infinity, -Infinity, NaN][Math.floor(rnd() * 5)]!;
    else data[i] = rnd() * 6 - 3;
  }
  return new ConcreteArray(data, shape, dtype);
}

/** Run a program with lax-level primitives (so dtypes are exactly as chosen). */
function runProgram(p: Program): (...xs: Array[]) => Array {
  return (...xs: Array[]) => {
    const vals: Array[] = [...xs];
    const pick = (i: number) => vals[i % vals.length]!;
    for (const { op, a, b } of p.ops) {
      const x = pick(a);
      const y = pick(b);
      let r: Array;
      switch (op.kind) {
        case "un":
          r = bind1(primByName[op.prim], [x], {});
          break;
        case "bin":
          r = bind1(primByName[op.prim], [x, y], {});
          break;
        case "cmpSelect":
          r = bind1(E.selectP, [bind1(primByName[op.cmp], [x, y], {}), x, y], {});
          break;
        case "roundTrip": {
          // convert to another dtype and back (float -> bool -> float, int -> float -> int, ...)
          const mid: DType = x.dtype === "bool" ? "int32" : x.dtype === "int32" ? "float32" : "bool";
          r = E.convert(E.convert(x, mid), x.dtype);
          break;
        }
      }
      vals.push(r);
    }
    let out = vals[vals.length - 1]!;
    // Make sure the result has the full shape (a broadcast of the last value).
    if (out.shape.length !== p.shape.length || out.shape.some((d, i) => d !== p.shape[i])) {
      const off = p.shape.length - out.shape.length;
      out = bind1(broadcastInDimP, [out], { shape: p.shape, broadcastDimensions: out.shape.map((_, i) => i + off) });
    }
    if (p.reduce !== null) out = bind1(primByName[p.reduce.prim], [out], { axes: [...p.reduce.axes].sort((u, v) => u - v) });
    return out;
  };
}

/**
 * |a - b| <= atol + rtol * |b| elementwise, NaNs equal, infinities equal; `exact` also tells -0
 * from +0, `exactish` does not (the sign of a zero maximum depends on reduction order).
 */
function compare(got: Array, want: Array, tol: { rtol: number; atol: number } | "exact" | "exactish"): string | null {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype} vs ${want.dtype}`;
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs [${want.shape}]`;
  const g = (got as ConcreteArray).dataSync();
  const w = (want as ConcreteArray).dataSync();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (tol === "exact" || tol === "exactish") {
      if (!(tol === "exact" ? Object.is(a, b) : a === b)) return `element ${i}: ${Object.is(a, -0) ? "-0" : a} vs ${Object.is(b, -0) ? "-0" : b}`;
      continue;
    }
    if (a === b) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a - b) > tol.atol + tol.rtol * Math.abs(b)) return `element ${i}: ${a} vs ${b}`;
  }
  return null;
}

type Tol = { rtol: number; atol: number } | "exact" | "exactish";

function check(family: "float" | "exact" | "int32" | "bool", dtypes: DType[], tolFor: (d: DType, p: Program) => Tol, runs: number) {
  fc.assert(
    fc.property(programArb(family, dtypes), fc.integer(), (p, seed) => {
      const f = runProgram(p);
      const xs = p.inputShapes.map((s, i) => randomData(p.dtype, s, seed + i * 7919, family));
      const want = f(...xs);
      const jf = jit(f);
      const got = jf(...xs);
      const err = compare(got, want, tolFor(p.dtype, p));
      if (err !== null) throw new Error(`${err}\nprogram ${JSON.stringify(p)}`);
      // Same signature again: a cache hit that runs the compiled program a second time.
      const err2 = compare(jf(...xs), want, tolFor(p.dtype, p));
      if (err2 !== null) throw new Error(`second call: ${err2}`);
      expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    }),
    params(`${family}:${dtypes.join()}`, runs),
  );
}

describe("jit(f)(x) equals f(x) over random fused programs", () => {
  it("portable JS kernels are bit-identical to eager for every dtype", () => {
    setJitBackend("js");
    check("float", ["float32", "float64"], () => "exact", 60);
    check("exact", ["float32", "float64"], () => "exact", 40);
    check("int32", ["int32"], () => "exact", 40);
    check("bool", ["bool"], () => "exact", 30);
  });

  it("arithmetic, comparisons, selects, conversions and min/max are exact on the Wasm path too", () => {
    check("exact", ["float32", "float64"], (_d, p) => (p.reduce?.prim === "reduce_sum" ? { rtol: 1e-6, atol: 1e-30 } : p.reduce !== null ? "exactish" : "exact"), 60);
    check("int32", ["int32"], () => "exact", 20);
    check("bool", ["bool"], () => "exact", 20);
  });

  it("transcendental chains are within float32 tolerance (float64 is exact)", () => {
    resetJitStats();
    check("float", ["float32", "float64"], (d, p) => (d === "float64" ? (p.reduce?.prim === "reduce_sum" ? { rtol: 1e-12, atol: 1e-300 } : "exactish") : { rtol: 2e-5, atol: 1e-5 }), 80);
    if (hasWasmSimd()) expect(jitStats().wasmLaunches).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------------------------

describe("fusion", () => {
  const chain = (x: Array, y: Array) => np.sqrt(x.mul(x).add(y.mul(y))).mul(np.tanh(x)).add(1);
  const data = (n: number, k: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.sin(i * k) * 3;
    return np.array(a);
  };

  it("a fused chain allocates only its output and launches one kernel", () => {
    for (const n of [10, 5000]) {
      const x = data(n, 1);
      const y = data(n, 2);
      const f = jit(chain);
      f(x, y);
      resetJitStats();
      const out = f(x, y);
      const st = jitStats();
      expect(st.kernelLaunches).toBe(1);
      expect(st.implCalls).toBe(0);
      expect(st.allocations).toBe(1);
      expect(st.bytesAllocated).toBe(n * 4);
      expect(out.shape).toEqual([n]);
      if (n >= 256 && hasWasmSimd()) expect(st.wasmLaunches).toBe(1);
    }
  });

  it("a chain ending in a reduction is one kernel; broadcasts are read in place", () => {
    const x = np.array(Float32Array.from({ length: 600 }, (_, i) => Math.cos(i)), { shape: [20, 30] });
    const b = np.array(Float32Array.from({ length: 30 }, (_, i) => i / 10));
    const f = (x: Array, b: Array) => np.sum(np.exp(x.add(b)).mul(2), -1);
    const jf = jit(f);
    jf(x, b);
    resetJitStats();
    const got = jf(x, b);
    expect(jitStats()).toMatchObject({ kernelLaunches: 1, implCalls: 0, allocations: 1, bytesAllocated: 20 * 4 });
    expect(compare(got, f(x, b), { rtol: 1e-6, atol: 0 })).toBeNull();
  });

  it("values only used inside one call reuse their buffers on the next call", () => {
    // softmax: the max and the sum are private intermediates (read only by later kernels)
    const f = (z: Array) => {
      const e = np.exp(z.sub(np.max(z, -1, { keepdims: true })));
      return e.div(np.sum(e, -1, { keepdims: true }));
    };
    const z = np.array(Float32Array.from({ length: 128 * 10 }, (_, i) => Math.sin(i) * 4), { shape: [128, 10] });
    const jf = jit(f);
    jf(z);
    resetJitStats();
    const got = jf(z);
    const st = jitStats();
    expect(st.reusedBuffers).toBeGreaterThan(0);
    expect(st.allocations).toBe(1);
    expect(compare(got, f(z), { rtol: 1e-6, atol: 1e-7 })).toBeNull();
  });

  it("a cache hit does not recompile, and new shapes or dtypes do", () => {
    const jf = jit(chain);
    const x = data(300, 1);
    jf(x, x);
    jf(x, x);
    expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    jf(data(301, 1), data(301, 2));
    jf(x.astype("float64"), x.astype("float64"));
    expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 3, size: 3 });
  });

  it("nested jit is inlined and fused; CSE and constant folding apply", () => {
    const inner = jit((x: Array) => np.tanh(x).mul(np.add(np.array(2), 3)));
    const outer = jit((x: Array) => inner(x).add(inner(x)).add(np.sin(x)));
    const x = data(1000, 3);
    outer(x);
    resetJitStats();
    const got = outer(x);
    expect(jitStats()).toMatchObject({ kernelLaunches: 1, implCalls: 0, allocations: 1 });
    const want = np.tanh(x).mul(5).add(np.tanh(x).mul(5)).add(np.sin(x));
    expect(compare(got, want, { rtol: 2e-6, atol: 1e-6 })).toBeNull();
  });

  it("non-fusible equations (matmul) run between fused kernels", () => {
    const w = np.array(Float32Array.from({ length: 64 * 32 }, (_, i) => Math.cos(i) / 8), { shape: [64, 32] });
    const x = np.array(Float32Array.from({ length: 16 * 64 }, (_, i) => Math.sin(i)), { shape: [16, 64] });
    const f = (x: Array, w: Array) => np.sum(np.maximum(np.matmul(np.tanh(x), w).add(1), 0), 0);
    const jf = jit(f);
    jf(x, w);
    resetJitStats();
    const got = jf(x, w);
    expect(jitStats()).toMatchObject({ kernelLaunches: 2, implCalls: 1 });
    expect(compare(got, f(x, w), { rtol: 1e-5, atol: 1e-5 })).toBeNull();
  });

  it("empty arrays and reductions over empty axes give eager's results", () => {
    const x = np.zeros([3, 0]);
    const f = (x: Array) => [np.exp(x), np.sum(x, 1), np.prod(x.astype("float64"), 1)];
    const got = jit(f)(x) as Array[];
    const want = f(x);
    got.forEach((g, i) => expect(compare(g, want[i]!, "exact")).toBeNull());
  });
});

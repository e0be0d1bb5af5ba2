/**
 * @file Bool masks in Wasm SIMD kernels: clusters that compare floats, combine the bool results,
 * `select` on them, convert bool <-> float, read bool arrays (0/1 bytes) and write bool outputs
 * must run as WebAssembly (when it is available and the cluster is big enough) and give eager's
 * results bit for bit, including broadcast bool and float operands and tails of odd length.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { allocate, type DType } from "../../src/core/dtype.js";
import { sizeOf } from "../../src/core/shape.js";
import { bind1 } from "../../src/core/trace.js";
import { jit, nn, np, valueAndGrad } from "../../src/index.js";
import { Executable, setJitBackend } from "../../src/jit/compile.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";
import * as E from "../../src/primitives/elementwise.js";
import { broadcastInDimP } from "../../src/primitives/movement.js";
import { reduceSumP } from "../../src/primitives/reduce.js";
import { hasWasmSimd } from "../../src/backend/wasm/simd.js";

afterEach(() => setJitBackend("auto"));

const seedOf = (name: string) => {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
};
const params = (name: string, numRuns: number) => {
  const env = process.env.FC_SEED;
  const seed = env === undefined ? seedOf(name) : env === "random" ? (Date.now() ^ seedOf(name)) | 0 : (Number(env) ^ seedOf(name)) | 0;
  return { numRuns: Math.max(1, Math.round(numRuns * Number(process.env.FC_RUNS ?? 1))), seed };
};

const CMP: Record<string, any> = { eq: E.eqP, ne: E.neP, lt: E.ltP, le: E.leP, gt: E.gtP, ge: E.geP };
const BOOL_BIN: Record<string, any> = { and: E.andP, or: E.orP, xor: E.xorP, eq: E.eqP, ne: E.neP, add: E.addP, mul: E.mulP, max: E.maxP, min: E.minP };
const FLOAT_BIN: Record<string, any> = { add: E.addP, sub: E.subP, mul: E.mulP, max: E.maxP, min: E.minP };

/** One step of a program over a pool of float values and a pool of bool values. */
type Op =
  | { kind: "cmp"; prim: string; a: number; b: number } // float, float -> bool
  | { kind: "boolBin"; prim: string; a: number; b: number } // bool, bool -> bool
  | { kind: "not"; a: number }
  | { kind: "select"; p: number; a: number; b: number } // bool ? float : float
  | { kind: "selectBool"; p: number; a: number; b: number } // bool ? bool : bool
  | { kind: "floatBin"; prim: string; a: number; b: number }
  | { kind: "toFloat"; a: number } // bool -> float
  | { kind: "toBool"; a: number }; // float -> bool

interface Program {
  dtype: "float32" | "float64";
  shape: number[];
  floatShapes: number[][];
  boolShapes: number[][];
  ops: Op[];
  /** Which values leave the program: the last float, the last bool, or both. */
  outs: "float" | "bool" | "both";
  /** Sum the float output over the last axis (a reduction in the same cluster). */
  reduce: boolean;
}

const operandShape = (shape: number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), fc.nat({ max: shape.length })).map(([ones, drop]) =>
    shape.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, shape.length)),
  );

const shapeArb = fc.oneof(
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }) },
  { weight: 4, arbitrary: fc.constantFrom<number[][]>([300], [257], [3, 130], [2, 5, 33], [1031], [64, 9], [128, 128], [20000]) },
);

const n = fc.nat();
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("cmp" as const), prim: fc.constantFrom(...Object.keys(CMP)), a: n, b: n }),
  fc.record({ kind: fc.constant("boolBin" as const), prim: fc.constantFrom(...Object.keys(BOOL_BIN)), a: n, b: n }),
  fc.record({ kind: fc.constant("not" as const), a: n }),
  fc.record({ kind: fc.constant("select" as const), p: n, a: n, b: n }),
  fc.record({ kind: fc.constant("selectBool" as const), p: n, a: n, b: n }),
  fc.record({ kind: fc.constant("floatBin" as const), prim: fc.constantFrom(...Object.keys(FLOAT_BIN)), a: n, b: n }),
  fc.record({ kind: fc.constant("toFloat" as const), a: n }),
  fc.record({ kind: fc.constant("toBool" as const), a: n }),
);

const programArb: fc.Arbitrary<Program> = fc.tuple(fc.constantFrom<"float32" | "float64">("float32", "float64"), shapeArb).chain(([dtype, shape]) =>
  fc.record({
    dtype: fc.constant(dtype),
    shape: fc.constant(shape),
    floatShapes: fc.tuple(fc.constant(shape), operandShape(shape)),
    boolShapes: fc.tuple(operandShape(shape), operandShape(shape)),
    ops: fc.array(opArb, { minLength: 1, maxLength: 8 }),
    outs: fc.constantFrom<Program["outs"]>("float", "bool", "both"),
    reduce: shape.length === 0 ? fc.constant(false) : fc.boolean(),
  }),
);

function randomData(dtype: DType, shape: number[], seed: number): ConcreteArray {
  const size = sizeOf(shape);
  const data = allocate(dtype, size);
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  for (let i = 0; i < size; i++) {
    if (dtype === "bool") data[i] = rnd() < 0.5 ? 1 : 0;
    else if (rnd() < 0.08) data[i] = [0, -0, Infinity, -Infinity, NaN][Math.floor(rnd() * 5)]!;
    else data[i] = Math.round(rnd() * 8 - 4) / 2; // small halves: comparisons are often equal
  }
  return new ConcreteArray(data, shape, dtype);
}

function fullShape(x: Array, shape: number[]): Array {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const off = shape.length - x.shape.length;
  return bind1(broadcastInDimP, [x], { shape, broadcastDimensions: x.shape.map((_, i) => i + off) });
}

/** The program with lax-level primitives: inputs are the floats, then the bools. */
function runProgram(p: Program): (...xs: Array[]) => Array[] {
  return (...xs: Array[]) => {
    const floats: Array[] = xs.slice(0, p.floatShapes.length);
    const bools: Array[] = xs.slice(p.floatShapes.length);
    const f = (i: number) => floats[i % floats.length]!;
    const b = (i: number) => bools[i % bools.length]!;
    for (const op of p.ops) {
      switch (op.kind) {
        case "cmp":
          bools.push(bind1(CMP[op.prim], [f(op.a), f(op.b)], {}));
          break;
        case "boolBin":
          bools.push(bind1(BOOL_BIN[op.prim], [b(op.a), b(op.b)], {}));
          break;
        case "not":
          bools.push(bind1(E.notP, [b(op.a)], {}));
          break;
        case "select":
          floats.push(bind1(E.selectP, [b(op.p), f(op.a), f(op.b)], {}));
          break;
        case "selectBool":
          bools.push(bind1(E.selectP, [b(op.p), b(op.a), b(op.b)], {}));
          break;
        case "floatBin":
          floats.push(bind1(FLOAT_BIN[op.prim], [f(op.a), f(op.b)], {}));
          break;
        case "toFloat":
          floats.push(E.convert(b(op.a), p.dtype));
          break;
        case "toBool":
          bools.push(E.convert(f(op.a), "bool"));
          break;
      }
    }
    let fo = fullShape(floats[floats.length - 1]!, p.shape);
    if (p.reduce) fo = bind1(reduceSumP, [fo], { axes: [p.shape.length - 1] });
    const bo = fullShape(bools[bools.length - 1]!, p.shape);
    return p.outs === "float" ? [fo] : p.outs === "bool" ? [bo] : [fo, bo];
  };
}

/** Bit-identical (NaN equals NaN; -0 differs from +0), or the first difference. */
function diff(got: Array, want: Array, sumTol: boolean): string | null {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype} vs ${want.dtype}`;
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs [${want.shape}]`;
  const g = (got as ConcreteArray).dataSync();
  const w = (want as ConcreteArray).dataSync();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const c = w[i]!;
    if (Number.isNaN(a) && Number.isNaN(c)) continue;
    if (sumTol ? a === c || Math.abs(a - c) <= 1e-6 * Math.abs(c) : Object.is(a, c)) continue;
    return `element ${i}: ${a} vs ${c}`;
  }
  return null;
}

describe("bool masks in fused Wasm kernels", () => {
  it("compare / bool logic / select / convert chains with broadcasting equal eager bit for bit", () => {
    resetJitStats();
    fc.assert(
      fc.property(programArb, fc.integer(), (p, seed) => {
        const f = runProgram(p);
        const xs = [
          ...p.floatShapes.map((s, i) => randomData(p.dtype, s, seed + i * 7919)),
          ...p.boolShapes.map((s, i) => randomData("bool", s, seed + 104729 + i * 7919)),
        ];
        const want = f(...xs);
        for (const backend of ["auto", "js"] as const) {
          setJitBackend(backend);
          const jf = jit(f);
          for (let call = 0; call < 2; call++) {
            const got = jf(...xs);
            expect(got.length).toBe(want.length);
            want.forEach((w, k) => {
              // A float sum may add in another order on the Wasm path (float32 accumulates in float64 on both).
              const err = diff(got[k]!, w, p.reduce && k === 0 && p.outs !== "bool");
              if (err !== null) throw new Error(`${backend} call ${call} output ${k}: ${err}\nprogram ${JSON.stringify(p)}`);
            });
          }
        }
      }),
      params("boolMask", 150),
    );
    if (hasWasmSimd()) expect(jitStats().wasmLaunches).toBeGreaterThan(50);
  });

  it("relu's forward mask and backward select run as Wasm and match eager exactly", () => {
    const x = np.array(Float32Array.from({ length: 128 * 128 }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 0.37) * 2)), { shape: [128, 128] });
    const b = np.array(Float32Array.from({ length: 128 }, (_, i) => Math.cos(i) * 0.1));
    const loss = (x: Array, b: Array) => np.sum(nn.relu(x.add(b)).mul(x));
    const vg = valueAndGrad(loss, { argnums: [0, 1] });
    const f = (x: Array, b: Array) => {
      const [l, g] = vg(x, b) as unknown as [Array, Array[]];
      return [l, ...g];
    };
    const want = f(x, b);
    const jf = jit(f);
    const got = jf(x, b);
    want.forEach((w, k) => expect(diff(got[k]!, w, k === 0 || k === 2)).toBeNull());
    if (hasWasmSimd()) {
      const exe = new Executable(jf.lower(x, b).jaxpr);
      const big = exe.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === "cluster" && sizeOf(s.cluster.shape) >= 256);
      expect(big.length).toBeGreaterThan(0);
      // Every big cluster (including those with bool values crossing cluster boundaries) is Wasm.
      let ci = 0;
      const wasmOf = exe.steps.map((s) => (s.kind === "cluster" ? exe.wasmClusters[ci++] : undefined));
      for (const { i } of big) expect(wasmOf[i]).toBe(true);
    }
  });

  it("bool inputs and outputs are 0/1 bytes, with odd-length tails", () => {
    const size = 1031;
    const raw = new Uint8Array(size);
    for (let i = 0; i < size; i++) raw[i] = i % 3 === 0 || (i * 37) & 4 ? 0 : 1;
    const m = new ConcreteArray(raw, [size], "bool");
    const x = np.array(Float32Array.from({ length: size }, (_, i) => i - 500));
    const f = (m: Array, x: Array) => [bind1(E.selectP, [m, x, np.zerosLike(x)], {}), bind1(E.andP, [m, bind1(E.gtP, [x, np.zerosLike(x)], {})], {})];
    const want = f(m, x);
    const got = jit(f)(m, x);
    expect(diff(got[0]!, want[0]!, false)).toBeNull();
    expect(diff(got[1]!, want[1]!, false)).toBeNull();
    const bytes = (got[1] as ConcreteArray).dataSync();
    for (let i = 0; i < size; i++) expect(bytes[i] === 0 || bytes[i] === 1).toBe(true);
  });
});

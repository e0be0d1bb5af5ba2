/** @file Properties of the dense GEMM backend: Wasm SIMD kernels, JS fallback, worker pool, memory reuse. */

import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import {
  configureMatmul,
  configureWorkers,
  DEFAULT_PARALLEL_THRESHOLD,
  gemm,
  gemmJs,
  getMatmulBackend,
  matmulWasmMemoryBytes,
  setMatmulBackend,
  warmUpWorkers,
  type GemmArray,
  type GemmDType,
} from "../../src/backend/matmul.js";
import { ByteWriter } from "../../src/backend/wasm/encoding.js";
import { WasmGemm, wasmGemm } from "../../src/backend/wasm/gemm-wasm.js";
import { workerPool } from "../../src/backend/workers.js";

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Deterministic values in [-1, 1) from a seed (an LCG: cheap, and fast-check shrinks the seed). */
function filled(ctor: Ctor, n: number, seed: number): GemmArray {
  const x = new ctor(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

interface Case {
  batch: number;
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  seed: number;
}

/** Naive float64 reference and, per output, Σ|a||b| (the scale of the rounding error). */
function reference(c: Case, a: GemmArray, b: GemmArray): { value: Float64Array; scale: Float64Array } {
  const { batch, M, K, N, transA, transB } = c;
  const value = new Float64Array(batch * M * N);
  const scale = new Float64Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let m = 0;
        for (let k = 0; k < K; k++) {
          const x = a[t * M * K + (transA ? k * M + i : i * K + k)]!;
          const y = b[t * K * N + (transB ? j * K + k : k * N + j)]!;
          s += x * y;
          m += Math.abs(x * y);
        }
        value[(t * M + i) * N + j] = s;
        scale[(t * M + i) * N + j] = m;
      }
    }
  }
  return { value, scale };
}

/** Check `got` against the reference with a relative tolerance on Σ|a||b|. */
function expectClose(c: Case, got: GemmArray, a: GemmArray, b: GemmArray, rtol: number): void {
  const { value, scale } = reference(c, a, b);
  expect(got.length).toBe(value.length);
  for (let i = 0; i < value.length; i++) {
    const err = Math.abs(got[i]! - value[i]!);
    if (!(err <= rtol * scale[i]! + 1e-30)) {
      throw new Error(`mismatch at ${i} for ${JSON.stringify(c)}: got ${got[i]}, want ${value[i]} (scale ${scale[i]})`);
    }
  }
}

function runCase(dtype: GemmDType, c: Case, impl = gemm): void {
  const ctor = dtype === "float32" ? Float32Array : Float64Array;
  const a = filled(ctor, c.batch * c.M * c.K, c.seed);
  const b = filled(ctor, c.batch * c.K * c.N, c.seed ^ 0x5bd1e995);
  const aCopy = a.slice();
  const bCopy = b.slice();
  const out = impl(dtype, c.batch, c.M, c.K, c.N, a, c.transA, b, c.transB);
  expect(out).toBeInstanceOf(ctor);
  expectClose(c, out, a, b, dtype === "float32" ? 2e-6 * Math.max(1, Math.sqrt(c.K)) : 1e-14 * Math.max(1, c.K));
  expect(sameBits(a, aCopy) && sameBits(b, bCopy)).toBe(true);
}

/** Element-wise identity (Object.is, so NaN equals NaN); much faster than `toEqual` on large arrays. */
function sameBits(x: GemmArray, y: GemmArray): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** Sizes biased to the awkward ones: 1, 3, 17, 129 and values around the 4/8-wide tiles. */
const dim = fc.oneof(fc.constantFrom(1, 3, 17, 129), fc.integer({ min: 1, max: 40 }));
const caseArbFields = {
  batch: fc.integer({ min: 1, max: 3 }),
  M: dim,
  K: dim,
  N: dim,
  transA: fc.boolean(),
  transB: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
};
const caseArb: fc.Arbitrary<Case> = fc.record(caseArbFields);

afterEach(() => {
  setMatmulBackend("auto");
  configureMatmul({ parallelThreshold: DEFAULT_PARALLEL_THRESHOLD });
  configureWorkers({ timeoutMs: undefined });
});

describe("gemm (Wasm SIMD)", () => {
  test("uses the Wasm backend on this platform", () => {
    expect(getMatmulBackend()).toBe("wasm");
  });

  test("float32 matches a float64 reference across shapes, transposes and batches", () => {
    fc.assert(fc.property(caseArb, (c) => runCase("float32", c)), { numRuns: 120 });
  });

  test("the Wasm kernels handle tiny shapes that gemm itself routes to JS", () => {
    const tiny = fc.integer({ min: 1, max: 9 });
    const run = (dtype: GemmDType) => (c: Case) =>
      runCase(dtype, c, (...args) => wasmGemm().run(...args)!);
    fc.assert(fc.property(fc.record({ ...caseArbFields, M: tiny, K: tiny, N: tiny }), run("float32")), { numRuns: 60 });
    fc.assert(fc.property(fc.record({ ...caseArbFields, M: tiny, K: tiny, N: tiny }), run("float64")), { numRuns: 30 });
  });

  test("float64 matches a float64 reference", () => {
    fc.assert(fc.property(caseArb, (c) => runCase("float64", c)), { numRuns: 60 });
  });

  test("crosses every cache block boundary (K > kc, M > mc, N > nc) with each transpose", () => {
    configureMatmul({ parallelThreshold: Infinity });
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      runCase("float32", { batch: 1, M: 133, K: 517, N: 21, transA, transB, seed: 7 });
      runCase("float32", { batch: 1, M: 5, K: 263, N: 1031, transA, transB, seed: 8 });
    }
    runCase("float64", { batch: 1, M: 131, K: 263, N: 13, transA: true, transB: false, seed: 9 });
    runCase("float64", { batch: 1, M: 3, K: 257, N: 1029, transA: false, transB: true, seed: 10 });
  });

  test("degenerate sizes: K = 0 gives zeros, empty outputs stay empty", () => {
    expect(gemm("float32", 2, 3, 0, 4, new Float32Array(0), false, new Float32Array(0), false)).toEqual(new Float32Array(24));
    expect(gemm("float64", 1, 0, 5, 4, new Float64Array(0), false, new Float64Array(20), false)).toEqual(new Float64Array(0));
    expect(gemm("float32", 0, 3, 3, 3, new Float32Array(0), false, new Float32Array(0), false).length).toBe(0);
  });

  test("NaN and Infinity propagate only to the rows and columns they touch", () => {
    const M = 9, K = 40, N = 11;
    const a = filled(Float32Array, M * K, 3);
    const b = filled(Float32Array, K * N, 4);
    a[2 * K + 5] = NaN;
    b[7 * N + 3] = Infinity;
    const c = gemm("float32", 1, M, K, N, a, false, b, false);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const v = c[i * N + j]!;
        if (i === 2) expect(v).toBeNaN();
        else if (j === 3) expect(Math.abs(v)).toBe(Infinity);
        else expect(Number.isFinite(v)).toBe(true);
      }
    }
  });

  test("accepts float64 operands for a float32 product (and vice versa)", () => {
    const a = filled(Float64Array, 20 * 30, 1);
    const b = filled(Float32Array, 30 * 25, 2);
    const c = gemm("float32", 1, 20, 30, 25, a, false, b, false);
    expect(c).toBeInstanceOf(Float32Array);
    expectClose({ batch: 1, M: 20, K: 30, N: 25, transA: false, transB: false, seed: 0 }, c, a, b, 1e-5);
  });

  test("rejects bad arguments with messages naming the shapes", () => {
    const a = new Float32Array(6);
    expect(() => gemm("float32", 1, 2, 3, 2, a, false, new Float32Array(5), false)).toThrow(/b\.length = 6.*got 6 and 5/);
    expect(() => gemm("float32", 1, -1, 3, 2, a, false, a, false)).toThrow(/M must be a non-negative integer/);
    expect(() => gemm("int32" as GemmDType, 1, 2, 3, 2, a, false, a, false)).toThrow(/dtype/);
  });
});

describe("gemmJs (portable fallback)", () => {
  test("matches the reference when forced with setMatmulBackend('js')", () => {
    setMatmulBackend("js");
    expect(getMatmulBackend()).toBe("js");
    fc.assert(fc.property(caseArb, (c) => runCase("float32", c)), { numRuns: 40 });
    fc.assert(fc.property(caseArb, (c) => runCase("float64", c, gemmJs)), { numRuns: 20 });
  });

  test("is chosen automatically when WebAssembly is missing", () => {
    vi.stubGlobal("WebAssembly", undefined);
    try {
      setMatmulBackend("auto");
      expect(getMatmulBackend()).toBe("js");
      expect(() => setMatmulBackend("wasm")).toThrow(/SIMD128/);
      runCase("float32", { batch: 2, M: 17, K: 33, N: 9, transA: true, transB: true, seed: 5 });
    } finally {
      vi.unstubAllGlobals();
    }
    setMatmulBackend("auto");
    expect(getMatmulBackend()).toBe("wasm");
  });
});

describe("without SharedArrayBuffer (e.g. a browser page that is not cross-origin isolated)", () => {
  test("runs on unshared memory, on the calling thread only", () => {
    vi.stubGlobal("SharedArrayBuffer", undefined);
    let local: WasmGemm;
    try {
      local = new WasmGemm();
    } finally {
      vi.unstubAllGlobals();
    }
    local.configure({ parallelThreshold: 1 });
    const run = vi.spyOn(workerPool(), "run");
    try {
      for (const dtype of ["float32", "float64"] as const) {
        runCase(dtype, { batch: 2, M: 70, K: 45, N: 33, transA: true, transB: false, seed: 21 }, (...args) => local.run(...args)!);
      }
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });
});

describe("Wasm memory", () => {
  test("stays bounded over many thousands of calls", () => {
    const shapes: [number, number, number][] = [[16, 16, 16], [33, 7, 65], [64, 64, 64], [1, 300, 5], [100, 20, 3]];
    const inputs = shapes.map(([M, K, N]) => [filled(Float32Array, M * K, M), filled(Float32Array, K * N, N)] as const);
    const cycle = (): void => {
      shapes.forEach(([M, K, N], s) => {
        gemm("float32", 1, M, K, N, inputs[s]![0], false, inputs[s]![1], s % 2 === 1);
      });
    };
    cycle();
    const after = matmulWasmMemoryBytes();
    for (let i = 0; i < 2000; i++) cycle();
    expect(matmulWasmMemoryBytes()).toBe(after);
  });
});

describe("worker pool", () => {
  const big: Case = { batch: 2, M: 300, K: 100, N: 90, transA: false, transB: true, seed: 11 };

  beforeAll(async () => {
    expect(await warmUpWorkers()).toBeGreaterThan(0);
  });
  afterAll(() => {
    workerPool().terminate();
  });

  test("shares large products with the workers, with the same results", () => {
    configureMatmul({ parallelThreshold: 1 });
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    try {
      runCase("float32", big);
      runCase("float32", { ...big, M: 8, N: 700, transA: true, transB: false }); // wide: sliced by columns
      runCase("float64", { ...big, batch: 5, M: 33, K: 20, N: 17 }); // small entries: one job per group
      for (const [transA, transB] of [[false, false], [true, true]] as const) {
        runCase("float32", { batch: 1, M: 133, K: 517, N: 300, transA, transB, seed: 12 }); // every block edge
      }
      // One row slice and one column panel, deeper than kc: both packings are cut along K.
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        runCase("float32", { batch: 1, M: 40, K: 601, N: 100, transA, transB, seed: 13 });
        runCase("float64", { batch: 2, M: 9, K: 530, N: 31, transA, transB, seed: 14 });
      }
      expect(run).toHaveBeenCalled();
      for (const [job, , workers] of run.mock.calls) {
        expect(workers.length).toBeGreaterThan(0);
        expect(job.calls.length).toBeGreaterThan(2);
      }
      expect(run.mock.results.every((r) => r.value === true)).toBe(true);
    } finally {
      run.mockRestore();
    }
  });

  test.each(["throw", "crash", "hang"] as const)("replaces a worker that %ss; the result is still exact", async (fault) => {
    configureMatmul({ parallelThreshold: 1 });
    configureWorkers({ timeoutMs: 300 });
    const pool = workerPool();
    const [worker] = pool.readyWorkers();
    expect(worker).toBeDefined();
    const replaced = pool.replacements;
    pool.injectFault(worker!, fault);
    // Large enough that the faulty worker usually claims a slice before the caller has taken them all.
    runCase("float32", { ...big, M: 400, K: 300, N: 200 });
    pool.settle(); // a worker too late to claim a slice reports its fault after the product
    expect(pool.replacements).toBe(replaced + 1);
    // Once the replacement is up, products are shared again and succeed.
    configureWorkers({ timeoutMs: undefined });
    expect(await warmUpWorkers()).toBeGreaterThan(0);
    const run = vi.spyOn(pool, "run");
    try {
      runCase("float32", big);
      expect(run.mock.calls[0]![2].length).toBeGreaterThan(0);
      expect(run.mock.results[0]!.value).toBe(true);
      expect(pool.replacements).toBe(replaced + 1);
    } finally {
      run.mockRestore();
    }
  });
});

describe("worker pool health checks", () => {
  afterAll(() => {
    configureWorkers({ timeoutMs: undefined });
  });

  test("a worker that hangs is replaced once its deadline passes, even if it took no part in the job", async () => {
    expect(await warmUpWorkers()).toBeGreaterThan(0);
    configureMatmul({ parallelThreshold: 1 });
    configureWorkers({ timeoutMs: 200 });
    const pool = workerPool();
    const [worker] = pool.readyWorkers();
    const replaced = pool.replacements;
    pool.injectFault(worker!, "hang");
    // Either the worker claims a slice (the job fails, is redone here, the worker is replaced at
    // once) or it wakes too late and hangs outside the job: then the next hand-out replaces it.
    runCase("float32", { batch: 1, M: 64, K: 64, N: 64, transA: false, transB: false, seed: 3 });
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.readyWorkers()).not.toContain(-1);
    expect(pool.replacements).toBe(replaced + 1);
  });
});

describe("process lifetime", () => {
  test("idle workers never keep the process alive", () => {
    // A child that starts the pool, splits a product across it, and then simply returns.
    const code = [
      `const m = await import(${JSON.stringify(new URL("../../src/backend/matmul.ts", import.meta.url).href)});`,
      "console.log('workers', await m.warmUpWorkers());",
      "const x = new Float32Array(300 * 300).fill(1);",
      "console.log('value', m.gemm('float32', 1, 300, 300, 300, x, false, x, false)[0]);",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(child.stderr).toBe("");
    expect(child.stdout).toMatch(/workers [1-9]/);
    expect(child.stdout).toContain("value 300");
    expect(child.status).toBe(0);
  });
});

describe("ByteWriter (module emitter encoding)", () => {
  test("LEB128 encodes known values", () => {
    const bytes = (f: (w: ByteWriter) => void): number[] => {
      const w = new ByteWriter();
      f(w);
      return [...w.finish()];
    };
    expect(bytes((w) => w.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytes((w) => w.u32(127))).toEqual([0x7f]);
    expect(bytes((w) => w.s64(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytes((w) => w.s64(63))).toEqual([0x3f]);
    expect(bytes((w) => w.s64(64))).toEqual([0xc0, 0x00]);
    expect(bytes((w) => w.s64(-64))).toEqual([0x40]);
    expect(bytes((w) => w.s64(-65))).toEqual([0xbf, 0x7f]);
  });
});

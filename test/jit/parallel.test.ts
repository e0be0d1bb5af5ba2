/**
 * @file Large elementwise Wasm kernels split across the worker pool: the threaded result must be
 * bit-identical to the single-threaded kernel's (and within float32 tolerance of eager), including
 * broadcast scalars, bool outputs and a ragged tail, and a failing worker must fall back to the
 * single-threaded path with the same bits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { jit, np } from "../../src/index.js";
import { configureWorkers, warmUpWorkers, workerPool } from "../../src/backend/workers.js";
import { setJitParallelThreshold } from "../../src/jit/codegenWasm.js";
import { hasSharedWasmMemory, hasWasmSimd } from "../../src/backend/wasm/simd.js";

const chain = (x: Array, y: Array) => np.sqrt(x.mul(x).add(y.mul(y))).mul(np.tanh(x)).add(1);
const mixed = (x: Array, y: Array) => {
  const z = np.tanh(x).mul(2.5).sub(np.exp(y.mul(0.5)));
  return [z, np.greater(z, 0)] as const;
};

function randomArray(n: number, seed: number): Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 8 - 4;
  }
  a[1] = 0;
  a[2] = -0;
  a[3] = NaN;
  a[n - 1] = Infinity;
  return np.array(a);
}

const data = (a: Array) => (a as ConcreteArray).dataSync();

function expectBitIdentical(got: Array, want: Array): void {
  const g = data(got);
  const w = data(want);
  expect(g.length).toBe(w.length);
  const gb = new Uint8Array(g.buffer, g.byteOffset, g.byteLength);
  const wb = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  let firstDiff = -1;
  for (let i = 0; i < gb.length; i++) {
    if (gb[i] !== wb[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff).toBe(-1);
}

/** |a - b| <= atol + rtol |b|, NaNs and infinities equal. */
function expectClose(got: Array, want: Array, rtol: number, atol: number): void {
  const g = data(got);
  const w = data(want);
  let bad = -1;
  for (let i = 0; i < w.length && bad < 0; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a - b) > atol + rtol * Math.abs(b)) bad = i;
  }
  expect(bad).toBe(-1);
}

/** The same function compiled with threads disabled (a fresh jit, so a fresh executable). */
function singleThreaded<F extends (...xs: Array[]) => unknown>(f: F): F {
  setJitParallelThreshold(Infinity);
  try {
    const g = jit(((...xs: Array[]) => f(...xs)) as F); // a new function: jit caches per function
    return ((...xs: Array[]) => {
      setJitParallelThreshold(Infinity); // compilation happens on the first call
      try {
        return (g as unknown as (...as: Array[]) => unknown)(...xs);
      } finally {
        setJitParallelThreshold(1 << 20);
      }
    }) as F;
  } finally {
    setJitParallelThreshold(1 << 20);
  }
}

const available = hasWasmSimd() && hasSharedWasmMemory();

describe.skipIf(!available)("threaded elementwise kernels", () => {
  const n = 3_000_003; // not a multiple of the block or of the lane count
  let x: Array;
  let y: Array;

  beforeAll(async () => {
    setJitParallelThreshold(1 << 20);
    expect(await warmUpWorkers()).toBeGreaterThan(0);
    x = randomArray(n, 1);
    y = randomArray(n, 2);
  });
  afterEach(() => {
    configureWorkers({ timeoutMs: undefined });
    setJitParallelThreshold(1 << 20);
  });
  afterAll(() => {
    setJitParallelThreshold(1 << 21);
  });

  it("matches the single-threaded kernel bit for bit and eager within tolerance", () => {
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    try {
      const f = jit(chain);
      const got = f(x, y);
      expect(run).toHaveBeenCalled();
      expect(run.mock.results.every((r) => r.value === true)).toBe(true);
      expect(run.mock.calls[0]![2].length).toBeGreaterThan(0);
      const calls = run.mock.calls.length;
      expectBitIdentical(got, singleThreaded(chain)(x, y));
      expect(run.mock.calls.length).toBe(calls); // the single-threaded one did not use the pool
      expectClose(got, chain(x, y), 2e-5, 1e-5);
      expectBitIdentical(f(x, y), got); // reusing the shared memory
    } finally {
      run.mockRestore();
    }
  });

  it("handles broadcast scalars, several outputs and bool outputs", () => {
    const f = jit(mixed);
    const [z, m] = f(x, y);
    const [z1, m1] = singleThreaded(mixed)(x, y);
    expectBitIdentical(z, z1);
    expectBitIdentical(m, m1);
    expect(m.dtype).toBe("bool");
    const [ze] = mixed(x, y);
    expectClose(z, ze, 2e-5, 1e-5);
  });

  it("moves shared inputs and outputs block by block, and copies the rest whole, with the same bits", () => {
    // Large arrays live in SharedArrayBuffers, so each thread copies its own blocks.
    expect(data(x).length).toBe(n);
    expect((x as ConcreteArray).concreteData().buffer).toBeInstanceOf(SharedArrayBuffer);
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    try {
      expectBitIdentical(jit(chain)(x, y), singleThreaded(chain)(x, y));
      expect(run.mock.calls[0]![0].arrays).toHaveLength(3); // x, y and the output
      // An input in an ordinary ArrayBuffer is copied whole on the calling thread; the shared ones
      // still move per block.
      const plain = new ConcreteArray(data(y).slice(), [n], "float32");
      run.mockClear();
      const got = jit(chain)(x, plain);
      expect(run.mock.calls[0]![0].arrays).toHaveLength(2); // x and the output
      expectBitIdentical(got, singleThreaded(chain)(x, plain));
    } finally {
      run.mockRestore();
    }
  });

  it("stays on one thread below the threshold", () => {
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    try {
      const small = randomArray(100_000, 3);
      jit(chain)(small, small);
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });

  it.each(["throw", "crash", "hang"] as const)("falls back to one thread when a worker %ss, with the same bits", async (fault) => {
    const want = singleThreaded(chain)(x, y);
    expect(await warmUpWorkers()).toBeGreaterThan(0);
    configureWorkers({ timeoutMs: 300 });
    const pool = workerPool();
    const [worker] = pool.readyWorkers();
    expect(worker).toBeDefined();
    const replaced = pool.replacements;
    pool.injectFault(worker!, fault);
    const run = vi.spyOn(pool, "run");
    try {
      const got = jit((a: Array, b: Array) => chain(a, b))(x, y);
      // Usually the faulty worker claims a block and the job fails (then this thread redid it all);
      // if it came too late to claim one, the job stands. Either way the worker is replaced.
      expect(run).toHaveBeenCalledTimes(1);
      pool.settle();
      expect(pool.replacements).toBe(replaced + 1);
      expectBitIdentical(got, want);
    } finally {
      run.mockRestore();
    }
    configureWorkers({ timeoutMs: undefined });
    expect(await warmUpWorkers()).toBeGreaterThan(0);
    const run2 = vi.spyOn(pool, "run");
    try {
      expectBitIdentical(jit((a: Array, b: Array) => chain(a, b))(x, y), want); // threads again, on a fresh shared memory
      expect(run2.mock.results[0]!.value).toBe(true);
    } finally {
      run2.mockRestore();
    }
  });
});

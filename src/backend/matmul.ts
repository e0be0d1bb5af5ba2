/**
 * @file Dense batched matrix multiplication (GEMM) for the backend: WebAssembly SIMD kernels with a
 * plain-JS fallback.
 *
 * The Wasm path is used when the platform validates a SIMD128 module; otherwise, or when forced
 * with {@link setMatmulBackend}, everything runs in {@link gemmJs}. Tiny products also use the JS
 * loop, whose per-call cost is lower than copying operands into linear memory.
 */

import { wasmGemm, type GemmDType, type WasmGemmOptions } from "./wasm/gemm-wasm.js";
import { hasWasmSimd } from "./wasm/simd.js";

export type { GemmDType } from "./wasm/gemm-wasm.js";
export { configureWorkers, warmUpWorkers } from "./workers.js";
export { DEFAULT_PARALLEL_THRESHOLD } from "./wasm/gemm-wasm.js";

/** A GEMM operand or result. */
export type GemmArray = Float32Array | Float64Array;

/** Which implementation {@link gemm} uses. */
export type MatmulBackend = "js" | "wasm";

/** Below this many multiply-adds (M·N·K per batch entry) the JS loop beats copying into Wasm memory. */
const SMALL_PRODUCT = 512;

let requested: MatmulBackend | "auto" = "auto";
let resolved: MatmulBackend | undefined;

/**
 * Choose the implementation: `"wasm"` (throws if WebAssembly SIMD is unavailable), `"js"` (the
 * portable fallback) or `"auto"` (Wasm when available, re-detected now).
 */
export function setMatmulBackend(backend: MatmulBackend | "auto"): void {
  if (backend === "wasm" && !hasWasmSimd()) {
    throw new Error('setMatmulBackend: "wasm" needs WebAssembly with SIMD128, which this platform lacks; use "js" or "auto"');
  }
  requested = backend;
  resolved = undefined;
}

/** The implementation {@link gemm} currently uses. */
export function getMatmulBackend(): MatmulBackend {
  resolved ??= requested === "auto" ? (hasWasmSimd() ? "wasm" : "js") : requested;
  return resolved;
}

/** Tune the Wasm path, e.g. `{ parallelThreshold: 1 << 22 }` (M·N·K from which worker threads help). */
export function configureMatmul(options: WasmGemmOptions): void {
  wasmGemm().configure(options);
}

/** Bytes of WebAssembly linear memory held by the matmul kernels: the largest problem so far, reused. */
export function matmulWasmMemoryBytes(): number {
  return wasmGemm().memoryBytes;
}

/**
 * out[b] = op(a[b]) @ op(b[b]) for each batch b, row-major; op = transpose when the flag is set.
 *
 * `a` holds batch × (transA ? K×M : M×K) contiguous elements and `b` batch × (transB ? N×K : K×N);
 * either may be a Float32Array or Float64Array. The result is a new batch×M×N array of `dtype`
 * (float32 products are accumulated in float32 on the Wasm path, in float64 on the JS path).
 * Inputs are never modified.
 *
 * @example
 * ```ts
 * // [[1, 2], [3, 4]] @ [[5], [6]] = [[17], [39]]
 * gemm("float32", 1, 2, 2, 1, new Float32Array([1, 2, 3, 4]), false, new Float32Array([5, 6]), false);
 * ```
 */
export function gemm(
  dtype: GemmDType, batch: number, M: number, K: number, N: number,
  a: GemmArray, transA: boolean, b: GemmArray, transB: boolean,
): GemmArray {
  checkArgs("gemm", dtype, batch, M, K, N, a, b);
  if (batch * M * N === 0) return allocate(dtype, 0);
  if (K === 0) return allocate(dtype, batch * M * N);
  if (getMatmulBackend() === "wasm" && M * N * K >= SMALL_PRODUCT) {
    const out = wasmGemm().run(dtype, batch, M, K, N, a, transA, b, transB);
    if (out !== undefined) return out;
  }
  return gemmJs(dtype, batch, M, K, N, a, transA, b, transB);
}

/**
 * Portable reference implementation of {@link gemm} (same contract). Accumulates every dot product
 * in float64 and rounds once when storing.
 */
export function gemmJs(
  dtype: GemmDType, batch: number, M: number, K: number, N: number,
  a: GemmArray, transA: boolean, b: GemmArray, transB: boolean,
): GemmArray {
  checkArgs("gemmJs", dtype, batch, M, K, N, a, b);
  const out = allocate(dtype, batch * M * N);
  const row = new Float64Array(N);
  // Element strides of op(A) in storage, so one loop serves both layouts of A.
  const [aRow, aCol] = transA ? [1, M] : [K, 1];
  for (let bi = 0; bi < batch; bi++) {
    const aBase = bi * M * K;
    const bBase = bi * K * N;
    for (let i = 0; i < M; i++) {
      const ai = aBase + i * aRow;
      if (transB) {
        // Rows of B are contiguous: plain dot products.
        for (let j = 0; j < N; j++) {
          const bj = bBase + j * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += a[ai + k * aCol]! * b[bj + k]!;
          row[j] = s;
        }
      } else {
        // i-k-j order: the inner loop walks a contiguous row of B.
        row.fill(0);
        for (let k = 0; k < K; k++) {
          const aik = a[ai + k * aCol]!;
          const bk = bBase + k * N;
          for (let j = 0; j < N; j++) row[j]! += aik * b[bk + j]!;
        }
      }
      out.set(row, (bi * M + i) * N);
    }
  }
  return out;
}

function allocate(dtype: GemmDType, n: number): GemmArray {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

function checkArgs(
  fn: string, dtype: GemmDType, batch: number, M: number, K: number, N: number, a: GemmArray, b: GemmArray,
): void {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`${fn}: dtype must be "float32" or "float64", got ${String(dtype)}`);
  }
  for (const [name, v] of [["batch", batch], ["M", M], ["K", K], ["N", N]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
  }
  if (!(a instanceof Float32Array || a instanceof Float64Array) || !(b instanceof Float32Array || b instanceof Float64Array)) {
    throw new TypeError(`${fn}: operands must be Float32Array or Float64Array`);
  }
  if (a.length !== batch * M * K || b.length !== batch * K * N) {
    throw new RangeError(
      `${fn}: for batch=${batch}, M=${M}, K=${K}, N=${N} expected a.length = ${batch * M * K} and ` +
        `b.length = ${batch * K * N}, got ${a.length} and ${b.length}`,
    );
  }
}

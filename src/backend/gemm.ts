/**
 * @file The GEMM entry point used by `dot_general`. Dispatches to the fastest available kernel.
 */
import type { TypedArray } from "../core/dtype.js";
import { gemmNaive } from "./cpu/gemmNaive.js";

/** out[b] = op(a[b]) @ op(b[b]) for each batch b (row-major; `op` transposes when its flag is set). */
export function gemm(out: TypedArray, batch: number, M: number, K: number, N: number, a: TypedArray, transA: boolean, b: TypedArray, transB: boolean): void {
  gemmNaive(out, batch, M, K, N, a, transA, b, transB);
}

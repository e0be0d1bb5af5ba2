/**
 * @file The GEMM entry point used by `dot_general` and convolution. float32/float64 go to the
 * WebAssembly SIMD kernels (with the worker pool for large products) in `matmul.ts`; integer dtypes
 * use the plain-JS reference loop.
 */
import { allocate, type DType, type TypedArray } from "../core/dtype.js";
import { gemmNaive } from "./cpu/gemmNaive.js";
import { gemm as gemmFloat } from "./matmul.js";

/**
 * A new `batch × M × N` array of `dtype` holding op(a[b]) @ op(b[b]) for each batch b (row-major;
 * `op` transposes when its flag is set). `a` and `b` must already have `dtype`'s storage.
 */
export function gemm(dtype: DType, batch: number, M: number, K: number, N: number, a: TypedArray, transA: boolean, b: TypedArray, transB: boolean): TypedArray {
  if (dtype === "float32" || dtype === "float64") {
    return gemmFloat(dtype, batch, M, K, N, a as Float32Array | Float64Array, transA, b as Float32Array | Float64Array, transB);
  }
  const out = allocate(dtype, batch * M * N);
  gemmNaive(out, batch, M, K, N, a, transA, b, transB);
  return out;
}

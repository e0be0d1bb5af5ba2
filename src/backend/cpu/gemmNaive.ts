/**
 * @file A plain-JS batched matrix product, the reference and fallback kernel. The fast paths live
 * in the Wasm backend; this one favours clarity with a cache-friendly i-k-j loop order.
 */
import type { TypedArray } from "../../core/dtype.js";

/** out[b] = op(a[b]) @ op(b[b]) (row-major; `op` transposes when the flag is set). */
export function gemmNaive(
  out: TypedArray,
  batch: number,
  M: number,
  K: number,
  N: number,
  a: TypedArray,
  transA: boolean,
  b: TypedArray,
  transB: boolean,
): void {
  const row = new Float64Array(N);
  for (let t = 0; t < batch; t++) {
    const ao = t * M * K;
    const bo = t * K * N;
    const oo = t * M * N;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const av = transA ? a[ao + k * M + i]! : a[ao + i * K + k]!;
        if (transB) for (let j = 0; j < N; j++) row[j] += av * b[bo + j * K + k]!;
        else {
          const base = bo + k * N;
          for (let j = 0; j < N; j++) row[j] += av * b[base + j]!;
        }
      }
      for (let j = 0; j < N; j++) out[oo + i * N + j] = row[j]!;
    }
  }
}

/**
 * @file Matmul float32 N×N×N GFLOP/s beside TF.js (wasm, cpu) and jax-js (wasm).
 */
import { benchMatmulKernels } from "../matmul-kernels.js";
import type { Row } from "../timing.js";

export async function run(): Promise<Row[]> {
  const rows = await benchMatmulKernels([128, 256, 512, 1024, 2048]);
  return rows.map((r: any) => ({
    name: `matmul f32 N=${r.n}`,
    unit: "GFLOP/s",
    higherIsBetter: true,
    tessera: r.tessera,
    peers: { "tfjs-wasm": r.tfjsWasm, "tfjs-cpu": r.tfjsCpu, "jax-js": r.jaxJs },
  }));
}

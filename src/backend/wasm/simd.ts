/** @file Feature detection for WebAssembly with the SIMD128 proposal and shareable memory. */

import { ModuleBuilder } from "./module-builder.js";
import { SimdOp, ValType } from "./opcodes.js";
import { wasmApi } from "./wasm-api.js";

/** A minimal module whose one function uses `f32x4.splat` / `f32x4.mul` (rejected by engines without SIMD). */
function simdProbe(): Uint8Array {
  const mb = new ModuleBuilder();
  const f = mb.function([], [ValType.f32]);
  f.f32(1).simd(SimdOp.f32x4_splat).f32(2).simd(SimdOp.f32x4_splat).simd(SimdOp.f32x4_mul);
  f.simdLane(SimdOp.f32x4_extract_lane, 0);
  return mb.toBytes();
}

/** True when `WebAssembly` exists and validates a SIMD128 module. Not cached: it is cheap and tests stub globals. */
export function hasWasmSimd(): boolean {
  const api = wasmApi();
  if (api === undefined) return false;
  try {
    return api.validate(simdProbe());
  } catch {
    return false;
  }
}

/** True when linear memory can be shared with worker threads (`SharedArrayBuffer` and shared `WebAssembly.Memory`). */
export function hasSharedWasmMemory(): boolean {
  const api = wasmApi();
  if (api === undefined || typeof SharedArrayBuffer !== "function") return false;
  try {
    const m = new api.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

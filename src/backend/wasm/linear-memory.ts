/** @file The persistent WebAssembly linear memory that kernels work in: grown on demand, never shrunk. */

import { requireWasmApi, type WasmMemory } from "./wasm-api.js";

/** Bytes per WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
/** The most pages a 32-bit linear memory can hold (4 GiB). */
export const MAX_WASM_PAGES = 65536;

/**
 * One `WebAssembly.Memory` reused by every kernel call. Fresh pages are expensive to touch, so the
 * memory only grows (to the largest problem seen so far) and is then reused; inputs are copied in
 * and results copied out on each call. Shared (a `SharedArrayBuffer`) when worker threads can use it.
 */
export class LinearMemory {
  /** The underlying memory, imported by every kernel instance as `env.memory`. */
  readonly memory: WasmMemory;
  /** Whether the memory is backed by a `SharedArrayBuffer`. */
  readonly shared: boolean;
  private buffer: ArrayBufferLike | undefined;
  private f32: Float32Array | undefined;
  private f64: Float64Array | undefined;

  /** Create a one-page memory; `shared` needs `SharedArrayBuffer` support. */
  constructor(shared: boolean) {
    this.shared = shared;
    const api = requireWasmApi();
    this.memory = new api.Memory(
      shared ? { initial: 1, maximum: MAX_WASM_PAGES, shared: true } : { initial: 1, maximum: MAX_WASM_PAGES },
    );
  }

  /** Current size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Make sure at least `bytes` are addressable, growing with 1/8 headroom so a slowly increasing
   * workload does not grow on every call. Returns false if that exceeds the 4 GiB limit.
   */
  ensure(bytes: number): boolean {
    const have = this.byteLength;
    if (bytes <= have) return true;
    const needPages = Math.ceil(bytes / WASM_PAGE_BYTES);
    if (needPages > MAX_WASM_PAGES) return false;
    const havePages = have / WASM_PAGE_BYTES;
    const target = Math.min(MAX_WASM_PAGES, Math.max(needPages, Math.ceil(needPages * 1.125)));
    try {
      this.memory.grow(target - havePages);
    } catch {
      try {
        this.memory.grow(needPages - havePages);
      } catch {
        return false;
      }
    }
    return true;
  }

  /** A Float32Array over the whole memory (re-created after growth). */
  float32(): Float32Array {
    this.refresh();
    return (this.f32 ??= new Float32Array(this.buffer!));
  }

  /** A Float64Array over the whole memory (re-created after growth). */
  float64(): Float64Array {
    this.refresh();
    return (this.f64 ??= new Float64Array(this.buffer!));
  }

  private refresh(): void {
    // Growth detaches (or, when shared, outgrows) the old buffer; views must follow the new one.
    const buf = this.memory.buffer;
    if (buf !== this.buffer || buf.byteLength !== this.buffer?.byteLength) {
      this.buffer = buf;
      this.f32 = undefined;
      this.f64 = undefined;
    }
  }
}

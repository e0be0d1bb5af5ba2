/**
 * @file Memory of compiled programs: allocation of their outputs, reuse of their private
 * intermediates, the persistent WebAssembly memory their kernels work in, and an instrumentation
 * hook (`jitStats`) that counts kernel launches and allocations, so tests can check that a fused
 * chain allocates nothing but its outputs.
 *
 * Why this matters here: fresh memory costs a page fault on first touch (measured on the
 * benchmark machine at 0.7–2 ns per float32 element, as much as a whole fused kernel), so
 *  - values that never leave one compiled call (a cluster output read only by later clusters of
 *    the same call) are "private": their buffers belong to the executable and are reused on every
 *    call instead of being reallocated;
 *  - kernel scratch lives in one Wasm memory that grows to the largest chunk seen and is then
 *    reused, never shrunk.
 * Buffers handed to the caller (outputs, and anything passed to a primitive's `impl`, which may
 * alias it) are always fresh: arrays are immutable and owned by the garbage collector.
 */
import { markExclusive } from "../core/concrete.js";
import { allocateShareable, storageOf, type DType, type TypedArray } from "../core/dtype.js";
import { LinearMemory } from "../backend/wasm/linear-memory.js";
import { hasSharedWasmMemory } from "../backend/wasm/simd.js";
import { wasmApi } from "../backend/wasm/wasm-api.js";

/** Counters of compiled-program activity since the last {@link resetJitStats}. */
export interface JitStats {
  /** Fused kernels run (one per cluster per call). */
  kernelLaunches: number;
  /** Of which ran as WebAssembly. */
  wasmLaunches: number;
  /** Non-fused equations run through their primitive's `impl`. */
  implCalls: number;
  /** Arrays allocated by compiled programs (outputs of kernels; `impl` allocations are not counted). */
  allocations: number;
  /** Bytes of those arrays. */
  bytesAllocated: number;
  /** Private intermediate buffers reused instead of allocated. */
  reusedBuffers: number;
  /** Outputs written into the storage of donated arguments (`donateArgnums`) instead of fresh memory. */
  donatedBuffers: number;
}

const stats: JitStats = { kernelLaunches: 0, wasmLaunches: 0, implCalls: 0, allocations: 0, bytesAllocated: 0, reusedBuffers: 0, donatedBuffers: 0 };

/** A snapshot of the counters (see {@link JitStats}). */
export function jitStats(): JitStats {
  return { ...stats };
}

/** Zero the counters. */
export function resetJitStats(): void {
  stats.kernelLaunches = 0;
  stats.wasmLaunches = 0;
  stats.implCalls = 0;
  stats.allocations = 0;
  stats.bytesAllocated = 0;
  stats.reusedBuffers = 0;
  stats.donatedBuffers = 0;
}

/** Count an output written into donated storage (internal). */
export function countDonated(): void {
  stats.donatedBuffers++;
}

/** Count a kernel launch (internal). */
export function countLaunch(wasm: boolean): void {
  stats.kernelLaunches++;
  if (wasm) stats.wasmLaunches++;
}

/** Count an `impl` call (internal). */
export function countImpl(): void {
  stats.implCalls++;
}

/** Fresh zeroed storage for an array that leaves the compiled call (owned by that array alone). */
export function allocateOutput(dtype: DType, n: number): TypedArray {
  stats.allocations++;
  stats.bytesAllocated += n * storageOf[dtype].BYTES_PER_ELEMENT;
  const data = allocateShareable(dtype, n);
  markExclusive(data);
  return data;
}

/**
 * Buffers for values private to one executable, reused across its calls. Not re-entrant by
 * itself: the executable takes a fresh set when it is entered recursively (see compile.ts).
 */
export class PrivateBuffers {
  private readonly bufs: (TypedArray | undefined)[] = [];

  /** The buffer for private slot `i`, allocated on first use. */
  get(i: number, dtype: DType, n: number): TypedArray {
    const b = this.bufs[i];
    if (b !== undefined && b.length === n && b instanceof storageOf[dtype]) {
      stats.reusedBuffers++;
      return b;
    }
    const nb = allocateOutput(dtype, n);
    this.bufs[i] = nb;
    return nb;
  }
}

let scratch: LinearMemory | null | undefined;

/**
 * The Wasm memory fused kernels run in (one per process, grown on demand), or null when the
 * platform has no WebAssembly. Kernels are synchronous and never nested, so one memory suffices.
 */
export function kernelMemory(): LinearMemory | null {
  if (scratch === undefined) scratch = wasmApi() === undefined ? null : new LinearMemory(false);
  return scratch;
}

let sharedScratch: LinearMemory | null | undefined;

/**
 * The shared Wasm memory that large elementwise kernels split across worker threads work in
 * (one per process, grown on demand), or null when memory cannot be shared.
 */
export function sharedKernelMemory(): LinearMemory | null {
  if (sharedScratch === undefined) sharedScratch = hasSharedWasmMemory() ? new LinearMemory(true) : null;
  return sharedScratch;
}

/**
 * Drop the shared memory after a failed threaded job (a terminated worker may still be writing
 * into it for a moment); the next threaded kernel gets a fresh one.
 */
export function abandonSharedKernelMemory(): void {
  if (sharedScratch) sharedScratch = undefined;
}

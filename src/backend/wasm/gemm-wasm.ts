/**
 * @file Runs batched GEMM on the generated Wasm kernels: pad and copy operands into persistent
 * linear memory, pack and multiply (sliced into calls that worker threads share on large
 * products), copy the result out.
 */

import { workerPool, type WasmCall } from "../workers.js";
import { buildGemmModule, gemmGeometry, GEMM_K_ALIGN, type GemmExports, type GemmKernelConfig } from "./gemm-kernel.js";
import { LinearMemory } from "./linear-memory.js";
import { hasSharedWasmMemory } from "./simd.js";
import { requireWasmApi, type WasmModule } from "./wasm-api.js";

/** Element types the GEMM kernels support. */
export type GemmDType = "float32" | "float64";

type Float = Float32Array | Float64Array;

/**
 * Kernel configurations. 4 × 2 vectors of accumulators is the largest tile V8 keeps in registers.
 * Speed is flat for mc 64..256, kc 128..512, nc 256..4096 (measured), so mc and nc are the small
 * end: they are also the slice sizes threads claim, and small slices balance load better.
 */
export const GEMM_KERNELS: Readonly<Record<GemmDType, GemmKernelConfig>> = {
  float32: { dtype: "float32", mr: 4, nrVectors: 2, unroll: 2, mc: 64, kc: 256, nc: 256 },
  float64: { dtype: "float64", mr: 4, nrVectors: 2, unroll: 2, mc: 64, kc: 256, nc: 256 },
};

/** Tunables of the Wasm GEMM. */
export interface WasmGemmOptions {
  /** Products with at least this many multiply-adds (batch·M·N·K) are shared with worker threads. */
  parallelThreshold?: number;
}

/** Default batch·M·N·K from which worker threads help (measured crossover; a job round trip is ~10 µs). */
export const DEFAULT_PARALLEL_THRESHOLD = 1 << 20;

/** Batched calls copy at most about this many bytes of operands in at once (at least one entry). */
const GROUP_BYTES = 64 << 20;

const ALIGN = 64;
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

interface Kernel {
  readonly cfg: GemmKernelConfig;
  readonly nr: number;
  readonly es: number;
  readonly module: WasmModule;
  readonly ex: GemmExports;
}

/** Padded sizes of one batch entry and the byte offsets of its regions, relative to the entry. */
interface Layout {
  readonly Mp: number;
  readonly Np: number;
  readonly Kp: number;
  /** Leading dimensions of the raw copies of A and B (elements). */
  readonly lda: number;
  readonly ldb: number;
  readonly rawA: number;
  readonly rawB: number;
  readonly packA: number;
  readonly packB: number;
  readonly c: number;
  /** Bytes per entry (a multiple of the alignment). */
  readonly bytes: number;
}

/**
 * Owns the persistent linear memory and the compiled kernels. One instance serves the whole
 * process ({@link wasmGemm}); it is not re-entrant (kernels are synchronous, so it never needs to be).
 */
export class WasmGemm {
  private readonly shared: boolean;
  private mem: LinearMemory;
  private readonly modules = new Map<GemmDType, WasmModule>();
  private readonly kernels = new Map<GemmDType, Kernel>();
  private parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;

  /** Create the runtime (throws if WebAssembly is unavailable). */
  constructor() {
    this.shared = hasSharedWasmMemory();
    this.mem = new LinearMemory(this.shared);
  }

  /** Change tunables. */
  configure(options: WasmGemmOptions): void {
    if (options.parallelThreshold !== undefined) this.parallelThreshold = options.parallelThreshold;
  }

  /** Current size of the linear memory in bytes (it grows to the largest problem seen, then stays). */
  get memoryBytes(): number {
    return this.mem.byteLength;
  }

  /**
   * out[b] = op(a[b]) · op(b[b]) for each batch entry, row-major. Returns undefined when the problem
   * does not fit in a 32-bit linear memory (the caller then uses another backend).
   */
  run(
    dtype: GemmDType, batch: number, M: number, K: number, N: number,
    a: Float, transA: boolean, b: Float, transB: boolean,
  ): Float | undefined {
    const p: Problem = { dtype, batch, M, K, N, a, transA, b, transB };
    const parallel = this.shared && batch * M * N * K >= this.parallelThreshold;
    const workers = parallel ? workerPool().readyWorkers() : [];
    const out = workers.length > 0 ? this.runShared(p, workers) : this.runAlone(p);
    if (out !== "worker-failed") return out;
    // Some call did not complete; a terminated worker may still write into that memory for a
    // moment, so abandon it and redo everything here with fresh memory. Never a partial result.
    this.mem = new LinearMemory(this.shared);
    this.kernels.clear();
    return this.runAlone(p);
  }

  /** Entry by entry on the calling thread, with the smallest memory footprint. */
  private runAlone(p: Problem): Float | undefined {
    const k = this.kernel(p.dtype);
    const lay = layout(k, p);
    if (!this.mem.ensure(ALIGN + lay.bytes)) return undefined;
    const view = k.es === 4 ? this.mem.float32() : this.mem.float64();
    const out = allocate(p.dtype, p.batch * p.M * p.N);
    for (let e = 0; e < p.batch; e++) {
      copyIn(view, ALIGN, lay, p, e, k.es);
      for (const call of entryCalls(k, lay, p, ALIGN, false).flat()) callExport(k.ex, call);
      copyOut(view, ALIGN, lay, p, e, out, k.es);
    }
    return out;
  }

  /** Groups of entries at a time, each group one job shared with the workers. */
  private runShared(p: Problem, workers: number[]): Float | undefined | "worker-failed" {
    const k = this.kernel(p.dtype);
    const lay = layout(k, p);
    const group = Math.max(1, Math.min(p.batch, Math.floor(GROUP_BYTES / lay.bytes)));
    if (!this.mem.ensure(ALIGN + group * lay.bytes)) return this.runAlone(p);
    const view = k.es === 4 ? this.mem.float32() : this.mem.float64();
    const out = allocate(p.dtype, p.batch * p.M * p.N);
    const pool = workerPool();
    for (let first = 0; first < p.batch; first += group) {
      const count = Math.min(group, p.batch - first);
      const pack: WasmCall[] = [];
      const multiply: WasmCall[] = [];
      for (let g = 0; g < count; g++) {
        const base = ALIGN + g * lay.bytes;
        copyIn(view, base, lay, p, first + g, k.es);
        const [packs, products] = entryCalls(k, lay, p, base, true);
        pack.push(...packs);
        multiply.push(...products);
      }
      // Generous deadline: 2 s plus the work at 1 GFLOP/s (the kernels run at ~50 per core).
      const timeoutMs = 2000 + (2 * count * lay.Mp * lay.Np * lay.Kp) / 1e6;
      const job = {
        key: p.dtype, module: k.module, memory: this.mem.memory,
        calls: [...pack, ...multiply], barrier: pack.length, timeoutMs,
      };
      if (!pool.run(job, (call) => callExport(k.ex, call), workers)) return "worker-failed";
      for (let g = 0; g < count; g++) copyOut(view, ALIGN + g * lay.bytes, lay, p, first + g, out, k.es);
    }
    return out;
  }

  private kernel(dtype: GemmDType): Kernel {
    let k = this.kernels.get(dtype);
    if (k === undefined) {
      const api = requireWasmApi();
      const cfg = GEMM_KERNELS[dtype];
      let module = this.modules.get(dtype);
      if (module === undefined) {
        module = new api.Module(buildGemmModule(cfg, this.shared));
        this.modules.set(dtype, module);
      }
      const instance = new api.Instance(module, { env: { memory: this.mem.memory } });
      const geo = gemmGeometry(cfg);
      k = { cfg, nr: geo.nr, es: geo.es, module, ex: instance.exports as unknown as GemmExports };
      this.kernels.set(dtype, k);
    }
    return k;
  }
}

/** The arguments of one {@link WasmGemm.run} call. */
interface Problem {
  readonly dtype: GemmDType;
  readonly batch: number;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly a: Float;
  readonly transA: boolean;
  readonly b: Float;
  readonly transB: boolean;
}

function allocate(dtype: GemmDType, n: number): Float {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

function callExport(ex: GemmExports, call: WasmCall): void {
  const f = ex[call.fn as keyof GemmExports] as (...args: number[]) => void;
  f(...call.args);
}

/** Padded sizes and region offsets of one entry. */
function layout(k: Kernel, p: Problem): Layout {
  const Mp = alignUp(p.M, k.cfg.mr);
  const Np = alignUp(p.N, k.nr);
  const Kp = alignUp(p.K, GEMM_K_ALIGN);
  const aBytes = alignUp(Mp * Kp * k.es, ALIGN);
  const bBytes = alignUp(Kp * Np * k.es, ALIGN);
  const cBytes = alignUp(Mp * Np * k.es, ALIGN);
  return {
    Mp, Np, Kp,
    lda: p.transA ? Mp : Kp,
    ldb: p.transB ? Kp : Np,
    rawA: 0,
    rawB: aBytes,
    packA: aBytes + bBytes,
    packB: 2 * aBytes + bBytes,
    c: 2 * aBytes + 2 * bBytes,
    bytes: 2 * aBytes + 2 * bBytes + cBytes,
  };
}

/**
 * The export calls computing one entry whose regions start at byte `base`: [packing, products].
 * When `split`, packing is cut into mc-row / nc-column slices and the product into slices along
 * whichever of M or N gives more, so threads can share the entry; otherwise one call each.
 */
function entryCalls(k: Kernel, lay: Layout, p: Problem, base: number, split: boolean): [WasmCall[], WasmCall[]] {
  const { Mp, Np, Kp, lda, ldb } = lay;
  const { mc, nc } = k.cfg;
  const es = k.es;
  const tA = p.transA ? 1 : 0;
  const tB = p.transB ? 1 : 0;
  const rawA = base + lay.rawA, rawB = base + lay.rawB;
  const packA = base + lay.packA, packB = base + lay.packB, c = base + lay.c;
  const rowStep = split ? mc : Mp;
  const colStep = split ? nc : Np;
  const packs: WasmCall[] = [];
  const products: WasmCall[] = [];
  // A single row slice of A (or column panel of B) is also cut along K into kc-deep pieces, so
  // threads share its packing: block (0, k0) of the packed operand starts at k0 · rows (cols),
  // which is where a piece packed as a matrix of its own lands.
  const kStep = split ? k.cfg.kc : Kp;
  for (let i = 0; i < Mp; i += rowStep) {
    const rows = Math.min(rowStep, Mp - i);
    if (rows === Mp) {
      for (let k0 = 0; k0 < Kp; k0 += kStep) {
        packs.push({ fn: "prepackA", args: [rawA + (p.transA ? k0 * lda : k0) * es, lda, tA, rows, Math.min(kStep, Kp - k0), packA + k0 * rows * es] });
      }
    } else packs.push({ fn: "prepackA", args: [rawA + (p.transA ? i : i * lda) * es, lda, tA, rows, Kp, packA + i * Kp * es] });
  }
  for (let j = 0; j < Np; j += colStep) {
    const cols = Math.min(colStep, Np - j);
    if (cols === Np) {
      for (let k0 = 0; k0 < Kp; k0 += kStep) {
        packs.push({ fn: "prepackB", args: [rawB + (p.transB ? k0 : k0 * ldb) * es, ldb, tB, Math.min(kStep, Kp - k0), cols, packB + k0 * cols * es] });
      }
    } else packs.push({ fn: "prepackB", args: [rawB + (p.transB ? j * ldb : j) * es, ldb, tB, Kp, cols, packB + j * Kp * es] });
  }
  if (Math.ceil(Mp / rowStep) >= Math.ceil(Np / colStep)) {
    for (let i = 0; i < Mp; i += rowStep) {
      const rows = Math.min(rowStep, Mp - i);
      products.push({ fn: "gemmPacked", args: [rows, Np, Kp, packA + i * Kp * es, packB, c + i * Np * es, Np] });
    }
  } else {
    for (let j = 0; j < Np; j += colStep) {
      const cols = Math.min(colStep, Np - j);
      products.push({ fn: "gemmPacked", args: [Mp, cols, Kp, packA, packB + j * Kp * es, c + j * es, Np] });
    }
  }
  return [packs, products];
}

/** Copy op(A) and op(B) of entry `e` into the padded raw regions at `base`, zeroing every pad element. */
function copyIn(view: Float, base: number, lay: Layout, p: Problem, e: number, es: number): void {
  const { Mp, Np, Kp } = lay;
  const { M, K, N } = p;
  const a = (base + lay.rawA) / es;
  const b = (base + lay.rawB) / es;
  if (p.transA) copyPadded(view, a, p.a, e * M * K, K, M, Kp, Mp);
  else copyPadded(view, a, p.a, e * M * K, M, K, Mp, Kp);
  if (p.transB) copyPadded(view, b, p.b, e * K * N, N, K, Np, Kp);
  else copyPadded(view, b, p.b, e * K * N, K, N, Kp, Np);
}

/** Below this row length, element loops beat a `subarray` + `set` + `fill` per row. */
const SHORT_ROW = 128;

/**
 * Copy a rows × cols row-major matrix into a prows × pcols region and zero the rest. Pad rows and
 * columns outside K only produce discarded outputs, but are zeroed anyway: stale bits could be
 * subnormals, which are very slow in SIMD arithmetic.
 */
function copyPadded(
  dst: Float, dstOff: number, src: Float, srcOff: number, rows: number, cols: number, prows: number, pcols: number,
): void {
  if (cols === pcols) {
    dst.set(src.subarray(srcOff, srcOff + rows * cols), dstOff);
  } else if (cols >= SHORT_ROW) {
    for (let r = 0; r < rows; r++) {
      const d = dstOff + r * pcols;
      dst.set(src.subarray(srcOff + r * cols, srcOff + (r + 1) * cols), d);
      dst.fill(0, d + cols, d + pcols);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const d = dstOff + r * pcols;
      const s = srcOff + r * cols;
      for (let c = 0; c < cols; c++) dst[d + c] = src[s + c]!;
      for (let c = cols; c < pcols; c++) dst[d + c] = 0;
    }
  }
  if (prows > rows) dst.fill(0, dstOff + rows * pcols, dstOff + prows * pcols);
}

/** Copy the valid M × N part of entry `e`'s padded C (regions at `base`) into `out`. */
function copyOut(view: Float, base: number, lay: Layout, p: Problem, e: number, out: Float, es: number): void {
  const { M, N } = p;
  const c = (base + lay.c) / es;
  const ld = lay.Np;
  const o = e * M * N;
  if (ld === N) {
    out.set(view.subarray(c, c + M * N), o);
  } else if (N >= SHORT_ROW) {
    for (let i = 0; i < M; i++) out.set(view.subarray(c + i * ld, c + i * ld + N), o + i * N);
  } else {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[o + i * N + j] = view[c + i * ld + j]!;
  }
}

let instance: WasmGemm | undefined;

/** The process-wide Wasm GEMM runtime (created on first use). */
export function wasmGemm(): WasmGemm {
  return (instance ??= new WasmGemm());
}

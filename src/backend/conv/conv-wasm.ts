/**
 * @file Runs convolutions on the generated direct-convolution Wasm kernel: lay the input, tables
 * and packed kernel out in a persistent linear memory, compute row chunks (shared with the worker
 * pool on large problems), copy the result out in the requested layout.
 *
 * The memory grows to the largest problem seen and is then reused, so repeated calls touch no
 * fresh pages except the output array itself.
 */

import { workerPool, type WasmCall } from "../workers.js";
import { DEFAULT_PARALLEL_THRESHOLD } from "../wasm/gemm-wasm.js";
import { LinearMemory } from "../wasm/linear-memory.js";
import { hasSharedWasmMemory } from "../wasm/simd.js";
import { requireWasmApi, type WasmModule } from "../wasm/wasm-api.js";
import { gemmGeometry } from "../wasm/gemm-kernel.js";
import { buildConvModule, CONV_BLOCK_BYTES, CONV_KERNELS, type ConvExports, type ConvKernelConfig } from "./conv-kernel.js";
import { loadInput, loadKernel, outputCalls, readOutput, writeTables } from "./conv-layout.js";
import { planConv, type ConvPlan, type ConvProblem } from "./conv-plan.js";

export type { ConvProblem } from "./conv-plan.js";

type Float = Float32Array | Float64Array;

/** Tunables of the Wasm convolution (tests shrink them to reach every code path on small shapes). */
export interface WasmConvOptions {
  /** Problems with at least this many multiply-adds are shared with worker threads. */
  parallelThreshold?: number;
  /** Target K elements per block (a block's slice of the packed kernel should stay in L1/L2). */
  kc?: number;
  /** Most row tiles per call: bounds the C rows a call keeps hot across K blocks. */
  maxTilesPerCall?: number;
  /**
   * Packed kernels (per group) larger than this are assumed not to stay in L2 across calls, so
   * threads split them by slivers rather than splitting the rows (each streams only its part).
   */
  l2Bytes?: number;
}

/** Defaults: K blocks of 512 (B slice of 512 × 32 floats = 64 KiB), 64 tiles (256 rows) per call, 256 KiB of L2. */
const DEFAULTS: Required<WasmConvOptions> = { parallelThreshold: DEFAULT_PARALLEL_THRESHOLD, kc: 512, maxTilesPerCall: 64, l2Bytes: 256 << 10 };

/** Calls per thread to aim for, so a descheduled thread leaves little work behind. */
const CALLS_PER_THREAD = 6;

/** Regions start here (address 0 stays unused). */
const BASE = 64;

interface Kernel {
  readonly cfg: ConvKernelConfig;
  readonly nr: number;
  readonly module: WasmModule;
  readonly ex: ConvExports;
}

/**
 * Owns the linear memory and compiled modules of the direct convolution. One instance serves the
 * process ({@link wasmConv}); it is not re-entrant (kernels are synchronous).
 */
export class WasmConv {
  private readonly shared: boolean;
  private mem: LinearMemory;
  private readonly modules = new Map<string, WasmModule>();
  private readonly kernels = new Map<string, Kernel>();
  private opts: Required<WasmConvOptions> = { ...DEFAULTS };

  /** Create the runtime (throws if WebAssembly is unavailable). */
  constructor() {
    this.shared = hasSharedWasmMemory();
    this.mem = new LinearMemory(this.shared);
  }

  /** Change tunables; `undefined` fields restore the defaults. */
  configure(options: WasmConvOptions): void {
    this.opts = {
      parallelThreshold: options.parallelThreshold ?? DEFAULTS.parallelThreshold,
      kc: Math.max(1, Math.floor(options.kc ?? DEFAULTS.kc)),
      maxTilesPerCall: Math.max(1, Math.floor(options.maxTilesPerCall ?? DEFAULTS.maxTilesPerCall)),
      l2Bytes: options.l2Bytes ?? DEFAULTS.l2Bytes,
    };
  }

  /** Current size of the linear memory in bytes. */
  get memoryBytes(): number {
    return this.mem.byteLength;
  }

  /**
   * The convolution `p` as a new array of `p.dtype` in the layout of `p.outShape`, or undefined
   * when it does not fit in a 2 GiB linear memory (the caller then uses another method).
   */
  run(p: ConvProblem): Float | undefined {
    return this.runOnce(p, true);
  }

  private runOnce(p: ConvProblem, threaded: boolean): Float | undefined {
    const k = this.kernel(p.dtype);
    const plan = planConv(p, k.cfg.mr, k.nr, this.opts.kc, BASE);
    if (plan.mem.end > 2 ** 31 - 1) return undefined; // addresses are i32 in the kernel
    const work = plan.M * plan.K * plan.O;
    const workers = threaded && this.shared && work >= this.opts.parallelThreshold ? workerPool().readyWorkers() : [];
    if (!this.mem.ensure(plan.mem.end)) return undefined;
    // Staging and tables here; rearranging and packing (before the barrier) and the product in Wasm.
    const view = this.view(plan.es);
    const i32 = new Int32Array(this.mem.memory.buffer);
    const prep = [...loadInput(view, p, plan, 2 * (workers.length + 1)), ...loadKernel(view, i32, p, plan, k.nr)];
    writeTables(i32, p, plan);
    const calls = [...prep, ...this.calls(plan, k, workers.length + 1)];
    if (workers.length > 0) {
      const job = { key: `conv-${p.dtype}`, module: k.module, memory: this.mem.memory, calls, barrier: prep.length, timeoutMs: 2000 + (2 * work) / 1e6 };
      if (!workerPool().run(job, (call) => callExport(k.ex, call), workers)) {
        // A call did not complete and a terminated worker may still write into that memory for a
        // moment: abandon it and redo everything here with fresh memory. Never a partial result.
        this.mem = new LinearMemory(this.shared);
        this.kernels.clear();
        return this.runOnce(p, false);
      }
    } else {
      for (const call of calls) callExport(k.ex, call);
    }
    for (const call of outputCalls(p, plan)) callExport(k.ex, call);
    const out = p.dtype === "float32" ? new Float32Array(plan.M * plan.O) : new Float64Array(plan.M * plan.O);
    readOutput(this.view(plan.es), plan, out);
    return out;
  }

  /** One `convRows` call per group, chunk of row tiles and range of slivers (see {@link chunking}). */
  private calls(plan: ConvPlan, k: Kernel, threads: number): WasmCall[] {
    const { mr } = k.cfg;
    const { es, mem, ldc, Ogp, GG, blocks } = plan;
    const tiles = plan.Mp / mr;
    const slivers = Ogp / k.nr;
    const { rowChunk, sliverChunk } = chunking(plan, mr, k.nr, threads, this.opts);
    const calls: WasmCall[] = [];
    for (let g = 0; g < GG; g++) {
      const pBlocks = mem.blocks + g * blocks.length * CONV_BLOCK_BYTES;
      for (let t0 = 0; t0 < tiles; t0 += rowChunk) {
        const nt = Math.min(rowChunk, tiles - t0);
        const pC = mem.c + (t0 * mr * ldc + g * Ogp) * es;
        for (let j0 = 0; j0 < slivers; j0 += sliverChunk) {
          const ns = Math.min(sliverChunk, slivers - j0);
          calls.push({ fn: "convRows", args: [mem.rows + t0 * mr * 4, nt, pBlocks, blocks.length, j0, ns, pC, ldc * es, plan.groupBase(g) * es] });
        }
      }
    }
    return calls;
  }

  private view(es: number): Float {
    return es === 4 ? this.mem.float32() : this.mem.float64();
  }

  private kernel(dtype: "float32" | "float64"): Kernel {
    let k = this.kernels.get(dtype);
    if (k === undefined) {
      const api = requireWasmApi();
      const cfg = CONV_KERNELS[dtype];
      let module = this.modules.get(dtype);
      if (module === undefined) {
        module = new api.Module(buildConvModule(cfg, this.shared));
        this.modules.set(dtype, module);
      }
      const instance = new api.Instance(module, { env: { memory: this.mem.memory } });
      k = { cfg, nr: gemmGeometry(cfg).nr, module, ex: instance.exports as unknown as ConvExports };
      this.kernels.set(dtype, k);
    }
    return k;
  }
}

/**
 * How many row tiles and slivers one call covers. A call walks K blocks outermost, so its slice of
 * each B block and its C rows should both stay in L2 (half of it each): that caps the slivers and
 * then the rows. With several threads the rows are cut further until every thread has a few calls
 * to claim, except when a group's packed kernel is larger than L2: each call then streams its
 * slivers of it from memory, so the slivers are divided between the threads instead and the rows
 * are cut no more than needed.
 */
function chunking(plan: ConvPlan, mr: number, nr: number, threads: number, opts: Required<WasmConvOptions>): { rowChunk: number; sliverChunk: number } {
  const { es, GG } = plan;
  const tiles = plan.Mp / mr;
  const slivers = plan.Ogp / nr;
  const half = opts.l2Bytes / 2;
  const blockK = Math.max(...plan.blocks.map((b) => b.taps * b.run));
  const bigB = plan.K * plan.Ogp * es > opts.l2Bytes;
  let sliverParts = Math.ceil(slivers / Math.max(1, Math.floor(half / (blockK * nr * es))));
  if (bigB && threads > 1) sliverParts = Math.max(sliverParts, Math.min(slivers, Math.ceil(threads / GG)));
  const sliverChunk = Math.ceil(slivers / sliverParts);
  const rowCap = Math.max(1, Math.min(opts.maxTilesPerCall, Math.floor(half / (mr * sliverChunk * nr * es))));
  let rowParts = Math.ceil(tiles / rowCap);
  const target = threads > 1 ? threads * (bigB ? 1 : CALLS_PER_THREAD) : 1;
  const calls = GG * Math.ceil(slivers / sliverChunk) * rowParts;
  if (calls < target) rowParts = Math.min(tiles, Math.ceil(target / (GG * Math.ceil(slivers / sliverChunk))));
  return { rowChunk: Math.ceil(tiles / rowParts), sliverChunk };
}

function callExport(ex: ConvExports, call: WasmCall): void {
  (ex[call.fn as keyof ConvExports] as (...args: readonly number[]) => void)(...call.args);
}

let instance: WasmConv | undefined;

/** The process-wide Wasm convolution runtime (created on first use). */
export function wasmConv(): WasmConv {
  return (instance ??= new WasmConv());
}


/**
 * @file Runs convolutions on the generated direct-convolution Wasm kernel: lay the input, tables
 * and packed kernel out in a persistent linear memory, compute row chunks (shared with the worker
 * pool on large problems), copy the result out in the requested layout.
 *
 * The memory grows to the largest problem seen and is then reused, so repeated calls touch no
 * fresh pages except the output array itself. With threads, large operands in shared buffers are
 * copied in by all threads, and an output in C's layout is copied out while they still compute.
 * Grouped convolutions with few outputs per group (depthwise ones) run on the channelwise kernel.
 */

import { workerPool, type WasmCall } from "../workers.js";
import { DEFAULT_PARALLEL_THRESHOLD } from "../wasm/gemm-wasm.js";
import { LinearMemory } from "../wasm/linear-memory.js";
import { hasSharedWasmMemory } from "../wasm/simd.js";
import { requireWasmApi, type WasmModule } from "../wasm/wasm-api.js";
import { gemmGeometry } from "../wasm/gemm-kernel.js";
import { buildConvModule, CONV_BLOCK_BYTES, CONV_KERNELS, type ConvExports, type ConvKernelConfig } from "./conv-kernel.js";
import { loadInput, loadKernel, outputCalls, readOutput, writeTables, type Staging } from "./conv-layout.js";
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
  /**
   * When to use the channelwise kernel (lanes across the output features of all groups): for
   * grouped convolutions with few outputs per group (`"auto"`, see {@link WasmConv.prefersChannelwise}),
   * for every convolution, or never.
   */
  channelwise?: "auto" | "always" | "never";
}

/** Defaults: K blocks of 512 (B slice of 512 × 32 floats = 64 KiB), 64 tiles (256 rows) per call, 256 KiB of L2, kernel chosen by shape. */
const DEFAULTS: Required<WasmConvOptions> = { parallelThreshold: DEFAULT_PARALLEL_THRESHOLD, kc: 512, maxTilesPerCall: 64, l2Bytes: 256 << 10, channelwise: "auto" };

/** Calls per thread to aim for, so a descheduled thread leaves little work behind. */
const CALLS_PER_THREAD = 6;

/** Regions start here (address 0 stays unused). */
const BASE = 64;

interface Kernel {
  readonly cfg: ConvKernelConfig;
  /** Sliver widths of the GEMM-like and the channelwise kernel. */
  readonly nr: number;
  readonly nrLanes: number;
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
      channelwise: options.channelwise ?? DEFAULTS.channelwise,
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
    const mode = this.opts.channelwise;
    if (mode === "always" || (mode === "auto" && this.prefersChannelwise(p))) {
      const y = this.runChannelwise(p);
      if (y !== undefined) return y;
    }
    return this.runOnce(p, true, false);
  }

  /**
   * `p` on the channelwise kernel (which {@link run} picks for depthwise and similar
   * convolutions), or undefined when its canonical input does not fit in memory.
   */
  runChannelwise(p: ConvProblem): Float | undefined {
    return this.runOnce(p, true, true);
  }

  /**
   * Whether the channelwise kernel should be faster: a grouped convolution with at most 2 outputs
   * per group (the GEMM-like kernel computes a whole sliver per group; the channelwise one
   * replicates each group's input once per output, so more outputs cost it memory and copying),
   * enough outputs in all to fill a sliver of lanes, and (with feature groups, whose input it
   * regroups) at most 8 inputs per group. Measured on 3x3 NHWC convolutions and their weight
   * gradients: 1.2-5x faster inside these bounds, up to 2x slower well outside them.
   */
  prefersChannelwise(p: ConvProblem): boolean {
    const { rhsSpec } = p.dimensionNumbers;
    const GG = p.featureGroupCount * p.batchGroupCount;
    const O = p.wShape[rhsSpec[0]!]!;
    const I = p.wShape[rhsSpec[1]!]!;
    return GG > 1 && O <= 2 * GG && O >= this.kernel(p.dtype).nrLanes && (p.batchGroupCount > 1 || I <= 8);
  }

  private runOnce(p: ConvProblem, threaded: boolean, channelwise: boolean): Float | undefined {
    const k = this.kernel(p.dtype);
    const tile = channelwise ? k.cfg.lanes : k.cfg;
    const nr = channelwise ? k.nrLanes : k.nr;
    const plan = planConv(p, tile.mr, nr, this.opts.kc, BASE, channelwise);
    if (plan.mem.end > 2 ** 31 - 1) return undefined; // addresses are i32 in the kernel
    const work = plan.M * plan.K * plan.O;
    const workers = threaded && this.shared && work >= this.opts.parallelThreshold ? workerPool().readyWorkers() : [];
    if (!this.mem.ensure(plan.mem.end)) return undefined;
    // Staging and tables here; rearranging and packing (before the barrier) and the product in Wasm.
    const view = this.view(plan.es);
    const i32 = new Int32Array(this.mem.memory.buffer);
    // With threads, large shared operands are copied in by them (see `gather` in conv-layout.ts).
    const arrays: Float[] | undefined = workers.length > 0 ? [] : undefined;
    const st: Staging = { view, zero: (at, n) => k.ex.zero(at * plan.es, n * plan.es), parts: 2 * (workers.length + 1), arrays };
    const prep = [...loadInput(st, p, plan), ...loadKernel(st, i32, p, plan, nr)];
    writeTables(i32, p, plan);
    const calls = [...prep, ...this.calls(plan, tile.mr, nr, workers.length + 1)];
    const out = p.dtype === "float32" ? new Float32Array(plan.M * plan.O) : new Float64Array(plan.M * plan.O);
    if (workers.length > 0) {
      const stream = streamOutput(view, plan, calls, prep.length, out);
      const job = { key: `conv-${p.dtype}`, module: k.module, memory: this.mem.memory, calls, barrier: prep.length, timeoutMs: 2000 + (2 * work) / 1e6, arrays, progress: stream?.progress };
      const local = (call: WasmCall): void => {
        callExport(k.ex, call, view, arrays);
        stream?.done(call);
      };
      if (!workerPool().run(job, local, workers)) {
        // A call did not complete and a terminated worker may still write into that memory for a
        // moment: abandon it and redo everything here with fresh memory. Never a partial result.
        this.mem = new LinearMemory(this.shared);
        this.kernels.clear();
        return this.runOnce(p, false, channelwise);
      }
      if (stream !== undefined) {
        stream.finish();
        return out;
      }
    } else {
      for (const call of calls) callExport(k.ex, call);
    }
    for (const call of outputCalls(p, plan)) callExport(k.ex, call);
    readOutput(this.view(plan.es), plan, out);
    return out;
  }

  /**
   * One `convRows` (or `convLanes`) call per group, chunk of row tiles and range of slivers (see
   * {@link chunking}), for `mr × nr` tiles.
   */
  private calls(plan: ConvPlan, mr: number, nr: number, threads: number): WasmCall[] {
    const { es, mem, ldc, Ogp, GG, blocks } = plan;
    const tiles = plan.Mp / mr;
    const slivers = Ogp / nr;
    const { rowChunk, sliverChunk } = chunking(plan, mr, nr, threads, this.opts);
    const calls: WasmCall[] = [];
    for (let g = 0; g < GG; g++) {
      const pBlocks = mem.blocks + g * blocks.length * CONV_BLOCK_BYTES;
      for (let t0 = 0; t0 < tiles; t0 += rowChunk) {
        const nt = Math.min(rowChunk, tiles - t0);
        const pC = mem.c + (t0 * mr * ldc + g * Ogp) * es;
        for (let j0 = 0; j0 < slivers; j0 += sliverChunk) {
          const ns = Math.min(sliverChunk, slivers - j0);
          // convLanes reads sliver j's lanes of the input j·nr elements into each row.
          const base = plan.channelwise ? j0 * nr * es : plan.groupBase(g) * es;
          calls.push({ fn: plan.channelwise ? "convLanes" : "convRows", args: [mem.rows + t0 * mr * 4, nt, pBlocks, blocks.length, j0, ns, pC, ldc * es, base] });
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
      const nrLanes = gemmGeometry({ dtype, nrVectors: cfg.lanes.nrVectors }).nr;
      k = { cfg, nr: gemmGeometry(cfg).nr, nrLanes, module, ex: instance.exports as unknown as ConvExports };
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

/**
 * When C is the output itself and its row chunks are computed in order (one kernel group), copy
 * finished rows into `out` while the threads still compute: after each call this thread runs,
 * the rows of every call up to the first unfinished one (this thread's own, or a worker's as its
 * `progress` word says) move out. The product calls start at `first`; undefined when C is not the
 * output's layout.
 */
function streamOutput(view: Float, plan: ConvPlan, calls: readonly WasmCall[], first: number, out: Float) {
  if (!plan.directOut || plan.GG !== 1) return undefined;
  const progress = new Int32Array(new SharedArrayBuffer(4 * calls.length));
  const index = new Map(calls.map((c, i) => [c, i]));
  const mine = new Uint8Array(calls.length);
  const c0 = plan.mem.c / plan.es;
  // The first output row of product call i (its row table pointer is its first row's entry).
  const firstRow = (i: number): number => Math.min(plan.M, (calls[i]!.args[0]! - plan.mem.rows) / 4);
  let next = first;
  let copied = 0;
  const copyTo = (row: number): void => {
    if (row <= copied) return;
    out.set(view.subarray(c0 + copied * plan.O, c0 + row * plan.O), copied * plan.O);
    copied = row;
  };
  return {
    progress,
    done(call: WasmCall): void {
      const i = index.get(call)!;
      mine[i] = 1;
      if (i < first) return;
      while (next < calls.length && (mine[next] === 1 || Atomics.load(progress, next) === 1)) next++;
      copyTo(next < calls.length ? firstRow(next) : plan.M);
    },
    finish(): void {
      copyTo(plan.M);
    },
  };
}

/** Run `call` on this thread, with its copies into `view` from `arrays` (quads as the worker pool's). */
function callExport(ex: ConvExports, call: WasmCall, view?: Float, arrays?: readonly Float[]): void {
  const q = call.copyIn ?? [];
  for (let i = 0; i < q.length; i += 4) view!.set(arrays![q[i]!]!.subarray(q[i + 1]!, q[i + 1]! + q[i + 3]!), q[i + 2]!);
  (ex[call.fn as keyof ConvExports] as (...args: readonly number[]) => void)(...call.args);
}

let instance: WasmConv | undefined;

/** The process-wide Wasm convolution runtime (created on first use). */
export function wasmConv(): WasmConv {
  return (instance ??= new WasmConv());
}


/**
 * @file Moving a convolution's data in and out of linear memory for the direct kernel: the input
 * into a zero-padded channels-last buffer, the offset tables, the kernel packed into slivers, and
 * the result out into the requested layout.
 *
 * Channels-last inputs and outputs (the common case) are moved with a few large `set`s. Any other
 * layout is staged into linear memory as it is and rearranged by the module's `copy4` (and the
 * kernel by `packSlivers`): these functions only describe those calls, so the runtime can share
 * them with the worker threads. JS element loops cost about 1 ns per element; Wasm a fraction.
 */

import type { WasmCall } from "../workers.js";
import { isShared } from "../../core/dtype.js";
import { stridesOf } from "../../core/shape.js";
import type { ConvPlan, ConvProblem } from "./conv-plan.js";

type Float = Float32Array | Float64Array;

/** Where the copy routines write, and how they may leave work to the runtime's calls. */
export interface Staging {
  /** A view of the whole linear memory. */
  readonly view: Float;
  /** Zero `n` elements of the view from element `at` (Wasm's `memory.fill`: several times faster than `fill` on a shared buffer). */
  zero(at: number, n: number): void;
  /** About how many calls to cut a copy into. */
  readonly parts: number;
  /** With worker threads, the job's arrays, which may gain shared operands (see {@link gather}). */
  readonly arrays?: Float[];
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Below this many elements a plain loop beats `subarray` + `set` (which allocate a view). */
const SHORT_RUN = 64;

/** Copy `n` elements `src[s..]` to `dst[d..]`. */
function copyRun(dst: Float, d: number, src: Float, s: number, n: number): void {
  if (n >= SHORT_RUN) dst.set(src.subarray(s, s + n), d);
  else for (let i = 0; i < n; i++) dst[d + i] = src[s + i]!;
}

/**
 * Visit every multi-index of `sizes` in row-major order with its offsets under two stride
 * vectors (an odometer, so there is no per-element division).
 */
function forEachIndex(sizes: readonly number[], sa: readonly number[], sb: readonly number[], visit: (a: number, b: number) => void): void {
  const D = sizes.length;
  if (sizes.some((n) => n === 0)) return;
  const idx = new Array<number>(D).fill(0);
  let a = 0;
  let b = 0;
  for (;;) {
    visit(a, b);
    let d = D - 1;
    for (; d >= 0; d--) {
      idx[d]!++;
      a += sa[d]!;
      b += sb[d]!;
      if (idx[d]! < sizes[d]!) break;
      a -= sa[d]! * sizes[d]!;
      b -= sb[d]! * sizes[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * Write `base + Σ i·strides` for every multi-index of `sizes` (row-major) to `i32` from entry
 * `at` (the last axis inline: tables can have 10^5 entries); returns the next entry.
 */
function writeOffsets(i32: Int32Array, at: number, sizes: readonly number[], strides: readonly number[], base: number): number {
  const L = sizes.length - 1;
  if (L < 0) {
    i32[at] = base;
    return at + 1;
  }
  const n = sizes[L]!;
  const s = strides[L]!;
  forEachIndex(sizes.slice(0, L), strides, strides, (off) => {
    for (let k = 0, a = base + off; k < n; k++, a += s) i32[at++] = a;
  });
  return at;
}

/** One axis of a strided copy: its size and the byte strides on both sides. */
interface CopyDim {
  readonly n: number;
  readonly s: number;
  readonly d: number;
}

/**
 * `copy4` calls moving elements `src + Σ i·s` to `dst + Σ i·d` over `dims` (outermost first,
 * byte pointers and strides). Axes beyond four are enumerated here; the outermost of the four is
 * cut into about `parts` calls so threads can share the copy.
 */
function copyCalls(src: number, dst: number, dims: readonly CopyDim[], parts: number): WasmCall[] {
  if (dims.some((x) => x.n === 0)) return [];
  let ds = dims.filter((x) => x.n > 1);
  const outer = ds.slice(0, Math.max(0, ds.length - 4));
  ds = ds.slice(outer.length);
  while (ds.length < 4) ds = [{ n: 1, s: 0, d: 0 }, ...ds];
  const [a, b, c, e] = ds as [CopyDim, CopyDim, CopyDim, CopyDim];
  const calls: WasmCall[] = [];
  const chunk = outer.length > 0 ? a.n : Math.ceil(a.n / Math.max(1, Math.min(parts, a.n)));
  forEachIndex(
    outer.map((x) => x.n),
    outer.map((x) => x.s),
    outer.map((x) => x.d),
    (so, dso) => {
      for (let i = 0; i < a.n; i += chunk) {
        const n0 = Math.min(chunk, a.n - i);
        calls.push({ fn: "copy4", args: [src + so + i * a.s, dst + dso + i * a.d, n0, b.n, c.n, e.n, a.s, b.s, c.s, e.s, a.d, b.d, c.d, e.d] });
      }
    },
  );
  return calls;
}

/** Where the input lands in the canonical buffer (see {@link inputWindow}). */
interface InputWindow {
  /** Element strides of the lhs: batch, feature, spatial axes. */
  readonly sN: number;
  readonly sC: number;
  readonly sS: readonly number[];
  /** Per spatial axis, the number of input positions that land inside the buffer. */
  readonly count: readonly number[];
  /** Element offset in the lhs of the first landing position, and where it lands (buffer element in the memory view). */
  readonly src0: number;
  readonly dst0: number;
  /** Buffer element strides between consecutive input positions, per spatial axis. */
  readonly dstSp: readonly number[];
}

/**
 * Zero the canonical buffer outside the box `[start, start + count)` of spatial positions (every
 * feature of every position inside is written by the input copy). The buffer is a sequence of
 * blocks `[...Sp, inner]` (per batch element, or per batch element and feature when the features
 * are outside), so this zeroes two slabs per axis around the box, recursively.
 */
function zeroOutside(zero: Staging["zero"], at: number, plan: ConvPlan, start: readonly number[], count: readonly number[]): void {
  const { Sp, xinSpStrides: st } = plan;
  const D = Sp.length;
  if (D === 0) return;
  const block = Sp[0]! * st[0]!;
  const slabs = (base: number, d: number): void => {
    const s = st[d]!;
    const b0 = start[d]!;
    const b1 = b0 + count[d]!;
    zero(base, b0 * s);
    zero(base + b1 * s, (Sp[d]! - b1) * s);
    if (d + 1 < D) for (let j = b0; j < b1; j++) slabs(base + j * s, d + 1);
  };
  for (let b = 0; b < plan.xinElems; b += block) slabs(at + b, 0);
}

/**
 * Zero the canonical buffer where the input will not cover it, and say where the input goes:
 * input position `s` lands at `lo + s·lhsDilation` on each spatial axis (dropped where negative
 * padding crops it). Undefined when nothing lands.
 */
function inputWindow(st: Staging, p: ConvProblem, plan: ConvPlan): InputWindow | undefined {
  const { lhsSpec } = p.dimensionNumbers;
  const { es, inSp, Sp, xinSpStrides, mem } = plan;
  const D = inSp.length;
  const xst = stridesOf(p.xShape);
  const sS = lhsSpec.slice(2).map((a) => xst[a]!);
  const ld = p.lhsDilation;
  const lo = p.padding.map((q) => q[0]);
  const at = mem.xin / es;
  // Per axis: the input range [first, first + count) that lands inside the buffer.
  const first = inSp.map((_, d) => Math.max(0, Math.ceil(-lo[d]! / ld[d]!)));
  const count = inSp.map((n, d) => Math.max(0, Math.min(n - 1, Math.floor((Sp[d]! - 1 - lo[d]!) / ld[d]!)) - first[d]! + 1));
  // Zero what the input will not cover: with dilation (or lanes of padding), everything first;
  // else only the padding around the box it lands in.
  const landing = count.some((n) => n === 0) || plan.N === 0 || plan.C === 0 ? undefined : inSp.map((_, d) => lo[d]! + first[d]!);
  if (landing === undefined || ld.some((d) => d !== 1) || (plan.channelwise && plan.Ogp !== plan.O)) st.zero(at, plan.xinElems);
  else zeroOutside(st.zero, at, plan, landing, count);
  if (landing === undefined) return undefined;
  let src0 = 0;
  let dst0 = at;
  for (let d = 0; d < D; d++) {
    src0 += first[d]! * sS[d]!;
    dst0 += (lo[d]! + first[d]! * ld[d]!) * xinSpStrides[d]!;
  }
  const dstSp = xinSpStrides.map((s, d) => s * ld[d]!);
  return { sN: xst[lhsSpec[0]!]!, sC: xst[lhsSpec[1]!]!, sS, count, src0, dst0, dstSp };
}

/**
 * Put the input into the canonical buffer `[N, ...Sp, C]` (see {@link inputWindow}); everything
 * else is zero. Channels-last inputs are copied in runs (see {@link gather}); others are staged,
 * and the returned `copy4` calls (about `st.parts` of them) finish the job. For the channelwise
 * kernel's buffer, see {@link lanesInput}.
 */
export function loadInput(st: Staging, p: ConvProblem, plan: ConvPlan): WasmCall[] {
  if (plan.channelwise) return lanesInput(st, p, plan);
  const win = inputWindow(st, p, plan);
  if (win === undefined) return [];
  const { es, N, C, inSp, xinBatchStride: xb, mem } = plan;
  const { sN, sC, sS, count, src0, dst0, dstSp } = win;
  const D = inSp.length;
  if (!plan.channelsLast) {
    st.view.set(p.x, mem.rawX / es);
    const nDim = { n: N, s: sN * es, d: xb * es };
    const cDim = { n: C, s: sC * es, d: es };
    const spatial = count.map((n, d) => ({ n, s: sS[d]! * es, d: dstSp[d]! * es }));
    // Batch or features most contiguous in the source: finish each pixel's (batch × feature)
    // block at once (both sides stay in cache); else walk each feature plane (NCHW) in order.
    const pixelBlocks = D === 0 || Math.min(sN, sC) < Math.min(...sS);
    const dims = pixelBlocks ? [...spatial, ...(sN < sC ? [cDim, nDim] : [nDim, cDim])] : [nDim, cDim, ...spatial];
    return copyCalls(mem.rawX + src0 * es, dst0 * es, dims, st.parts);
  }
  // Channels-last: each row (or pixel, with dilation on the last axis) is one contiguous run.
  return gather(st, p.x, src0, dst0, [{ n: N, s: sN, d: xb }, ...count.map((n, d) => ({ n, s: sS[d]!, d: dstSp[d]! })), { n: C, s: sC, d: 1 }], mem.rawX);
}

/** Below this many elements a contiguous run is not worth a JS `set` of its own (see {@link gather}). */
const LONG_RUN = 256;

/**
 * Copy `src[src0 + Σ i·s]` to `view[dst0 + Σ i·d]` over `dims` (element strides, outermost
 * first). Axes that continue each other on both sides are merged first. If that leaves long
 * contiguous runs, they are copied by JS: here, or, when there are worker threads (`st.arrays`)
 * and `src` lives in a `SharedArrayBuffer`, by about `st.parts` returned `nop` calls whose
 * `copyIn` quads name `src` by its index in `st.arrays` (added if missing). Otherwise `src` is
 * staged at byte `stage` and the returned `copy4` calls do the copy in Wasm.
 */
function gather(st: Staging, src: Float, src0: number, dst0: number, dims: readonly CopyDim[], stage: number): WasmCall[] {
  const { view, parts, arrays } = st;
  if (dims.some((x) => x.n === 0)) return [];
  const ds: CopyDim[] = [];
  for (const x of dims) {
    if (x.n === 1) continue;
    const outer = ds[ds.length - 1];
    if (outer !== undefined && outer.s === x.n * x.s && outer.d === x.n * x.d) ds[ds.length - 1] = { n: outer.n * x.n, s: x.s, d: x.d };
    else ds.push(x);
  }
  const run = ds[ds.length - 1] ?? { n: 1, s: 1, d: 1 };
  if (run.s === 1 && run.d === 1 && (run.n >= LONG_RUN || ds.length === 1)) {
    const outer = ds.slice(0, -1);
    if (arrays === undefined || !isShared(src)) {
      forEachIndex(outer.map((x) => x.n), outer.map((x) => x.s), outer.map((x) => x.d), (so, dso) => copyRun(view, dst0 + dso, src, src0 + so, run.n));
      return [];
    }
    let a = arrays.indexOf(src);
    if (a < 0) a = arrays.push(src) - 1;
    const quads: number[] = [];
    forEachIndex(outer.map((x) => x.n), outer.map((x) => x.s), outer.map((x) => x.d), (so, dso) => void quads.push(a, src0 + so, dst0 + dso, run.n));
    const per = 4 * Math.ceil(quads.length / 4 / parts);
    const calls: WasmCall[] = [];
    for (let q = 0; q < quads.length; q += per) calls.push({ fn: "nop", args: [], copyIn: quads.slice(q, q + per) });
    return calls;
  }
  const es = view.BYTES_PER_ELEMENT;
  view.set(src, stage / es);
  return copyCalls(stage + src0 * es, dst0 * es, ds.map((x) => ({ n: x.n, s: x.s * es, d: x.d * es })), parts);
}

/**
 * The channelwise canonical buffer, `[Nout, ...Sp, I, Ogp]` or `[Nout, I, ...Sp, Ogp]` (see
 * `conv-plan.ts`): lane `o` of feature `i` holds input feature `i` of output feature o's group
 * `g = floor(o / Og)` (with feature groups input feature `g·I + i` of the same batch element,
 * with batch groups feature `i` of batch element `g·Nout + n`). A source stride of 0 across a
 * group's `Og` lanes replicates its input. Depthwise inputs in channels-last layouts (and the
 * forward batch-major lhs of their weight gradients) are long contiguous runs, copied here.
 */
function lanesInput(st: Staging, p: ConvProblem, plan: ConvPlan): WasmCall[] {
  const win = inputWindow(st, p, plan);
  if (win === undefined) return [];
  const { N, I, Oconv, O, xinBatchStride, featureStride, mem } = plan;
  const { sN, sC, sS, count, src0, dst0, dstSp } = win;
  const nDim = { n: N, s: sN, d: xinBatchStride };
  const iDim = { n: I, s: sC, d: featureStride };
  const spatial = count.map((n, d) => ({ n, s: sS[d]!, d: dstSp[d]! }));
  const groups = { n: O / Oconv, s: p.batchGroupCount > 1 ? N * sN : I * sC, d: Oconv };
  const copies = { n: Oconv, s: 0, d: 1 };
  const dims = plan.featuresOuter ? [nDim, iDim, ...spatial, groups, copies] : [nDim, ...spatial, iDim, groups, copies];
  return gather(st, p.x, src0, dst0, dims, mem.rawX);
}

/**
 * The channelwise kernel's B: K rows of `Ogp` lanes, row k = (tap, input feature) in the tap
 * table's order holding `w[o, i, tap]` in lane `o` (zero beyond `O`).
 */
function lanesKernel(st: Staging, p: ConvProblem, plan: ConvPlan): WasmCall[] {
  const { rhsSpec } = p.dimensionNumbers;
  const { es, I, O, Ogp, kSp, K, featuresOuter, mem } = plan;
  const wst = stridesOf(p.wShape);
  const at = mem.b / es;
  // Lanes beyond O only feed discarded outputs, but stale bits there could be slow denormals.
  if (Ogp !== O) st.zero(at, K * Ogp);
  const taps = kSp.map((n, d) => ({ n, s: wst[rhsSpec[2 + d]!]!, d: (featuresOuter ? 1 : I) * prod(kSp.slice(d + 1)) * Ogp }));
  const feats = { n: I, s: wst[rhsSpec[1]!]!, d: (featuresOuter ? prod(kSp) : 1) * Ogp };
  const lanes = { n: O, s: wst[rhsSpec[0]!]!, d: 1 };
  return gather(st, p.w, 0, at, featuresOuter ? [feats, ...taps, lanes] : [...taps, feats, lanes], mem.rawW);
}

/**
 * Fill the row table (byte address of each output row's window origin, `Mp` entries; padding
 * rows repeat the last real row), the tap table (byte offset of each tap, or of each (tap, input
 * feature) pair for the channelwise kernel) and the block table.
 */
export function writeTables(i32: Int32Array, p: ConvProblem, plan: ConvPlan): void {
  const { es, Nout, oSp, kSp, M, Mp, xinBatchStride, xinSpStrides, tapAxes, mem } = plan;
  const s = p.windowStrides;
  const rows = mem.rows >> 2;
  let r = rows;
  const posStrides = oSp.map((_, d) => s[d]! * xinSpStrides[d]! * es);
  for (let n = 0; n < Nout; n++) r = writeOffsets(i32, r, oSp, posStrides, mem.xin + n * xinBatchStride * es);
  const lastRow = M > 0 ? i32[rows + M - 1]! : mem.xin;
  for (; r < rows + Mp; r++) i32[r] = lastRow;
  const tapSizes = kSp.slice(0, tapAxes);
  const tapStrides = tapSizes.map((_, d) => p.rhsDilation[d]! * xinSpStrides[d]! * es);
  // Channelwise: an entry per (tap, feature), feature-major when the features are outside.
  const feat = { n: plan.tapFeatures, s: plan.featureStride * es };
  const [sizes, strides] = plan.featuresOuter ? [[feat.n, ...tapSizes], [feat.s, ...tapStrides]] : [[...tapSizes, feat.n], [...tapStrides, feat.s]];
  writeOffsets(i32, mem.taps >> 2, sizes, strides, 0);
  // Block table: per group, per block [pTaps, taps, run byte offset, run, pB].
  let q = mem.blocks >> 2;
  for (let g = 0; g < plan.GG; g++) {
    const gb = mem.b + g * plan.K * plan.Ogp * es;
    for (const b of plan.blocks) {
      i32[q++] = mem.taps + b.tap0 * 4;
      i32[q++] = b.taps;
      i32[q++] = b.run0 * feat.s;
      i32[q++] = b.run;
      i32[q++] = gb + b.bStart * es;
    }
  }
}

/**
 * Stage the kernel and the byte offset of every k = (tap, run element) in it, and return the
 * `packSlivers` calls that pack it for every group: block by block, sliver by sliver, k-major,
 * `nr` output features per k, zero beyond the group's `Og`. (The channelwise kernel's B is rows
 * of lanes instead, see {@link lanesKernel}.)
 */
export function loadKernel(st: Staging, i32: Int32Array, p: ConvProblem, plan: ConvPlan, nr: number): WasmCall[] {
  if (plan.channelwise) return lanesKernel(st, p, plan);
  const { view } = st;
  const { rhsSpec } = p.dimensionNumbers;
  const { es, C, I, kSp, Og, Ogp, GG, runLen, tapAxes, K, mem } = plan;
  view.set(p.w, mem.rawW / es);
  const wst = stridesOf(p.wShape);
  const sO = wst[rhsSpec[0]!]!;
  const sI = wst[rhsSpec[1]!]!;
  const wS = rhsSpec.slice(2).map((a) => wst[a]!);
  const merged = tapAxes < kSp.length;
  const lastTaps = merged ? kSp[kSp.length - 1]! : 1;
  const lastStride = merged ? wS[wS.length - 1]! : 0;
  const feats = merged ? C : I;
  let k = mem.kOff >> 2;
  forEachIndex(kSp.slice(0, tapAxes), wS, wS, (off) => {
    for (let kw = 0; kw < lastTaps; kw++) {
      for (let i = 0, o = off + kw * lastStride; i < feats; i++, o += sI) i32[k++] = o * es;
    }
  });
  const calls: WasmCall[] = [];
  for (let g = 0; g < GG; g++) {
    for (const b of plan.blocks) {
      let dst = mem.b + (g * K * Ogp + b.bStart) * es;
      for (let j = 0; j < Ogp; j += nr) {
        const valid = Math.min(nr, Og - j);
        calls.push({ fn: "packSlivers", args: [mem.rawW, mem.kOff + (b.tap0 * runLen + b.run0) * 4, b.taps, runLen * 4, b.run, (g * Og + j) * sO * es, sO * es, valid, dst] });
        dst += b.taps * b.run * nr * es;
      }
    }
  }
  return calls;
}

/**
 * The `copy4` calls moving the valid part of C (rows `[0, M)`, group `g`'s columns at `g·Ogp`)
 * into the output's layout in the staging region; none when C already is the output. The walk
 * follows the output's memory order, so writes are sequential.
 */
export function outputCalls(p: ConvProblem, plan: ConvPlan): WasmCall[] {
  if (plan.directOut) return [];
  const { outSpec } = p.dimensionNumbers;
  const { es, Nout, oSp, Og, Ogp, GG, ldc, M, mem } = plan;
  const ost = stridesOf(p.outShape);
  const rowStrides = stridesOf(oSp).map((s) => s * ldc);
  const P = M / Math.max(1, Nout);
  const dims: CopyDim[] = [
    { n: Nout, s: P * ldc * es, d: ost[outSpec[0]!]! * es },
    ...oSp.map((n, d) => ({ n, s: rowStrides[d]! * es, d: ost[outSpec[2 + d]!]! * es })),
    { n: GG, s: Ogp * es, d: Og * ost[outSpec[1]!]! * es },
    { n: Og, s: es, d: ost[outSpec[1]!]! * es },
  ];
  dims.sort((a, b) => b.d - a.d);
  return copyCalls(mem.c, mem.out, dims, 1);
}

/** Copy the finished output (C itself, or the staged output) into `out`. */
export function readOutput(view: Float, plan: ConvPlan, out: Float): void {
  const at = (plan.directOut ? plan.mem.c : plan.mem.out) / plan.es;
  out.set(view.subarray(at, at + out.length));
}

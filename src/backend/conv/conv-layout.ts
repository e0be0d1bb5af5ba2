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
import { stridesOf } from "../../core/shape.js";
import type { ConvPlan, ConvProblem } from "./conv-plan.js";

type Float = Float32Array | Float64Array;

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

/**
 * Put the input into the canonical buffer `[N, ...Sp, C]`: input position `s` lands at
 * `lo + s·lhsDilation` on each spatial axis (dropped where negative padding crops it), everything
 * else is zero. Channels-last inputs are copied here; others are staged, and the returned
 * `copy4` calls (about `parts` of them) finish the job.
 */
export function loadInput(view: Float, p: ConvProblem, plan: ConvPlan, parts: number): WasmCall[] {
  const { lhsSpec } = p.dimensionNumbers;
  const { es, N, C, inSp, Sp, xinBatchStride: xb, xinSpStrides, mem } = plan;
  const D = inSp.length;
  const xst = stridesOf(p.xShape);
  const sN = xst[lhsSpec[0]!]!;
  const sC = xst[lhsSpec[1]!]!;
  const sS = lhsSpec.slice(2).map((a) => xst[a]!);
  const ld = p.lhsDilation;
  const lo = p.padding.map((q) => q[0]);
  const at = mem.xin / es;
  // Every buffer element is written only without padding or dilation; else zero first.
  const covered = p.padding.every((q) => q[0] <= 0 && q[1] <= 0) && ld.every((d) => d === 1);
  if (!covered) view.fill(0, at, at + plan.xinElems);
  // Per axis: the input range [first, first + count) that lands inside the buffer.
  const first = inSp.map((_, d) => Math.max(0, Math.ceil(-lo[d]! / ld[d]!)));
  const count = inSp.map((n, d) => Math.max(0, Math.min(n - 1, Math.floor((Sp[d]! - 1 - lo[d]!) / ld[d]!)) - first[d]! + 1));
  if (count.some((n) => n === 0) || N === 0 || C === 0) return [];
  let src0 = 0;
  let dst0 = at;
  for (let d = 0; d < D; d++) {
    src0 += first[d]! * sS[d]!;
    dst0 += (lo[d]! + first[d]! * ld[d]!) * xinSpStrides[d]!;
  }
  const dstSp = xinSpStrides.map((s, d) => s * ld[d]!);
  if (!plan.channelsLast) {
    view.set(p.x, mem.rawX / es);
    const nDim = { n: N, s: sN * es, d: xb * es };
    const cDim = { n: C, s: sC * es, d: es };
    const spatial = count.map((n, d) => ({ n, s: sS[d]! * es, d: dstSp[d]! * es }));
    // Batch or features most contiguous in the source: finish each pixel's (batch × feature)
    // block at once (both sides stay in cache); else walk each feature plane (NCHW) in order.
    const pixelBlocks = D === 0 || Math.min(sN, sC) < Math.min(...sS);
    const dims = pixelBlocks ? [...spatial, ...(sN < sC ? [cDim, nDim] : [nDim, cDim])] : [nDim, cDim, ...spatial];
    return copyCalls(mem.rawX + src0 * es, dst0 * es, dims, parts);
  }
  // Channels-last: rows with no dilation on the last axis are one contiguous run each.
  const x = p.x;
  const L = D - 1;
  const nl = L >= 0 ? count[L]! : 1;
  const sl = L >= 0 ? sS[L]! : 0;
  const dl = L >= 0 ? dstSp[L]! : 0;
  const rowContig = L >= 0 && sl === C && ld[L] === 1;
  const outer = count.slice(0, Math.max(0, L));
  for (let n = 0; n < N; n++) {
    forEachIndex(outer, sS, dstSp, (so, dso) => {
      const s = n * sN + src0 + so;
      const d = n * xb + dst0 + dso;
      if (rowContig) copyRun(view, d, x, s, nl * C);
      else for (let j = 0; j < nl; j++) copyRun(view, d + j * dl, x, s + j * sl, C);
    });
  }
  return [];
}

/**
 * Fill the row table (byte address of each output row's window origin, `Mp` entries; padding
 * rows repeat the last real row), the tap table (byte offset of each tap) and the block table.
 */
export function writeTables(i32: Int32Array, p: ConvProblem, plan: ConvPlan): void {
  const { es, Nout, oSp, kSp, M, Mp, xinBatchStride, xinSpStrides, tapAxes, mem } = plan;
  const s = p.windowStrides;
  const rows = mem.rows >> 2;
  let r = rows;
  const posStrides = oSp.map((_, d) => s[d]! * xinSpStrides[d]! * es);
  const L = oSp.length - 1;
  const outer = oSp.slice(0, Math.max(0, L));
  const ol = L >= 0 ? oSp[L]! : 1;
  const sl = L >= 0 ? posStrides[L]! : 0;
  for (let n = 0; n < Nout; n++) {
    const nb = mem.xin + n * xinBatchStride * es;
    forEachIndex(outer, posStrides, posStrides, (off) => {
      for (let y = 0, a = nb + off; y < ol; y++, a += sl) i32[r++] = a;
    });
  }
  const lastRow = M > 0 ? i32[rows + M - 1]! : mem.xin;
  for (; r < rows + Mp; r++) i32[r] = lastRow;
  const tapSizes = kSp.slice(0, tapAxes);
  const tapStrides = tapSizes.map((_, d) => p.rhsDilation[d]! * xinSpStrides[d]! * es);
  let t = mem.taps >> 2;
  forEachIndex(tapSizes, tapStrides, tapStrides, (off) => {
    i32[t++] = off;
  });
  // Block table: per group, per block [pTaps, taps, run byte offset, run, pB].
  let q = mem.blocks >> 2;
  for (let g = 0; g < plan.GG; g++) {
    const gb = mem.b + g * plan.K * plan.Ogp * es;
    for (const b of plan.blocks) {
      i32[q++] = mem.taps + b.tap0 * 4;
      i32[q++] = b.taps;
      i32[q++] = b.run0 * es;
      i32[q++] = b.run;
      i32[q++] = gb + b.bStart * es;
    }
  }
}

/**
 * Stage the kernel and the byte offset of every k = (tap, run element) in it, and return the
 * `packSlivers` calls that pack it for every group: block by block, sliver by sliver, k-major,
 * `nr` output features per k, zero beyond the group's `Og`.
 */
export function loadKernel(view: Float, i32: Int32Array, p: ConvProblem, plan: ConvPlan, nr: number): WasmCall[] {
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

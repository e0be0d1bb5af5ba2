/**
 * @file The plan of one direct convolution: sizes, the padded channels-last input layout, the row
 * and tap offset tables, the K blocks and where each region lives in linear memory. Pure
 * arithmetic, shared by the copy routines (`conv-layout.ts`) and the runtime (`conv-wasm.ts`).
 *
 * Two kernels share the plan. The GEMM-like kernel (`convRows`) computes each group's `Og` output
 * features in `nr`-wide slivers, so a group with few outputs (a depthwise convolution has one)
 * wastes most of every sliver. The channelwise kernel (`convLanes`) runs its SIMD lanes across the
 * output features of *all* groups instead: its canonical input holds, at every position, one lane
 * per output feature `o` for each of the `I` input features of o's group (the input feature
 * replicated `Og` times), so out[row, o] = Σ over (tap, i) of X[row + tap, i, o] · W[tap, i, o],
 * lane by lane. For it the plan describes one group of all `O` outputs (padded to `Ogp` lanes),
 * whose K steps are the (tap, input feature) pairs, each a one-element "run" found through the
 * tap table; W is not packed into slivers but laid out as K rows of `Ogp` lanes. The features sit
 * inside each position (`[Nout, ...Sp, I, Ogp]`) or, when the lhs keeps them outside its spatial
 * axes (the lhs of a weight gradient, whose features are the forward batch), outside
 * (`[Nout, I, ...Sp, Ogp]`), so the input usually moves in long contiguous runs.
 */

import { stridesOf } from "../../core/shape.js";
import { CONV_BLOCK_BYTES } from "./conv-kernel.js";

/**
 * A convolution as the backend sees it (field names as `conv_general_dilated`'s parameters, so
 * the primitive's params can be passed as they are). Shapes are already validated.
 */
export interface ConvProblem {
  /** Element type of both operands and the result. */
  readonly dtype: "float32" | "float64";
  /** lhs data, row-major in `xShape`. */
  readonly x: Float32Array | Float64Array;
  /** lhs shape. */
  readonly xShape: readonly number[];
  /** rhs data, row-major in `wShape`. */
  readonly w: Float32Array | Float64Array;
  /** rhs shape. */
  readonly wShape: readonly number[];
  /** Shape of the result (as `convOutputShape` computed it). */
  readonly outShape: readonly number[];
  /** Step between windows, per spatial axis. */
  readonly windowStrides: readonly number[];
  /** `[lo, hi]` padding of the (lhs-dilated) input per spatial axis; negative crops. */
  readonly padding: readonly (readonly [number, number])[];
  /** Input dilation per spatial axis. */
  readonly lhsDilation: readonly number[];
  /** Kernel dilation per spatial axis. */
  readonly rhsDilation: readonly number[];
  /** Axis roles: `[batch, feature, ...spatial]` (lhs, out) and `[out feature, in feature, ...spatial]` (rhs). */
  readonly dimensionNumbers: { readonly lhsSpec: readonly number[]; readonly rhsSpec: readonly number[]; readonly outSpec: readonly number[] };
  /** Feature groups. */
  readonly featureGroupCount: number;
  /** Batch groups. */
  readonly batchGroupCount: number;
}

/** One K block: taps `[tap0, tap0 + taps)` × run elements `[run0, run0 + run)`, B at element `bStart` of the group's B. */
export interface ConvBlock {
  readonly tap0: number;
  readonly taps: number;
  readonly run0: number;
  readonly run: number;
  readonly bStart: number;
}

/** Everything the copy routines and the runtime need about one convolution. */
export interface ConvPlan {
  /** Bytes per element. */
  readonly es: number;
  /**
   * Batch elements and features per position of the canonical buffer: the lhs's N and C, or for
   * the channelwise kernel the output batch and `I · Ogp` (`I` rows of `Ogp` lanes).
   */
  readonly N: number;
  readonly C: number;
  /** Input spatial sizes (logical, from the lhs). */
  readonly inSp: readonly number[];
  /** Output features in all, per kernel group, and per kernel group padded to `nr`. */
  readonly O: number;
  readonly Og: number;
  readonly Ogp: number;
  /** Groups as the kernel computes them: feature groups × batch groups, or 1 when channelwise. */
  readonly GG: number;
  /** Whether this is a plan for the channelwise kernel (see the file comment). */
  readonly channelwise: boolean;
  /** Output features per convolution group (`O / (G·B)`), which the channelwise input replicates. */
  readonly Oconv: number;
  /** Input features per group. */
  readonly I: number;
  /** Kernel spatial sizes. */
  readonly kSp: readonly number[];
  /** Output batch and spatial sizes. */
  readonly Nout: number;
  readonly oSp: readonly number[];
  /** Output rows (Nout · positions) and rows padded to the tile height. */
  readonly M: number;
  readonly Mp: number;
  /** Padded (and lhs-dilated) input spatial sizes: the canonical buffer is [N, ...Sp, C]. */
  readonly Sp: readonly number[];
  /** Element strides of the canonical buffer: batch, then each spatial axis (feature stride is 1). */
  readonly xinBatchStride: number;
  readonly xinSpStrides: readonly number[];
  /** Elements of the canonical buffer. */
  readonly xinElems: number;
  /**
   * Row of A at a tap: a contiguous run of `run` elements. With one feature group and no dilation
   * on the last kernel axis, the last axis's taps and all features are adjacent in the buffer, so
   * the run covers both (`kSp[last] · C`); otherwise it is one tap's `I` features (and for the
   * channelwise kernel a single element: its features are in the tap table).
   */
  readonly runLen: number;
  /** Kernel spatial axes enumerated by the tap table (all, or all but the last when merged). */
  readonly tapAxes: number;
  /**
   * Input features folded into the tap table (`I` when channelwise, else 1): the table then has
   * an entry per (tap, feature) and runs are one element.
   */
  readonly tapFeatures: number;
  /** Elements between consecutive input features in the canonical buffer (1 for the GEMM-like kernel). */
  readonly featureStride: number;
  /** Channelwise: whether the features sit outside the spatial axes in the canonical buffer and the tap table is feature-major. */
  readonly featuresOuter: boolean;
  /** Number of tap table entries and K = entries · run. */
  readonly T: number;
  readonly K: number;
  /** K blocks, in the order B is packed and the kernel walks them. */
  readonly blocks: readonly ConvBlock[];
  /** Element offset of group `t`'s input (features `t·I`, or batch elements `t·Nout`). */
  groupBase(t: number): number;
  /**
   * Whether the input is channels-last (features contiguous): then JS copies it into the
   * canonical buffer row by row; otherwise it is staged as it is and rearranged in Wasm.
   */
  readonly channelsLast: boolean;
  /** Whether C is already the output (channels-last rows in order, no padding columns). */
  readonly directOut: boolean;
  /**
   * Byte offsets of the regions in linear memory: the canonical input, row / tap / block tables,
   * the packed kernel (channelwise: its rows of lanes), C, the staged raw kernel and its k-offset
   * table (not channelwise), the staged raw input (when it is not copied in runs) and (when needed)
   * the output in its final layout.
   */
  readonly mem: {
    readonly xin: number; readonly rows: number; readonly taps: number; readonly blocks: number; readonly b: number; readonly c: number;
    readonly rawW: number; readonly kOff: number; readonly rawX: number; readonly out: number; readonly end: number;
  };
  /** Row stride of C in elements (all groups side by side, each `Ogp` wide). */
  readonly ldc: number;
}

const ALIGN = 64;

/** Whether output row m = (n, position) starts at element m·O with features contiguous (channels-last order). */
function outRowsInOrder(p: ConvProblem, Nout: number, oSp: readonly number[], O: number): boolean {
  const { outSpec } = p.dimensionNumbers;
  const ost = stridesOf(p.outShape);
  if (ost[outSpec[1]!] !== 1 && O > 1) return false;
  let expect = O;
  for (let d = oSp.length - 1; d >= 0; d--) {
    if (ost[outSpec[2 + d]!] !== expect && oSp[d]! > 1) return false;
    expect *= oSp[d]!;
  }
  return Nout <= 1 || ost[outSpec[0]!] === expect;
}
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const dilate = (n: number, d: number): number => (n === 0 ? 0 : 1 + d * (n - 1));
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Plan `p` for a kernel with `mr`-row tiles and `nr`-column slivers, K blocks of about `kc`
 * elements, placing the regions from byte `base`; for the channelwise kernel when `channelwise`.
 */
export function planConv(p: ConvProblem, mr: number, nr: number, kc: number, base: number, channelwise = false): ConvPlan {
  const es = p.dtype === "float32" ? 4 : 8;
  const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
  const D = lhsSpec.length - 2;
  const xN = p.xShape[lhsSpec[0]!]!;
  const xC = p.xShape[lhsSpec[1]!]!;
  const inSp = lhsSpec.slice(2).map((a) => p.xShape[a]!);
  const O = p.wShape[rhsSpec[0]!]!;
  const I = p.wShape[rhsSpec[1]!]!;
  const kSp = rhsSpec.slice(2).map((a) => p.wShape[a]!);
  const Nout = p.outShape[outSpec[0]!]!;
  const oSp = outSpec.slice(2).map((a) => p.outShape[a]!);
  const G = p.featureGroupCount;
  const Oconv = O / (G * p.batchGroupCount);
  const GG = channelwise ? 1 : G * p.batchGroupCount;
  const Og = O / GG;
  const Ogp = alignUp(Og, nr);
  const N = channelwise ? Nout : xN;
  const C = channelwise ? I * Ogp : xC;
  const M = Nout * prod(oSp);
  const Mp = alignUp(M, mr);
  const Sp = inSp.map((n, d) => dilate(n, p.lhsDilation[d]!) + p.padding[d]![0] + p.padding[d]![1]);
  const xStrides = stridesOf(p.xShape);
  const sC = xStrides[lhsSpec[1]!]!;
  const featuresOuter = channelwise && I > 1 && lhsSpec.slice(2).every((a) => p.xShape[a] === 1 || xStrides[a]! < sC);
  const xinSpStrides = new Array<number>(D);
  let acc = featuresOuter ? Ogp : C;
  for (let d = D - 1; d >= 0; d--) {
    xinSpStrides[d] = acc;
    acc *= Sp[d]!;
  }
  const featureStride = !channelwise ? 1 : featuresOuter ? acc : Ogp;
  const xinBatchStride = featuresOuter ? acc * I : acc;
  const merge = !channelwise && D > 0 && G === 1 && p.rhsDilation[D - 1] === 1;
  const tapAxes = merge ? D - 1 : D;
  const tapFeatures = channelwise ? I : 1;
  const runLen = channelwise ? 1 : merge ? kSp[D - 1]! * C : I;
  const T = prod(kSp.slice(0, tapAxes)) * tapFeatures;
  const K = T * runLen;

  // Blocks: whole taps while the run is short, else one tap and an even split of the run.
  const blocks: ConvBlock[] = [];
  const chunks = Math.max(1, Math.ceil(runLen / kc));
  const runChunk = Math.ceil(runLen / chunks);
  const tapsPer = chunks > 1 ? 1 : Math.max(1, Math.floor(kc / runLen));
  let bStart = 0;
  for (let tap0 = 0; tap0 < T; tap0 += tapsPer) {
    const taps = Math.min(tapsPer, T - tap0);
    for (let run0 = 0; run0 < runLen; run0 += runChunk) {
      const run = Math.min(runChunk, runLen - run0);
      blocks.push({ tap0, taps, run0, run, bStart });
      bStart += taps * run * Ogp;
    }
  }

  const ldc = GG * Ogp;
  const channelsLast = sC === 1;
  const directOut = ldc === O && outRowsInOrder(p, Nout, oSp, O);
  const xin = alignUp(base, ALIGN);
  const rows = alignUp(xin + N * xinBatchStride * es, ALIGN);
  const taps = alignUp(rows + Mp * 4, ALIGN);
  const blk = alignUp(taps + T * 4, ALIGN);
  const b = alignUp(blk + GG * blocks.length * CONV_BLOCK_BYTES, ALIGN);
  const c = alignUp(b + GG * K * Ogp * es, ALIGN);
  const rawW = alignUp(c + Mp * ldc * es, ALIGN);
  const kOff = alignUp(rawW + p.w.length * es, ALIGN);
  const rawX = alignUp(kOff + (channelwise ? 0 : K * 4), ALIGN);
  const out = alignUp(rawX + p.x.length * es, ALIGN);
  const end = out + (directOut ? 0 : M * O * es);
  const groupBase = (t: number): number => (channelwise ? 0 : p.batchGroupCount > 1 ? t * Nout * xinBatchStride : t * I);
  return {
    es, N, C, inSp, O, Og, Ogp, GG, channelwise, Oconv, I, kSp, Nout, oSp, M, Mp, Sp,
    xinBatchStride, xinSpStrides, xinElems: N * xinBatchStride,
    runLen, tapAxes, tapFeatures, featureStride, featuresOuter, T, K, blocks, groupBase,
    channelsLast, directOut,
    mem: { xin, rows, taps, blocks: blk, b, c, rawW, kOff, rawX, out, end },
    ldc,
  };
}

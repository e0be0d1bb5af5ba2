/**
 * @file `lax` convolution and window reductions: `convGeneralDilated`, `conv`,
 * `convWithGeneralPadding`, `convTranspose`, `convDimensionNumbers`, `padtypeToPads`,
 * `reduceWindow`, and the pooling helpers `maxPool` / `avgPool`.
 *
 * These are thin wrappers over the `conv_general_dilated` and `reduce_window_*` primitives:
 * they resolve string padding (`"SAME"`, `"SAME_LOWER"`, `"VALID"`) and string layouts
 * (`["NHWC", "HWIO", "NHWC"]`) into explicit parameters and validate them up front, so that
 * errors name the function the user called.
 */
import type { Array } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { bind1 } from "../core/trace.js";
import { convGeneralDilatedP, convOutputShape, defaultDimensionNumbers, dilateDim, type ConvDimensionNumbers, type ConvParams } from "../primitives/conv.js";
import { add, div, max as maximum, min as minimum, mul, sub } from "../primitives/elementwise.js";
import { revP } from "../primitives/movement.js";
import { reduceWindowMaxP, reduceWindowMinP, reduceWindowShape, reduceWindowSumP, type ReduceWindowParams } from "../primitives/reduceWindow.js";
import { broadcastTo, reshape, scalar, transpose } from "../primitives/util.js";

export type { ConvDimensionNumbers } from "../primitives/conv.js";

/** Padding of a convolution or window: a named scheme, or one `[lo, hi]` pair per spatial dimension. */
export type Padding = "SAME" | "SAME_LOWER" | "VALID" | readonly (readonly [number, number])[];

/**
 * Layout of lhs, rhs and output: three strings such as `["NCHW", "OIHW", "NCHW"]` or
 * `["NHWC", "HWIO", "NHWC"]` (`N` batch, `C` feature, `O`/`I` kernel output/input features,
 * any other distinct letters for the spatial dimensions, which correspond by letter), or
 * explicit {@link ConvDimensionNumbers}.
 */
export type DimensionNumbersLike = readonly [string, string, string] | ConvDimensionNumbers;

/** Options of {@link convGeneralDilated}. */
export interface ConvGeneralDilatedOptions {
  /** Input dilation per spatial dimension (default 1s); > 1 gives a transposed (fractionally strided) convolution. */
  lhsDilation?: readonly number[];
  /** Kernel dilation per spatial dimension (default 1s): atrous convolution. */
  rhsDilation?: readonly number[];
  /** Operand layouts (default `NC...`, `OI...`, `NC...`). */
  dimensionNumbers?: DimensionNumbersLike | null;
  /** Number of feature groups (default 1); `C` must equal `I * featureGroupCount`. Depthwise: `featureGroupCount = C`. */
  featureGroupCount?: number;
  /** Number of batch groups (default 1). */
  batchGroupCount?: number;
}

const checkArray = (fn: string, what: string, x: unknown): Array => {
  if (x === null || typeof x !== "object" || !("shape" in x) || !("dtype" in x)) {
    throw new ValueError(fn, `${what} must be an Array, got ${x === null ? "null" : typeof x}`);
  }
  return x as Array;
};

/**
 * `lax.conv_dimension_numbers`: turn layout strings (or explicit specs) into
 * {@link ConvDimensionNumbers} for operands of these shapes. Spatial dimensions are matched by
 * letter and ordered as they appear in the rhs layout, as in JAX.
 * @param fn - Name used in error messages (the calling function).
 * @example
 * convDimensionNumbers([8, 28, 28, 3], [3, 3, 3, 16], ["NHWC", "HWIO", "NHWC"]);
 * // { lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] }
 */
export function convDimensionNumbers(lhsShape: readonly number[], rhsShape: readonly number[], dimensionNumbers?: DimensionNumbersLike | null, fn = "lax.convDimensionNumbers"): ConvDimensionNumbers {
  const nd = lhsShape.length;
  if (rhsShape.length !== nd) {
    throw new ShapeError(fn, `lhs and rhs must have the same rank, got lhs shape ${fmtShape(lhsShape)} and rhs shape ${fmtShape(rhsShape)}`);
  }
  if (dimensionNumbers === undefined || dimensionNumbers === null) return defaultDimensionNumbers(nd);
  if (!globalThis.Array.isArray(dimensionNumbers)) {
    const dn = dimensionNumbers as ConvDimensionNumbers;
    if (!globalThis.Array.isArray(dn.lhsSpec) || !globalThis.Array.isArray(dn.rhsSpec) || !globalThis.Array.isArray(dn.outSpec)) {
      throw new ValueError(fn, `dimensionNumbers must be three layout strings like ["NCHW", "OIHW", "NCHW"] or { lhsSpec, rhsSpec, outSpec }, got ${JSON.stringify(dimensionNumbers)}`);
    }
    return { lhsSpec: [...dn.lhsSpec], rhsSpec: [...dn.rhsSpec], outSpec: [...dn.outSpec] };
  }
  const specs = dimensionNumbers as readonly string[];
  if (specs.length !== 3 || !specs.every((s) => typeof s === "string")) {
    throw new ValueError(fn, `dimensionNumbers must be three layout strings (lhs, rhs, out) like ["NHWC", "HWIO", "NHWC"], got ${JSON.stringify(dimensionNumbers)}`);
  }
  const [ls, rs, os] = specs as [string, string, string];
  const pairs: [string, string, string, string][] = [
    [ls, "N", "C", "lhs"],
    [rs, "O", "I", "rhs"],
    [os, "N", "C", "out"],
  ];
  for (const [s, a, b, what] of pairs) {
    if (s.length !== nd) throw new ValueError(fn, `the ${what} layout "${s}" has ${s.length} letters but the operands have rank ${nd} (lhs ${fmtShape(lhsShape)}, rhs ${fmtShape(rhsShape)})`);
    if (new Set(s).size !== s.length) throw new ValueError(fn, `the ${what} layout "${s}" repeats a letter`);
    if (!s.includes(a) || !s.includes(b)) throw new ValueError(fn, `the ${what} layout "${s}" must contain '${a}' and '${b}' exactly once`);
  }
  const spatialOf = (s: string, a: string, b: string) => [...s].filter((c) => c !== a && c !== b);
  const rsp = spatialOf(rs, "O", "I");
  const lsp = spatialOf(ls, "N", "C");
  const osp = spatialOf(os, "N", "C");
  const sameSet = (x: string[]) => x.length === rsp.length && x.every((c) => rsp.includes(c));
  if (!sameSet(lsp) || !sameSet(osp)) {
    throw new ValueError(fn, `the layouts ${JSON.stringify(specs)} must name the same spatial letters (lhs ${lsp.join("") || "none"}, rhs ${rsp.join("") || "none"}, out ${osp.join("") || "none"})`);
  }
  const perm = (s: string, a: string, b: string) => [s.indexOf(a), s.indexOf(b), ...rsp.map((c) => s.indexOf(c))];
  return { lhsSpec: perm(ls, "N", "C"), rhsSpec: perm(rs, "O", "I"), outSpec: perm(os, "N", "C") };
}

/**
 * `lax.padtype_to_pads`: explicit `[lo, hi]` pairs for a padding scheme. `"SAME"` pads so that
 * the output has `ceil(in / stride)` elements, the extra element going to the end (`"SAME_LOWER"`:
 * to the start); `"VALID"` does not pad. Explicit pairs are checked and returned as they are.
 * @param fn - Name used in error messages (the calling function).
 */
export function padtypeToPads(inShape: readonly number[], windowShape: readonly number[], windowStrides: readonly number[], padding: Padding, fn = "lax.padtypeToPads"): [number, number][] {
  const n = inShape.length;
  if (typeof padding === "string") {
    const mode = padding.toUpperCase();
    if (mode === "VALID") return inShape.map(() => [0, 0]);
    if (mode === "SAME" || mode === "SAME_LOWER") {
      return inShape.map((d, i) => {
        const s = windowStrides[i]!;
        const out = Math.ceil(d / s);
        const total = Math.max(0, (out - 1) * s + windowShape[i]! - d);
        const small = Math.floor(total / 2);
        return mode === "SAME" ? [small, total - small] : [total - small, small];
      });
    }
    throw new ValueError(fn, `padding must be "SAME", "SAME_LOWER", "VALID" or a list of ${n} [lo, hi] pairs, got ${JSON.stringify(padding)}`);
  }
  if (!globalThis.Array.isArray(padding) || padding.length !== n || !padding.every((q) => globalThis.Array.isArray(q) && q.length === 2 && Number.isInteger(q[0]) && Number.isInteger(q[1]))) {
    throw new ValueError(fn, `padding must be "SAME", "SAME_LOWER", "VALID" or a list of ${n} integer [lo, hi] pairs (one per spatial dimension), got ${JSON.stringify(padding)}`);
  }
  return padding.map((q) => [q[0], q[1]]);
}

function checkInts(fn: string, what: string, xs: unknown, n: number): number[] {
  if (!globalThis.Array.isArray(xs) || xs.length !== n || !xs.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(fn, `${what} must be a list of ${n} positive integers (one per spatial dimension), got ${JSON.stringify(xs)}`);
  }
  return [...(xs as number[])];
}

/** Resolve and validate everything; shared by the public wrappers. */
function convParams(fn: string, lhs: Array, rhs: Array, windowStrides: readonly number[], padding: Padding, opts: ConvGeneralDilatedOptions): ConvParams {
  checkArray(fn, "lhs", lhs);
  checkArray(fn, "rhs", rhs);
  if (lhs.ndim < 2 || rhs.ndim !== lhs.ndim) {
    throw new ShapeError(fn, `lhs and rhs must have the same rank (>= 2: batch, feature and the spatial dimensions), got lhs shape ${fmtShape(lhs.shape)} and rhs shape ${fmtShape(rhs.shape)}`);
  }
  if (lhs.dtype !== rhs.dtype) throw new DTypeError(fn, `lhs and rhs must have the same dtype, got ${lhs.dtype} and ${rhs.dtype}; convert one of them first`);
  if (!isFloat(lhs.dtype)) throw new DTypeError(fn, `operands must be float32 or float64, got ${lhs.dtype}`);
  const ns = lhs.ndim - 2;
  const dn = convDimensionNumbers(lhs.shape, rhs.shape, opts.dimensionNumbers, fn);
  const strides = checkInts(fn, "windowStrides", windowStrides, ns);
  const lhsDilation = opts.lhsDilation === undefined ? new globalThis.Array<number>(ns).fill(1) : checkInts(fn, "lhsDilation", opts.lhsDilation, ns);
  const rhsDilation = opts.rhsDilation === undefined ? new globalThis.Array<number>(ns).fill(1) : checkInts(fn, "rhsDilation", opts.rhsDilation, ns);
  let pads: [number, number][];
  if (typeof padding === "string") {
    const inSp = dn.lhsSpec.slice(2).map((a) => lhs.shape[a]!);
    const kSp = dn.rhsSpec.slice(2).map((a, i) => dilateDim(rhs.shape[a]!, rhsDilation[i]!));
    pads = padtypeToPads(inSp, kSp, strides, padding, fn);
  } else pads = padtypeToPads(new globalThis.Array<number>(ns).fill(0), [], strides, padding, fn);
  const p: ConvParams = {
    windowStrides: strides,
    padding: pads,
    lhsDilation,
    rhsDilation,
    dimensionNumbers: dn,
    featureGroupCount: opts.featureGroupCount ?? 1,
    batchGroupCount: opts.batchGroupCount ?? 1,
  };
  convOutputShape(fn, lhs.shape, rhs.shape, p);
  return p;
}

/**
 * `lax.conv_general_dilated`: general N-d convolution (1, 2, 3 or more spatial dimensions) with
 * strides, padding, input and kernel dilation, feature groups and batch groups, in any layout.
 * Default layout: lhs `[N, C, ...spatial]`, rhs `[O, C / featureGroupCount, ...kernel]`, output
 * `[N, O, ...spatial]`.
 * @param lhs - Input, rank `n + 2`.
 * @param rhs - Kernel, rank `n + 2`.
 * @param windowStrides - `n` strides.
 * @param padding - `"SAME"`, `"SAME_LOWER"`, `"VALID"`, or `n` `[lo, hi]` pairs (negative crops).
 * @param opts - `lhsDilation`, `rhsDilation`, `dimensionNumbers`, `featureGroupCount`, `batchGroupCount`.
 * @example
 * // NHWC input, HWIO kernel, "SAME" padding: [8, 28, 28, 3] * [3, 3, 3, 16] -> [8, 28, 28, 16]
 * lax.convGeneralDilated(x, w, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
 */
export function convGeneralDilated(lhs: Array, rhs: Array, windowStrides: readonly number[], padding: Padding, opts: ConvGeneralDilatedOptions = {}): Array {
  return bind1(convGeneralDilatedP, [lhs, rhs], convParams("lax.convGeneralDilated", lhs, rhs, windowStrides, padding, opts));
}

/**
 * `lax.conv`: convolution in the default layout (`NCHW` input, `OIHW` kernel, `NCHW` output),
 * without dilation or groups.
 * @example
 * lax.conv(x, w, [1, 1], "SAME"); // x: [N, C, H, W], w: [O, C, kh, kw] -> [N, O, H, W]
 */
export function conv(lhs: Array, rhs: Array, windowStrides: readonly number[], padding: Padding): Array {
  return bind1(convGeneralDilatedP, [lhs, rhs], convParams("lax.conv", lhs, rhs, windowStrides, padding, {}));
}

/** `lax.conv_with_general_padding`: {@link conv} with input and kernel dilation. */
export function convWithGeneralPadding(lhs: Array, rhs: Array, windowStrides: readonly number[], padding: Padding, lhsDilation?: readonly number[] | null, rhsDilation?: readonly number[] | null): Array {
  const opts: ConvGeneralDilatedOptions = { lhsDilation: lhsDilation ?? undefined, rhsDilation: rhsDilation ?? undefined };
  return bind1(convGeneralDilatedP, [lhs, rhs], convParams("lax.convWithGeneralPadding", lhs, rhs, windowStrides, padding, opts));
}

/** Options of {@link convTranspose}. */
export interface ConvTransposeOptions {
  /** Kernel dilation per spatial dimension (default 1s). */
  rhsDilation?: readonly number[];
  /** Layouts; default, as JAX: `NHWC`-style input/output and `HWIO`-style kernel for the rank. */
  dimensionNumbers?: DimensionNumbersLike | null;
  /** Flip the kernel spatially and swap its input/output feature axes (TensorFlow/Keras/PyTorch convention). */
  transposeKernel?: boolean;
  /** Read explicit padding as the padding of the corresponding forward convolution (PyTorch's convention). */
  useConsistentPadding?: boolean;
}

/** JAX's default layouts of `conv_transpose`: channels last. */
function convTransposeDefaultLayout(fn: string, nd: number): [string, string, string] {
  const sp = "HWDXYZUV".slice(0, Math.max(0, nd - 2));
  if (nd < 2 || nd - 2 > 8) throw new ShapeError(fn, `operands must have rank 2..10, got rank ${nd}`);
  return [`N${sp}C`, `${sp}IO`, `N${sp}C`];
}

/**
 * `lax.conv_transpose`: the N-d transposed ("fractionally strided", "deconvolution")
 * convolution, computed directly as a convolution with lhs dilation = `strides`. With
 * `"SAME"` the output has `in * stride` elements, with `"VALID"` `in * stride + max(k - stride, 0)`.
 * As in JAX, the default layout is channels-last (`NHWC`, `HWIO`, `NHWC`) and the kernel is not
 * flipped unless `transposeKernel` is set.
 * @example
 * lax.convTranspose(x, w, [2, 2], "SAME"); // x: [N, 14, 14, C], w: [3, 3, C, O] -> [N, 28, 28, O]
 */
export function convTranspose(lhs: Array, rhs: Array, strides: readonly number[], padding: Padding, opts: ConvTransposeOptions = {}): Array {
  const fn = "lax.convTranspose";
  checkArray(fn, "lhs", lhs);
  checkArray(fn, "rhs", rhs);
  if (lhs.ndim < 2 || rhs.ndim !== lhs.ndim) throw new ShapeError(fn, `lhs and rhs must have the same rank (>= 2), got lhs shape ${fmtShape(lhs.shape)} and rhs shape ${fmtShape(rhs.shape)}`);
  const ns = lhs.ndim - 2;
  const dn = convDimensionNumbers(lhs.shape, rhs.shape, opts.dimensionNumbers ?? convTransposeDefaultLayout(fn, lhs.ndim), fn);
  const st = checkInts(fn, "strides", strides, ns);
  const rd = opts.rhsDilation === undefined ? new globalThis.Array<number>(ns).fill(1) : checkInts(fn, "rhsDilation", opts.rhsDilation, ns);
  const keff = dn.rhsSpec.slice(2).map((a, i) => dilateDim(rhs.shape[a]!, rd[i]!));
  let pads: [number, number][];
  if (typeof padding === "string") {
    const mode = padding.toUpperCase();
    if (mode !== "SAME" && mode !== "VALID") throw new ValueError(fn, `padding must be "SAME", "VALID" or a list of ${ns} [lo, hi] pairs, got ${JSON.stringify(padding)}`);
    pads = keff.map((k, i) => {
      const s = st[i]!;
      const total = mode === "SAME" ? k + s - 2 : k + s - 2 + Math.max(k - s, 0);
      const before = mode === "SAME" ? (s > k - 1 ? k - 1 : Math.ceil(total / 2)) : k - 1;
      return [before, total - before];
    });
  } else {
    pads = padtypeToPads(new globalThis.Array<number>(ns).fill(0), [], st, padding, fn);
    if (opts.useConsistentPadding) pads = pads.map(([lo, hi], i) => [keff[i]! - 1 - lo, keff[i]! - 1 - hi]);
  }
  let w = rhs;
  if (opts.transposeKernel) {
    const spatial = dn.rhsSpec.slice(2).filter((a) => rhs.shape[a]! > 1);
    if (spatial.length > 0) w = bind1(revP, [w], { axes: spatial });
    const perm = w.shape.map((_, i) => i);
    perm[dn.rhsSpec[0]!] = dn.rhsSpec[1]!;
    perm[dn.rhsSpec[1]!] = dn.rhsSpec[0]!;
    w = transpose(w, perm);
  }
  const ones = new globalThis.Array<number>(ns).fill(1);
  return bind1(convGeneralDilatedP, [lhs, w], convParams(fn, lhs, w, ones, pads, { lhsDilation: st, rhsDilation: rd, dimensionNumbers: dn }));
}

// ---------------------------------------------------------------------------------------------
// Window reductions

/** Options of {@link reduceWindow}. */
export interface ReduceWindowOptions {
  /** Operand dilation per axis (default 1s). */
  baseDilation?: readonly number[];
  /** Window dilation per axis (default 1s). */
  windowDilation?: readonly number[];
}

/** A window reduction: `"sum"`, `"max"` or `"min"` (the monoids `reduce_window` supports). */
export type WindowReduction = "sum" | "max" | "min";

function windowParams(fn: string, x: Array, windowDimensions: readonly number[], windowStrides: readonly number[] | null | undefined, padding: Padding, opts: ReduceWindowOptions): ReduceWindowParams {
  checkArray(fn, "operand", x);
  const nd = x.ndim;
  const wd = checkInts(fn, "windowDimensions", windowDimensions, nd);
  const ones = new globalThis.Array<number>(nd).fill(1);
  const st = windowStrides === undefined || windowStrides === null ? ones : checkInts(fn, "windowStrides", windowStrides, nd);
  const bd = opts.baseDilation === undefined ? ones : checkInts(fn, "baseDilation", opts.baseDilation, nd);
  const wdl = opts.windowDilation === undefined ? ones : checkInts(fn, "windowDilation", opts.windowDilation, nd);
  const pads =
    typeof padding === "string"
      ? padtypeToPads(
          x.shape.map((d, i) => dilateDim(d, bd[i]!)),
          wd.map((w, i) => dilateDim(w, wdl[i]!)),
          st,
          padding,
          fn,
        )
      : padtypeToPads(ones, [], st, padding, fn);
  const p: ReduceWindowParams = { windowDimensions: wd, windowStrides: st, padding: pads, baseDilation: bd, windowDilation: wdl };
  reduceWindowShape(fn, x.shape, p);
  return p;
}

/**
 * `lax.reduce_window`: reduce every window of `operand` with `computation` (`"sum"`, `"max"` or
 * `"min"`) starting from `initValue`. Windows, strides and padding have one entry per axis of
 * the operand (use 1 for axes that are not pooled). As in XLA, padding and dilation holes hold
 * `initValue` (for `"sum"`, each output adds `initValue` once per hole plus once).
 * @example
 * // 2x2 max pooling of an NHWC batch
 * lax.reduceWindow(x, -Infinity, "max", [1, 2, 2, 1], [1, 2, 2, 1], "VALID");
 */
export function reduceWindow(
  operand: Array,
  initValue: number,
  computation: WindowReduction,
  windowDimensions: readonly number[],
  windowStrides: readonly number[] | null,
  padding: Padding,
  opts: ReduceWindowOptions = {},
): Array {
  const fn = "lax.reduceWindow";
  checkArray(fn, "operand", operand);
  if (operand.dtype === "bool") throw new DTypeError(fn, "expected a numeric operand (float32, float64, int32 or uint32), got bool; convert it first");
  if (typeof initValue !== "number") throw new ValueError(fn, `initValue must be a number, got ${typeof initValue}`);
  const p = windowParams(fn, operand, windowDimensions, windowStrides, padding, opts);
  switch (computation) {
    case "sum": {
      const y = bind1(reduceWindowSumP, [operand], p);
      if (initValue === 0) return y;
      // XLA's semantics: every window starts from initValue and padding/dilation holes hold it,
      // so each output adds initValue once per hole plus once: init · (1 + taps − real elements).
      const taps = p.windowDimensions.reduce((a, b) => a * b, 1);
      const real = bind1(reduceWindowSumP, [broadcastTo(scalar(1, operand.dtype), operand.shape)], p);
      return add(y, mul(sub(scalar(1 + taps, operand.dtype), real), scalar(initValue, operand.dtype)));
    }
    case "max": {
      const y = bind1(reduceWindowMaxP, [operand], p);
      return initValue === -Infinity || initValue <= lowest(operand.dtype) ? y : maximum(y, initValue);
    }
    case "min": {
      const y = bind1(reduceWindowMinP, [operand], p);
      return initValue === Infinity || initValue >= highest(operand.dtype) ? y : minimum(y, initValue);
    }
    default:
      throw new ValueError(fn, `computation must be "sum", "max" or "min", got ${JSON.stringify(computation)}`);
  }
}

const lowest = (d: Array["dtype"]) => (d === "int32" ? -2147483648 : d === "uint32" ? 0 : -Infinity);
const highest = (d: Array["dtype"]) => (d === "int32" ? 2147483647 : d === "uint32" ? 4294967295 : Infinity);

/** Window parameters of the pooling helpers (flax layout: leading batch axes, spatial axes, then features). */
function poolParams(fn: string, x: Array, windowShape: readonly number[], strides: readonly number[] | null | undefined, padding: Padding): ReduceWindowParams {
  checkArray(fn, "x", x);
  const k = globalThis.Array.isArray(windowShape) ? windowShape.length : -1;
  if (k < 0 || x.ndim < k + 1) {
    throw new ShapeError(fn, `x must have rank >= len(windowShape) + 1 (batch axes, ${Math.max(k, 0)} spatial axes, features), got shape ${fmtShape(x.shape)} and windowShape ${JSON.stringify(windowShape)}`);
  }
  const nb = x.ndim - k - 1;
  const ws = checkInts(fn, "windowShape", windowShape, k);
  const st = strides === undefined || strides === null ? new globalThis.Array<number>(k).fill(1) : checkInts(fn, "strides", strides, k);
  const lead = new globalThis.Array<number>(nb).fill(1);
  const full = (xs: number[]) => [...lead, ...xs, 1];
  let pads: [number, number][];
  if (typeof padding === "string") pads = padtypeToPads(x.shape.slice(nb, nb + k), ws, st, padding, fn);
  else pads = padtypeToPads(new globalThis.Array<number>(k).fill(0), [], st, padding, fn);
  const p: ReduceWindowParams = {
    windowDimensions: full(ws),
    windowStrides: full(st),
    padding: [...lead.map(() => [0, 0] as [number, number]), ...pads, [0, 0]],
    baseDilation: full(new globalThis.Array<number>(k).fill(1)),
    windowDilation: full(new globalThis.Array<number>(k).fill(1)),
  };
  reduceWindowShape(fn, x.shape, p);
  return p;
}

/**
 * Max pooling (as `flax.linen.max_pool`): `x` is `[...batch, ...spatial, features]` with one
 * spatial axis per entry of `windowShape`; padding holds `-Infinity`.
 * @param strides - Default 1s.
 * @param padding - `"VALID"` (default), `"SAME"`, `"SAME_LOWER"` or `[lo, hi]` pairs per spatial axis.
 * @example
 * maxPool(x, [2, 2], [2, 2]); // [N, 28, 28, C] -> [N, 14, 14, C]
 */
export function maxPool(x: Array, windowShape: readonly number[], strides?: readonly number[] | null, padding: Padding = "VALID"): Array {
  return bind1(reduceWindowMaxP, [x], poolParams("lax.maxPool", x, windowShape, strides, padding));
}

/** Options of {@link avgPool}. */
export interface AvgPoolOptions {
  /** Count padded positions in the divisor (default true, as flax); false averages only real elements. */
  countIncludePad?: boolean;
}

/**
 * Average pooling (as `flax.linen.avg_pool`): `x` is `[...batch, ...spatial, features]`. With
 * `countIncludePad: false`, each window is divided by the number of real (unpadded) elements.
 * @example
 * avgPool(x, [2, 2], [2, 2], "SAME", { countIncludePad: false });
 */
export function avgPool(x: Array, windowShape: readonly number[], strides?: readonly number[] | null, padding: Padding = "VALID", opts: AvgPoolOptions = {}): Array {
  const fn = "lax.avgPool";
  const p = poolParams(fn, x, windowShape, strides, padding);
  if (!isFloat(x.dtype)) throw new DTypeError(fn, `expected a float operand (float32 or float64), got ${x.dtype}`);
  const sums = bind1(reduceWindowSumP, [x], p);
  if (opts.countIncludePad ?? true) {
    const size = p.windowDimensions.reduce((a, b) => a * b, 1);
    return div(sums, size);
  }
  // Count the real elements of each window: a window sum of ones (only over the pooled axes).
  const nd = x.ndim;
  const k = windowShape.length;
  const nb = nd - k - 1;
  const spatialShape = x.shape.slice(nb, nb + k);
  const sub = (xs: readonly number[]) => [...xs.slice(nb, nb + k)];
  const ones = broadcastTo(scalar(1, x.dtype), spatialShape);
  const counts = bind1(reduceWindowSumP, [ones], {
    windowDimensions: sub(p.windowDimensions),
    windowStrides: sub(p.windowStrides),
    padding: p.padding.slice(nb, nb + k),
    baseDilation: sub(p.baseDilation),
    windowDilation: sub(p.windowDilation),
  });
  // counts: [...spatialOut], lined up with sums [...batch, ...spatialOut, features] by a trailing 1.
  return div(sums, reshape(counts, [...counts.shape, 1]));
}

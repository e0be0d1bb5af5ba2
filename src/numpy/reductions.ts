/**
 * @file Reductions: `sum prod mean var std max min argmax argmin all any ptp cumsum cumprod
 * nansum nanmean logsumexp countNonzero`.
 *
 * All take `axis` as a number, a list of numbers, or null/undefined for every axis, and
 * `{ keepdims }` to keep reduced axes as size-1 dimensions (`np.sum(x, 0, { keepdims: true })`).
 * Dtypes follow NumPy/JAX: sums and products of bool/int32 are int32 (uint32 stays uint32),
 * means and variances of integers are float32.
 */
import { Array, type ArrayLike, type Axis } from "../core/array.js";
import { isFloat, type DType } from "../core/dtype.js";
import { DTypeError, fmtShape, ValueError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { normalizeAxes, normalizeAxis } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { addP, divP, expP, isFiniteP, isNanP, logP, maxP, minP, mulP, neP, notP, selectP, sqrtP, subP } from "../primitives/elementwise.js";
import { argmaxP, argminP, cumprodP, cumsumP, reduceAndP, reduceMaxP, reduceMinP, reduceOrP, reduceProdP, reduceSumP } from "../primitives/reduce.js";
import { reshape, scalarLike } from "../primitives/util.js";
import { asArray, castTo } from "./coerce.js";
import { checkDType, describeValue, full } from "./creation.js";
import { toBool } from "./math.js";

/** Options of reductions. */
export interface ReduceOptions {
  /** Keep the reduced axes as size-1 dimensions, so the result broadcasts against the input. */
  keepdims?: boolean;
}

/** Options of `sum`, `prod` and `mean`: the accumulation/result dtype may be chosen. */
export interface SumOptions extends ReduceOptions {
  /** Convert the input to this dtype before reducing. */
  dtype?: DType;
}

/** Options of `max` and `min`. */
export interface ExtremumOptions extends ReduceOptions {
  /** A starting value: makes reductions over empty axes valid (as NumPy's `initial`). */
  initial?: number;
}

/** Options of `var` and `std`. */
export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is `N - ddof` (0 by default; 1 for the sample variance). */
  ddof?: number;
}

const NO_PARAMS = {};

/** The reduced axes of `x` (sorted, non-negative), validated under `fn`'s name. */
function axesOf(fn: string, x: Array, axis: Axis): number[] {
  if (axis !== null && axis !== undefined && typeof axis !== "number" && !globalThis.Array.isArray(axis)) {
    throw new ValueError(fn, `axis must be a number, a list of numbers or null, got ${describeValue(axis)}`);
  }
  return normalizeAxes(fn, axis, x.ndim);
}

/** `x.shape` with the reduced axes set to 1 (the keepdims shape). */
function keptDims(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Number of elements reduced over `axes`. */
function countOf(shape: readonly number[], axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= shape[a]!;
  return n;
}

/** Bind a reduction primitive over `axes` (a no-op for no axes), then restore dims for keepdims. */
function reduceWith(prim: Primitive, x: Array, axes: number[], keepdims: boolean | undefined): Array {
  const y = axes.length === 0 ? x : bind1(prim, [x], { axes });
  return keepdims ? reshape(y, keptDims(x.shape, axes)) : y;
}

/** bool → int32 (NumPy's accumulation type for sums and products); other dtypes unchanged. */
function accumulable(x: Array): Array {
  return x.dtype === "bool" ? castTo(x, { dtype: "int32", weakType: false }) : x;
}

function withDtype(fn: string, x: Array, dtype: DType | undefined): Array {
  if (dtype === undefined) return accumulable(x);
  const d = checkDType(fn, dtype);
  if (d === "bool") throw new DTypeError(fn, "cannot accumulate in bool; use all/any, or a numeric dtype");
  return castTo(x, { dtype: d, weakType: false });
}

/**
 * Sum of elements over `axis` (all axes by default). bool and int32 give int32, floats keep
 * their dtype (float32 sums accumulate in float64 eagerly, so they round once).
 * @param x - the input.
 * @param axis - a number, a list of numbers, or null for every axis.
 * @param opts - `keepdims`, and `dtype` to accumulate in another dtype.
 * @example
 * ```ts
 * const x = np.array([[1, 2], [3, 4]]);
 * np.sum(x);                          // 10
 * np.sum(x, 0);                       // [4, 6]
 * np.sum(x, 1, { keepdims: true });   // [[3], [7]]
 * ```
 */
export function sum(x: ArrayLike, axis?: Axis, opts: SumOptions = {}): Array {
  const a = asArray("sum", x);
  return reduceWith(reduceSumP, withDtype("sum", a, opts.dtype), axesOf("sum", a, axis), opts.keepdims);
}

/** Product of elements over `axis` (1 for an empty reduction); dtypes as {@link sum}. */
export function prod(x: ArrayLike, axis?: Axis, opts: SumOptions = {}): Array {
  const a = asArray("prod", x);
  return reduceWith(reduceProdP, withDtype("prod", a, opts.dtype), axesOf("prod", a, axis), opts.keepdims);
}

/** The input promoted to a float dtype (bool and integers to float32). */
function floatOf(x: Array): Array {
  return isFloat(x.dtype) ? x : castTo(x, { dtype: "float32", weakType: x.weakType });
}

/**
 * Arithmetic mean over `axis`: `sum / count`. Integer and bool inputs give float32; the mean of
 * an empty reduction is NaN (0 / 0), as NumPy.
 * @example
 * ```ts
 * np.mean(np.array([[1, 2], [3, 4]]), 1); // [1.5, 3.5]
 * ```
 */
export function mean(x: ArrayLike, axis?: Axis, opts: SumOptions = {}): Array {
  const a = asArray("mean", x);
  const axes = axesOf("mean", a, axis);
  const f = opts.dtype === undefined ? floatOf(a) : withDtype("mean", a, opts.dtype);
  const s = reduceWith(reduceSumP, f, axes, opts.keepdims);
  return bind1(divP, [s, scalarLike(countOf(a.shape, axes), s)], NO_PARAMS);
}

/** Variance from the float input, its axes and the count. */
function variance(fn: string, x: Array, axis: Axis, opts: VarOptions): Array {
  const a = floatOf(x);
  const axes = axesOf(fn, x, axis);
  const ddof = opts.ddof ?? 0;
  if (typeof ddof !== "number" || !Number.isFinite(ddof) || ddof < 0) {
    throw new ValueError(fn, `ddof must be a non-negative number, got ${describeValue(ddof)}`);
  }
  const n = countOf(x.shape, axes);
  if (n > 0 && n - ddof <= 0) {
    throw new ValueError(fn, `ddof=${ddof} leaves no degrees of freedom: only ${n} element(s) are reduced over axes ${JSON.stringify(axes)} of shape ${fmtShape(x.shape)} (ddof must be < ${n})`);
  }
  // Two passes (subtract the mean first): the one-pass E[x²] - E[x]² cancels catastrophically.
  const s = reduceWith(reduceSumP, a, axes, true);
  const m = bind1(divP, [s, scalarLike(n, s)], NO_PARAMS);
  const d = bind1(subP, [a, m], NO_PARAMS);
  const ss = reduceWith(reduceSumP, bind1(mulP, [d, d], NO_PARAMS), axes, opts.keepdims);
  return bind1(divP, [ss, scalarLike(n - ddof, ss)], NO_PARAMS);
}

/**
 * Variance over `axis`: `sum((x - mean)²) / (N - ddof)`. Integer inputs give float32.
 * @example
 * ```ts
 * np.var(np.array([1, 2, 3, 4]));              // 1.25
 * np.var(np.array([1, 2, 3, 4]), null, { ddof: 1 }); // 1.6666666
 * ```
 */
export function var_(x: ArrayLike, axis?: Axis, opts: VarOptions = {}): Array {
  return variance("var", asArray("var", x), axis, opts);
}

export { var_ as var };

/** Standard deviation over `axis`: `sqrt(var(x, axis, { ddof }))`. */
export function std(x: ArrayLike, axis?: Axis, opts: VarOptions = {}): Array {
  const v = variance("std", asArray("std", x), axis, opts);
  return bind1(sqrtP, [v], NO_PARAMS);
}

/** max/min over axes; `fn` names the public function in errors (`ptp` reuses this). */
function extremum(kind: "max" | "min", x: ArrayLike, axis: Axis, opts: ExtremumOptions, fn: string = kind): Array {
  const a = asArray(fn, x);
  const axes = axesOf(fn, a, axis);
  const empty = axes.find((ax) => a.shape[ax] === 0);
  if (opts.initial !== undefined && typeof opts.initial !== "number") {
    throw new ValueError(fn, `initial must be a number, got ${describeValue(opts.initial)}`);
  }
  if (empty !== undefined) {
    if (opts.initial === undefined) {
      throw new ValueError(
        fn,
        `zero-size array to reduction operation ${kind} which has no identity (axis ${empty} of shape ${fmtShape(a.shape)} is empty); pass { initial } or reduce over non-empty axes`,
      );
    }
    const shape = opts.keepdims ? keptDims(a.shape, axes) : a.shape.filter((_, i) => !axes.includes(i));
    return full(shape, opts.initial, { dtype: a.dtype });
  }
  const prim = a.dtype === "bool" ? (kind === "max" ? reduceOrP : reduceAndP) : kind === "max" ? reduceMaxP : reduceMinP;
  let y = reduceWith(prim, a, axes, opts.keepdims);
  if (opts.initial !== undefined) y = bind1(kind === "max" ? maxP : minP, [y, scalarLike(opts.initial, y)], NO_PARAMS);
  return y;
}

/**
 * Maximum over `axis`. NaN propagates; an empty reduction is a ValueError unless `initial` is given.
 * @example
 * ```ts
 * np.max(np.array([[1, 5], [3, 2]]), 0); // [3, 5]
 * ```
 */
export function max(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): Array {
  return extremum("max", x, axis, opts);
}

/** Minimum over `axis` (see {@link max}). */
export function min(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): Array {
  return extremum("min", x, axis, opts);
}

/** The same as {@link max}. */
export function amax(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): Array {
  return extremum("max", x, axis, opts);
}

/** The same as {@link min}. */
export function amin(x: ArrayLike, axis?: Axis, opts: ExtremumOptions = {}): Array {
  return extremum("min", x, axis, opts);
}

/** Peak to peak: `max - min` over `axis`. */
export function ptp(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = asArray("ptp", x);
  const hi = extremum("max", a, axis, opts, "ptp");
  const lo = extremum("min", a, axis, opts, "ptp");
  if (a.dtype === "bool") return bind1(neP, [hi, lo], NO_PARAMS);
  return bind1(subP, [hi, lo], NO_PARAMS);
}

function argExtremum(fn: "argmax" | "argmin", x: ArrayLike, axis: number | null | undefined, opts: ReduceOptions): Array {
  const a = asArray(fn, x);
  const prim = fn === "argmax" ? argmaxP : argminP;
  if (axis === null || axis === undefined) {
    if (a.size === 0) throw new ValueError(fn, `attempt to get ${fn} of an empty sequence (shape ${fmtShape(a.shape)})`);
    const flat = reshape(a, [a.size]);
    const r = bind1(prim, [flat], { axis: 0 });
    return opts.keepdims ? reshape(r, a.shape.map(() => 1)) : r;
  }
  if (typeof axis !== "number") throw new ValueError(fn, `axis must be a single integer or null, got ${describeValue(axis)}`);
  const ax = normalizeAxis(fn, axis, a.ndim);
  if (a.shape[ax] === 0) throw new ValueError(fn, `attempt to get ${fn} of an empty sequence (axis ${axis} of shape ${fmtShape(a.shape)} is empty)`);
  const r = bind1(prim, [a], { axis: ax });
  return opts.keepdims ? reshape(r, keptDims(a.shape, [ax])) : r;
}

/**
 * Index of the maximum along `axis` (of the flattened array when `axis` is null), as int32.
 * The first occurrence wins; NaN counts as the maximum.
 * @example
 * ```ts
 * np.argmax(np.array([[1, 5], [3, 2]]), 1); // int32 [1, 0]
 * np.argmax(np.array([[1, 5], [3, 2]]));    // int32 1
 * ```
 */
export function argmax(x: ArrayLike, axis?: number | null, opts: ReduceOptions = {}): Array {
  return argExtremum("argmax", x, axis, opts);
}

/** Index of the minimum along `axis` (see {@link argmax}). */
export function argmin(x: ArrayLike, axis?: number | null, opts: ReduceOptions = {}): Array {
  return argExtremum("argmin", x, axis, opts);
}

/**
 * True where every element over `axis` is truthy (nonzero); `all` of nothing is true.
 * @example
 * ```ts
 * np.all(np.array([[true, false], [true, true]]), 1); // [false, true]
 * ```
 */
export function all(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = asArray("all", x);
  return reduceWith(reduceAndP, toBool("all", a), axesOf("all", a, axis), opts.keepdims);
}

/** True where any element over `axis` is truthy; `any` of nothing is false. */
export function any(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = asArray("any", x);
  return reduceWith(reduceOrP, toBool("any", a), axesOf("any", a, axis), opts.keepdims);
}

/** Number of nonzero (truthy) elements over `axis`, as int32. */
export function countNonzero(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = asArray("countNonzero", x);
  const b = castTo(toBool("countNonzero", a), { dtype: "int32", weakType: false });
  return reduceWith(reduceSumP, b, axesOf("countNonzero", a, axis), opts.keepdims);
}

function cumulative(fn: string, prim: Primitive, x: ArrayLike, axis: number | null | undefined, dtype: DType | undefined): Array {
  const a0 = withDtype(fn, asArray(fn, x), dtype);
  if (axis === null || axis === undefined) return bind1(prim, [reshape(a0, [a0.size])], { axis: 0, reverse: false });
  if (typeof axis !== "number") throw new ValueError(fn, `axis must be a single integer or null, got ${describeValue(axis)}`);
  const ax = normalizeAxis(fn, axis, a0.ndim);
  return bind1(prim, [a0], { axis: ax, reverse: false });
}

/**
 * Cumulative sum along `axis` (over the flattened array when `axis` is null). bool gives int32.
 * @example
 * ```ts
 * np.cumsum(np.array([1, 2, 3])); // [1, 3, 6]
 * ```
 */
export function cumsum(x: ArrayLike, axis?: number | null, opts: { dtype?: DType } = {}): Array {
  return cumulative("cumsum", cumsumP, x, axis, opts.dtype);
}

/** Cumulative product along `axis` (over the flattened array when `axis` is null). */
export function cumprod(x: ArrayLike, axis?: number | null, opts: { dtype?: DType } = {}): Array {
  return cumulative("cumprod", cumprodP, x, axis, opts.dtype);
}

/** `x` with NaNs replaced by `v` (non-float inputs have no NaNs). */
function replaceNan(x: Array, v: number): Array {
  if (!isFloat(x.dtype)) return x;
  return bind1(selectP, [bind1(isNanP, [x], NO_PARAMS), scalarLike(v, x), x], NO_PARAMS);
}

/** Sum over `axis`, treating NaN as zero. */
export function nansum(x: ArrayLike, axis?: Axis, opts: SumOptions = {}): Array {
  return sum(replaceNan(asArray("nansum", x), 0), axis, opts);
}

/** Mean over `axis` ignoring NaNs (NaN where every element is NaN). */
export function nanmean(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = floatOf(asArray("nanmean", x));
  const axes = axesOf("nanmean", a, axis);
  const s = reduceWith(reduceSumP, replaceNan(a, 0), axes, opts.keepdims);
  const present = castTo(bind1(notP, [bind1(isNanP, [a], NO_PARAMS)], NO_PARAMS), { dtype: a.dtype, weakType: false });
  const n = reduceWith(reduceSumP, present, axes, opts.keepdims);
  return bind1(divP, [s, n], NO_PARAMS);
}

/**
 * `log(sum(exp(x)))` over `axis`, computed stably as `m + log(sum(exp(x - m)))` with `m` the max
 * (replaced by 0 where it is infinite, so rows of -inf give -inf and +inf gives +inf, not NaN).
 * @example
 * ```ts
 * np.logsumexp(np.array([1000, 1000])); // 1000.6931 (naively exp(1000) overflows)
 * ```
 */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: ReduceOptions = {}): Array {
  const a = floatOf(asArray("logsumexp", x));
  const axes = axesOf("logsumexp", a, axis);
  if (axes.some((ax) => a.shape[ax] === 0)) {
    // log(0) = -inf: the log-sum-exp of nothing, as scipy.
    const shape = opts.keepdims ? keptDims(a.shape, axes) : a.shape.filter((_, i) => !axes.includes(i));
    return full(shape, -Infinity, { dtype: a.dtype });
  }
  const m = reduceWith(reduceMaxP, a, axes, true);
  const finite = bind1(isFiniteP, [m], NO_PARAMS);
  const shift = bind1(selectP, [finite, m, scalarLike(0, m)], NO_PARAMS);
  const e = bind1(expP, [bind1(subP, [a, shift], NO_PARAMS)], NO_PARAMS);
  const s = reduceWith(reduceSumP, e, axes, true);
  const out = bind1(addP, [bind1(logP, [s], NO_PARAMS), shift], NO_PARAMS);
  return opts.keepdims ? out : reshape(out, a.shape.filter((_, i) => !axes.includes(i)));
}

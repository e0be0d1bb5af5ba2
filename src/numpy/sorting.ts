/**
 * @file Sorting, order statistics and closeness tests: `sort`, `argsort`, `unique` (eager only),
 * `median`, `isclose`, `allclose`, `arrayEqual`.
 *
 * `sort`/`argsort` are the `sort` primitive (stable, NaN last as NumPy), so they differentiate and
 * batch. `median` sorts and picks the middle, which also gives NumPy's NaN rule for free: NaNs
 * sort last, so the median is NaN exactly when the last sorted element is. `allclose` and
 * `arrayEqual` return a 0-d bool Array rather than a JS boolean, as JAX does, so they also work
 * inside `jit`; call `.item()` for a JS boolean.
 */
import type { Array, ArrayLike } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, type DType } from "../core/dtype.js";
import { ConcretizationError, fmtShape, ValueError } from "../core/errors.js";
import { broadcastShapes, normalizeAxes, normalizeAxis, shapeEqual, sizeOf } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { absP, add, andP, eq, isFiniteP, isNanP, le, mul, orP, select, sub } from "../primitives/elementwise.js";
import { sliceP } from "../primitives/movement.js";
import { reduceAndP } from "../primitives/reduce.js";
import { argsort as argsortPrim, sort as sortPrim } from "../primitives/sort.js";
import { broadcastTo, reshape, scalar, transpose } from "../primitives/util.js";
import { asArray, promoteArgs } from "./coerce.js";

/**
 * Sort along `axis` (the last by default; `null` sorts the flattened array). The sort is stable
 * and puts NaNs last, as NumPy does.
 *
 * @example
 * ```ts
 * sort(np.array([[3, 1, 2], [0, NaN, -1]])); // [[1, 2, 3], [-1, 0, NaN]]
 * sort(np.array([[3, 1], [2, 0]]), null);    // [0, 1, 2, 3]
 * ```
 */
export function sort(x: Array, axis: number | null = -1): Array {
  const a = asArray("sort", x);
  if (axis === null) return sortPrim(reshape(a, [a.size]), 0);
  return sortPrim(a, normalizeAxis("sort", axis, a.ndim));
}

/**
 * The int32 indices that sort `x` along `axis` (the last by default; `null` flattens). Stable:
 * equal elements keep their order. NaNs sort last.
 *
 * @example
 * ```ts
 * argsort(np.array([3, 1, 2, 1])); // [1, 3, 2, 0]
 * ```
 */
export function argsort(x: Array, axis: number | null = -1): Array {
  const a = asArray("argsort", x);
  if (axis === null) return argsortPrim(reshape(a, [a.size]), 0);
  return argsortPrim(a, normalizeAxis("argsort", axis, a.ndim));
}

/** Options of {@link unique}: which extra arrays to return. */
export interface UniqueOptions {
  /** Also return the index of the first occurrence of each unique value in the flattened input. */
  returnIndex?: boolean;
  /** Also return, for every input element, the index of its value in `values` (shaped as the input). */
  returnInverse?: boolean;
  /** Also return how many times each unique value occurs. */
  returnCounts?: boolean;
}

/** Result of {@link unique} with options: `values` plus the arrays that were asked for (all int32). */
export interface UniqueResult {
  /** The sorted unique values (1-D, the input's dtype). */
  values: Array;
  /** First-occurrence indices into the flattened input (with `returnIndex`). */
  indices?: Array;
  /** Indices into `values` reconstructing the input, with the input's shape (with `returnInverse`). */
  inverse?: Array;
  /** Occurrence counts (with `returnCounts`). */
  counts?: Array;
}

/**
 * The sorted unique elements of `x` (flattened), eager only. All NaNs collapse into one NaN at the
 * end, as NumPy ≥ 1.21 does. Called with an options object it returns a {@link UniqueResult}
 * holding `values` and whichever of `indices`, `inverse` and `counts` were requested (NumPy
 * returns a tuple; named fields read better in TypeScript). `inverse` has the input's shape, so
 * `take(values, inverse)` rebuilds the input (NumPy 2 / JAX behaviour).
 *
 * @throws ConcretizationError inside a transformation (the result's size depends on the data).
 * @example
 * ```ts
 * unique(np.array([3, 1, 3, NaN, 2, NaN]));                    // [1, 2, 3, NaN]
 * unique(np.array([2, 1, 2]), { returnCounts: true }).counts;  // [1, 2]
 * ```
 */
export function unique(x: Array): Array;
export function unique(x: Array, opts: UniqueOptions): UniqueResult;
export function unique(x: Array, opts?: UniqueOptions): Array | UniqueResult {
  const a = asArray("unique", x);
  if (!(a instanceof ConcreteArray)) {
    throw new ConcretizationError(
      "unique",
      `unique is eager only: the number of unique values of a traced array (shape ${fmtShape(a.shape)}, ${a.dtype}) is not known while tracing, so neither is the result's shape; call it outside jit/vmap/grad`,
    );
  }
  const data = ConcreteArray.dataOf(a);
  const n = data.length;
  const order = globalThis.Array.from({ length: n }, (_, i) => i);
  const cmp = (p: number, q: number): number => {
    const u = data[p]!;
    const v = data[q]!;
    if (u !== u) return v !== v ? p - q : 1;
    if (v !== v) return -1;
    return u < v ? -1 : u > v ? 1 : p - q;
  };
  order.sort(cmp);
  const same = (u: number, v: number) => u === v || (u !== u && v !== v);
  const firsts: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (k === 0 || !same(data[order[k - 1]!]!, data[i]!)) {
      firsts.push(i);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[i] = firsts.length - 1;
  }
  const vals = allocate(a.dtype, firsts.length);
  firsts.forEach((i, k) => (vals[k] = data[i]!));
  const values = new ConcreteArray(vals, [firsts.length], a.dtype);
  if (opts === undefined) return values;
  const out: UniqueResult = { values };
  if (opts.returnIndex) out.indices = new ConcreteArray(Int32Array.from(firsts), [firsts.length], "int32");
  if (opts.returnInverse) out.inverse = new ConcreteArray(inverse, a.shape, "int32");
  if (opts.returnCounts) out.counts = new ConcreteArray(Int32Array.from(counts), [counts.length], "int32");
  return out;
}

/** Options of {@link median}. */
export interface MedianOptions {
  /** Keep the reduced axes as size-1 dimensions. */
  keepdims?: boolean;
}

/**
 * The median over `axis` (all axes by default; a number or a list), computed by sorting. The
 * median of an even count is the mean of the two middle values; it is NaN when any reduced
 * element is NaN (and for an empty reduction). Integer and bool inputs give float32.
 *
 * @example
 * ```ts
 * median(np.array([3, 1, 4, 2]));             // 2.5
 * median(np.array([[1, 5, 2], [8, 7, 9]]), 1); // [2, 8]
 * ```
 */
export function median(x: Array, axis: number | readonly number[] | null = null, opts: MedianOptions = {}): Array {
  const fn = "median";
  const [a] = promoteArgs(fn, [x], { minFloat: true });
  const arr = a!;
  const axes = normalizeAxes(fn, axis, arr.ndim);
  const rest = arr.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const restShape = rest.map((i) => arr.shape[i]!);
  const m = sizeOf(axes.map((i) => arr.shape[i]!));
  const outShape = opts.keepdims ? arr.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : restShape;
  if (m === 0) return broadcastTo(scalar(NaN, arr.dtype), outShape);
  // Gather the reduced axes into one trailing axis and sort it.
  const flat = reshape(transpose(arr, [...rest, ...axes]), [...restShape, m]);
  const sorted = sortPrim(flat, restShape.length);
  const pick = (lo: number, hi: number) => {
    const start = [...restShape.map(() => 0), lo];
    const limit = [...restShape, hi];
    return bind1(sliceP, [sorted], { start, limit, strides: start.map(() => 1) });
  };
  const h = Math.floor(m / 2);
  const mid = m % 2 === 1 ? pick(h, h + 1) : mul(add(pick(h - 1, h), pick(h, h + 1)), 0.5);
  const last = pick(m - 1, m);
  const med = select(bind1(isNanP, [last], {}), last, mid);
  return reshape(med, outShape);
}

/** Options of {@link isclose} and {@link allclose}. */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Treat NaNs in the same position as equal (default false). */
  equalNan?: boolean;
}

function closeTolerances(fn: string, opts: CloseOptions): { rtol: number; atol: number; equalNan: boolean } {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  for (const [name, v] of [["rtol", rtol], ["atol", atol]] as const) {
    if (typeof v !== "number" || !(v >= 0)) throw new ValueError(fn, `${name} must be a non-negative number, got ${String(v)}`);
  }
  return { rtol, atol, equalNan };
}

function closeMask(fn: string, a: ArrayLike, b: ArrayLike, opts: CloseOptions): Array {
  const { rtol, atol, equalNan } = closeTolerances(fn, opts);
  const [x, y] = promoteArgs(fn, [a, b], { minFloat: true });
  broadcastShapes(fn, x!.shape, y!.shape);
  const and = (p: Array, q: Array) => bind1(andP, [p, q], {});
  const or = (p: Array, q: Array) => bind1(orP, [p, q], {});
  const diff = bind1(absP, [sub(x!, y!)], {});
  const tol = add(mul(bind1(absP, [y!], {}), rtol), atol);
  // |x - y| <= atol + rtol |y| for finite values; infinities are close only to themselves.
  const finite = and(bind1(isFiniteP, [x!], {}), bind1(isFiniteP, [y!], {}));
  let close = or(and(finite, le(diff, tol)), eq(x!, y!));
  if (equalNan) close = or(close, and(bind1(isNanP, [x!], {}), bind1(isNanP, [y!], {})));
  return close;
}

/**
 * Elementwise `|a - b| <= atol + rtol * |b|` (bool, broadcast), NumPy's asymmetric test.
 * Infinities are close only to an infinity of the same sign; NaNs are close to nothing unless
 * `equalNan`.
 *
 * @example
 * ```ts
 * isclose(np.array([1, 1.1, NaN]), np.array([1 + 1e-7, 1, NaN]), { equalNan: true }); // [true, false, true]
 * ```
 */
export function isclose(a: ArrayLike, b: ArrayLike, opts: CloseOptions = {}): Array {
  return closeMask("isclose", a, b, opts);
}

function allOf(mask: Array): Array {
  return mask.ndim === 0 ? mask : bind1(reduceAndP, [mask], { axes: mask.shape.map((_, i) => i) });
}

/**
 * True (a 0-d bool Array) when every pair of elements is {@link isclose}. Shapes must broadcast.
 *
 * @example
 * ```ts
 * allclose(np.array([1, 2]), np.array([1, 2 + 1e-6])).item(); // true
 * ```
 */
export function allclose(a: ArrayLike, b: ArrayLike, opts: CloseOptions = {}): Array {
  return allOf(closeMask("allclose", a, b, opts));
}

/**
 * True (a 0-d bool Array) when `a` and `b` have the same shape and equal elements (NaN ≠ NaN
 * unless `equalNan`). Different shapes give false rather than an error, as NumPy.
 *
 * @example
 * ```ts
 * arrayEqual(np.array([1, 2]), np.array([1, 2])).item(); // true
 * arrayEqual(np.array([1, 2]), np.array([1])).item();    // false
 * ```
 */
export function arrayEqual(a: ArrayLike, b: ArrayLike, opts: { equalNan?: boolean } = {}): Array {
  const fn = "arrayEqual";
  const xa = asArray(fn, a);
  const xb = asArray(fn, b);
  if (!shapeEqual(xa.shape, xb.shape)) return scalar(0, "bool" as DType);
  const [x, y] = promoteArgs(fn, [xa, xb]);
  let eqMask = eq(x!, y!);
  if (opts.equalNan && (x!.dtype === "float32" || x!.dtype === "float64")) {
    eqMask = bind1(orP, [eqMask, bind1(andP, [bind1(isNanP, [x!], {}), bind1(isNanP, [y!], {})], {})], {});
  }
  return allOf(eqMask);
}

/**
 * @file Shape manipulation: `reshape ravel transpose swapaxes moveaxis expandDims squeeze
 * broadcastTo broadcastArrays concatenate stack hstack vstack dstack split arraySplit tile repeat
 * flip roll pad atleast1d/2d/3d astype`.
 *
 * All are built from the movement primitives (`reshape`, `transpose`, `broadcast_in_dim`,
 * `concatenate`, `slice`, `rev`, `pad`) and `gather`, so they are differentiable and batchable.
 * Shape arguments are static JS values, validated here with messages that name the function.
 */
import { Array, type ArrayLike, type Axis } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import type { DType } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { broadcastAll, normalizeAxes, normalizeAxis, shapeEqual, sizeOf } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { convertP } from "../primitives/elementwise.js";
import { gather } from "../primitives/indexing.js";
import { broadcastInDimP, concatenateP, padP, revP, sliceP } from "../primitives/movement.js";
import { broadcastTo as broadcastPrim, moveAxis, reshape as reshapePrim, transpose as transposePrim } from "../primitives/util.js";
import { asArray, promoteArgs } from "./coerce.js";
import { checkBroadcastTo, checkDType, checkShapeArg, describeValue } from "./creation.js";

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/** A list of integers from a number or a list, validated under `fn`'s name. */
function intList(fn: string, name: string, v: unknown): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!globalThis.Array.isArray(list) || !list.every(isInt)) {
    throw new ValueError(fn, `${name} must be an integer or a list of integers, got ${describeValue(v)}${globalThis.Array.isArray(v) ? ` ${JSON.stringify(v)}` : ""}`);
  }
  return [...list];
}

// ---------------------------------------------------------------------------------------------
// reshape and axis permutations

/**
 * The same elements with a new shape (row-major). One entry may be -1: it is inferred from the
 * size. Concrete arrays share their (immutable) storage: reshaping copies nothing.
 * @example
 * ```ts
 * np.reshape(np.arange(6), [2, -1]); // shape [2, 3]
 * ```
 */
export function reshape(x: ArrayLike, shape: number | readonly number[]): Array {
  const fn = "reshape";
  const a = asArray(fn, x);
  const s = intList(fn, "shape", shape);
  const unknown = s.reduce<number[]>((acc, d, i) => (d === -1 ? [...acc, i] : acc), []);
  const bad = s.find((d) => d < -1);
  if (bad !== undefined) throw new ValueError(fn, `shape entries must be non-negative (or -1 once), got ${fmtShape(s)}`);
  if (unknown.length > 1) throw new ValueError(fn, `only one dimension can be -1 (inferred), got ${fmtShape(s)}`);
  if (unknown.length === 1) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || a.size % known !== 0) {
      throw new ShapeError(fn, `cannot reshape an array of shape ${fmtShape(a.shape)} (size ${a.size}) into shape ${fmtShape(s)}: the size is not a multiple of ${known}`);
    }
    s[unknown[0]!] = a.size / known;
  }
  if (sizeOf(s) !== a.size) {
    throw new ShapeError(fn, `cannot reshape an array of shape ${fmtShape(a.shape)} (size ${a.size}) into shape ${fmtShape(s)} (size ${sizeOf(s)})`);
  }
  return reshapePrim(a, s);
}

/** The elements as a 1-D array (row-major). */
export function ravel(x: ArrayLike): Array {
  const a = asArray("ravel", x);
  return reshapePrim(a, [a.size]);
}

/**
 * Permute axes: output axis `i` is input axis `axes[i]` (negative axes count from the end).
 * Reverses the axes by default.
 * @example
 * ```ts
 * np.transpose(np.zeros([2, 3, 4]), [1, 0, 2]).shape; // [3, 2, 4]
 * ```
 */
export function transpose(x: ArrayLike, axes?: readonly number[] | null): Array {
  const fn = "transpose";
  const a = asArray(fn, x);
  if (axes === undefined || axes === null) return transposePrim(a, a.shape.map((_, i) => a.ndim - 1 - i));
  const list = intList(fn, "axes", axes);
  if (list.length !== a.ndim) {
    throw new ValueError(fn, `axes ${JSON.stringify(list)} must list each of the ${a.ndim} axes of shape ${fmtShape(a.shape)} exactly once`);
  }
  const perm = list.map((ax) => normalizeAxis(fn, ax, a.ndim));
  if (new Set(perm).size !== perm.length) throw new ValueError(fn, `axes ${JSON.stringify(list)} repeat an axis; expected a permutation of 0..${a.ndim - 1}`);
  return transposePrim(a, perm);
}

/** Swap two axes. */
export function swapaxes(x: ArrayLike, axis1: number, axis2: number): Array {
  const a = asArray("swapaxes", x);
  const i = normalizeAxis("swapaxes", axis1, a.ndim);
  const j = normalizeAxis("swapaxes", axis2, a.ndim);
  const perm = a.shape.map((_, k) => k);
  perm[i] = j;
  perm[j] = i;
  return transposePrim(a, perm);
}

/**
 * Move axes to new positions; the other axes keep their order.
 * @example
 * ```ts
 * np.moveaxis(np.zeros([2, 3, 4]), 0, -1).shape; // [3, 4, 2]
 * ```
 */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): Array {
  const fn = "moveaxis";
  const a = asArray(fn, x);
  const src = intList(fn, "source", source).map((s) => normalizeAxis(fn, s, a.ndim));
  const dst = intList(fn, "destination", destination).map((d) => normalizeAxis(fn, d, a.ndim));
  if (src.length !== dst.length) {
    throw new ValueError(fn, `source ${JSON.stringify(source)} and destination ${JSON.stringify(destination)} must have the same number of axes`);
  }
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length) {
    throw new ValueError(fn, `repeated axis in source ${JSON.stringify(source)} or destination ${JSON.stringify(destination)}`);
  }
  const rest = a.shape.map((_, i) => i).filter((i) => !src.includes(i));
  const perm = new globalThis.Array<number>(a.ndim);
  const pairs = src.map((s, k) => [dst[k]!, s] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of pairs) perm[d] = s;
  let r = 0;
  for (let i = 0; i < a.ndim; i++) if (perm[i] === undefined) perm[i] = rest[r++]!;
  return transposePrim(a, perm);
}

/**
 * Insert size-1 axes at the given positions of the result.
 * @example
 * ```ts
 * np.expandDims(np.zeros([3]), 0).shape;       // [1, 3]
 * np.expandDims(np.zeros([3]), [0, -1]).shape; // [1, 3, 1]
 * ```
 */
export function expandDims(x: ArrayLike, axis: number | readonly number[]): Array {
  const fn = "expandDims";
  const a = asArray(fn, x);
  const list = intList(fn, "axis", axis);
  const outNdim = a.ndim + list.length;
  const axes = normalizeAxes(fn, list, outNdim);
  const shape: number[] = [];
  for (let i = 0, k = 0; i < outNdim; i++) shape.push(axes.includes(i) ? 1 : a.shape[k++]!);
  return reshapePrim(a, shape);
}

/**
 * Remove size-1 axes: all of them by default, or the given ones (which must have size 1).
 * @example
 * ```ts
 * np.squeeze(np.zeros([1, 3, 1])).shape;    // [3]
 * np.squeeze(np.zeros([1, 3, 1]), 0).shape; // [3, 1]
 * ```
 */
export function squeeze(x: ArrayLike, axis?: Axis): Array {
  const fn = "squeeze";
  const a = asArray(fn, x);
  let axes: number[];
  if (axis === null || axis === undefined) axes = a.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    axes = normalizeAxes(fn, intList(fn, "axis", axis), a.ndim);
    const bad = axes.find((ax) => a.shape[ax] !== 1);
    if (bad !== undefined) {
      throw new ValueError(fn, `cannot squeeze axis ${bad}: it has size ${a.shape[bad]} in shape ${fmtShape(a.shape)}, and only size-1 axes can be removed`);
    }
  }
  return reshapePrim(a, a.shape.filter((_, i) => !axes.includes(i)));
}

// ---------------------------------------------------------------------------------------------
// broadcasting

/**
 * Broadcast to `shape` with NumPy's rules (align from the right; size-1 axes stretch; new
 * leading axes are added). Only the result is materialized, never the input repeated by hand.
 * @example
 * ```ts
 * np.broadcastTo(np.array([1, 2, 3]), [2, 3]); // [[1, 2, 3], [1, 2, 3]]
 * ```
 */
export function broadcastTo(x: ArrayLike, shape: number | readonly number[]): Array {
  const a = asArray("broadcastTo", x);
  const s = checkShapeArg("broadcastTo", shape);
  checkBroadcastTo("broadcastTo", a.shape, s);
  return broadcastPrim(a, s);
}

/** The broadcast shape of several shapes (NumPy's `broadcast_shapes`). */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const list = shapes.map((s) => checkShapeArg("broadcastShapes", s));
  return [...broadcastAll("broadcastShapes", list)];
}

/**
 * Broadcast arrays against each other (their dtypes are kept).
 * @example
 * ```ts
 * const [a, b] = np.broadcastArrays(np.zeros([3, 1]), np.zeros([4]));
 * a.shape; // [3, 4]
 * ```
 */
export function broadcastArrays(...xs: ArrayLike[]): Array[] {
  const arrays = xs.map((x) => asArray("broadcastArrays", x));
  const shape = broadcastAll("broadcastArrays", arrays.map((a) => a.shape));
  return arrays.map((a) => broadcastPrim(a, shape));
}

// ---------------------------------------------------------------------------------------------
// joining

function checkList(fn: string, arrays: unknown): ArrayLike[] {
  if (!globalThis.Array.isArray(arrays)) {
    throw new ValueError(fn, `expected a list of arrays, got ${describeValue(arrays)}`);
  }
  if (arrays.length === 0) throw new ValueError(fn, "need at least one array");
  return arrays as ArrayLike[];
}

/** Join arrays along an existing axis: promote to one dtype, check the other axes agree. */
function concat(fn: string, arrays: Array[], axis: number): Array {
  const first = arrays[0]!;
  if (first.ndim === 0) throw new ValueError(fn, "zero-dimensional arrays cannot be concatenated (use stack)");
  const ax = normalizeAxis(fn, axis, first.ndim);
  arrays.forEach((a, i) => {
    if (a.ndim !== first.ndim) {
      throw new ShapeError(fn, `all arrays must have the same number of dimensions, but array 0 has shape ${fmtShape(first.shape)} and array ${i} has shape ${fmtShape(a.shape)}`);
    }
    if (a.shape.some((d, k) => k !== ax && d !== first.shape[k])) {
      throw new ShapeError(fn, `shapes must match except on axis ${axis}, but array 0 has shape ${fmtShape(first.shape)} and array ${i} has shape ${fmtShape(a.shape)}`);
    }
  });
  const promoted = arrays.length === 1 ? arrays : (promoteArgs(fn, arrays) as Array[]);
  return promoted.length === 1 ? promoted[0]! : bind1(concatenateP, promoted, { axis: ax });
}

/**
 * Join arrays along an existing axis (the flattened arrays when `axis` is null). Dtypes are
 * promoted as for arithmetic.
 * @example
 * ```ts
 * np.concatenate([np.zeros([2, 3]), np.ones([1, 3])]).shape;    // [3, 3]
 * np.concatenate([np.zeros([2, 3]), np.ones([2, 1])], 1).shape; // [2, 4]
 * ```
 */
export function concatenate(arrays: readonly ArrayLike[], axis: number | null = 0): Array {
  const fn = "concatenate";
  const list = checkList(fn, arrays).map((x) => asArray(fn, x));
  if (axis === null) return concat(fn, list.map((a) => reshapePrim(a, [a.size])), 0);
  return concat(fn, list, axis);
}

/**
 * Join arrays of one shape along a new axis.
 * @example
 * ```ts
 * np.stack([np.zeros([3]), np.ones([3])]).shape;     // [2, 3]
 * np.stack([np.zeros([3]), np.ones([3])], 1).shape;  // [3, 2]
 * ```
 */
export function stack(arrays: readonly ArrayLike[], axis: number = 0): Array {
  const fn = "stack";
  const list = checkList(fn, arrays).map((x) => asArray(fn, x));
  const s0 = list[0]!.shape;
  list.forEach((a, i) => {
    if (!shapeEqual(a.shape, s0)) {
      throw new ShapeError(fn, `all input arrays must have the same shape, but array 0 has shape ${fmtShape(s0)} and array ${i} has shape ${fmtShape(a.shape)}`);
    }
  });
  const ax = normalizeAxis(fn, axis, s0.length + 1);
  const shape = [...s0.slice(0, ax), 1, ...s0.slice(ax)];
  return concat(fn, list.map((a) => reshapePrim(a, shape)), ax);
}

/** View as at least 1-D: a scalar becomes shape [1]. */
export function atleast1d(x: ArrayLike): Array {
  const a = asArray("atleast1d", x);
  return a.ndim >= 1 ? a : reshapePrim(a, [1]);
}

/** View as at least 2-D: [] → [1, 1], [n] → [1, n]. */
export function atleast2d(x: ArrayLike): Array {
  const a = asArray("atleast2d", x);
  return a.ndim >= 2 ? a : reshapePrim(a, a.ndim === 0 ? [1, 1] : [1, a.shape[0]!]);
}

/** View as at least 3-D: [] → [1, 1, 1], [n] → [1, n, 1], [m, n] → [m, n, 1]. */
export function atleast3d(x: ArrayLike): Array {
  const a = asArray("atleast3d", x);
  if (a.ndim >= 3) return a;
  const shape = a.ndim === 0 ? [1, 1, 1] : a.ndim === 1 ? [1, a.shape[0]!, 1] : [...a.shape, 1];
  return reshapePrim(a, shape);
}

/** Stack horizontally: along axis 1, or axis 0 for 1-D arrays. */
export function hstack(arrays: readonly ArrayLike[]): Array {
  const list = checkList("hstack", arrays).map((x) => atleast1d(asArray("hstack", x)));
  return concat("hstack", list, list[0]!.ndim === 1 ? 0 : 1);
}

/** Stack vertically: along axis 0 after making every array at least 2-D. */
export function vstack(arrays: readonly ArrayLike[]): Array {
  const list = checkList("vstack", arrays).map((x) => atleast2d(asArray("vstack", x)));
  return concat("vstack", list, 0);
}

/** Stack depth-wise: along axis 2 after making every array at least 3-D. */
export function dstack(arrays: readonly ArrayLike[]): Array {
  const list = checkList("dstack", arrays).map((x) => atleast3d(asArray("dstack", x)));
  return concat("dstack", list, 2);
}

// ---------------------------------------------------------------------------------------------
// splitting

/** `x[start:stop]` along one axis (stop >= start, both in range). */
function sliceAxis(x: Array, axis: number, start: number, stop: number): Array {
  if (start === 0 && stop === x.shape[axis]) return x;
  const s = x.shape.map(() => 0);
  const l = [...x.shape];
  s[axis] = start;
  l[axis] = stop;
  return bind1(sliceP, [x], { start: s, limit: l, strides: x.shape.map(() => 1) });
}

function splitImpl(fn: string, x: ArrayLike, indicesOrSections: number | readonly number[], axis: number, equal: boolean): Array[] {
  const a = asArray(fn, x);
  if (a.ndim === 0) throw new ValueError(fn, "cannot split a zero-dimensional array");
  const ax = normalizeAxis(fn, axis, a.ndim);
  const n = a.shape[ax]!;
  let bounds: number[];
  if (typeof indicesOrSections === "number") {
    const k = indicesOrSections;
    if (!isInt(k) || k <= 0) throw new ValueError(fn, `the number of sections must be a positive integer, got ${describeValue(k)}`);
    if (equal && n % k !== 0) {
      throw new ValueError(fn, `array split does not result in an equal division: axis ${axis} of size ${n} into ${k} sections (use arraySplit for unequal parts)`);
    }
    // arraySplit: the first n % k parts get one extra element.
    const base = Math.floor(n / k);
    const extra = n % k;
    bounds = [0];
    for (let i = 0; i < k; i++) bounds.push(bounds[i]! + base + (i < extra ? 1 : 0));
  } else {
    const idx = intList(fn, "indices", indicesOrSections);
    // Python slice semantics: negative indices count from the end, out-of-range ones clamp.
    const clampIdx = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
    bounds = [0, ...idx.map(clampIdx), n];
  }
  const parts: Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i]!;
    const hi = Math.max(lo, bounds[i + 1]!);
    parts.push(sliceAxis(a, ax, lo, hi));
  }
  return parts;
}

/**
 * Split into equal sections (a number that must divide the axis) or at the given indices.
 * @example
 * ```ts
 * np.split(np.arange(6), 3);      // [[0, 1], [2, 3], [4, 5]]
 * np.split(np.arange(6), [1, 4]); // [[0], [1, 2, 3], [4, 5]]
 * ```
 */
export function split(x: ArrayLike, indicesOrSections: number | readonly number[], axis: number = 0): Array[] {
  return splitImpl("split", x, indicesOrSections, axis, true);
}

/** Like {@link split}, but a number of sections need not divide the axis (earlier parts are one longer). */
export function arraySplit(x: ArrayLike, indicesOrSections: number | readonly number[], axis: number = 0): Array[] {
  return splitImpl("arraySplit", x, indicesOrSections, axis, false);
}

// ---------------------------------------------------------------------------------------------
// repetition

/**
 * Repeat the whole array `reps` times along each axis (NumPy's `tile`: `reps` and the shape are
 * aligned from the right, padding the shorter one with 1s).
 * @example
 * ```ts
 * np.tile(np.array([1, 2]), 2);      // [1, 2, 1, 2]
 * np.tile(np.array([1, 2]), [2, 1]); // [[1, 2], [1, 2]]
 * ```
 */
export function tile(x: ArrayLike, reps: number | readonly number[]): Array {
  const fn = "tile";
  const a = asArray(fn, x);
  const r0 = intList(fn, "reps", reps);
  if (r0.some((r) => r < 0)) throw new ValueError(fn, `reps must be non-negative, got ${JSON.stringify(r0)}`);
  const d = Math.max(a.ndim, r0.length);
  const shape = [...new globalThis.Array<number>(d - a.ndim).fill(1), ...a.shape];
  const r = [...new globalThis.Array<number>(d - r0.length).fill(1), ...r0];
  // Broadcast [s0, s1, ...] into [r0, s0, r1, s1, ...], then merge each pair.
  const inter = shape.flatMap((s, i) => [r[i]!, s]);
  const b = bind1(broadcastInDimP, [reshapePrim(a, shape)], { shape: inter, broadcastDimensions: shape.map((_, i) => 2 * i + 1) });
  return reshapePrim(b, shape.map((s, i) => s * r[i]!));
}

/** Gather along `axis` at static positions `idx` (a constant index array). */
function takeStatic(x: Array, axis: number, idx: readonly number[]): Array {
  const front = moveAxis(x, axis, 0);
  const index = new ConcreteArray(Int32Array.from(idx), [idx.length, 1], "int32");
  return moveAxis(gather(front, index), 0, axis);
}

/**
 * Repeat each element `repeats` times along `axis` (of the flattened array when `axis` is
 * null). `repeats` is a number, or one count per element along the axis.
 * @example
 * ```ts
 * np.repeat(np.array([1, 2]), 2);                 // [1, 1, 2, 2]
 * np.repeat(np.array([[1, 2], [3, 4]]), [1, 2], 0); // [[1, 2], [3, 4], [3, 4]]
 * ```
 */
export function repeat(x: ArrayLike, repeats: number | readonly number[], axis: number | null = null): Array {
  const fn = "repeat";
  let a = asArray(fn, x);
  if (axis === null || axis === undefined) {
    a = reshapePrim(a, [a.size]);
    axis = 0;
  }
  const ax = normalizeAxis(fn, axis, a.ndim);
  const n = a.shape[ax]!;
  const reps = intList(fn, "repeats", repeats);
  if (reps.some((r) => r < 0)) throw new ValueError(fn, `repeats must be non-negative, got ${JSON.stringify(repeats)}`);
  if (typeof repeats === "number" || reps.length === 1) {
    const k = reps[0]!;
    // [.., n, ..] → [.., n, k, ..] by broadcasting, then merge the pair.
    const wide = [...a.shape.slice(0, ax + 1), k, ...a.shape.slice(ax + 1)];
    const dims = a.shape.map((_, i) => (i <= ax ? i : i + 1));
    const b = bind1(broadcastInDimP, [a], { shape: wide, broadcastDimensions: dims });
    return reshapePrim(b, a.shape.map((d, i) => (i === ax ? d * k : d)));
  }
  if (reps.length !== n) {
    throw new ValueError(fn, `repeats has ${reps.length} entries but axis ${axis} of shape ${fmtShape(a.shape)} has ${n} elements (give one count per element, or a single number)`);
  }
  const idx: number[] = [];
  reps.forEach((r, i) => {
    for (let j = 0; j < r; j++) idx.push(i);
  });
  return takeStatic(a, ax, idx);
}

// ---------------------------------------------------------------------------------------------
// reordering

/**
 * Reverse the order of elements along `axis` (every axis by default).
 * @example
 * ```ts
 * np.flip(np.array([1, 2, 3])); // [3, 2, 1]
 * ```
 */
export function flip(x: ArrayLike, axis?: Axis): Array {
  const a = asArray("flip", x);
  const axes = normalizeAxes("flip", axis, a.ndim);
  return axes.length === 0 ? a : bind1(revP, [a], { axes });
}

/** Reverse the columns (axis 1); needs at least 2 dimensions. */
export function fliplr(x: ArrayLike): Array {
  const a = asArray("fliplr", x);
  if (a.ndim < 2) throw new ValueError("fliplr", `expected at least 2 dimensions, got shape ${fmtShape(a.shape)}`);
  return bind1(revP, [a], { axes: [1] });
}

/** Reverse the rows (axis 0); needs at least 1 dimension. */
export function flipud(x: ArrayLike): Array {
  const a = asArray("flipud", x);
  if (a.ndim < 1) throw new ValueError("flipud", `expected at least 1 dimension, got shape ${fmtShape(a.shape)}`);
  return bind1(revP, [a], { axes: [0] });
}

/**
 * Shift elements cyclically by `shift` along `axis` (the flattened array when `axis` is null):
 * elements pushed past the end come back at the start.
 * @example
 * ```ts
 * np.roll(np.array([1, 2, 3, 4]), 1); // [4, 1, 2, 3]
 * ```
 */
export function roll(x: ArrayLike, shift: number | readonly number[], axis?: Axis): Array {
  const fn = "roll";
  const a = asArray(fn, x);
  const shifts = intList(fn, "shift", shift);
  if (axis === null || axis === undefined) {
    if (shifts.length !== 1) throw new ValueError(fn, `a list of shifts needs a matching list of axes, got shift ${JSON.stringify(shift)} and no axis`);
    return reshapePrim(roll(reshapePrim(a, [a.size]), shifts[0]!, 0), a.shape);
  }
  const axes = intList(fn, "axis", axis).map((ax) => normalizeAxis(fn, ax, a.ndim));
  let sh = shifts;
  if (sh.length === 1 && axes.length > 1) sh = axes.map(() => shifts[0]!);
  if (sh.length !== axes.length) {
    throw new ValueError(fn, `shift ${JSON.stringify(shift)} and axis ${JSON.stringify(axis)} must have the same length (or shift be a single number)`);
  }
  let out = a;
  axes.forEach((ax, i) => {
    const n = out.shape[ax]!;
    if (n === 0) return;
    const k = ((sh[i]! % n) + n) % n;
    if (k === 0) return;
    out = bind1(concatenateP, [sliceAxis(out, ax, n - k, n), sliceAxis(out, ax, 0, n - k)], { axis: ax });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// padding

/** How `pad` fills the border. */
export type PadMode = "constant" | "edge" | "reflect" | "symmetric" | "wrap";

/** Options of {@link pad}. */
export interface PadOptions {
  /**
   * `"constant"` (default): a fixed value; `"edge"`: repeat the edge; `"reflect"`: mirror without
   * repeating the edge; `"symmetric"`: mirror including the edge; `"wrap"`: periodic.
   */
  mode?: PadMode;
  /** The value of `"constant"` padding (0 by default). */
  constantValues?: number | boolean;
}

/** Pad widths as NumPy accepts them: n, [n], [before, after], [[b, a]] or one [b, a] per axis. */
export type PadWidth = number | readonly number[] | readonly (readonly number[])[];

function padPairs(fn: string, width: PadWidth, ndim: number, shape: readonly number[]): [number, number][] {
  const fail = (): never => {
    throw new ValueError(
      fn,
      `padWidth must be n, [n], [before, after], or one [before, after] per axis (${ndim} axes for shape ${fmtShape(shape)}), with non-negative integers; got ${JSON.stringify(width)}`,
    );
  };
  const pair = (p: unknown): [number, number] => {
    if (isInt(p)) return [p, p];
    if (globalThis.Array.isArray(p) && p.every(isInt) && (p.length === 1 || p.length === 2)) return [p[0], p[p.length - 1]];
    return fail();
  };
  let pairs: [number, number][];
  if (isInt(width)) pairs = shape.map(() => [width, width]);
  else if (!globalThis.Array.isArray(width)) pairs = fail();
  else if (width.every(isInt)) {
    if (width.length !== 1 && width.length !== 2) pairs = fail();
    else pairs = shape.map(() => pair(width));
  } else if (width.length === 1) pairs = shape.map(() => pair(width[0]));
  else if (width.length === ndim) pairs = width.map(pair);
  else pairs = fail();
  if (pairs.some(([b, e]) => b < 0 || e < 0)) fail();
  return pairs;
}

/** Source index along an axis of size `n` for padded position `i` (may be outside [0, n)). */
function sourceIndex(mode: Exclude<PadMode, "constant">, i: number, n: number): number {
  switch (mode) {
    case "edge":
      return Math.min(n - 1, Math.max(0, i));
    case "wrap":
      return ((i % n) + n) % n;
    case "reflect": {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    }
    case "symmetric": {
      const p = 2 * n;
      const m = ((i % p) + p) % p;
      return m < n ? m : p - 1 - m;
    }
  }
}

/**
 * Pad an array. Widths are given as NumPy does (`n`, `[before, after]`, or per axis); `mode` is
 * positional as in JAX (`np.pad(x, 1, "edge")`) or may be given in the options.
 * @param x - the array.
 * @param padWidth - padding before and after each axis.
 * @param mode - `"constant"` (default), `"edge"`, `"reflect"`, `"symmetric"` or `"wrap"`; or the options.
 * @param opts - `constantValues` for `"constant"` mode.
 * @example
 * ```ts
 * np.pad(np.array([1, 2, 3]), 1);                      // [0, 1, 2, 3, 0]
 * np.pad(np.array([1, 2, 3]), [2, 1], "reflect");      // [3, 2, 1, 2, 3, 2]
 * np.pad(np.array([1, 2]), 1, { constantValues: 9 });  // [9, 1, 2, 9]
 * ```
 */
export function pad(x: ArrayLike, padWidth: PadWidth, mode: PadMode | PadOptions = "constant", opts: PadOptions = {}): Array {
  const fn = "pad";
  const a = asArray(fn, x);
  const pairs = padPairs(fn, padWidth, a.ndim, a.shape);
  const options: PadOptions = typeof mode === "object" && mode !== null ? mode : opts;
  if (typeof mode === "string" && opts.mode !== undefined && opts.mode !== mode) {
    throw new ValueError(fn, `mode given twice: ${JSON.stringify(mode)} and { mode: ${JSON.stringify(opts.mode)} }`);
  }
  const m: unknown = typeof mode === "string" ? mode : (options.mode ?? "constant");
  if (m === "constant") {
    const v = options.constantValues ?? 0;
    if (typeof v !== "number" && typeof v !== "boolean") throw new ValueError(fn, `constantValues must be a number, got ${describeValue(v)}`);
    if (pairs.every(([b, e]) => b === 0 && e === 0)) return a;
    return bind1(padP, [a], { lo: pairs.map((p) => p[0]), hi: pairs.map((p) => p[1]), interior: pairs.map(() => 0), value: +v });
  }
  if (m !== "edge" && m !== "reflect" && m !== "symmetric" && m !== "wrap") {
    throw new ValueError(fn, `unknown mode ${JSON.stringify(m)}; valid modes are "constant", "edge", "reflect", "symmetric", "wrap"`);
  }
  let out = a;
  pairs.forEach(([b, e], ax) => {
    if (b === 0 && e === 0) return;
    const n = a.shape[ax]!;
    if (n === 0) throw new ValueError(fn, `cannot pad the empty axis ${ax} of shape ${fmtShape(a.shape)} with mode "${m}" (only "constant" can extend an empty axis)`);
    const idx: number[] = [];
    for (let i = -b; i < n + e; i++) idx.push(sourceIndex(m, i, n));
    out = takeStatic(out, ax, idx);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// dtype

/**
 * Convert to another dtype. float→int truncates toward zero (saturating; NaN becomes 0);
 * nonzero becomes `true` for bool. The result is strongly typed.
 * @example
 * ```ts
 * np.astype(np.array([1.7, -1.7]), "int32"); // [1, -1]
 * ```
 */
export function astype(x: ArrayLike, dtype: DType): Array {
  const a = asArray("astype", x);
  const d = checkDType("astype", dtype);
  if (a.dtype === d && !a.weakType) return a;
  return bind1(convertP, [a], { dtype: d, weakType: false });
}

/**
 * @file NumPy indexing on top of the movement and gather/scatter primitives: `x.slice(...)`
 * (basic and advanced indexing), functional updates `x.at(...).set/add/mul/min/max`, `take`,
 * `takeAlongAxis`, and the eager-only `nonzero`, `flatnonzero` and `argwhere`.
 *
 * How an index is applied (the same plan JAX uses, simplified):
 * 1. The index list is validated and normalized to one entry per axis: `"..."` expands to full
 *    slices, boolean masks become integer arrays (eagerly, via `nonzero`), `null` marks a new axis.
 * 2. New axes are inserted with a free reshape, so every entry then addresses exactly one axis.
 * 3. Slices become one `rev` (negative steps) plus one positive-stride `slice`.
 * 4. With no index arrays, integer indices are size-1 slices that a final reshape drops. With
 *    index arrays, integers count as 0-d index arrays (as in NumPy); the indexed axes are moved
 *    to the front, one `gather` picks the points, and NumPy's placement rule puts the broadcast
 *    index dimensions back where the indexed axes were when they were adjacent in the index,
 *    and in front otherwise.
 *
 * `at(...)` reuses exactly this code: indexing an iota of flat positions yields, for every
 * selected element, its flat position in `x`, which a single `scatter` then updates. That makes
 * `x.at(i).set(v)` agree with `x.slice(i)` by construction (same shape, same elements).
 *
 * Eager index arrays are bounds-checked and raise an `IndexError`; under tracing their values are
 * unknown, so, as in JAX, negative indices are wrapped with a `select` and out-of-range indices
 * are clamped by the gather/scatter primitives.
 */
import { Array, type ArrayLike, type AtUpdate, type Index } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import type { DType, TypedArray } from "../core/dtype.js";
import { ConcretizationError, DTypeError, fmtShape, IndexError, ShapeError, ValueError } from "../core/errors.js";
import { broadcastAll, normalizeAxis, shapeEqual, sizeOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { add, convert, lt, select } from "../primitives/elementwise.js";
import { gather, scatter, takeAlongAxis as takeAlongAxisPrim, type ScatterMode } from "../primitives/indexing.js";
import { concatenateP, iotaP, revP, sliceP } from "../primitives/movement.js";
import { broadcastTo, reshape, transpose } from "../primitives/util.js";
import { asArray, castTo } from "./coerce.js";

// ---------------------------------------------------------------------------------------------
// Normalized index entries

/** A `[start, stop, step]` slice with NumPy's `None`s kept as `null`. */
interface SliceEntry {
  readonly kind: "slice";
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

/** One normalized index entry: each entry except `new` addresses exactly one axis of `x`. */
type Entry =
  | SliceEntry
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "new" }
  | { readonly kind: "array"; readonly arr: Array };

const FULL: SliceEntry = { kind: "slice", start: null, stop: null, step: null };

const isTracerLike = (a: Array): boolean => !(a instanceof ConcreteArray);

function describeIndex(i: unknown): string {
  if (i === undefined) return "undefined";
  if (i instanceof Array) return `an Array of shape ${fmtShape(i.shape)} and dtype ${i.dtype}`;
  try {
    return JSON.stringify(i) ?? String(i);
  } catch {
    return String(i);
  }
}

const VALID_INDEX = "valid indices are an integer, [start, stop, step] (each an integer or null), null (new axis), '...', or an int32/uint32/bool Array";

function isSliceTuple(i: unknown): i is readonly (number | null | undefined)[] {
  return globalThis.Array.isArray(i);
}

function checkSliceTuple(fn: string, pos: number, t: readonly (number | null | undefined)[]): SliceEntry {
  if (t.length < 1 || t.length > 3) {
    throw new IndexError(fn, `index ${pos}: a slice is [start, stop?, step?] with 1 to 3 entries, got ${describeIndex(t)}`);
  }
  const [start = null, stop = null, step = null] = t;
  for (const [name, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
    if (v !== null && !Number.isInteger(v)) {
      throw new IndexError(fn, `index ${pos}: slice ${name} must be an integer or null, got ${describeIndex(v)} in ${describeIndex(t)}`);
    }
  }
  if (step === 0) throw new ValueError(fn, `index ${pos}: slice step cannot be zero (got ${describeIndex(t)})`);
  return { kind: "slice", start, stop, step };
}

/**
 * Bounds-check and wrap an integer index array for an axis of size `n`, returning int32 indices.
 * Concrete indices are checked now (IndexError); traced ones are wrapped with `select` and left
 * for the primitive to clamp, as JAX does.
 */
function prepareIndexArray(fn: string, arr: Array, axis: number, n: number): Array {
  if (arr instanceof ConcreteArray) {
    const data = ConcreteArray.dataOf(arr);
    let needsCopy = arr.dtype !== "int32";
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < -n || v >= n) {
        throw new IndexError(fn, `index ${v} is out of bounds for axis ${axis} with size ${n}`);
      }
      if (v < 0) needsCopy = true;
    }
    if (!needsCopy) return arr.weakType ? new ConcreteArray(data, arr.shape, "int32") : arr;
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      out[i] = v < 0 ? v + n : v;
    }
    return new ConcreteArray(out, arr.shape, "int32");
  }
  const i32 = arr.dtype === "int32" && !arr.weakType ? arr : convert(arr, "int32");
  return select(lt(i32, 0), add(i32, n), i32);
}

/** Coordinates of the nonzero (true) elements of a concrete array, one int32 list per axis. */
function nonzeroCoords(data: TypedArray, shape: Shape): Int32Array[] {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const nd = shape.length;
  const coords = globalThis.Array.from({ length: nd }, () => new Int32Array(count));
  const idx = new Int32Array(nd);
  let k = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) {
      for (let d = 0; d < nd; d++) coords[d]![k] = idx[d]!;
      k++;
    }
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return coords;
}

function maskNeedsConcrete(fn: string, mask: Array): ConcretizationError {
  return new ConcretizationError(
    fn,
    `boolean mask indexing needs a concrete mask, but got a traced bool Array of shape ${fmtShape(mask.shape)}: ` +
      `inside jit/vmap/grad the number of selected elements (hence the result's shape) is not known. ` +
      `Use np.where(mask, x, other) to select elementwise, or apply the mask outside the transformation.`,
  );
}

/**
 * Validate `idx` against `x` and normalize it to one entry per axis of `x` (plus `new` entries).
 * Integer entries are wrapped into range; index arrays are bounds-checked (eagerly) and int32.
 */
function normalizeIndex(fn: string, x: Array, idx: readonly Index[]): Entry[] {
  if (!globalThis.Array.isArray(idx)) throw new IndexError(fn, `expected a list of indices, got ${describeIndex(idx)}`);
  const nd = x.ndim;
  let consumed = 0;
  let ellipses = 0;
  idx.forEach((i, pos) => {
    if (i === "...") ellipses++;
    else if (i === null) return;
    else if (typeof i === "number" || isSliceTuple(i)) consumed++;
    else if (i instanceof Array) {
      if (i.dtype === "bool") {
        if (i.ndim === 0) throw new IndexError(fn, `index ${pos}: a 0-d boolean index is not supported; use null to add an axis or np.where to select`);
        consumed += i.ndim;
      } else if (i.dtype === "int32" || i.dtype === "uint32") consumed++;
      else throw new DTypeError(fn, `index ${pos}: index arrays must be int32, uint32 or bool, got ${describeIndex(i)}; convert with .astype("int32")`);
    } else throw new IndexError(fn, `index ${pos} is ${describeIndex(i)}; ${VALID_INDEX}`);
  });
  if (ellipses > 1) throw new IndexError(fn, `an index can only have a single ellipsis ('...'), got ${ellipses}`);
  if (consumed > nd) {
    throw new IndexError(fn, `too many indices for an array of shape ${fmtShape(x.shape)}: the array is ${nd}-dimensional, but ${consumed} were indexed`);
  }
  const out: Entry[] = [];
  let axis = 0;
  idx.forEach((i, pos) => {
    if (i === "...") {
      for (let k = 0; k < nd - consumed; k++, axis++) out.push(FULL);
    } else if (i === null) {
      out.push({ kind: "new" });
    } else if (typeof i === "number") {
      const n = x.shape[axis]!;
      if (!Number.isInteger(i)) throw new IndexError(fn, `index ${pos}: only integers can index an axis, got ${i}`);
      if (i < -n || i >= n) throw new IndexError(fn, `index ${i} is out of bounds for axis ${axis} with size ${n}`);
      out.push({ kind: "int", value: i < 0 ? i + n : i });
      axis++;
    } else if (isSliceTuple(i)) {
      out.push(checkSliceTuple(fn, pos, i));
      axis++;
    } else if (i.dtype === "bool") {
      const want = x.shape.slice(axis, axis + i.ndim);
      if (!shapeEqual(want, i.shape)) {
        const d = i.shape.findIndex((s: number, k: number) => s !== want[k]);
        throw new IndexError(
          fn,
          `boolean index did not match the indexed array along axis ${axis + d}: the axis has size ${want[d]} but the mask has size ${i.shape[d]} ` +
            `(mask shape ${fmtShape(i.shape)}, array shape ${fmtShape(x.shape)})`,
        );
      }
      if (isTracerLike(i)) throw maskNeedsConcrete(fn, i);
      for (const c of nonzeroCoords(ConcreteArray.dataOf(i as ConcreteArray), i.shape)) {
        out.push({ kind: "array", arr: new ConcreteArray(c, [c.length], "int32") });
      }
      axis += i.ndim;
    } else {
      out.push({ kind: "array", arr: prepareIndexArray(fn, i, axis, x.shape[axis]!) });
      axis++;
    }
  });
  for (; axis < nd; axis++) out.push(FULL);
  const shapes = out.flatMap((e) => (e.kind === "array" ? [e.arr.shape] : []));
  try {
    broadcastAll(fn, shapes);
  } catch {
    throw new IndexError(fn, `shape mismatch: indexing arrays could not be broadcast together with shapes ${shapes.map(fmtShape).join(" ")}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Applying normalized entries

/**
 * NumPy's `PySlice_AdjustIndices`: clamp start/stop to the axis and count the elements. Returns
 * the bounds of the equivalent positive-stride slice, on the reversed axis when `step < 0`.
 */
function resolveSlice(e: SliceEntry, n: number): { start: number; limit: number; stride: number; reverse: boolean } {
  const step = e.step ?? 1;
  const neg = step < 0;
  const clamp = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) {
      v += n;
      return v < 0 ? (neg ? -1 : 0) : v;
    }
    return v >= n ? (neg ? n - 1 : n) : v;
  };
  const start = clamp(e.start, neg ? n - 1 : 0);
  const stop = clamp(e.stop, neg ? -1 : n);
  if (!neg) return { start, limit: Math.max(start, stop), stride: step, reverse: false };
  // Element j of the reversed axis is element n-1-j of the original: start..stop (exclusive,
  // descending) becomes n-1-start..n-1-stop (exclusive, ascending).
  const s = n - 1 - start;
  return { start: s, limit: Math.max(s, n - 1 - stop), stride: -step, reverse: true };
}

/** Apply normalized entries to `x` (the core of `slice`; also used on an iota by `at`). */
function applyEntries(x: Array, entries: readonly Entry[]): Array {
  // New axes first: a free reshape, after which entry i addresses axis i.
  let y = x;
  if (entries.some((e) => e.kind === "new")) {
    const shape: number[] = [];
    let a = 0;
    for (const e of entries) shape.push(e.kind === "new" ? 1 : x.shape[a++]!);
    y = reshape(x, shape);
  }
  const hasArray = entries.some((e) => e.kind === "array");
  const shape = y.shape;
  const start: number[] = [];
  const limit: number[] = [];
  const strides: number[] = [];
  const revAxes: number[] = [];
  entries.forEach((e, i) => {
    const n = shape[i]!;
    if (e.kind === "slice") {
      const r = resolveSlice(e, n);
      start.push(r.start);
      limit.push(r.limit);
      strides.push(r.stride);
      if (r.reverse) revAxes.push(i);
    } else if (e.kind === "int" && !hasArray) {
      start.push(e.value);
      limit.push(e.value + 1);
      strides.push(1);
    } else {
      start.push(0);
      limit.push(n);
      strides.push(1);
    }
  });
  if (revAxes.length > 0) y = bind1(revP, [y], { axes: revAxes });
  if (start.some((s, i) => s !== 0 || limit[i] !== shape[i] || strides[i] !== 1)) {
    y = bind1(sliceP, [y], { start, limit, strides });
  }
  if (!hasArray) {
    const kept = y.shape.filter((_, i) => entries[i]!.kind !== "int");
    return kept.length === y.ndim ? y : reshape(y, kept);
  }
  return advancedGather(y, entries);
}

/** Gather at the advanced (array and integer) entries and place the index dimensions as NumPy does. */
function advancedGather(y: Array, entries: readonly Entry[]): Array {
  const adv: number[] = [];
  const arrays: Array[] = [];
  entries.forEach((e, i) => {
    if (e.kind === "array") {
      adv.push(i);
      arrays.push(e.arr);
    } else if (e.kind === "int") {
      adv.push(i);
      arrays.push(new ConcreteArray(new Int32Array([e.value]), [], "int32"));
    }
  });
  // normalizeIndex has checked that the index shapes broadcast.
  const B = broadcastAll("slice", arrays.map((a) => a.shape));
  const rest = entries.map((_, i) => i).filter((i) => !adv.includes(i));
  const front = transpose(y, [...adv, ...rest]);
  const nb = B.length;
  const cols = arrays.map((a) => reshape(broadcastTo(a, B), [...B, 1]));
  const idx = cols.length === 1 ? cols[0]! : bind1(concatenateP, cols, { axis: nb });
  const g = gather(front, idx);
  const contiguous = adv.every((a, k) => k === 0 || a === adv[k - 1]! + 1);
  const p0 = adv[0]!;
  if (!contiguous || p0 === 0) return g;
  // Adjacent advanced indices keep their place: move the index dims after the p0 leading axes.
  const perm: number[] = [];
  for (let k = 0; k < p0; k++) perm.push(nb + k);
  for (let k = 0; k < nb; k++) perm.push(k);
  for (let k = nb + p0; k < g.ndim; k++) perm.push(k);
  return transpose(g, perm);
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * NumPy indexing `x[idx]` (what `x.slice(...idx)` calls).
 *
 * Each index is an integer (negative counts from the end), a slice `[start, stop, step?]` whose
 * entries may be `null` (negative steps walk backwards, with NumPy's clamping), `null` (a new axis
 * of size 1), `"..."` (as many full slices as needed), an int32/uint32 Array (advanced indexing;
 * several broadcast together), or a bool Array mask (eager only). Missing trailing indices select
 * whole axes. Out-of-range integers and concrete index arrays raise an `IndexError`; traced index
 * arrays are clamped into range, as in JAX.
 *
 * NB: a JS list is always a slice (`[1, 3]` is NumPy's `1:3`), never a list of indices as in
 * NumPy's `x[[1, 3]]`; pass index lists as arrays: `np.array([1, 3], { dtype: "int32" })`.
 *
 * @param x The array to index.
 * @param idx The indices, one per axis (fewer is fine).
 * @returns A new array; `x` is unchanged.
 * @throws IndexError for out-of-range or too many indices; DTypeError for float index arrays;
 *   ValueError for a zero step; ConcretizationError for a traced boolean mask.
 * @example
 * ```ts
 * const x = np.arange(12).reshape(3, 4);
 * slice(x, [1]);                         // [4, 5, 6, 7]
 * slice(x, [[null, null, -1], 0]);       // [8, 4, 0]
 * slice(x, ["...", null]).shape;         // [3, 4, 1]
 * slice(x, [np.array([0, 2], { dtype: "int32" }), [1, 3]]); // [[1, 2], [9, 10]]
 * ```
 */
export function slice(x: Array, idx: readonly Index[]): Array {
  const a = asArray("slice", x);
  return applyEntries(a, normalizeIndex("slice", a, idx));
}

/** True when an entry leaves its axis as it is. */
function isTrivial(e: Entry): boolean {
  return e.kind === "slice" && (e.start === null || e.start === 0) && e.stop === null && (e.step === null || e.step === 1);
}

/** `x.at(idx).<mode>(v)`: scatter `v` (broadcast to `x.slice(idx).shape`) into `x` at the selected elements. */
function update(mode: ScatterMode, x: Array, idx: readonly Index[], v: ArrayLike): Array {
  const fn = `at.${mode}`;
  const entries = normalizeIndex(fn, x, idx);
  // Only the leading entries up to the last non-trivial one need flat positions; the trailing
  // whole axes ride along as the scatter's slice dimensions.
  let t = entries.length;
  while (t > 0 && isTrivial(entries[t - 1]!)) t--;
  const lead = entries.slice(0, t);
  const leadAxes = lead.filter((e) => e.kind !== "new").length;
  const leadShape = x.shape.slice(0, leadAxes);
  const trail = x.shape.slice(leadAxes);
  const L = sizeOf(leadShape);
  const iota = reshape(bind1(iotaP, [], { shape: [L], dtype: "int32" as DType, dimension: 0 }), leadShape);
  const flat = applyEntries(iota, lead);
  const target = [...flat.shape, ...trail];

  let val = castTo(asArray(fn, v), { dtype: x.dtype, weakType: x.weakType });
  // As NumPy, a value may carry extra leading size-1 axes.
  let extra = 0;
  while (val.ndim - extra > target.length && val.shape[extra] === 1) extra++;
  if (extra > 0) val = reshape(val, val.shape.slice(extra));
  const ok = val.ndim <= target.length && val.shape.every((d, i) => d === 1 || d === target[target.length - val.ndim + i]);
  if (!ok) {
    throw new ShapeError(fn, `cannot broadcast the value of shape ${fmtShape(val.shape)} to the indexed shape ${fmtShape(target)} (array shape ${fmtShape(x.shape)})`);
  }
  const N = sizeOf(flat.shape);
  const upd = reshape(broadcastTo(val, target), [N, ...trail]);
  const xr = reshape(x, [L, ...trail]);
  // On bool, add is logical OR and mul logical AND, which max and min compute on 0/1.
  const m: ScatterMode = x.dtype === "bool" && mode === "add" ? "max" : x.dtype === "bool" && mode === "mul" ? "min" : mode;
  return reshape(scatter(xr, reshape(flat, [N, 1]), upd, m), x.shape);
}

/**
 * Functional updates at an index, as JAX's `x.at[idx]` (what `x.at(...idx)` calls). The index
 * has the same meaning as in {@link slice}; the value broadcasts to the indexed shape. Each method
 * returns a new array and leaves `x` unchanged. Repeated indices accumulate for `add` (and `mul`,
 * `min`, `max`); for `set` one of the values wins. On bool arrays `add` is OR and `mul` is AND.
 *
 * @param x The array to update.
 * @param idx The indices, as for {@link slice}.
 * @returns An object with `set`, `add`, `mul`, `min`, `max` (each `(v) => Array`) and `get()`.
 * @throws As {@link slice}, plus ShapeError when the value does not broadcast to the indexed shape.
 * @example
 * ```ts
 * const x = np.zeros([4]);
 * at(x, [1]).set(5);                                   // [0, 5, 0, 0]
 * at(x, [np.array([0, 0, 2], { dtype: "int32" })]).add(1); // [2, 0, 1, 0]
 * at(x, [[null, null, 2]]).set(np.array([7, 8]));      // [7, 0, 8, 0]
 * ```
 */
export function at(x: Array, idx: readonly Index[]): AtUpdate {
  const a = asArray("at", x);
  return {
    set: (v) => update("set", a, idx, v),
    add: (v) => update("add", a, idx, v),
    mul: (v) => update("mul", a, idx, v),
    min: (v) => update("min", a, idx, v),
    max: (v) => update("max", a, idx, v),
    get: () => applyEntries(a, normalizeIndex("at.get", a, idx)),
  };
}

/** Integer indices given as an Array, a JS number, or a flat list of JS numbers (as int32). */
function indicesArray(fn: string, indices: unknown): Array {
  if (indices instanceof Array) {
    if (indices.dtype !== "int32" && indices.dtype !== "uint32") {
      throw new DTypeError(fn, `indices must be int32 or uint32, got ${indices.dtype}; convert with .astype("int32")`);
    }
    return indices;
  }
  const list = typeof indices === "number" ? [indices] : indices;
  if (!globalThis.Array.isArray(list) || !list.every((v) => Number.isInteger(v))) {
    throw new DTypeError(fn, `indices must be an int32/uint32 Array, an integer or a list of integers, got ${describeIndex(indices)}`);
  }
  return new ConcreteArray(Int32Array.from(list as number[]), typeof indices === "number" ? [] : [list.length], "int32");
}

/**
 * `np.take`: elements of `x` at `indices` along `axis` (of the flattened array when `axis` is
 * null or omitted). The result has shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
 * Negative indices count from the end; concrete out-of-range indices raise an IndexError.
 *
 * @param x The source array.
 * @param indices Integer indices: an int32/uint32 Array, a JS integer, or a list of JS integers.
 * @param axis The axis to take along; null (default) flattens `x` first.
 * @example
 * ```ts
 * take(np.array([[1, 2], [3, 4]]), [1, 0], 1); // [[2, 1], [4, 3]]
 * take(np.array([[1, 2], [3, 4]]), [-1]);      // [4]
 * ```
 */
export function take(x: Array, indices: Array | number | readonly number[], axis: number | null = null): Array {
  let a = asArray("take", x);
  const idx = indicesArray("take", indices);
  if (axis === null) {
    a = reshape(a, [a.size]);
    axis = 0;
  }
  const ax = normalizeAxis("take", axis, a.ndim);
  const entries = normalizeIndex("take", a, [...new globalThis.Array<Index>(ax).fill([null]), idx]);
  return applyEntries(a, entries);
}

/**
 * `np.take_along_axis`: `out[..., i, ...] = x[..., indices[..., i, ...], ...]` along `axis`.
 * `indices` has the rank of `x` and broadcasts against it on the other axes (as produced by
 * `argsort`). With `axis` null both are flattened (then `indices` must be 1-D).
 *
 * @example
 * ```ts
 * const x = np.array([[3, 1, 2]]);
 * takeAlongAxis(x, argsort(x, 1), 1); // [[1, 2, 3]]
 * ```
 */
export function takeAlongAxis(x: Array, indices: Array, axis: number | null): Array {
  const fn = "takeAlongAxis";
  let a = asArray(fn, x);
  const idx = indicesArray(fn, indices);
  if (axis === null) {
    if (idx.ndim !== 1) throw new ValueError(fn, `with axis=null the indices must be 1-D, got shape ${fmtShape(idx.shape)}`);
    a = reshape(a, [a.size]);
    axis = 0;
  }
  if (idx.ndim !== a.ndim) {
    throw new ValueError(fn, `indices and array must have the same number of dimensions, got shapes ${fmtShape(idx.shape)} and ${fmtShape(a.shape)}`);
  }
  const ax = normalizeAxis(fn, axis, a.ndim);
  a.shape.forEach((d, i) => {
    const e = idx.shape[i]!;
    if (i !== ax && d !== e && d !== 1 && e !== 1) {
      throw new ShapeError(fn, `indices of shape ${fmtShape(idx.shape)} do not broadcast against the array of shape ${fmtShape(a.shape)} on axis ${i} (${e} vs ${d})`);
    }
  });
  return takeAlongAxisPrim(a, prepareIndexArray(fn, idx, ax, a.shape[ax]!), ax);
}

function requireConcrete(fn: string, x: Array): ConcreteArray {
  if (x instanceof ConcreteArray) return x;
  throw new ConcretizationError(
    fn,
    `${fn} is eager only: the number of nonzero elements of a traced array (shape ${fmtShape(x.shape)}, ${x.dtype}) is not known while tracing, ` +
      `so neither is the result's shape. Use np.where(cond, x, y) to select elementwise, or call ${fn} outside jit/vmap/grad.`,
  );
}

/**
 * `np.nonzero` (eager only): the indices of the nonzero (true) elements, one int32 array per axis,
 * in row-major order. NaN counts as nonzero.
 *
 * @throws ConcretizationError inside a transformation; ValueError for a 0-d array.
 * @example
 * ```ts
 * nonzero(np.array([[0, 1], [2, 0]])); // [[0, 1], [1, 0]]
 * ```
 */
export function nonzero(x: Array): Array[] {
  const a = requireConcrete("nonzero", asArray("nonzero", x));
  if (a.ndim === 0) throw new ValueError("nonzero", "calling nonzero on a 0-d array is not allowed; reshape it to [1] first (as NumPy's atleast_1d)");
  return nonzeroCoords(ConcreteArray.dataOf(a), a.shape).map((c) => new ConcreteArray(c, [c.length], "int32"));
}

/**
 * `np.flatnonzero` (eager only): indices of the nonzero elements of the flattened array (int32).
 *
 * @example
 * ```ts
 * flatnonzero(np.array([[0, 1], [2, 0]])); // [1, 2]
 * ```
 */
export function flatnonzero(x: Array): Array {
  const a = requireConcrete("flatnonzero", asArray("flatnonzero", x));
  return nonzero(reshape(a, [a.size]))[0]!;
}

/**
 * `np.argwhere` (eager only): the coordinates of the nonzero elements as an int32 array of shape
 * `[count, ndim]`, one row per element in row-major order.
 *
 * @example
 * ```ts
 * argwhere(np.array([[0, 1], [2, 0]])); // [[0, 1], [1, 0]]
 * ```
 */
export function argwhere(x: Array): Array {
  const a = requireConcrete("argwhere", asArray("argwhere", x));
  const data = ConcreteArray.dataOf(a);
  if (a.ndim === 0) {
    const count = data[0] !== 0 ? 1 : 0;
    return new ConcreteArray(new Int32Array(0), [count, 0], "int32");
  }
  const coords = nonzeroCoords(data, a.shape);
  const count = coords[0]!.length;
  const out = new Int32Array(count * a.ndim);
  for (let k = 0; k < count; k++) for (let d = 0; d < a.ndim; d++) out[k * a.ndim + d] = coords[d]![k]!;
  return new ConcreteArray(out, [count, a.ndim], "int32");
}

/**
 * @file Array creation: `array`/`asarray` from JS data (nested lists, numbers, booleans,
 * TypedArrays), filled arrays (`zeros ones full empty` and their `*Like` forms), ranges
 * (`arange linspace logspace`) and matrices (`eye identity tri tril triu`).
 *
 * Creation from JS data is the one place where the NumPy layer writes storage itself: the values
 * are constants, known before any transformation runs, so they become concrete arrays directly
 * (under `jit` they are captured as constants, as JAX does with NumPy inputs). Everything that
 * takes an `Array` input goes through primitives, so it also works on tracers.
 */
import { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, allocateShareable, DTYPES, isDType, isFloat, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { shapeEqual, sizeOf } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { convertP, selectP } from "../primitives/elementwise.js";
import { concatenateP } from "../primitives/movement.js";
import { broadcastTo, reshape, scalar } from "../primitives/util.js";
import { castTo, promotedInfo } from "./coerce.js";

// ---------------------------------------------------------------------------------------------
// dtype names

/** The dtype name `"float32"` (the default dtype), as `np.float32`. */
export const float32 = "float32" as const;
/** The dtype name `"float64"`, as `np.float64`. */
export const float64 = "float64" as const;
/** The dtype name `"int32"`, as `np.int32`. */
export const int32 = "int32" as const;
/** The dtype name `"uint32"`, as `np.uint32`. */
export const uint32 = "uint32" as const;
/** The dtype name `"bool"`, as `np.bool_`. */
export const bool = "bool" as const;

// ---------------------------------------------------------------------------------------------
// shared validation (internal to the NumPy layer)

/** Options that choose the dtype of a created array. */
export interface DTypeOptions {
  /** Element type of the result. */
  dtype?: DType;
}

/**
 * Validate a `dtype` option, naming `fn` in the error.
 * @internal
 */
export function checkDType(fn: string, dtype: unknown): DType {
  if (!isDType(dtype)) {
    throw new DTypeError(fn, `unknown dtype ${JSON.stringify(dtype) ?? String(dtype)}; valid dtypes are ${DTYPES.join(", ")}`);
  }
  return dtype;
}

/** Resolve an optional dtype option against a default. @internal */
export function dtypeOr(fn: string, dtype: unknown, fallback: DType): DType {
  return dtype === undefined || dtype === null ? fallback : checkDType(fn, dtype);
}

/**
 * Validate a shape argument (a size or a list of sizes) with a message that names `fn` and the
 * offending entry.
 * @internal
 */
export function checkShapeArg(fn: string, shape: unknown): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!globalThis.Array.isArray(list)) {
    throw new ValueError(fn, `shape must be a number or a list of numbers, got ${describeValue(shape)}`);
  }
  for (let i = 0; i < list.length; i++) {
    const d: unknown = list[i];
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new ValueError(fn, `shape entries must be integers, got ${describeValue(d)} at position ${i} of ${JSON.stringify(list)}`);
    }
    if (d < 0) throw new ValueError(fn, `negative dimensions are not allowed, got shape ${fmtShape(list as number[])}`);
  }
  return [...(list as number[])];
}

/** A short description of a JS value for error messages. @internal */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (typeof v === "bigint") return `the bigint ${v}n (convert it with Number())`;
  if (v instanceof Array) return `an Array of shape ${fmtShape(v.shape)} (${v.dtype})`;
  if (globalThis.Array.isArray(v)) return `a list of length ${v.length}`;
  if (typeof v === "function") return "a function";
  return `an object (${(v as object).constructor?.name ?? "Object"})`;
}

function checkCount(fn: string, name: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new ValueError(fn, `${name} must be a non-negative integer, got ${describeValue(n)}`);
  }
  return n;
}

function checkFinite(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(fn, `${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}

/**
 * Store JS numbers as `dtype`, with the conversion rules of `astype`: float→int truncates toward
 * zero and saturates (NaN becomes 0), anything nonzero (NaN included) is `true` for bool.
 */
function storeAs(values: ArrayLike<number>, dtype: DType): TypedArray {
  const n = values.length;
  const out = allocateShareable(dtype, n);
  if (isFloat(dtype)) {
    for (let i = 0; i < n; i++) out[i] = values[i]!;
  } else if (dtype === "bool") {
    for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else {
    const [lo, hi] = dtype === "int32" ? [-2147483648, 2147483647] : [0, 4294967295];
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[i] = v !== v ? 0 : Math.trunc(Math.max(lo, Math.min(hi, v)));
    }
  }
  return out;
}

function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): ConcreteArray {
  return new ConcreteArray(storeAs(values, dtype), [...shape], dtype);
}

/** A concrete array of `shape` with every element `value`. */
function filled(shape: readonly number[], value: number, dtype: DType): ConcreteArray {
  const out = allocateShareable(dtype, sizeOf(shape));
  if (value !== 0) out.fill(storeAs([value], dtype)[0]!);
  return new ConcreteArray(out, [...shape], dtype);
}

// ---------------------------------------------------------------------------------------------
// array / asarray

/** Nested JS lists of numbers, booleans or Arrays (a "pytree of scalars" as NumPy accepts). */
export type NestedData = number | boolean | Array | readonly NestedData[];

/** Any TypedArray `array` accepts (it is copied). */
export type TypedArrayInput =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint8ClampedArray;

/** Options of {@link array} and {@link asarray}. */
export interface ArrayOptions extends DTypeOptions {
  /** Shape of the result; the data is read in row-major order and must have exactly this many elements. */
  shape?: readonly number[];
}

function typedArrayDtype(x: TypedArrayInput): DType {
  if (x instanceof Float32Array) return "float32";
  if (x instanceof Float64Array) return "float64";
  if (x instanceof Uint32Array) return "uint32";
  // Int32Array and the narrow integer arrays (Uint8Array included: bool data needs dtype "bool").
  return "int32";
}

function isTypedArray(x: unknown): x is TypedArrayInput {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

const pathText = (path: readonly number[]) => `data${path.map((i) => `[${i}]`).join("")}`;

/** What a nested list looks like: its shape (read along the first elements) and whether any leaf is a number. */
interface Scan {
  shape: number[];
  hasNumber: boolean;
}

/**
 * Check that nested lists (without Arrays) are rectangular, naming the first sub-list that breaks
 * the pattern, and that every leaf is a number or a boolean.
 */
function scanNested(fn: string, data: readonly NestedData[]): Scan {
  const shape: number[] = [];
  const firstPath: number[] = [];
  let node: unknown = data;
  while (globalThis.Array.isArray(node)) {
    shape.push(node.length);
    if (node.length === 0) break;
    node = node[0];
    firstPath.push(0);
  }
  const scan: Scan = { shape, hasNumber: false };
  const path: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth < shape.length) {
      const want = shape[depth]!;
      const where = pathText(firstPath.slice(0, depth));
      if (!globalThis.Array.isArray(v)) {
        throw new ShapeError(fn, `ragged nested list: ${pathText(path)} is ${describeValue(v)}, but ${where} is a list of length ${want}; every entry at one depth must have the same shape`);
      }
      if (v.length !== want) {
        throw new ShapeError(fn, `ragged nested list: ${pathText(path)} has length ${v.length}, but ${where} has length ${want}; every list at one depth must have the same length`);
      }
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    if (typeof v === "number") scan.hasNumber = true;
    else if (globalThis.Array.isArray(v)) {
      throw new ShapeError(fn, `ragged nested list: ${pathText(path)} is a list of length ${v.length}, but ${pathText(firstPath)} is ${describeValue(node)}; every entry at one depth must have the same shape`);
    } else if (typeof v !== "boolean") {
      throw new ValueError(fn, `${pathText(path)} is ${describeValue(v)}; expected numbers, booleans or Arrays`);
    }
  };
  walk(data, 0);
  return scan;
}

function flatten(data: readonly NestedData[], out: number[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (globalThis.Array.isArray(v)) flatten(v as readonly NestedData[], out);
    else out.push(v === true ? 1 : v === false ? 0 : (v as number));
  }
}

function containsArray(data: unknown): boolean {
  if (data instanceof Array) return true;
  return globalThis.Array.isArray(data) && data.some(containsArray);
}

/**
 * Nested lists that contain Arrays (possibly traced): convert each entry, then stack level by
 * level, promoting dtypes. Entries at one level must end up with one shape.
 */
function stackNested(fn: string, data: unknown, path: number[]): Array {
  if (data instanceof Array) return data;
  if (typeof data === "number" || typeof data === "boolean") {
    return fromValues([+data], [], typeof data === "boolean" ? "bool" : "float32");
  }
  if (!globalThis.Array.isArray(data)) throw new ValueError(fn, `${pathText(path)} is ${describeValue(data)}; expected numbers, booleans or Arrays`);
  if (data.length === 0) return fromValues([], [0], "float32");
  const parts = data.map((d, i) => stackNested(fn, d, [...path, i]));
  const s0 = parts[0]!.shape;
  const bad = parts.findIndex((p) => !shapeEqual(p.shape, s0));
  if (bad >= 0) {
    throw new ShapeError(
      fn,
      `cannot stack entries of different shapes: ${pathText([...path, bad])} has shape ${fmtShape(parts[bad]!.shape)} but ${pathText([...path, 0])} has shape ${fmtShape(s0)}`,
    );
  }
  const info = promotedInfo(parts);
  const rows = parts.map((p) => reshape(castTo(p, info), [1, ...s0]));
  return rows.length === 1 ? rows[0]! : bind1(concatenateP, rows, { axis: 0 });
}

function withShape(fn: string, x: Array, shape: readonly number[] | undefined): Array {
  if (shape === undefined) return x;
  const s = checkShapeArg(fn, shape);
  if (sizeOf(s) !== x.size) {
    throw new ShapeError(fn, `the data has ${x.size} elements, which does not fit shape ${fmtShape(s)} (${sizeOf(s)} elements)`);
  }
  return reshape(x, s);
}

/**
 * Create an array from JS data.
 *
 * JS numbers have no integer type, so numbers give float32 and booleans give bool unless `dtype`
 * says otherwise; TypedArrays keep their element type (Float32Array → float32, Float64Array →
 * float64, Int32Array and narrower integer arrays → int32, Uint32Array → uint32) and are copied.
 * An `Array` is returned as it is (arrays are immutable), converted when `dtype` differs.
 *
 * @param data - a number, a boolean, nested lists of them (or of Arrays), a TypedArray, or an Array.
 * @param opts - `dtype` of the result; `shape` to read flat data (e.g. a TypedArray) as an n-d array.
 * @returns a new immutable array.
 * @throws ShapeError for ragged nested lists or a `shape` that does not fit the data.
 * @example
 * ```ts
 * np.array([[1, 2], [3, 4]]);                      // float32, shape [2, 2]
 * np.array([1, 2], { dtype: "int32" });           // int32
 * np.array(new Float64Array(6), { shape: [2, 3] }); // float64, shape [2, 3]
 * ```
 */
export function array(data: NestedData | TypedArrayInput, opts: ArrayOptions = {}): Array {
  return create("array", data, opts);
}

/**
 * Convert to an array: the same as {@link array} (an `Array` input is returned unchanged unless
 * `dtype` asks for a conversion).
 * @example
 * ```ts
 * np.asarray(3); // float32 scalar
 * ```
 */
export function asarray(data: NestedData | TypedArrayInput, opts: ArrayOptions = {}): Array {
  return create("asarray", data, opts);
}

function create(fn: string, data: NestedData | TypedArrayInput, opts: ArrayOptions): Array {
  const dtype = opts.dtype === undefined ? undefined : checkDType(fn, opts.dtype);
  let x: Array;
  if (data instanceof Array) {
    x = dtype === undefined || dtype === data.dtype ? data : bind1(convertP, [data], { dtype, weakType: false });
  } else if (typeof data === "number" || typeof data === "boolean") {
    x = fromValues([+data], [], dtype ?? (typeof data === "boolean" ? "bool" : "float32"));
  } else if (isTypedArray(data)) {
    x = fromValues(data, [data.length], dtype ?? typedArrayDtype(data));
  } else if (globalThis.Array.isArray(data)) {
    if (containsArray(data)) {
      const stacked = stackNested(fn, data, []);
      x = dtype === undefined || dtype === stacked.dtype ? stacked : bind1(convertP, [stacked], { dtype, weakType: false });
    } else {
      const scan = scanNested(fn, data as readonly NestedData[]);
      const flat: number[] = [];
      flatten(data as readonly NestedData[], flat);
      x = fromValues(flat, scan.shape, dtype ?? (scan.hasNumber || flat.length === 0 ? "float32" : "bool"));
    }
  } else {
    throw new ValueError(fn, `cannot make an array from ${describeValue(data)}; expected a number, a boolean, nested lists of them, a TypedArray or an Array`);
  }
  return withShape(fn, x, opts.shape);
}

// ---------------------------------------------------------------------------------------------
// filled arrays

/**
 * An array of zeros.
 * @param shape - a size or a list of sizes.
 * @param opts - `dtype` (float32 by default).
 * @example
 * ```ts
 * np.zeros([2, 3]);                     // float32
 * np.zeros(4, { dtype: "int32" });
 * ```
 */
export function zeros(shape: number | readonly number[], opts: DTypeOptions = {}): Array {
  return filled(checkShapeArg("zeros", shape), 0, dtypeOr("zeros", opts.dtype, "float32"));
}

/**
 * An array of ones.
 * @param shape - a size or a list of sizes.
 * @param opts - `dtype` (float32 by default).
 */
export function ones(shape: number | readonly number[], opts: DTypeOptions = {}): Array {
  return filled(checkShapeArg("ones", shape), 1, dtypeOr("ones", opts.dtype, "float32"));
}

/**
 * An "uninitialized" array. Arrays are immutable, so there is nothing to gain from skipping
 * initialization: like `jnp.empty`, this returns zeros.
 */
export function empty(shape: number | readonly number[], opts: DTypeOptions = {}): Array {
  return filled(checkShapeArg("empty", shape), 0, dtypeOr("empty", opts.dtype, "float32"));
}

/**
 * An array of `shape` filled with `fillValue`.
 *
 * The dtype defaults to that of the fill value: float32 for a number, bool for a boolean, the
 * array's dtype for an Array (which is broadcast to `shape`, and may be traced).
 * @example
 * ```ts
 * np.full([2, 2], 7);        // float32 sevens
 * np.full([3], true);        // bool
 * ```
 */
export function full(shape: number | readonly number[], fillValue: number | boolean | Array, opts: DTypeOptions = {}): Array {
  const s = checkShapeArg("full", shape);
  if (fillValue instanceof Array) {
    const dtype = dtypeOr("full", opts.dtype, fillValue.dtype);
    const v = dtype === fillValue.dtype && !fillValue.weakType ? fillValue : bind1(convertP, [fillValue], { dtype, weakType: false });
    checkBroadcastTo("full", v.shape, s);
    return broadcastTo(v, s);
  }
  if (typeof fillValue !== "number" && typeof fillValue !== "boolean") {
    throw new ValueError("full", `fillValue must be a number, a boolean or an Array, got ${describeValue(fillValue)}`);
  }
  const dtype = dtypeOr("full", opts.dtype, typeof fillValue === "boolean" ? "bool" : "float32");
  return filled(s, +fillValue, dtype);
}

/** Check NumPy broadcasting of `from` to exactly `to` (trailing alignment, sizes equal or 1). @internal */
export function checkBroadcastTo(fn: string, from: readonly number[], to: readonly number[]): void {
  const off = to.length - from.length;
  const ok = off >= 0 && from.every((d, i) => d === 1 || d === to[i + off]);
  if (!ok) {
    throw new ShapeError(fn, `cannot broadcast shape ${fmtShape(from)} to shape ${fmtShape(to)} (each axis, aligned from the right, must be 1 or match, and the target needs at least as many axes)`);
  }
}

/** Options of the `*Like` constructors. */
export interface LikeOptions extends DTypeOptions {
  /** Override the shape (the dtype still defaults to the input's). */
  shape?: number | readonly number[];
}

function likeArgs(fn: string, x: Array | number | boolean, opts: LikeOptions): [number[], DType] {
  let shape: readonly number[];
  let dtype: DType;
  if (x instanceof Array) {
    shape = x.shape;
    dtype = x.dtype;
  } else if (typeof x === "number" || typeof x === "boolean") {
    shape = [];
    dtype = typeof x === "boolean" ? "bool" : "float32";
  } else {
    throw new ValueError(fn, `expected an Array, a number or a boolean, got ${describeValue(x)}`);
  }
  return [opts.shape === undefined ? [...shape] : checkShapeArg(fn, opts.shape), dtypeOr(fn, opts.dtype, dtype)];
}

/**
 * Zeros with the shape and dtype of `x` (only its shape and dtype are read, so `x` may be traced).
 * @example
 * ```ts
 * np.zerosLike(np.array([1, 2, 3])); // float32 [0, 0, 0]
 * ```
 */
export function zerosLike(x: Array | number | boolean, opts: LikeOptions = {}): Array {
  const [s, d] = likeArgs("zerosLike", x, opts);
  return filled(s, 0, d);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Array | number | boolean, opts: LikeOptions = {}): Array {
  const [s, d] = likeArgs("onesLike", x, opts);
  return filled(s, 1, d);
}

/** An "uninitialized" array like `x`: zeros (see {@link empty}). */
export function emptyLike(x: Array | number | boolean, opts: LikeOptions = {}): Array {
  const [s, d] = likeArgs("emptyLike", x, opts);
  return filled(s, 0, d);
}

/** `fillValue` with the shape and dtype of `x` (an Array fill value is broadcast and converted). */
export function fullLike(x: Array | number | boolean, fillValue: number | boolean | Array, opts: LikeOptions = {}): Array {
  const [s, d] = likeArgs("fullLike", x, opts);
  return full(s, fillValue, { dtype: d });
}

// ---------------------------------------------------------------------------------------------
// ranges

/**
 * Evenly spaced values in `[start, stop)` with `step`, as `np.arange`: `arange(n)` is
 * `0, 1, ..., n-1`. Integer arguments give int32 (as NumPy); any fractional argument gives
 * float32. (JS cannot tell `5.0` from `5`: pass `{ dtype: "float32" }` for floats.)
 * @example
 * ```ts
 * np.arange(4);          // int32 [0, 1, 2, 3]
 * np.arange(1, 2, 0.25); // float32 [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(start: number, stop?: number | null, step: number = 1, opts: DTypeOptions = {}): Array {
  const fn = "arange";
  let lo = checkFinite(fn, "start", start);
  let hi: number;
  if (stop === undefined || stop === null) {
    hi = lo;
    lo = 0;
  } else hi = checkFinite(fn, "stop", stop);
  checkFinite(fn, "step", step);
  if (step === 0) throw new ValueError(fn, "step must not be zero");
  const integral = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step);
  const dtype = dtypeOr(fn, opts.dtype, integral ? "int32" : "float32");
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  if (n > 2 ** 31 - 1) throw new ValueError(fn, `the range [${lo}, ${hi}) with step ${step} has ${n} elements, more than an array can hold`);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + i * step;
  return fromValues(values, [n], dtype);
}

/** `num` values from `start` to `stop` in float64, as NumPy computes them. */
function linspaceValues(fn: string, start: number, stop: number, num: number, endpoint: boolean): Float64Array {
  checkFinite(fn, "start", start);
  checkFinite(fn, "stop", stop);
  checkCount(fn, "num", num);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : NaN;
  const out = new Float64Array(num);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (num > 0) out[0] = start;
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** Floor fractional values for integer dtypes, as NumPy's linspace/logspace do. */
function floorForInt(values: Float64Array, dtype: DType): Float64Array {
  if (dtype === "int32" || dtype === "uint32") for (let i = 0; i < values.length; i++) values[i] = Math.floor(values[i]!);
  return values;
}

/**
 * `num` evenly spaced values from `start` to `stop` (inclusive unless `endpoint` is false).
 * Computed in float64 and stored as `dtype` (float32 by default).
 * @example
 * ```ts
 * np.linspace(0, 1, 5);        // [0, 0.25, 0.5, 0.75, 1]
 * np.linspace(0, 1, 4, false); // [0, 0.25, 0.5, 0.75]
 * ```
 */
export function linspace(start: number, stop: number, num: number = 50, endpoint: boolean = true, opts: DTypeOptions = {}): Array {
  const dtype = dtypeOr("linspace", opts.dtype, "float32");
  return fromValues(floorForInt(linspaceValues("linspace", start, stop, num, endpoint), dtype), [num], dtype);
}

/**
 * `num` values spaced evenly on a log scale: `base ** linspace(start, stop, num, endpoint)`.
 * @example
 * ```ts
 * np.logspace(0, 3, 4); // [1, 10, 100, 1000]
 * ```
 */
export function logspace(start: number, stop: number, num: number = 50, endpoint: boolean = true, base: number = 10, opts: DTypeOptions = {}): Array {
  checkFinite("logspace", "base", base);
  const dtype = dtypeOr("logspace", opts.dtype, "float32");
  const v = linspaceValues("logspace", start, stop, num, endpoint);
  for (let i = 0; i < v.length; i++) v[i] = Math.pow(base, v[i]!);
  return fromValues(floorForInt(v, dtype), [num], dtype);
}

// ---------------------------------------------------------------------------------------------
// matrices

/** A `[n, m]` 0/1 matrix with ones where `j - i === k` (diagonal) or `j - i <= k` (triangle). */
function matrix(fn: string, n: unknown, m: unknown, k: unknown, dtype: unknown, tri: boolean): ConcreteArray {
  const rows = checkCount(fn, "N", n);
  const cols = m === undefined || m === null ? rows : checkCount(fn, "M", m);
  if (typeof k !== "number" || !Number.isInteger(k)) throw new ValueError(fn, `k must be an integer, got ${describeValue(k)}`);
  const d = dtypeOr(fn, dtype, "float32");
  const out = allocate(d, rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) if (tri ? j - i <= k : j - i === k) out[i * cols + j] = 1;
  }
  return new ConcreteArray(out, [rows, cols], d);
}

/**
 * A 2-D array with ones on the `k`-th diagonal and zeros elsewhere.
 * @param n - number of rows.
 * @param m - number of columns (default `n`).
 * @param k - diagonal offset: 0 is the main diagonal, positive above it, negative below.
 * @example
 * ```ts
 * np.eye(2);       // [[1, 0], [0, 1]]
 * np.eye(2, 3, 1); // [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function eye(n: number, m?: number | null, k: number = 0, opts: DTypeOptions = {}): Array {
  return matrix("eye", n, m, k, opts.dtype, false);
}

/** The `n`×`n` identity matrix. */
export function identity(n: number, opts: DTypeOptions = {}): Array {
  return matrix("identity", n, n, 0, opts.dtype, false);
}

/**
 * A 2-D array with ones at and below the `k`-th diagonal (`tri[i, j] = j <= i + k`).
 * @example
 * ```ts
 * np.tri(3); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * ```
 */
export function tri(n: number, m?: number | null, k: number = 0, opts: DTypeOptions = {}): Array {
  return matrix("tri", n, m, k, opts.dtype, true);
}

function triangle(fn: string, x: Array, k: number, lower: boolean): Array {
  if (!(x instanceof Array)) throw new ValueError(fn, `expected an Array, got ${describeValue(x)}`);
  if (x.ndim < 2) throw new ShapeError(fn, `expected an array with at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const [n, m] = x.shape.slice(-2) as [number, number];
  // tril keeps j <= i + k; triu keeps j >= i + k, i.e. drops j <= i + k - 1.
  const mask = matrix(fn, n, m, lower ? k : k - 1, "bool", true);
  const zero = scalar(0, x.dtype, x.weakType);
  const keep = broadcastTo(mask, x.shape);
  return lower ? bind1(selectP, [keep, x, zero], {}) : bind1(selectP, [keep, zero, x], {});
}

/**
 * The lower triangle of the last two axes: elements above the `k`-th diagonal become zero.
 * @example
 * ```ts
 * np.tril(np.ones([2, 2])); // [[1, 0], [1, 1]]
 * ```
 */
export function tril(x: Array, k: number = 0): Array {
  return triangle("tril", x, k, true);
}

/** The upper triangle of the last two axes: elements below the `k`-th diagonal become zero. */
export function triu(x: Array, k: number = 0): Array {
  return triangle("triu", x, k, false);
}

/**
 * @file Test helpers: `allclose` / `expectClose` comparing arrays, numbers, nested JS arrays and
 * pytrees of them (NaN equals NaN, shapes must agree), plus literal constructors (`f64`, `i32`, ...)
 * that build concrete arrays without going through the NumPy layer, so that primitive tests do not
 * depend on the code they are checking.
 */
import { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { allocate, type DType } from "../../src/core/dtype.js";
import { flatten, treedefToString } from "../../src/core/tree.js";

/** Tolerances of {@link allclose}: `|a - b| <= atol + rtol * |b|` elementwise. */
export interface CloseOptions {
  atol?: number;
  rtol?: number;
}

/** Nested JS numbers/booleans (what `Array.tolist()` returns). */
export type Nested = number | boolean | readonly Nested[];

function shapeOfNested(x: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (globalThis.Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

function flatNested(x: Nested, out: number[] = []): number[] {
  if (globalThis.Array.isArray(x)) for (const v of x) flatNested(v as Nested, out);
  else out.push(typeof x === "boolean" ? (x ? 1 : 0) : (x as number));
  return out;
}

/** A concrete array from nested JS values (default float64). */
export function arr(data: Nested, dtype: DType = "float64"): Array {
  const shape = shapeOfNested(data);
  const flat = flatNested(data);
  const storage = allocate(dtype, flat.length);
  flat.forEach((v, i) => (storage[i] = v));
  return new ConcreteArray(storage, shape, dtype);
}

/** float64 literal. */
export const f64 = (data: Nested): Array => arr(data, "float64");
/** float32 literal. */
export const f32 = (data: Nested): Array => arr(data, "float32");
/** int32 literal. */
export const i32 = (data: Nested): Array => arr(data, "int32");
/** bool literal. */
export const bools = (data: Nested): Array => arr(data, "bool");

/** A concrete array of `shape` whose flat data is `values` (default float64). */
export function fromFlat(values: readonly number[], shape: readonly number[], dtype: DType = "float64"): Array {
  const storage = allocate(dtype, values.length);
  values.forEach((v, i) => (storage[i] = v));
  return new ConcreteArray(storage, [...shape], dtype);
}

interface Flat {
  shape: readonly number[];
  data: number[];
  dtype?: DType;
}

function toFlat(x: unknown): Flat {
  if (x instanceof Array) return { shape: x.shape, data: globalThis.Array.from(x.dataSync() as ArrayLike<number>), dtype: x.dtype };
  if (ArrayBuffer.isView(x)) {
    const data = globalThis.Array.from(x as unknown as ArrayLike<number>);
    return { shape: [data.length], data };
  }
  if (typeof x === "number" || typeof x === "boolean" || globalThis.Array.isArray(x)) {
    return { shape: shapeOfNested(x as Nested), data: flatNested(x as Nested) };
  }
  throw new Error(`allclose: cannot compare a value of type ${typeof x}`);
}

function isNumericLeaf(x: unknown): boolean {
  if (x instanceof Array || typeof x === "number" || typeof x === "boolean" || ArrayBuffer.isView(x)) return true;
  return globalThis.Array.isArray(x) && x.every(isNumericLeaf) && x.every((v) => !(v instanceof Array));
}

/**
 * Compare two values; returns null when they are close, else a description of the first
 * difference. Accepts Arrays, numbers, nested JS number arrays, TypedArrays (as 1-D), and pytrees
 * whose leaves are Arrays (structures must match).
 */
export function allclose(actual: unknown, expected: unknown, opts: CloseOptions = {}): string | null {
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-6;
  // A pytree of Arrays on either side: compare leaf by leaf.
  if (!isNumericLeaf(actual) || !isNumericLeaf(expected)) {
    const [la, da] = flatten(actual as any);
    const [le, de] = flatten(expected as any);
    if (treedefToString(da) !== treedefToString(de)) return `structure ${treedefToString(da)} != ${treedefToString(de)}`;
    for (let i = 0; i < la.length; i++) {
      const m = allclose(la[i], le[i], opts);
      if (m !== null) return `leaf ${i}: ${m}`;
    }
    return null;
  }
  const a = toFlat(actual);
  const e = toFlat(expected);
  // Numbers and nested lists carry no dtype; only compare shapes when both sides have one that matters.
  const sameShape = a.shape.length === e.shape.length && a.shape.every((d, i) => d === e.shape[i]);
  if (!sameShape) return `shape [${a.shape.join(",")}] != expected [${e.shape.join(",")}]`;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = e.data[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      return `flat index ${i}: got ${x}, expected ${y}`;
    }
    if (x === y) continue; // also covers equal infinities
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      return `flat index ${i}: got ${x}, expected ${y} (abs err ${Math.abs(x - y).toExponential(3)}, atol ${atol}, rtol ${rtol})`;
    }
  }
  return null;
}

/** Throw (failing the test) unless `actual` is close to `expected`; see {@link allclose}. */
export function expectClose(actual: unknown, expected: unknown, opts: CloseOptions = {}, what = "value"): void {
  const m = allclose(actual, expected, opts);
  if (m !== null) throw new Error(`${what} mismatch: ${m}`);
}

/** Every element of every leaf is exactly zero. */
export function isAllZero(x: unknown): boolean {
  const [ls] = flatten(x as any);
  return ls.every((l) => (l instanceof Array ? globalThis.Array.from(l.dataSync() as ArrayLike<number>).every((v) => v === 0) : l === 0));
}

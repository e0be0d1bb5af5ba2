/**
 * @file Turning user arguments into arrays: JS numbers and booleans become weakly typed scalars,
 * and operands are promoted to a common dtype with JAX's rules before a primitive sees them.
 */
import { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, isFloat, resultType, type DType, type DTypeInfo } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import { convert } from "../primitives/elementwise.js";

/** The weak dtype a JS scalar stands for: integers weak int32, other numbers weak float32, booleans bool. */
export function scalarDtype(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? "int32" : "float32";
}

/** A JS scalar as a 0-d array of `dtype` (by default its own weak dtype). */
export function scalarToArray(v: number | boolean, dtype: DType = scalarDtype(v), weakType = true): ConcreteArray {
  const d = allocate(dtype, 1);
  d[0] = typeof v === "boolean" ? (v ? 1 : 0) : v;
  return new ConcreteArray(d, [], dtype, weakType);
}

function infoOf(x: Array): DTypeInfo {
  return { dtype: x.dtype, weakType: x.weakType };
}

/** Accept an Array, number or boolean; reject anything else with a clear error naming `fn`. */
export function asArray(fn: string, x: unknown): Array {
  if (x instanceof Array) return x;
  if (typeof x === "number" || typeof x === "boolean") return scalarToArray(x);
  throw new ValueError(fn, `expected an Array, a number or a boolean, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (globalThis.Array.isArray(x)) return "a JS array (wrap it with np.array(...))";
  return typeof x === "object" ? `an object (${(x as object).constructor?.name ?? "Object"})` : `${typeof x} ${String(x)}`;
}

/** The promoted dtype info of several operands (JAX's lattice with weak types). */
export function promotedInfo(xs: readonly Array[]): DTypeInfo {
  return resultType(...xs.map(infoOf));
}

/**
 * Coerce and promote operands to one dtype (NumPy/JAX semantics). JS numbers are materialized
 * directly in the promoted dtype, so `x64.mul(0.1)` uses 0.1 exactly. With `minFloat`, integer and
 * bool results are promoted to float32 (as `true_divide`, `sin`, ... do).
 */
export function promoteArgs(fn: string, args: readonly unknown[], opts: { minFloat?: boolean } = {}): Array[] {
  const infos: DTypeInfo[] = args.map((a) => {
    if (a instanceof Array) return infoOf(a);
    if (typeof a === "number" || typeof a === "boolean") return { dtype: scalarDtype(a), weakType: true };
    throw new ValueError(fn, `expected an Array, a number or a boolean, got ${describe(a)}`);
  });
  let info = resultType(...infos);
  if (opts.minFloat && !isFloat(info.dtype)) info = { dtype: "float32", weakType: info.weakType };
  return args.map((a) => (a instanceof Array ? castTo(a, info) : scalarToArray(a as number | boolean, info.dtype, info.weakType)));
}

/** Convert `x` to a dtype info (no-op when it already matches). */
export function castTo(x: Array, info: DTypeInfo): Array {
  if (x.dtype === info.dtype && x.weakType === info.weakType) return x;
  return convert(x, info.dtype, info.weakType);
}

/** Require a dtype class, naming `fn` in the error. */
export function requireDtype(fn: string, x: Array, ok: (d: DType) => boolean, valid: string): void {
  if (!ok(x.dtype)) throw new DTypeError(fn, `expected ${valid}, got ${x.dtype}`);
}


/**
 * @file Elementwise NumPy functions: arithmetic, powers and logs, trigonometry, rounding,
 * comparisons, logical and bitwise operations, `where`, `clip`, NaN handling.
 *
 * Each function coerces JS scalars (weakly typed), promotes its operands with JAX's rules,
 * validates shapes and dtypes under its own name, then binds primitives. Functions without a
 * primitive of their own (`log2`, `floorDivide`, `hypot`, ...) are compositions of primitives,
 * so `grad`, `vmap` and `jit` handle them with no extra rules.
 *
 * Dtype rules (NumPy/JAX): float-only functions (`exp`, `sin`, `sqrt`, `divide`, ...) promote
 * bool and integer inputs to float32; `abs`, `sign`, `floor`, `round`, `power`, `floorDivide`
 * and `mod` keep integers; bool inputs of arithmetic that has no bool meaning become int32.
 */
import { Array, type ArrayLike } from "../core/array.js";
import { isFloat, isInteger } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { broadcastAll, broadcastShapes } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import {
  absP,
  acoshP,
  acosP,
  addP,
  andP,
  asinhP,
  asinP,
  atan2P,
  atanhP,
  atanP,
  cbrtP,
  ceilP,
  coshP,
  cosP,
  divP,
  eqP,
  exp2P,
  expm1P,
  expP,
  floorP,
  geP,
  gtP,
  isFiniteP,
  isNanP,
  leP,
  log1pP,
  logP,
  ltP,
  maxP,
  minP,
  mulP,
  negP,
  neP,
  nextafterP,
  notP,
  orP,
  powP,
  remP,
  roundP,
  selectP,
  shiftLeftP,
  shiftRightArithmeticP,
  shiftRightLogicalP,
  signP,
  sinhP,
  sinP,
  sqrtP,
  subP,
  tanhP,
  tanP,
  truncP,
  xorP,
} from "../primitives/elementwise.js";
import { scalar, scalarLike } from "../primitives/util.js";
import { customJvp } from "../transforms/autodiff.js";
import { asArray, castTo, promoteArgs } from "./coerce.js";
import { describeValue, ones, zeros } from "./creation.js";

const NO_PARAMS = {};

// ---------------------------------------------------------------------------------------------
// coercion helpers

/** Operands promoted to one dtype, with their shapes checked for broadcasting under `fn`'s name. */
function prep2(fn: string, x: ArrayLike, y: ArrayLike, minFloat = false): [Array, Array] {
  let a: Array;
  let b: Array;
  // Fast path: two arrays that already agree (the common case of `x.add(y)`).
  if (x instanceof Array && y instanceof Array && x.dtype === y.dtype && x.weakType === y.weakType && (!minFloat || isFloat(x.dtype))) {
    a = x;
    b = y;
  } else if (x instanceof Array && typeof y === "number" && isFloat(x.dtype) && !x.weakType) {
    // `x.mul(2)` on a float array: the JS number takes x's dtype (what promoteArgs would decide).
    a = x;
    b = scalar(y, x.dtype);
  } else if (y instanceof Array && typeof x === "number" && isFloat(y.dtype) && !y.weakType) {
    a = scalar(x, y.dtype);
    b = y;
  } else {
    [a, b] = promoteArgs(fn, [x, y], { minFloat }) as [Array, Array];
  }
  if (a.shape !== b.shape) broadcastShapes(fn, a.shape, b.shape);
  return [a, b];
}

/** bool operands become int32 for arithmetic that has no bool meaning (NumPy's numeric promotion). */
function numeric2(fn: string, x: ArrayLike, y: ArrayLike): [Array, Array] {
  const [a, b] = prep2(fn, x, y);
  if (a.dtype !== "bool") return [a, b];
  return [castTo(a, { dtype: "int32", weakType: a.weakType }), castTo(b, { dtype: "int32", weakType: b.weakType })];
}

function bin(prim: Primitive, a: Array, b: Array): Array {
  return bind1(prim, [a, b], NO_PARAMS);
}

function un(prim: Primitive, a: Array): Array {
  return bind1(prim, [a], NO_PARAMS);
}

/** The operand as a float array: bool and integers become float32 (weak stays weak). */
function toFloat(fn: string, x: ArrayLike): Array {
  const a = asArray(fn, x);
  return isFloat(a.dtype) ? a : castTo(a, { dtype: "float32", weakType: a.weakType });
}

/** A weak scalar of `like`'s dtype. */
const c = (v: number, like: Array): Array => scalarLike(v, like);

function sel(pred: Array, a: Array, b: Array): Array {
  return bind1(selectP, [pred, a, b], NO_PARAMS);
}

function requireNotBool(fn: string, a: Array, hint: string): void {
  if (a.dtype === "bool") throw new DTypeError(fn, `not supported for bool operands; ${hint}`);
}

/** A float-only unary function built on one primitive. */
function floatUnary(fn: string, prim: Primitive): (x: ArrayLike) => Array {
  return (x) => un(prim, toFloat(fn, x));
}

// ---------------------------------------------------------------------------------------------
// arithmetic

/**
 * `x + y` elementwise, with broadcasting and JAX type promotion (`bool + bool` is logical or).
 * @example
 * ```ts
 * np.add(np.array([1, 2]), 1); // float32 [2, 3]: the JS number is weakly typed
 * ```
 */
export function add(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("add", x, y);
  return bin(addP, a, b);
}

/** `x - y` elementwise. Not defined for two bool operands (use {@link logicalXor}). */
export function subtract(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("subtract", x, y);
  requireNotBool("subtract", a, "use logicalXor, or cast to int32 first");
  return bin(subP, a, b);
}

/** `x * y` elementwise (`bool * bool` is logical and). */
export function multiply(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("multiply", x, y);
  return bin(mulP, a, b);
}

/**
 * True division `x / y`: bool and integer operands give float32 (`int32 / int32` is float32).
 * Division by zero follows IEEE (`1 / 0 = inf`, `0 / 0 = NaN`).
 * @example
 * ```ts
 * np.divide(np.arange(3), 2); // float32 [0, 0.5, 1]
 * ```
 */
export function divide(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("divide", x, y, true);
  return bin(divP, a, b);
}

/** The same as {@link divide}. */
export function trueDivide(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("trueDivide", x, y, true);
  return bin(divP, a, b);
}

/**
 * Floor division `floor(x / y)`, keeping integer dtypes (NumPy semantics: the quotient rounds
 * toward minus infinity, so `floorDivide(-7, 2)` is -4).
 * @example
 * ```ts
 * np.floorDivide(np.array([7, -7], { dtype: "int32" }), 2); // int32 [3, -4]
 * ```
 */
export function floorDivide(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = numeric2("floorDivide", x, y);
  if (a.dtype === "uint32") return bin(divP, a, b);
  if (a.dtype === "int32") {
    // Truncated quotient, minus one where the signs differ and the division is inexact.
    const q = bin(divP, a, b);
    const adjust = bin(andP, bin(neP, un(signP, a), un(signP, b)), bin(neP, bin(remP, a, b), c(0, a)));
    return sel(adjust, bin(subP, q, c(1, q)), q);
  }
  return floatDivmod(a, b)[0];
}

/**
 * Float quotient and remainder with NumPy's `divmod` semantics (CPython's float_divmod): the
 * remainder takes the sign of the divisor and `quotient * y + remainder == x`.
 */
function floatDivmod(a: Array, b: Array): [Array, Array] {
  const zero = c(0, a);
  const r = bin(remP, a, b);
  const fix = bin(andP, bin(neP, r, zero), bin(neP, bin(ltP, b, zero), bin(ltP, r, zero)));
  const mod = sel(fix, bin(addP, r, b), r);
  const q0 = bin(divP, bin(subP, a, r), b);
  const q = un(roundP, sel(fix, bin(subP, q0, c(1, q0)), q0));
  // Division by zero: NumPy returns x / 0 (±inf or NaN) for the quotient.
  return [sel(bin(eqP, b, zero), bin(divP, a, b), q), mod];
}

/**
 * Remainder with the sign of the divisor (NumPy's `mod`/`remainder`, Python's `%`):
 * `mod(-7, 3)` is 2. Integer dtypes are kept; `mod(x, 0)` is 0 for integers and NaN for floats.
 * @example
 * ```ts
 * np.mod(np.array([-7, 7], { dtype: "int32" }), 3); // int32 [2, 1]
 * ```
 */
export function mod(x: ArrayLike, y: ArrayLike): Array {
  return modImpl("mod", x, y);
}

/** The same as {@link mod}. */
export function remainder(x: ArrayLike, y: ArrayLike): Array {
  return modImpl("remainder", x, y);
}

function modImpl(fn: string, x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = numeric2(fn, x, y);
  if (a.dtype === "uint32") return bin(remP, a, b);
  if (a.dtype === "int32") {
    const r = bin(remP, a, b);
    const zero = c(0, a);
    const fix = bin(andP, bin(neP, r, zero), bin(neP, bin(ltP, r, zero), bin(ltP, b, zero)));
    return sel(fix, bin(addP, r, b), r);
  }
  return floatDivmod(a, b)[1];
}

/** Remainder with the sign of the dividend (C's `fmod`, JS's `%`): `fmod(-7, 3)` is -1. */
export function fmod(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = numeric2("fmod", x, y);
  return bin(remP, a, b);
}

/**
 * `x ** y` elementwise. Integer dtypes stay integer (`2 ** 10` in int32 is 1024; negative integer
 * exponents give 0 except for bases ±1, as JAX); floats follow IEEE `pow`.
 * @example
 * ```ts
 * np.power(np.array([1, 2, 3]), 2); // float32 [1, 4, 9]
 * ```
 */
export function power(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = numeric2("power", x, y);
  return bin(powP, a, b);
}

/** Elementwise maximum; NaN propagates (use `where`/`isnan` to ignore NaNs). */
export function maximum(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("maximum", x, y);
  return bin(maxP, a, b);
}

/** Elementwise minimum; NaN propagates. */
export function minimum(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("minimum", x, y);
  return bin(minP, a, b);
}

/** `-x`. Not defined for bool (use {@link logicalNot}). */
export function negative(x: ArrayLike): Array {
  const a = asArray("negative", x);
  requireNotBool("negative", a, "use logicalNot instead");
  return un(negP, a);
}

/** `+x`: returns the input (as an array). */
export function positive(x: ArrayLike): Array {
  return asArray("positive", x);
}

/** `|x|`; bool and uint32 are returned unchanged, integers stay integers. */
export function abs(x: ArrayLike): Array {
  const a = asArray("abs", x);
  return a.dtype === "bool" || a.dtype === "uint32" ? a : un(absP, a);
}

/** The same as {@link abs}. */
export function absolute(x: ArrayLike): Array {
  return abs(x);
}

/** The sign of `x` (-1, 0 or 1; NaN for NaN), in `x`'s dtype. Bool is returned unchanged. */
export function sign(x: ArrayLike): Array {
  const a = asArray("sign", x);
  return a.dtype === "bool" ? a : un(signP, a);
}

/** `x * x` (keeps the dtype). */
export function square(x: ArrayLike): Array {
  const a = asArray("square", x);
  return bin(mulP, a, a);
}

/** `1 / x`; bool and integers give float32. */
export function reciprocal(x: ArrayLike): Array {
  const a = toFloat("reciprocal", x);
  return bin(divP, c(1, a), a);
}

// ---------------------------------------------------------------------------------------------
// exponentials, logarithms, powers

/** `e ** x`. */
export const exp: (x: ArrayLike) => Array = floatUnary("exp", expP);
/** `2 ** x`. */
export const exp2: (x: ArrayLike) => Array = floatUnary("exp2", exp2P);
/** `e ** x - 1`, accurate for small `x`. */
export const expm1: (x: ArrayLike) => Array = floatUnary("expm1", expm1P);
/** Natural logarithm (`log(0) = -inf`, `log(-1) = NaN`). */
export const log: (x: ArrayLike) => Array = floatUnary("log", logP);
/** `log(1 + x)`, accurate for small `x`. */
export const log1p: (x: ArrayLike) => Array = floatUnary("log1p", log1pP);
/** Square root (`sqrt(-1)` is NaN, as IEEE and NumPy). */
export const sqrt: (x: ArrayLike) => Array = floatUnary("sqrt", sqrtP);
/** Cube root (defined for negative numbers). */
export const cbrt: (x: ArrayLike) => Array = floatUnary("cbrt", cbrtP);

/** Base-2 logarithm: `log(x) / log(2)`. */
export function log2(x: ArrayLike): Array {
  const l = un(logP, toFloat("log2", x));
  return bin(divP, l, c(Math.LN2, l));
}

/** Base-10 logarithm: `log(x) / log(10)`. */
export function log10(x: ArrayLike): Array {
  const l = un(logP, toFloat("log10", x));
  return bin(divP, l, c(Math.LN10, l));
}

/**
 * `log(exp(x) + exp(y))` without overflow: `max(x, y) + log1p(exp(-|x - y|))`.
 * @example
 * ```ts
 * np.logaddexp(1000, 1000); // 1000.6931 (exp(1000) would overflow)
 * ```
 */
export function logaddexp(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("logaddexp", x, y, true);
  return logaddexpCustom(a, b);
}

function logaddexpValue(a: Array, b: Array): Array {
  const amax = bin(maxP, a, b);
  const delta = bin(subP, a, b);
  // NaN delta: a NaN input, or infinities of the same sign (then a + b is that infinity).
  const stable = bin(addP, amax, un(log1pP, un(expP, un(negP, un(absP, delta)))));
  return sel(un(isNanP, delta), bin(addP, a, b), stable);
}

// A custom JVP (as JAX's): d = tx·e^(x−out) + ty·e^(y−out), smooth everywhere, so higher derivatives
// are right at x == y where |x − y| and the max tie would give zero curvature.
const logaddexpCustom = customJvp(logaddexpValue, ([a, b], [ta, tb]) => {
  const out = logaddexpValue(a, b);
  const wa = un(expP, bin(subP, a, out));
  const wb = un(expP, bin(subP, b, out));
  return [out, bin(addP, bin(mulP, ta, wa), bin(mulP, tb, wb))];
});

/** `sqrt(x² + y²)` without overflow or underflow: `m * sqrt(1 + (n / m)²)` with `m = max(|x|, |y|)`. */
export function hypot(x: ArrayLike, y: ArrayLike): Array {
  const [a0, b0] = prep2("hypot", x, y, true);
  return hypotCustom(a0, b0);
}

function hypotValue(a0: Array, b0: Array): Array {
  const a = un(absP, a0);
  const b = un(absP, b0);
  const anyInf = bin(orP, bin(eqP, a, c(Infinity, a)), bin(eqP, b, c(Infinity, b)));
  const hi = bin(maxP, a, b);
  const lo = bin(minP, a, b);
  const isZero = bin(eqP, hi, c(0, hi));
  const safeHi = sel(isZero, bin(addP, hi, c(1, hi)), hi);
  const ratio = bin(divP, lo, safeHi);
  const r = bin(mulP, hi, un(sqrtP, bin(addP, c(1, ratio), bin(mulP, ratio, ratio))));
  return sel(anyInf, c(Infinity, hi), sel(isZero, hi, r));
}

// Custom JVP (x·tx + y·ty) / h (0 at the origin): the max/min formulation has kinks where y == 0 or
// |x| == |y| that would zero the second derivative there.
const hypotCustom = customJvp(hypotValue, ([a, b], [ta, tb]) => {
  const h = hypotValue(a, b);
  const isZero = bin(eqP, h, c(0, h));
  const safe = sel(isZero, c(1, h), h);
  const t = bin(divP, bin(addP, bin(mulP, a, ta), bin(mulP, b, tb)), safe);
  return [h, sel(isZero, bin(mulP, t, c(0, t)), t)];
});

/** Degrees to radians: `x * π / 180`. */
export function deg2rad(x: ArrayLike): Array {
  const a = toFloat("deg2rad", x);
  return bin(mulP, a, c(Math.PI / 180, a));
}

/** Radians to degrees: `x * 180 / π`. */
export function rad2deg(x: ArrayLike): Array {
  const a = toFloat("rad2deg", x);
  return bin(mulP, a, c(180 / Math.PI, a));
}

/** The same as {@link deg2rad}. */
export function radians(x: ArrayLike): Array {
  return deg2rad(x);
}

/** The same as {@link rad2deg}. */
export function degrees(x: ArrayLike): Array {
  return rad2deg(x);
}

/** The next representable float after `x` toward `y` (in the operands' float dtype). */
export function nextafter(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prep2("nextafter", x, y, true);
  return bin(nextafterP, a, b);
}

// ---------------------------------------------------------------------------------------------
// trigonometric and hyperbolic

/** Sine (radians). */
export const sin: (x: ArrayLike) => Array = floatUnary("sin", sinP);
/** Cosine. */
export const cos: (x: ArrayLike) => Array = floatUnary("cos", cosP);
/** Tangent. */
export const tan: (x: ArrayLike) => Array = floatUnary("tan", tanP);
/** Inverse sine (NaN outside [-1, 1]). */
export const arcsin: (x: ArrayLike) => Array = floatUnary("arcsin", asinP);
/** Inverse cosine (NaN outside [-1, 1]). */
export const arccos: (x: ArrayLike) => Array = floatUnary("arccos", acosP);
/** Inverse tangent. */
export const arctan: (x: ArrayLike) => Array = floatUnary("arctan", atanP);
/** Hyperbolic sine. */
export const sinh: (x: ArrayLike) => Array = floatUnary("sinh", sinhP);
/** Hyperbolic cosine. */
export const cosh: (x: ArrayLike) => Array = floatUnary("cosh", coshP);
/** Hyperbolic tangent. */
export const tanh: (x: ArrayLike) => Array = floatUnary("tanh", tanhP);
/** Inverse hyperbolic sine. */
export const arcsinh: (x: ArrayLike) => Array = floatUnary("arcsinh", asinhP);
/** Inverse hyperbolic cosine (NaN below 1). */
export const arccosh: (x: ArrayLike) => Array = floatUnary("arccosh", acoshP);
/** Inverse hyperbolic tangent (±inf at ±1, NaN outside). */
export const arctanh: (x: ArrayLike) => Array = floatUnary("arctanh", atanhP);

/** The angle of the point `(x, y)`: `arctan2(y, x)` in (-π, π], quadrant-aware. */
export function arctan2(y: ArrayLike, x: ArrayLike): Array {
  const [a, b] = prep2("arctan2", y, x, true);
  return bin(atan2P, a, b);
}

// ---------------------------------------------------------------------------------------------
// rounding

function roundingUnary(fn: string, prim: Primitive): (x: ArrayLike) => Array {
  return (x) => {
    const a = asArray(fn, x);
    return isFloat(a.dtype) ? un(prim, a) : a;
  };
}

/** Round down; integer and bool inputs are returned unchanged. */
export const floor: (x: ArrayLike) => Array = roundingUnary("floor", floorP);
/** Round up; integer and bool inputs are returned unchanged. */
export const ceil: (x: ArrayLike) => Array = roundingUnary("ceil", ceilP);
/** Round toward zero; integer and bool inputs are returned unchanged. */
export const trunc: (x: ArrayLike) => Array = roundingUnary("trunc", truncP);
/** Round to the nearest integer, halves to even (as NumPy's `rint`). */
export const rint: (x: ArrayLike) => Array = roundingUnary("rint", roundP);

/**
 * Round to `decimals` decimal places, halves to even (NumPy's `round`: `round(2.5)` is 2).
 * Floats are rounded as `round(x * 10^d) / 10^d`; integers are unchanged unless `decimals < 0`.
 * @example
 * ```ts
 * np.round(np.array([0.5, 1.5, 2.5]));  // [0, 2, 2]
 * np.round(np.array([1.234]), 2);       // [1.23]
 * ```
 */
export function round(x: ArrayLike, decimals: number = 0): Array {
  const a = asArray("round", x);
  if (!Number.isInteger(decimals)) throw new ValueError("round", `decimals must be an integer, got ${describeValue(decimals)}`);
  if (!isFloat(a.dtype)) {
    if (decimals >= 0 || a.dtype === "bool") return a;
    // Integers with negative decimals: round in float64 (exact for 32-bit integers), convert back.
    const f = castTo(a, { dtype: "float64", weakType: a.weakType });
    const factor = c(10 ** -decimals, f);
    const r = bin(mulP, un(roundP, bin(divP, f, factor)), factor);
    return castTo(r, { dtype: a.dtype, weakType: a.weakType });
  }
  if (decimals === 0) return un(roundP, a);
  const factor = c(10 ** Math.abs(decimals), a);
  return decimals > 0 ? bin(divP, un(roundP, bin(mulP, a, factor)), factor) : bin(mulP, un(roundP, bin(divP, a, factor)), factor);
}

/** The same as {@link round}. */
export function around(x: ArrayLike, decimals: number = 0): Array {
  return round(x, decimals);
}

// ---------------------------------------------------------------------------------------------
// selection and clipping

/**
 * `condition ? x : y` elementwise, broadcasting all three. The condition is converted to bool
 * (nonzero is true); `x` and `y` are promoted to a common dtype.
 * @example
 * ```ts
 * const x = np.array([-1, 2, -3]);
 * np.where(x.gt(0), x, 0); // [0, 2, 0]
 * ```
 */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike): Array {
  if (x === undefined || y === undefined) {
    throw new ValueError("where", "expected three arguments (condition, x, y); for the indices where condition holds use nonzero (eager only)");
  }
  const cond = toBool("where", condition);
  const [a, b] = promoteArgs("where", [x, y]) as [Array, Array];
  broadcastAll("where", [cond.shape, a.shape, b.shape]);
  return sel(cond, a, b);
}

/**
 * Limit values to `[lo, hi]`: `minimum(maximum(x, lo), hi)`. Either bound may be null.
 * @example
 * ```ts
 * np.clip(np.array([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 */
export function clip(x: ArrayLike, lo: ArrayLike | null = null, hi: ArrayLike | null = null): Array {
  let out = asArray("clip", x);
  if (lo !== null && lo !== undefined) out = maximumAs("clip", out, lo);
  if (hi !== null && hi !== undefined) out = minimumAs("clip", out, hi);
  return out;
}

function maximumAs(fn: string, x: Array, y: ArrayLike): Array {
  const [a, b] = prep2(fn, x, y);
  return bin(maxP, a, b);
}

function minimumAs(fn: string, x: Array, y: ArrayLike): Array {
  const [a, b] = prep2(fn, x, y);
  return bin(minP, a, b);
}

// ---------------------------------------------------------------------------------------------
// floating-point classification

/** True where `x` is NaN (always false for integer and bool dtypes). */
export function isnan(x: ArrayLike): Array {
  const a = asArray("isnan", x);
  return isFloat(a.dtype) ? un(isNanP, a) : zeros(a.shape, { dtype: "bool" });
}

/** True where `x` is +inf or -inf. */
export function isinf(x: ArrayLike): Array {
  const a = asArray("isinf", x);
  return isFloat(a.dtype) ? bin(eqP, un(absP, a), c(Infinity, a)) : zeros(a.shape, { dtype: "bool" });
}

/** True where `x` is +inf. */
export function isposinf(x: ArrayLike): Array {
  const a = asArray("isposinf", x);
  return isFloat(a.dtype) ? bin(eqP, a, c(Infinity, a)) : zeros(a.shape, { dtype: "bool" });
}

/** True where `x` is -inf. */
export function isneginf(x: ArrayLike): Array {
  const a = asArray("isneginf", x);
  return isFloat(a.dtype) ? bin(eqP, a, c(-Infinity, a)) : zeros(a.shape, { dtype: "bool" });
}

/** True where `x` is neither NaN nor infinite (always true for integer and bool dtypes). */
export function isfinite(x: ArrayLike): Array {
  const a = asArray("isfinite", x);
  return isFloat(a.dtype) ? un(isFiniteP, a) : ones(a.shape, { dtype: "bool" });
}

/** Options of {@link nanToNum}. */
export interface NanToNumOptions {
  /** Replacement for NaN (default 0). */
  nan?: number;
  /** Replacement for +inf (default: the largest finite value of the dtype). */
  posinf?: number | null;
  /** Replacement for -inf (default: the most negative finite value of the dtype). */
  neginf?: number | null;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Replace NaN and infinities by finite numbers (integer and bool inputs are returned unchanged).
 * @example
 * ```ts
 * np.nanToNum(np.array([NaN, Infinity, -1])); // [0, 3.4028235e38, -1]
 * ```
 */
export function nanToNum(x: ArrayLike, opts: NanToNumOptions = {}): Array {
  const a = asArray("nanToNum", x);
  if (!isFloat(a.dtype)) return a;
  const big = a.dtype === "float32" ? FLOAT32_MAX : Number.MAX_VALUE;
  const nanV = opts.nan ?? 0;
  const pos = opts.posinf ?? big;
  const negv = opts.neginf ?? -big;
  for (const [k, v] of [["nan", nanV], ["posinf", pos], ["neginf", negv]] as const) {
    if (typeof v !== "number") throw new ValueError("nanToNum", `${k} must be a number, got ${describeValue(v)}`);
  }
  let out = sel(un(isNanP, a), c(nanV, a), a);
  out = sel(bin(eqP, a, c(Infinity, a)), c(pos, a), out);
  return sel(bin(eqP, a, c(-Infinity, a)), c(negv, a), out);
}

// ---------------------------------------------------------------------------------------------
// comparisons

function compare(fn: string, prim: Primitive): (x: ArrayLike, y: ArrayLike) => Array {
  return (x, y) => {
    const [a, b] = prep2(fn, x, y);
    return bin(prim, a, b);
  };
}

/** `x == y` elementwise (bool). NaN is not equal to anything. */
export const equal: (x: ArrayLike, y: ArrayLike) => Array = compare("equal", eqP);
/** `x != y` elementwise (bool). */
export const notEqual: (x: ArrayLike, y: ArrayLike) => Array = compare("notEqual", neP);
/** `x < y` elementwise (bool). */
export const less: (x: ArrayLike, y: ArrayLike) => Array = compare("less", ltP);
/** `x <= y` elementwise (bool). */
export const lessEqual: (x: ArrayLike, y: ArrayLike) => Array = compare("lessEqual", leP);
/** `x > y` elementwise (bool). */
export const greater: (x: ArrayLike, y: ArrayLike) => Array = compare("greater", gtP);
/** `x >= y` elementwise (bool). */
export const greaterEqual: (x: ArrayLike, y: ArrayLike) => Array = compare("greaterEqual", geP);

// ---------------------------------------------------------------------------------------------
// logical

/** `x` as bool: nonzero (and NaN) is true. @internal */
export function toBool(fn: string, x: ArrayLike): Array {
  const a = asArray(fn, x);
  return a.dtype === "bool" ? a : bin(neP, a, c(0, a));
}

function logical(fn: string, prim: Primitive): (x: ArrayLike, y: ArrayLike) => Array {
  return (x, y) => {
    const a = toBool(fn, x);
    const b = toBool(fn, y);
    if (a.shape !== b.shape) broadcastShapes(fn, a.shape, b.shape);
    return bin(prim, a, b);
  };
}

/** Logical AND of the truth values of `x` and `y` (bool). */
export const logicalAnd: (x: ArrayLike, y: ArrayLike) => Array = logical("logicalAnd", andP);
/** Logical OR (bool). */
export const logicalOr: (x: ArrayLike, y: ArrayLike) => Array = logical("logicalOr", orP);
/** Logical XOR (bool). */
export const logicalXor: (x: ArrayLike, y: ArrayLike) => Array = logical("logicalXor", xorP);

/** Logical NOT of the truth value of `x` (bool). */
export function logicalNot(x: ArrayLike): Array {
  return un(notP, toBool("logicalNot", x));
}

// ---------------------------------------------------------------------------------------------
// bitwise

const BITWISE_DTYPES = "bool, int32 or uint32";

function bitwise(fn: string, prim: Primitive): (x: ArrayLike, y: ArrayLike) => Array {
  return (x, y) => {
    const [a, b] = prep2(fn, x, y);
    if (isFloat(a.dtype)) throw new DTypeError(fn, `expected ${BITWISE_DTYPES} operands, got ${dtypesOf(x, y)} (promoted to ${a.dtype})`);
    return bin(prim, a, b);
  };
}

function dtypesOf(x: ArrayLike, y: ArrayLike): string {
  const d = (v: ArrayLike) => (v instanceof Array ? v.dtype : `JS ${typeof v}`);
  return `${d(x)} and ${d(y)}`;
}

/** Bitwise AND (logical AND for bool). */
export const bitwiseAnd: (x: ArrayLike, y: ArrayLike) => Array = bitwise("bitwiseAnd", andP);
/** Bitwise OR. */
export const bitwiseOr: (x: ArrayLike, y: ArrayLike) => Array = bitwise("bitwiseOr", orP);
/** Bitwise XOR. */
export const bitwiseXor: (x: ArrayLike, y: ArrayLike) => Array = bitwise("bitwiseXor", xorP);

function invertImpl(fn: string, x: ArrayLike): Array {
  const a = asArray(fn, x);
  if (isFloat(a.dtype)) throw new DTypeError(fn, `expected ${BITWISE_DTYPES}, got ${a.dtype}`);
  return un(notP, a);
}

/** Bitwise NOT (`~x`; logical NOT for bool). */
export function bitwiseNot(x: ArrayLike): Array {
  return invertImpl("bitwiseNot", x);
}

/** The same as {@link bitwiseNot}. */
export function invert(x: ArrayLike): Array {
  return invertImpl("invert", x);
}

function shiftArgs(fn: string, x: ArrayLike, y: ArrayLike): [Array, Array] {
  const [a, b] = numeric2(fn, x, y);
  if (!isInteger(a.dtype)) throw new DTypeError(fn, `expected integer operands (int32 or uint32), got ${dtypesOf(x, y)}`);
  return [a, b];
}

/** `x << y`; shifts of 32 or more give 0. */
export function leftShift(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = shiftArgs("leftShift", x, y);
  return bin(shiftLeftP, a, b);
}

/** `x >> y`: arithmetic (sign-filling) for int32, logical for uint32, as NumPy. */
export function rightShift(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = shiftArgs("rightShift", x, y);
  return bin(a.dtype === "uint32" ? shiftRightLogicalP : shiftRightArithmeticP, a, b);
}

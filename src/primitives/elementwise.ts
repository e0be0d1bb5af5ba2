/**
 * @file Elementwise primitives: unary math, binary arithmetic with NumPy broadcasting,
 * comparisons, logical/bitwise ops, `select` and dtype conversion. Each is declared once with its
 * kernel formula, shape/dtype rule, JVP, transpose (when linear) and batching rule.
 *
 * Binary primitives require equal dtypes (the NumPy layer promotes first) and broadcast shapes,
 * so eager code never materializes broadcast copies.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray, shareData } from "../core/concrete.js";
import { allocate, isFloat, isInteger, type DType } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import { definePrimitive, UndefPrimal, type Primitive, type Tangent } from "../core/primitive.js";
import { broadcastAll, sizeOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { mapElementwise } from "../backend/cpu/elementwise.js";
import { batchElementwise, broadcastTo, scalarLike, unbroadcast, zerosLikeAval } from "./util.js";

type DTypeClass = "float" | "numeric" | "int" | "intOrBool" | "any";

function accepts(cls: DTypeClass, d: DType): boolean {
  switch (cls) {
    case "float":
      return isFloat(d);
    case "numeric":
      return d !== "bool";
    case "int":
      return isInteger(d);
    case "intOrBool":
      return d !== "float32" && d !== "float64";
    case "any":
      return true;
  }
}

const classText: Record<DTypeClass, string> = {
  float: "float32 or float64",
  numeric: "a numeric dtype (not bool)",
  int: "int32 or uint32",
  intOrBool: "bool, int32 or uint32",
  any: "any dtype",
};

function checkDtypes(name: string, avals: ShapedArray[], cls: DTypeClass): DType {
  const d = avals[0]!.dtype;
  for (const a of avals) {
    if (a.dtype !== d) throw new DTypeError(name, `operands must have the same dtype, got ${avals.map((x) => x.dtype).join(" and ")}`);
  }
  if (!accepts(cls, d)) throw new DTypeError(name, `expected ${classText[cls]}, got ${d}`);
  return d;
}

/** Run an elementwise formula eagerly. */
function runElementwise(exprFor: (d: DType) => string, outDtype: DType, args: ConcreteArray[], outShape: Shape, weak: boolean): ConcreteArray {
  const out = allocate(outDtype, sizeOf(outShape));
  mapElementwise(
    exprFor(args[0]!.dtype),
    args.map((a) => ConcreteArray.dataOf(a)),
    args.map((a) => a.shape),
    outShape,
    out,
  );
  return new ConcreteArray(out, outShape, outDtype, weak);
}

/** Wrap an integer formula so that it stores correctly for the dtype. */
function wrapInt(expr: string, d: DType): string {
  if (d === "int32") return `(${expr}) | 0`;
  if (d === "uint32") return `(${expr}) >>> 0`;
  return expr;
}

// ---------------------------------------------------------------------------------------------
// Unary

interface UnarySpec {
  /** Kernel formula over `a` for a dtype. */
  expr: (d: DType) => string;
  /** Accepted input dtypes. */
  dtypes: DTypeClass;
  /** Output dtype (default: same as input). */
  outDtype?: (d: DType) => DType;
  /** Tangent of the output from the input `x`, output `y` and input tangent `t`; omit for zero. */
  jvp?: (x: Array, y: Array, t: Array) => Array;
  /** Set for linear primitives: the transpose of `t -> jvp(t)`. */
  linear?: boolean;
}

function unary(name: string, spec: UnarySpec): Primitive<Record<string, never>> {
  const outDtype = spec.outDtype ?? ((d: DType) => d);
  const prim: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
    name,
    impl: ([x]) => [runElementwise(spec.expr, outDtype(x!.dtype), [x!], x!.shape, x!.weakType && outDtype(x!.dtype) === x!.dtype)],
    abstractEval: (avals) => {
      const d = checkDtypes(name, avals, spec.dtypes);
      const od = outDtype(d);
      return [{ shape: avals[0]!.shape, dtype: od, weakType: avals[0]!.weakType && od === d }];
    },
    jvp: ([x], [t]) => {
      const y = bind1(prim, [x!], {});
      if (spec.jvp === undefined || t === null || !isFloat(y.dtype)) return [[y], [null]];
      return [[y], [spec.jvp(x!, y, t!)]];
    },
    transpose: spec.linear ? ([ct]) => [ct === null ? null : bind1(prim, [ct], {})] : undefined,
    batch: ([x], [d]) => [[bind1(prim, [x!], {})], [d!]],
  });
  return prim;
}

const same = (d: DType) => d;
const f = (js: string) => () => js;

/** `-x`. */
export const negP = unary("neg", {
  expr: (d) => wrapInt("-a", d),
  dtypes: "numeric",
  jvp: (_x, _y, t) => neg(t),
  linear: true,
});
export const sinP = unary("sin", { expr: f("Math.sin(a)"), dtypes: "float", jvp: (x, _y, t) => mul(t, cos(x)) });
export const cosP = unary("cos", { expr: f("Math.cos(a)"), dtypes: "float", jvp: (x, _y, t) => neg(mul(t, sin(x))) });
export const tanP = unary("tan", { expr: f("Math.tan(a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, add(1, mul(y, y))) });
export const asinP = unary("asin", { expr: f("Math.asin(a)"), dtypes: "float", jvp: (x, _y, t) => mul(t, rsqrt(sub(1, mul(x, x)))) });
export const acosP = unary("acos", { expr: f("Math.acos(a)"), dtypes: "float", jvp: (x, _y, t) => neg(mul(t, rsqrt(sub(1, mul(x, x))))) });
export const atanP = unary("atan", { expr: f("Math.atan(a)"), dtypes: "float", jvp: (x, _y, t) => div(t, add(1, mul(x, x))) });
export const sinhP = unary("sinh", { expr: f("Math.sinh(a)"), dtypes: "float", jvp: (x, _y, t) => mul(t, cosh(x)) });
export const coshP = unary("cosh", { expr: f("Math.cosh(a)"), dtypes: "float", jvp: (x, _y, t) => mul(t, sinh(x)) });
export const tanhP = unary("tanh", { expr: f("Math.tanh(a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, sub(1, mul(y, y))) });
export const asinhP = unary("asinh", { expr: f("Math.asinh(a)"), dtypes: "float", jvp: (x, _y, t) => mul(t, rsqrt(add(mul(x, x), 1))) });
export const acoshP = unary("acosh", {
  expr: f("Math.acosh(a)"),
  dtypes: "float",
  jvp: (x, _y, t) => div(t, mul(sqrt(sub(x, 1)), sqrt(add(x, 1)))),
});
export const atanhP = unary("atanh", { expr: f("Math.atanh(a)"), dtypes: "float", jvp: (x, _y, t) => div(t, sub(1, mul(x, x))) });
export const expP = unary("exp", { expr: f("Math.exp(a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, y) });
export const exp2P = unary("exp2", { expr: f("Math.pow(2, a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, mul(y, Math.LN2)) });
export const expm1P = unary("expm1", { expr: f("Math.expm1(a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, add(y, 1)) });
export const logP = unary("log", { expr: f("Math.log(a)"), dtypes: "float", jvp: (x, _y, t) => div(t, x) });
export const log1pP = unary("log1p", { expr: f("Math.log1p(a)"), dtypes: "float", jvp: (x, _y, t) => div(t, add(x, 1)) });
export const sqrtP = unary("sqrt", { expr: f("Math.sqrt(a)"), dtypes: "float", jvp: (_x, y, t) => div(mul(t, 0.5), y) });
export const rsqrtP = unary("rsqrt", { expr: f("1 / Math.sqrt(a)"), dtypes: "float", jvp: (x, y, t) => mul(mul(t, -0.5), div(y, x)) });
export const cbrtP = unary("cbrt", { expr: f("Math.cbrt(a)"), dtypes: "float", jvp: (_x, y, t) => div(t, mul(mul(y, y), 3)) });
export const logisticP = unary("logistic", { expr: f("M.logistic(a)"), dtypes: "float", jvp: (_x, y, t) => mul(t, mul(y, sub(1, y))) });
export const erfP = unary("erf", {
  expr: f("M.erf(a)"),
  dtypes: "float",
  jvp: (x, _y, t) => mul(t, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))),
});
export const erfInvP = unary("erf_inv", {
  expr: f("M.erfinv(a)"),
  dtypes: "float",
  jvp: (_x, y, t) => mul(t, mul(exp(mul(y, y)), Math.sqrt(Math.PI) / 2)),
});
export const absP = unary("abs", {
  expr: (d) => (d === "uint32" ? "a" : wrapInt("Math.abs(a)", d)),
  dtypes: "numeric",
  jvp: (x, _y, t) => mul(t, sign(x)),
});
export const signP = unary("sign", { expr: (d) => (d === "uint32" ? "a > 0 ? 1 : 0" : "Math.sign(a)"), dtypes: "numeric" });
export const floorP = unary("floor", { expr: f("Math.floor(a)"), dtypes: "float" });
export const ceilP = unary("ceil", { expr: f("Math.ceil(a)"), dtypes: "float" });
export const roundP = unary("round", { expr: f("M.roundHalfEven(a)"), dtypes: "float" });
export const truncP = unary("trunc", { expr: f("Math.trunc(a)"), dtypes: "float" });
export const isFiniteP = unary("is_finite", { expr: f("Number.isFinite(a) ? 1 : 0"), dtypes: "float", outDtype: () => "bool" });
export const isNanP = unary("is_nan", { expr: f("a !== a ? 1 : 0"), dtypes: "float", outDtype: () => "bool" });
export const notP = unary("not", {
  expr: (d) => (d === "bool" ? "a ^ 1" : d === "uint32" ? "(~a) >>> 0" : "~a"),
  dtypes: "intOrBool",
});

// ---------------------------------------------------------------------------------------------
// Binary

interface BinarySpec {
  expr: (d: DType) => string;
  dtypes: DTypeClass;
  outDtype?: (d: DType) => DType;
  /** Tangent from primals x, y, output z and tangents (null = zero); omit for non-differentiable. */
  jvp?: (x: Array, y: Array, z: Array, tx: Tangent, ty: Tangent) => Array;
  /** Transpose for primitives linear in each argument separately (add/sub) or in one (mul/div). */
  transpose?: (ct: Array, x: Array | UndefPrimal, y: Array | UndefPrimal) => [Tangent, Tangent];
}

function binary(name: string, spec: BinarySpec): Primitive<Record<string, never>> {
  const outDtype = spec.outDtype ?? same;
  const prim: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
    name,
    impl: ([x, y]) => {
      const shape = broadcastAll(name, [x!.shape, y!.shape]);
      const od = outDtype(x!.dtype);
      return [runElementwise(spec.expr, od, [x!, y!], shape, x!.weakType && y!.weakType && od === x!.dtype)];
    },
    abstractEval: (avals) => {
      const d = checkDtypes(name, avals, spec.dtypes);
      const od = outDtype(d);
      const shape = broadcastAll(name, avals.map((a) => a.shape));
      return [{ shape, dtype: od, weakType: avals[0]!.weakType && avals[1]!.weakType && od === d }];
    },
    jvp: ([x, y], [tx, ty]) => {
      const z = bind1(prim, [x!, y!], {});
      if (spec.jvp === undefined || !isFloat(z.dtype) || (tx === null && ty === null)) return [[z], [null]];
      return [[z], [broadcastTo(spec.jvp(x!, y!, z, tx!, ty!), z.shape)]];
    },
    transpose: spec.transpose
      ? ([ct], [x, y]) => {
          if (ct === null) return [null, null];
          const [cx, cy] = spec.transpose!(ct, x!, y!);
          return [
            cx === null ? null : unbroadcast(cx, (x as { aval: ShapedArray }).aval.shape),
            cy === null ? null : unbroadcast(cy, (y as { aval: ShapedArray }).aval.shape),
          ];
        }
      : undefined,
    batch: (args, dims) => batchElementwise(prim, args, dims, {}),
  });
  return prim;
}

const isUndef = (x: unknown): x is UndefPrimal => x instanceof UndefPrimal;
const intExpr = (float: string, int32: string, uint32: string) => (d: DType) =>
  d === "int32" ? int32 : d === "uint32" ? uint32 : float;

export const addP = binary("add", {
  expr: (d) => (d === "bool" ? "a | b" : wrapInt("a + b", d)),
  dtypes: "any",
  jvp: (_x, _y, _z, tx, ty) => (tx === null ? ty! : ty === null ? tx : add(tx, ty)),
  transpose: (ct, x, y) => [isUndef(x) ? ct : null, isUndef(y) ? ct : null],
});
export const subP = binary("sub", {
  expr: (d) => wrapInt("a - b", d),
  dtypes: "numeric",
  jvp: (_x, _y, _z, tx, ty) => (tx === null ? neg(ty!) : ty === null ? tx : sub(tx, ty)),
  transpose: (ct, x, y) => [isUndef(x) ? ct : null, isUndef(y) ? neg(ct) : null],
});
export const mulP = binary("mul", {
  expr: (d) => (d === "bool" ? "a & b" : d === "int32" ? "Math.imul(a, b)" : d === "uint32" ? "Math.imul(a, b) >>> 0" : "a * b"),
  dtypes: "any",
  jvp: (x, y, _z, tx, ty) => (tx === null ? mul(x, ty!) : ty === null ? mul(tx, y) : add(mul(tx, y), mul(x, ty))),
  transpose: (ct, x, y) => {
    if (isUndef(x) && isUndef(y)) throw new Error("mul: transpose of a product of two linear values (the function is not linear)");
    return isUndef(x) ? [mul(ct, y as Array), null] : [null, mul(x as Array, ct)];
  },
});
export const divP = binary("div", {
  expr: intExpr("a / b", "b === 0 ? 0 : (a / b) | 0", "b === 0 ? 0 : Math.trunc(a / b) >>> 0"),
  dtypes: "numeric",
  jvp: (_x, y, z, tx, ty) => (ty === null ? div(tx!, y) : tx === null ? neg(div(mul(ty, z), y)) : div(sub(tx, mul(ty, z)), y)),
  transpose: (ct, x, y) => {
    if (isUndef(y)) throw new Error("div: transpose with respect to the divisor (the function is not linear in it)");
    return [div(ct, y), null];
  },
});
export const remP = binary("rem", {
  expr: intExpr("a % b", "b === 0 ? 0 : (a % b) | 0", "b === 0 ? 0 : (a % b) >>> 0"),
  dtypes: "numeric",
  jvp: (x, y, _z, tx, ty) => {
    const q = trunc(div(x, y));
    return tx === null ? neg(mul(ty!, q)) : ty === null ? tx : sub(tx, mul(ty, q));
  },
});
export const powP = binary("pow", {
  expr: intExpr("Math.pow(a, b)", "M.ipow(a, b)", "M.ipow(a, b) >>> 0"),
  dtypes: "numeric",
  jvp: (x, y, z, tx, ty) => {
    // d/dx = y x^(y-1); d/dy = log(x) x^y, taken as 0 where x == 0 (as JAX does).
    const dx = tx === null ? null : mul(tx, mul(y, pow(x, sub(y, 1))));
    const dy = ty === null ? null : mul(ty, select(eq(x, 0), scalarLike(0, z), mul(z, log(select(eq(x, 0), scalarLike(1, x), x)))));
    return dx === null ? dy! : dy === null ? dx : add(dx, dy);
  },
});
export const maxP = binary("max", {
  expr: (d) => (d === "bool" ? "a | b" : "(a !== a || b !== b) ? NaN : (a > b ? a : b)"),
  dtypes: "any",
  jvp: (x, y, _z, tx, ty) => minMaxJvp(gt(x, y), eq(x, y), tx, ty, x),
});
export const minP = binary("min", {
  expr: (d) => (d === "bool" ? "a & b" : "(a !== a || b !== b) ? NaN : (a < b ? a : b)"),
  dtypes: "any",
  jvp: (x, y, _z, tx, ty) => minMaxJvp(lt(x, y), eq(x, y), tx, ty, x),
});
export const atan2P = binary("atan2", {
  expr: f("Math.atan2(a, b)"),
  dtypes: "float",
  jvp: (x, y, _z, tx, ty) => {
    const den = add(mul(x, x), mul(y, y));
    const a = tx === null ? null : mul(tx, y);
    const b = ty === null ? null : mul(ty, x);
    return div(a === null ? neg(b!) : b === null ? a : sub(a, b), den);
  },
});
// nextafter(x, y) is x moved by one ulp: derivative 1 in x and 0 in y (almost everywhere). Without a
// rule the tangent would silently be zero.
export const nextafterP = binary("nextafter", {
  expr: (d) => (d === "float32" ? "M.nextafter32(a, b)" : "M.nextafter64(a, b)"),
  dtypes: "float",
  jvp: (_x, _y, z, tx) => tx ?? scalarLike(0, z),
});

// Ties in max/min split the tangent evenly, as JAX does.
function minMaxJvp(pick: Array, tie: Array, tx: Tangent, ty: Tangent, like: Array): Array {
  const zero = scalarLike(0, like);
  const half = scalarLike(0.5, like);
  const txx = tx ?? zero;
  const tyy = ty ?? zero;
  return select(tie, mul(add(txx, tyy), half), select(pick, txx, tyy));
}

const toBool = () => "bool" as DType;
const cmp = (name: string, op: string) => binary(name, { expr: () => `(a ${op} b) ? 1 : 0`, dtypes: "any", outDtype: toBool });
export const eqP = cmp("eq", "===");
export const neP = cmp("ne", "!==");
export const ltP = cmp("lt", "<");
export const leP = cmp("le", "<=");
export const gtP = cmp("gt", ">");
export const geP = cmp("ge", ">=");

export const andP = binary("and", { expr: (d) => wrapInt("a & b", d), dtypes: "intOrBool" });
export const orP = binary("or", { expr: (d) => wrapInt("a | b", d), dtypes: "intOrBool" });
export const xorP = binary("xor", { expr: (d) => wrapInt("a ^ b", d), dtypes: "intOrBool" });
export const shiftLeftP = binary("shift_left", { expr: (d) => wrapInt("M.shl(a, b)", d), dtypes: "int" });
export const shiftRightLogicalP = binary("shift_right_logical", { expr: (d) => wrapInt("M.shrl(a, b)", d), dtypes: "int" });
export const shiftRightArithmeticP = binary("shift_right_arithmetic", { expr: (d) => wrapInt("M.shra(a, b)", d), dtypes: "int" });

// ---------------------------------------------------------------------------------------------
// select(pred, onTrue, onFalse)

/** `pred ? a : b` elementwise with broadcasting; `pred` is bool, `a` and `b` share a dtype. */
export const selectP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "select",
  impl: ([p, a, b]) => {
    const shape = broadcastAll("select", [p!.shape, a!.shape, b!.shape]);
    const out = allocate(a!.dtype, sizeOf(shape));
    mapElementwise("a ? b : c", [p, a, b].map((x) => ConcreteArray.dataOf(x!)), [p!.shape, a!.shape, b!.shape], shape, out);
    return [new ConcreteArray(out, shape, a!.dtype, a!.weakType && b!.weakType)];
  },
  abstractEval: ([p, a, b]) => {
    if (p!.dtype !== "bool") throw new DTypeError("select", `the condition must be bool, got ${p!.dtype}`);
    if (a!.dtype !== b!.dtype) throw new DTypeError("select", `both branches must have the same dtype, got ${a!.dtype} and ${b!.dtype}`);
    return [{ shape: broadcastAll("select", [p!.shape, a!.shape, b!.shape]), dtype: a!.dtype, weakType: a!.weakType && b!.weakType }];
  },
  jvp: ([p, a, b], [, ta, tb]) => {
    const z = select(p!, a!, b!);
    if (!isFloat(z.dtype) || (ta === null && tb === null)) return [[z], [null]];
    const zero = zerosLikeAval(z.aval);
    return [[z], [select(p!, ta ?? zero, tb ?? zero)]];
  },
  transpose: ([ct], [p, a, b]) => {
    if (ct === null) return [null, null, null];
    if (isUndef(p)) throw new Error("select: the condition cannot be linear");
    const zero = zerosLikeAval(ct.aval);
    return [
      null,
      isUndef(a) ? unbroadcast(select(p as Array, ct, zero), a.aval.shape) : null,
      isUndef(b) ? unbroadcast(select(p as Array, zero, ct), b.aval.shape) : null,
    ];
  },
  batch: (args, dims) => batchElementwise(selectP, args, dims, {}),
});

// ---------------------------------------------------------------------------------------------
// dtype conversion

/** Parameters of `convert_element_type`. */
export interface ConvertParams {
  dtype: DType;
  weakType: boolean;
}

function convertExpr(from: DType, to: DType): string {
  if (to === "bool") return "a !== 0 ? 1 : 0"; // NaN !== 0 is true, as NumPy's bool(nan)
  if (to === "int32") return isFloat(from) ? "a !== a ? 0 : (Math.trunc(Math.max(-2147483648, Math.min(2147483647, a))) | 0)" : "a | 0";
  if (to === "uint32") return isFloat(from) ? "a !== a ? 0 : (Math.trunc(Math.max(0, Math.min(4294967295, a))) >>> 0)" : "a >>> 0";
  return "a";
}

/** `astype`: convert to another dtype (float→int truncates toward zero and saturates). */
export const convertP: Primitive<ConvertParams> = definePrimitive<ConvertParams>({
  name: "convert_element_type",
  impl: ([x], { dtype, weakType }) => {
    if (x!.dtype === dtype) return [new ConcreteArray(shareData(x!), x!.shape, dtype, weakType)];
    return [runElementwise(() => convertExpr(x!.dtype, dtype), dtype, [x!], x!.shape, weakType)];
  },
  abstractEval: ([x], { dtype, weakType }) => [{ shape: x!.shape, dtype, weakType }],
  jvp: ([x], [t], params) => {
    const y = bind1(convertP, [x!], params);
    if (t === null || !isFloat(x!.dtype) || !isFloat(params.dtype)) return [[y], [null]];
    return [[y], [bind1(convertP, [t], params)]];
  },
  transpose: ([ct], [x]) => {
    if (ct === null) return [null];
    const a = (x as UndefPrimal).aval;
    return [bind1(convertP, [ct], { dtype: a.dtype, weakType: a.weakType })];
  },
  batch: ([x], [d], params) => [[bind1(convertP, [x!], params)], [d!]],
  printParams: (p) => `new_dtype=${p.dtype}${p.weakType ? " weak_type=True" : ""}`,
});

/** Reinterpret the bits of a 32-bit dtype as another 32-bit dtype (for random number generation). */
export const bitcastP: Primitive<{ dtype: DType }> = definePrimitive<{ dtype: DType }>({
  name: "bitcast_convert_type",
  impl: ([x], { dtype }) => {
    const src = ConcreteArray.dataOf(x!);
    const bytes = src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength);
    return [new ConcreteArray(new (allocate(dtype, 0).constructor as any)(bytes), x!.shape, dtype)];
  },
  abstractEval: ([x], { dtype }) => {
    const ok = (d: DType) => d === "float32" || d === "int32" || d === "uint32";
    if (!ok(x!.dtype) || !ok(dtype)) throw new DTypeError("bitcast_convert_type", `only between float32, int32 and uint32, got ${x!.dtype} -> ${dtype}`);
    return [{ shape: x!.shape, dtype, weakType: false }];
  },
  jvp: ([x], _t, params) => [[bind1(bitcastP, [x!], params)], [null]],
  batch: ([x], [d], params) => [[bind1(bitcastP, [x!], params)], [d!]],
  printParams: (p) => `new_dtype=${p.dtype}`,
});

// ---------------------------------------------------------------------------------------------
// lax-level wrappers used by rules and by the NumPy layer. Operands must already share a dtype;
// a JS number becomes a weak scalar of the other operand's dtype.

type Operand = Array | number;

function lift2(x: Operand, y: Operand): [Array, Array] {
  if (typeof x === "number") return [scalarLike(x, y as Array), y as Array];
  if (typeof y === "number") return [x, scalarLike(y, x)];
  return [x, y];
}

const bin = (p: Primitive) => (x: Operand, y: Operand): Array => bind1(p, lift2(x, y), {});
const un = (p: Primitive) => (x: Array): Array => bind1(p, [x], {});

export const add = bin(addP);
export const sub = bin(subP);
export const mul = bin(mulP);
export const div = bin(divP);
export const rem = bin(remP);
export const pow = bin(powP);
export const max = bin(maxP);
export const min = bin(minP);
export const atan2 = bin(atan2P);
export const eq = bin(eqP);
export const ne = bin(neP);
export const lt = bin(ltP);
export const le = bin(leP);
export const gt = bin(gtP);
export const ge = bin(geP);
export const neg = un(negP);
export const sin = un(sinP);
export const cos = un(cosP);
export const sinh = un(sinhP);
export const cosh = un(coshP);
export const exp = un(expP);
export const log = un(logP);
export const sqrt = un(sqrtP);
export const rsqrt = un(rsqrtP);
export const sign = un(signP);
export const trunc = un(truncP);

/** `pred ? a : b`; numbers become scalars of the other branch's dtype. */
export function select(pred: Array, a: Operand, b: Operand): Array {
  const [x, y] = lift2(a, b);
  return bind1(selectP, [pred, x, y], {});
}

/** Convert to `dtype` (strong type unless `weakType`). */
export function convert(x: Array, dtype: DType, weakType = false): Array {
  if (x.dtype === dtype && x.weakType === weakType) return x;
  return bind1(convertP, [x], { dtype, weakType });
}

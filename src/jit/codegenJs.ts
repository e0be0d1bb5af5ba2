/**
 * @file The portable code generator: a fused cluster becomes one JavaScript function (compiled
 * with `new Function`) that runs the whole loop nest, computing each element's chain of
 * operations in local variables. It covers every dtype and every fusible primitive, and is what
 * runs when WebAssembly SIMD is unavailable, for integer/bool/mixed-dtype clusters, and for tiny
 * arrays (where copying into Wasm memory costs more than it saves).
 *
 * Results are bit-identical to eager execution: the scalar formulas are the eager kernels' (see
 * `primitives/elementwise.ts`), and every float32 intermediate is rounded with `Math.fround`
 * exactly where eager stores it into a Float32Array. Reductions accumulate in float64 as eager does.
 */
import type { DType, TypedArray } from "../core/dtype.js";
import { isFloat, storageOf } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { mathHelpers } from "../backend/cpu/mathHelpers.js";
import type { Cluster, FusedNode, ReduceKind } from "./fuse.js";
import { clusterPortStrides, planLoops } from "./loops.js";

/** A compiled kernel: reads the leaf arrays, writes the output arrays (allocated by the caller). */
export type JsKernel = (leaves: readonly TypedArray[], outs: readonly TypedArray[]) => void;

const wrapInt = (expr: string, d: DType) => (d === "int32" ? `(${expr}) | 0` : d === "uint32" ? `(${expr}) >>> 0` : expr);
const intExpr = (float: string, int32: string, uint32: string) => (d: DType) => (d === "int32" ? int32 : d === "uint32" ? uint32 : float);
const math = (fn: string) => () => `Math.${fn}(a)`;

/** Scalar formulas over `a`, `b`, `c` by primitive, as functions of the operand dtype (eager's). */
export const JS_FORMULAS: Readonly<Record<string, (d: DType) => string>> = {
  neg: (d) => wrapInt("-a", d),
  sin: math("sin"),
  cos: math("cos"),
  tan: math("tan"),
  asin: math("asin"),
  acos: math("acos"),
  atan: math("atan"),
  sinh: math("sinh"),
  cosh: math("cosh"),
  tanh: math("tanh"),
  asinh: math("asinh"),
  acosh: math("acosh"),
  atanh: math("atanh"),
  exp: math("exp"),
  exp2: () => "Math.pow(2, a)",
  expm1: math("expm1"),
  log: math("log"),
  log1p: math("log1p"),
  sqrt: math("sqrt"),
  rsqrt: () => "1 / Math.sqrt(a)",
  cbrt: math("cbrt"),
  logistic: () => "M.logistic(a)",
  erf: () => "M.erf(a)",
  erf_inv: () => "M.erfinv(a)",
  abs: (d) => (d === "uint32" ? "a" : wrapInt("Math.abs(a)", d)),
  sign: (d) => (d === "uint32" ? "a > 0 ? 1 : 0" : "Math.sign(a)"),
  floor: math("floor"),
  ceil: math("ceil"),
  round: () => "M.roundHalfEven(a)",
  trunc: math("trunc"),
  is_finite: () => "Number.isFinite(a) ? 1 : 0",
  is_nan: () => "a !== a ? 1 : 0",
  not: (d) => (d === "bool" ? "a ^ 1" : d === "uint32" ? "(~a) >>> 0" : "~a"),
  add: (d) => (d === "bool" ? "a | b" : wrapInt("a + b", d)),
  sub: (d) => wrapInt("a - b", d),
  mul: (d) => (d === "bool" ? "a & b" : d === "int32" ? "Math.imul(a, b)" : d === "uint32" ? "Math.imul(a, b) >>> 0" : "a * b"),
  div: intExpr("a / b", "b === 0 ? 0 : (a / b) | 0", "b === 0 ? 0 : Math.trunc(a / b) >>> 0"),
  rem: intExpr("a % b", "b === 0 ? 0 : (a % b) | 0", "b === 0 ? 0 : (a % b) >>> 0"),
  pow: intExpr("Math.pow(a, b)", "M.ipow(a, b)", "M.ipow(a, b) >>> 0"),
  max: (d) => (d === "bool" ? "a | b" : "(a !== a || b !== b) ? NaN : (a > b ? a : b)"),
  min: (d) => (d === "bool" ? "a & b" : "(a !== a || b !== b) ? NaN : (a < b ? a : b)"),
  atan2: () => "Math.atan2(a, b)",
  nextafter: (d) => (d === "float32" ? "M.nextafter32(a, b)" : "M.nextafter64(a, b)"),
  eq: () => "(a === b) ? 1 : 0",
  ne: () => "(a !== b) ? 1 : 0",
  lt: () => "(a < b) ? 1 : 0",
  le: () => "(a <= b) ? 1 : 0",
  gt: () => "(a > b) ? 1 : 0",
  ge: () => "(a >= b) ? 1 : 0",
  and: (d) => wrapInt("a & b", d),
  or: (d) => wrapInt("a | b", d),
  xor: (d) => wrapInt("a ^ b", d),
  shift_left: (d) => wrapInt("M.shl(a, b)", d),
  shift_right_logical: (d) => wrapInt("M.shrl(a, b)", d),
  shift_right_arithmetic: (d) => wrapInt("M.shra(a, b)", d),
  select: () => "a ? b : c",
};

/** Eager's `convert_element_type` formula. */
export function convertFormula(from: DType, to: DType): string {
  if (to === "bool") return "a !== 0 ? 1 : 0";
  if (to === "int32") return isFloat(from) ? "a !== a ? 0 : (Math.trunc(Math.max(-2147483648, Math.min(2147483647, a))) | 0)" : "a | 0";
  if (to === "uint32") return isFloat(from) ? "a !== a ? 0 : (Math.trunc(Math.max(0, Math.min(4294967295, a))) >>> 0)" : "a >>> 0";
  return "a";
}

/** A JS literal for a number, exact (including -0, NaN and infinities). */
export function jsNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** Substitute operand names for `a`, `b`, `c` in a formula (not after a `.`, e.g. `Math.abs`). */
function substitute(formula: string, names: readonly string[]): string {
  return formula.replace(/(?<![.\w])([abc])(?!\w)/g, (_m, v: string) => `(${names[v.charCodeAt(0) - 97]!})`);
}

/** The JS expression computing `node` from its operands' variable names. */
export function nodeExpr(node: FusedNode & { kind: "op" }, operandDtype: DType, names: readonly string[]): string {
  let formula: string;
  if (node.prim === "convert_element_type") formula = convertFormula(node.params.from as DType, node.params.to as DType);
  else {
    const f = JS_FORMULAS[node.prim];
    if (f === undefined) throw new Error(`jit: no fused formula for primitive '${node.prim}' (internal error)`);
    formula = f(operandDtype);
  }
  const expr = substitute(formula, names);
  return node.dtype === "float32" ? `Math.fround(${expr})` : expr;
}

const INIT: Record<ReduceKind, string> = { sum: "0", prod: "1", max: "-Infinity", min: "Infinity", and: "1", or: "0" };

function combine(kind: ReduceKind, acc: string, v: string): string {
  switch (kind) {
    case "sum":
      return `${acc} += ${v};`;
    case "prod":
      return `${acc} *= ${v};`;
    case "max":
      return `{ const t = ${v}; if (t > ${acc} || t !== t) ${acc} = t; }`;
    case "min":
      return `{ const t = ${v}; if (t < ${acc} || t !== t) ${acc} = t; }`;
    case "and":
      return `${acc} &= ${v};`;
    case "or":
      return `${acc} |= ${v};`;
  }
}

/** The dtype a node's formula is chosen by: its first operand's (comparisons, select's branches). */
export function operandDtype(c: Cluster, node: FusedNode): DType {
  if (node.kind !== "op") return node.dtype;
  const i = node.prim === "select" ? 1 : 0;
  return c.nodes[node.args[i]!]!.dtype;
}

/** Generate the source of a cluster's kernel (exposed for debugging and tests). */
export function jsKernelSource(c: Cluster): string {
  const ports = clusterPortStrides(c);
  const plan = planLoops(c.shape, c.reduceAxes, ports);
  const nl = c.leaves.length;
  const lines: string[] = ['"use strict";'];
  c.leaves.forEach((_, i) => lines.push(`const L${i} = L[${i}];`));
  c.outputs.forEach((o, i) => {
    lines.push(`const O${i} = O[${i}];`);
    if (o.reduce !== null) {
      const bool = o.reduce === "and" || o.reduce === "or";
      lines.push(`const A${i} = new ${bool ? "Uint8Array" : "Float64Array"}(O${i}.length).fill(${INIT[o.reduce]});`);
    }
  });
  const r = plan.dims.length;
  const isStatic = (p: number) => plan.strides[p]!.every((s) => s === 0);
  // Hoist broadcast scalars and constants.
  const name = (i: number) => `n${i}`;
  const body: string[] = [];
  c.nodes.forEach((node, i) => {
    if (node.kind === "const") lines.push(`const ${name(i)} = ${jsNumber(node.value)};`);
    else if (node.kind === "leaf") {
      if (isStatic(node.leaf)) lines.push(`const ${name(i)} = L${node.leaf}[0];`);
      else body.push(`const ${name(i)} = L${node.leaf}[q${r - 1}_${node.leaf}];`);
    } else {
      body.push(`const ${name(i)} = ${nodeExpr(node, operandDtype(c, node), node.args.map(name))};`);
    }
  });
  c.outputs.forEach((o, i) => {
    const p = nl + i;
    const at = isStatic(p) ? "0" : `q${r - 1}_${p}`;
    body.push(o.reduce === null ? `O${i}[${at}] = ${name(o.node)};` : combine(o.reduce, `A${i}[${at}]`, name(o.node)));
  });
  const moving = (k: number) => ports.map((_, p) => p).filter((p) => !isStatic(p) && plan.strides[p]![k] !== 0);
  const open: string[] = [];
  const close: string[] = [];
  for (let k = 0; k < r; k++) {
    const decl = ports
      .map((_, p) => p)
      .filter((p) => !isStatic(p))
      .map((p) => `q${k}_${p} = ${k === 0 ? "0" : `q${k - 1}_${p}`}`);
    if (decl.length > 0) open.push(`let ${decl.join(", ")};`);
    open.push(`for (let i${k} = 0; i${k} < ${plan.dims[k]}; i${k}++) {`);
    const inc = moving(k).map((p) => `q${k}_${p} += ${plan.strides[p]![k]};`);
    close.unshift(`${inc.join(" ")} }`);
  }
  lines.push(...open, ...body, ...close);
  c.outputs.forEach((o, i) => {
    if (o.reduce === null) return;
    const d = o.var.aval.dtype;
    if (d === "int32") lines.push(`for (let i = 0; i < O${i}.length; i++) O${i}[i] = A${i}[i] | 0;`);
    else if (d === "uint32") lines.push(`for (let i = 0; i < O${i}.length; i++) O${i}[i] = A${i}[i] >>> 0;`);
    else lines.push(`O${i}.set(A${i});`);
  });
  return lines.join("\n");
}

/** Compile a cluster into a JS kernel. */
export function compileJsKernel(c: Cluster): JsKernel {
  const src = jsKernelSource(c);
  const make = new Function("M", `return function fusedKernel(L, O) {\n${src}\n};`) as (m: typeof mathHelpers) => JsKernel;
  return make(mathHelpers);
}

/** Allocate zeroed storage for an output of `dtype` with the size of `shape`. */
export function allocateFor(dtype: DType, shape: readonly number[]): TypedArray {
  return new storageOf[dtype](sizeOf(shape));
}

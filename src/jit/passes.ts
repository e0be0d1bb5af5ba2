/**
 * @file Jaxpr simplification for the compiler, run before fusion:
 *
 * 1. **Inlining** of nested calls (`pjit` from `jit` inside `jit`, and the primal function of
 *    `custom_jvp_call` / `custom_vjp_call` / `checkpoint`, which only matter to autodiff), so that
 *    fusion sees across call boundaries.
 * 2. **Constant folding**: an equation whose operands are all literals and whose result is a
 *    scalar is evaluated now (with the primitive's eager `impl`) and becomes a literal.
 * 3. **Algebraic identities** that are exact in IEEE arithmetic: `x * 1`, `x / 1`, `x - 0`,
 *    `x + 0` for integers (not floats: `-0 + 0` is `+0`), conversions to the same type,
 *    identity reshapes/transposes/broadcasts and empty reductions.
 * 4. **Common-subexpression elimination**: equal primitive, parameters and operands (every
 *    primitive is pure; random numbers are functions of explicit keys).
 * 5. **Dead-code elimination** (`ir/simplify.ts`).
 *
 * Every rewrite keeps the program's values bit for bit.
 */
import type { ShapedArray } from "../core/array.js";
import { ConcreteArray, shareData } from "../core/concrete.js";
import { isFloat } from "../core/dtype.js";
import { shapeEqual, sizeOf } from "../core/shape.js";
import { Jaxpr, Lit, Var, type Atom, type Eqn } from "../ir/jaxpr.js";
import { dce } from "../ir/simplify.js";
import { traceToJaxpr } from "../interpreters/staging.js";
import { closeOver } from "../primitives/call.js";

/** Primitives whose `fun` parameter computes the primal output and may be inlined by tracing it. */
const INLINE_FUN = new Set(["custom_jvp_call", "custom_vjp_call", "checkpoint"]);

/** Primitives never folded: they carry programs or functions, or are cheap to keep. */
const NO_FOLD = new Set(["pjit", "cond", "while", "scan", "custom_jvp_call", "custom_vjp_call", "checkpoint", "custom_lin", "remat_lin"]);

const sameAval = (a: ShapedArray, b: ShapedArray) => a.dtype === b.dtype && a.weakType === b.weakType && shapeEqual(a.shape, b.shape);

/** The jaxpr a call-like equation runs, or null. Its invars line up with the equation's inputs. */
function calleeOf(e: Eqn): Jaxpr | null {
  if (e.prim.name === "pjit" && e.params?.jaxpr instanceof Jaxpr) return e.params.jaxpr as Jaxpr;
  if (INLINE_FUN.has(e.prim.name) && typeof e.params?.fun === "function") {
    try {
      const closed = traceToJaxpr(e.params.name ?? e.prim.name, e.params.fun, e.inputs.map((a) => a.aval));
      const j = closeOver(closed.jaxpr);
      // Constants of the traced function would have to travel as extra operands; keep it simple
      // and inline only closed-over-nothing functions.
      if (closed.consts.length > 0) return null;
      if (j.outs.length !== e.outvars.length || j.outs.some((o, i) => !sameAval(o.aval, e.outvars[i]!.aval))) return null;
      return j;
    } catch {
      return null;
    }
  }
  return null;
}

/** Splice the bodies of nested calls into the caller (recursively), with fresh variables. */
export function inlineCalls(jaxpr: Jaxpr, depth = 0): Jaxpr {
  if (depth > 32 || !jaxpr.eqns.some((e) => e.prim.name === "pjit" || INLINE_FUN.has(e.prim.name))) return jaxpr;
  const sub = new Map<Var, Atom>();
  const rd = (a: Atom): Atom => (a instanceof Var ? (sub.get(a) ?? a) : a);
  const out: Eqn[] = [];
  for (const e of jaxpr.eqns) {
    const inputs = e.inputs.map(rd);
    const callee = calleeOf(e);
    if (callee === null) {
      out.push(inputs.every((a, i) => a === e.inputs[i]) ? e : { ...e, inputs });
      continue;
    }
    const body = inlineCalls(callee, depth + 1);
    const env = new Map<Var, Atom>();
    body.invars.forEach((v, i) => env.set(v, inputs[i]!));
    const r = (a: Atom): Atom => (a instanceof Var ? (env.get(a) ?? a) : a);
    for (const be of body.eqns) {
      const outvars = be.outvars.map((v) => {
        const nv = new Var(v.aval);
        env.set(v, nv);
        return nv;
      });
      out.push({ prim: be.prim, params: be.params, inputs: be.inputs.map(r), outvars });
    }
    e.outvars.forEach((v, i) => sub.set(v, r(body.outs[i]!)));
  }
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, out, jaxpr.outs.map(rd));
}

/** The scalar value of a literal. */
const litValue = (a: Atom): number | null => (a instanceof Lit ? ConcreteArray.dataOf(a.val)[0]! : null);

/** If `e` computes one of its operands unchanged (an exact identity), that operand. */
function identityOperand(e: Eqn): Atom | null {
  const out = e.outvars[0]!;
  const keep = (a: Atom | undefined): Atom | null => (a !== undefined && sameAval(a.aval, out.aval) ? a : null);
  const [x, y] = e.inputs;
  switch (e.prim.name) {
    case "convert_element_type":
    case "reshape":
    case "stop_gradient":
      return keep(x);
    case "transpose":
      return (e.params.perm as number[]).every((p, i) => p === i) ? keep(x) : null;
    case "broadcast_in_dim":
      return keep(x);
    case "reduce_sum":
    case "reduce_max":
    case "reduce_min":
    case "reduce_prod":
    case "reduce_and":
    case "reduce_or":
      return (e.params.axes as number[]).length === 0 ? keep(x) : null;
    case "mul":
      if (litValue(y!) === 1) return keep(x);
      if (litValue(x!) === 1) return keep(y);
      return null;
    case "div":
      return litValue(y!) === 1 ? keep(x) : null;
    case "sub":
      return litValue(y!) === 0 && !Object.is(litValue(y!), -0) ? keep(x) : null;
    case "add":
      if (isFloat(out.aval.dtype)) return null; // -0 + 0 = +0
      if (litValue(y!) === 0) return keep(x);
      if (litValue(x!) === 0) return keep(y);
      return null;
    default:
      return null;
  }
}

/** Fold scalar constant expressions and drop exact identities. */
export function foldConstants(jaxpr: Jaxpr): Jaxpr {
  const sub = new Map<Var, Atom>();
  const rd = (a: Atom): Atom => (a instanceof Var ? (sub.get(a) ?? a) : a);
  const out: Eqn[] = [];
  for (const e0 of jaxpr.eqns) {
    const inputs = e0.inputs.map(rd);
    const e = inputs.every((a, i) => a === e0.inputs[i]) ? e0 : { ...e0, inputs };
    const id = e.outvars.length === 1 ? identityOperand(e) : null;
    if (id !== null) {
      sub.set(e.outvars[0]!, id);
      continue;
    }
    const foldable =
      !NO_FOLD.has(e.prim.name) &&
      e.outvars.length === 1 &&
      e.outvars[0]!.aval.shape.length === 0 &&
      e.inputs.every((a) => a instanceof Lit) &&
      !Object.values(e.params ?? {}).some((p) => typeof p === "function" || p instanceof Jaxpr);
    if (foldable) {
      try {
        const [v] = e.prim.impl(e.inputs.map((a) => (a as Lit).val), e.params);
        const want = e.outvars[0]!.aval;
        if (v instanceof ConcreteArray && sizeOf(v.shape) === 1) {
          const val = v.shape.length === 0 && v.weakType === want.weakType && v.dtype === want.dtype ? v : new ConcreteArray(shareData(v), [], want.dtype, want.weakType);
          sub.set(e.outvars[0]!, new Lit(val));
          continue;
        }
      } catch {
        // leave it to run time, where the same error is raised in context
      }
    }
    out.push(e);
  }
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, out, jaxpr.outs.map(rd));
}

// Identity numbers for parameter objects that cannot be compared by value (functions, jaxprs, arrays).
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

function paramsKey(params: unknown): string {
  if (params === undefined || params === null) return "";
  try {
    return JSON.stringify(params, (_k, v: unknown) => {
      if (typeof v === "function") return `#fn${objectId(v)}`;
      if (typeof v === "object" && v !== null && !(v instanceof globalThis.Array) && Object.getPrototypeOf(v) !== Object.prototype) return `#obj${objectId(v)}`;
      if (typeof v === "number" && !Number.isFinite(v)) return `#num${v}`;
      if (typeof v === "number" && Object.is(v, -0)) return "#num-0";
      return v;
    });
  } catch {
    return `#obj${objectId(params as object)}`;
  }
}

/** Merge equations that apply the same primitive with the same parameters to the same operands. */
export function cse(jaxpr: Jaxpr): Jaxpr {
  const sub = new Map<Var, Atom>();
  const rd = (a: Atom): Atom => (a instanceof Var ? (sub.get(a) ?? a) : a);
  const varId = new Map<Var, number>();
  const atomKey = (a: Atom): string => {
    if (a instanceof Lit) {
      const v = ConcreteArray.dataOf(a.val)[0]!;
      return `L${a.val.dtype}${a.val.weakType ? "w" : ""}:${Object.is(v, -0) ? "-0" : v}`;
    }
    let id = varId.get(a);
    if (id === undefined) varId.set(a, (id = varId.size));
    return `V${id}`;
  };
  const seen = new Map<string, Eqn>();
  const out: Eqn[] = [];
  for (const e0 of jaxpr.eqns) {
    const inputs = e0.inputs.map(rd);
    const e = inputs.every((a, i) => a === e0.inputs[i]) ? e0 : { ...e0, inputs };
    const key = `${e.prim.name}|${paramsKey(e.params)}|${inputs.map(atomKey).join(",")}`;
    const prev = seen.get(key);
    if (prev !== undefined && prev.outvars.length === e.outvars.length && prev.outvars.every((v, i) => sameAval(v.aval, e.outvars[i]!.aval))) {
      e.outvars.forEach((v, i) => sub.set(v, prev.outvars[i]!));
      continue;
    }
    seen.set(key, e);
    out.push(e);
  }
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, out, jaxpr.outs.map(rd));
}

/** The whole pre-fusion pipeline: inline, fold, CSE, fold again (CSE exposes identities), DCE. */
export function optimize(jaxpr: Jaxpr): Jaxpr {
  return dce(foldConstants(cse(foldConstants(inlineCalls(jaxpr)))));
}

/**
 * @file The jaxpr IR: typed variables, literals, equations (a primitive applied to atoms), and
 * closed jaxprs carrying their constants. Evaluation re-binds each equation, so a jaxpr runs
 * under whatever interpreters are active; printing follows JAX's format.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { shortName } from "../core/dtype.js";
import type { Primitive } from "../core/primitive.js";
import { bind } from "../core/trace.js";

/** A typed variable. */
export class Var {
  constructor(readonly aval: ShapedArray) {}
}

/** A scalar constant written inline in the program. */
export class Lit {
  constructor(readonly val: ConcreteArray) {}
  /** The literal's abstract value. */
  get aval(): ShapedArray {
    return this.val.aval;
  }
}

/** An equation operand. */
export type Atom = Var | Lit;

/** One primitive application: `outvars = prim[params] inputs`. */
export interface Eqn {
  readonly prim: Primitive;
  readonly inputs: readonly Atom[];
  readonly params: any;
  readonly outvars: readonly Var[];
}

/** A program in A-normal form: constants and inputs, a list of equations, outputs. */
export class Jaxpr {
  constructor(
    readonly constvars: readonly Var[],
    readonly invars: readonly Var[],
    readonly eqns: readonly Eqn[],
    readonly outs: readonly Atom[],
  ) {}

  /** Abstract values of the inputs. */
  get inAvals(): ShapedArray[] {
    return this.invars.map((v) => v.aval);
  }

  /** Abstract values of the outputs. */
  get outAvals(): ShapedArray[] {
    return this.outs.map((v) => v.aval);
  }

  /** JAX-style text: `{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`. */
  toString(): string {
    return printJaxpr(this);
  }
}

/** A jaxpr with the values of its constvars. Constants may be tracers of enclosing transformations. */
export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: readonly Array[],
  ) {}
  /** JAX-style text of the jaxpr. */
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
}

/** Run a jaxpr: bind each equation under the active interpreters. */
export function evalJaxpr(jaxpr: Jaxpr, consts: readonly Array[], args: readonly Array[]): Array[] {
  const env = new Map<Var, Array>();
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]!));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: Atom): Array => (a instanceof Lit ? a.val : env.get(a)!);
  for (const eqn of jaxpr.eqns) {
    const outs = bind(eqn.prim, eqn.inputs.map(read), eqn.params);
    eqn.outvars.forEach((v, i) => env.set(v, outs[i]!));
  }
  return jaxpr.outs.map(read);
}

// ---------------------------------------------------------------------------------------------
// Printing

function varNames(): (v: Var) => string {
  const names = new Map<Var, string>();
  return (v) => {
    let n = names.get(v);
    if (n === undefined) {
      let i = names.size;
      n = "";
      do {
        n = String.fromCharCode(97 + (i % 26)) + n;
        i = Math.floor(i / 26) - 1;
      } while (i >= 0);
      names.set(v, n);
    }
    return n;
  };
}

/** `f32[3,4]` (with a `~` marker for weak types, as JAX prints them). */
export function avalToString(a: ShapedArray): string {
  return `${shortName[a.dtype]}[${a.shape.join(",")}]${a.weakType ? "" : ""}`;
}

function litToString(l: Lit): string {
  const v = ConcreteArray.dataOf(l.val)[0]!;
  if (l.val.dtype === "bool") return v ? "True" : "False";
  if (l.val.dtype === "float32" || l.val.dtype === "float64") {
    const s = Number.isInteger(v) ? `${v}.0` : String(v);
    return l.val.weakType ? s : `${s}:${shortName[l.val.dtype]}[]`;
  }
  return l.val.weakType ? String(v) : `${v}:${shortName[l.val.dtype]}[]`;
}

function defaultParams(params: any): string {
  const entries = Object.entries(params ?? {}).filter(([, v]) => typeof v !== "function");
  return entries.map(([k, v]) => `${k}=${typeof v === "object" && v !== null && !(v instanceof globalThis.Array) ? "..." : JSON.stringify(v)}`).join(" ");
}

/** Pretty-print a jaxpr like JAX does. */
export function printJaxpr(jaxpr: Jaxpr, indent = ""): string {
  const name = varNames();
  const atom = (a: Atom) => (a instanceof Lit ? litToString(a) : name(a));
  const decl = (v: Var) => `${name(v)}:${avalToString(v.aval)}`;
  const head = `{ lambda ${jaxpr.constvars.map(decl).join(" ")}; ${jaxpr.invars.map(decl).join(" ")}. let`;
  const lines = jaxpr.eqns.map((e) => {
    const p = e.prim.printParams ? e.prim.printParams(e.params) : defaultParams(e.params);
    const subs: string[] = [];
    for (const [k, v] of Object.entries(e.params ?? {})) {
      const list = v instanceof globalThis.Array ? v : [v];
      list.forEach((j, i) => {
        const jx = j instanceof ClosedJaxpr ? j.jaxpr : j instanceof Jaxpr ? j : null;
        if (jx) subs.push(`\n${indent}      ${k}${list.length > 1 || v instanceof globalThis.Array ? `[${i}]` : ""}=${printJaxpr(jx, indent + "      ")}`);
      });
    }
    const sub = subs.join("");
    return `${indent}    ${e.outvars.map(decl).join(" ")} = ${e.prim.name}${p ? `[${p}]` : ""}${sub} ${e.inputs.map(atom).join(" ")}`;
  });
  const outs = jaxpr.outs.map(atom);
  return `${head}\n${lines.join("\n")}\n${indent}  in (${outs.join(", ")}${outs.length === 1 ? "," : ""}) }`;
}

/**
 * @file Reverse mode the JAX way: `linearize` runs the JVP with tangents staged into a linear
 * jaxpr (primal work runs now, so its results become the jaxpr's residual constants), and the
 * backward pass transposes that linear jaxpr equation by equation using each primitive's
 * transpose rule.
 */
import type { Array } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { MissingRuleError } from "../core/errors.js";
import { UndefPrimal, type Tangent } from "../core/primitive.js";
import { fullRaise, withMain, type MainTrace } from "../core/trace.js";
import { ClosedJaxpr, evalJaxpr, Lit, Var, type Jaxpr } from "../ir/jaxpr.js";
import { add } from "../primitives/elementwise.js";
import { zerosLikeAval } from "../primitives/util.js";
import { jvpFlat } from "./jvp.js";
import { JaxprBuilder, JaxprTrace, type JaxprTracer } from "./staging.js";

/** Result of linearizing a flat function. */
export interface Linearized {
  /** Primal outputs. */
  readonly outs: Array[];
  /** The linear map from input tangents (float inputs only; others get `null`) to output tangents. */
  readonly linear: ClosedJaxpr;
  /** Which inputs have a tangent (float dtypes). */
  readonly differentiable: boolean[];
}

/**
 * Linearize a flat function at `primals`, with respect to the float inputs (restricted further by
 * `wrt` when given: inputs with `wrt[i] === false` are held constant).
 */
export function linearizeFlat(fn: (...xs: Array[]) => Array[], primals: readonly Array[], wrt?: readonly boolean[]): Linearized {
  const builder = new JaxprBuilder();
  return withMain(
    "linearize",
    (m: MainTrace) => new JaxprTrace(m),
    builder,
    (main) => {
      const trace = main.trace;
      const differentiable = primals.map((p, i) => isFloat(p.dtype) && (wrt?.[i] ?? true));
      const tanIn = primals.map((p, i) => (differentiable[i] ? builder.newArg(trace, { ...p.aval, weakType: false }) : null));
      const [outs, touts] = jvpFlat(fn, primals, tanIn);
      const outTracers = touts.map((t, i) => fullRaise(trace, t ?? zerosLikeAval({ ...outs[i]!.aval, weakType: false }), "linearize") as JaxprTracer);
      const linear = builder.build(
        tanIn.filter((t): t is JaxprTracer => t !== null),
        outTracers,
      );
      return { outs, linear, differentiable };
    },
  );
}

/** Apply a linearized map to input tangents (one per primal; `null` entries for non-float inputs). */
export function applyLinear(lin: Linearized, tangents: readonly Tangent[]): Array[] {
  const { jaxpr, consts } = lin.linear;
  const ins = jaxpr.invars.map((v, k) => {
    const i = lin.differentiable.map((d, j) => (d ? j : -1)).filter((j) => j >= 0)[k]!;
    return tangents[i] ?? zerosLikeAval(v.aval);
  });
  return evalJaxpr(jaxpr, consts, ins);
}

/**
 * Transpose a linear jaxpr: given cotangents of its outputs, return cotangents of its inputs
 * (`null` = zero). Constvars and literals are the non-linear residuals.
 */
export function backwardPass(jaxpr: Jaxpr, consts: readonly Array[], cts: readonly Tangent[]): Tangent[] {
  const known = new Map<Var, Array>();
  jaxpr.constvars.forEach((v, i) => known.set(v, consts[i]!));
  const ctEnv = new Map<Var, Array>();
  const addCt = (v: Var, ct: Array) => {
    const prev = ctEnv.get(v);
    ctEnv.set(v, prev === undefined ? ct : add(prev, ct));
  };
  jaxpr.outs.forEach((o, i) => {
    const ct = cts[i];
    if (o instanceof Var && !known.has(o) && ct !== null && ct !== undefined) addCt(o, ct);
  });
  for (let e = jaxpr.eqns.length - 1; e >= 0; e--) {
    const eqn = jaxpr.eqns[e]!;
    const outCts = eqn.outvars.map((v) => {
      const c = ctEnv.get(v) ?? null;
      ctEnv.delete(v);
      return c;
    });
    if (outCts.every((c) => c === null)) continue;
    if (eqn.prim.transpose === undefined) {
      throw new MissingRuleError(eqn.prim.name, `has no transpose rule, so reverse-mode differentiation through it is not possible (it was applied to a value that depends linearly on the input)`);
    }
    const args = eqn.inputs.map((a) => (a instanceof Lit ? a.val : (known.get(a) ?? new UndefPrimal(a.aval))));
    const inCts = eqn.prim.transpose(outCts, args, eqn.params);
    eqn.inputs.forEach((a, i) => {
      const c = inCts[i];
      if (a instanceof Var && !known.has(a) && c !== null && c !== undefined) addCt(a, c);
    });
  }
  return jaxpr.invars.map((v) => ctEnv.get(v) ?? null);
}

/** Reverse-mode: cotangents of the primal inputs from cotangents of the outputs (`null` = zero). */
export function transposeLinear(lin: Linearized, cts: readonly Tangent[]): Tangent[] {
  const { jaxpr, consts } = lin.linear;
  const inCts = backwardPass(jaxpr, consts, cts);
  const out: Tangent[] = [];
  let k = 0;
  for (const d of lin.differentiable) out.push(d ? inCts[k++]! : null);
  return out;
}

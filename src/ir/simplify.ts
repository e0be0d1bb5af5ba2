/**
 * @file Jaxpr simplification before execution: dead-code elimination. Every primitive is pure,
 * so an equation none of whose outputs is used can be dropped.
 */
import { Jaxpr, Var, type Eqn } from "./jaxpr.js";

/** Remove equations whose outputs are never used (iterating from the outputs backwards). */
export function dce(jaxpr: Jaxpr): Jaxpr {
  const live = new Set<Var>();
  for (const o of jaxpr.outs) if (o instanceof Var) live.add(o);
  const kept: Eqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i]!;
    if (!e.outvars.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  kept.reverse();
  if (kept.length === jaxpr.eqns.length) return jaxpr;
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, kept, jaxpr.outs);
}

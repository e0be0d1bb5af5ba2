/**
 * @file Forward mode: the JVP interpreter. Each tracer carries a primal and a tangent; `null`
 * tangents are symbolic zeros, so inputs that are not differentiated cost nothing.
 */
import type { Array } from "../core/array.js";
import type { ConcreteArray } from "../core/concrete.js";
import { isFloat, type TypedArray } from "../core/dtype.js";
import { MissingRuleError } from "../core/errors.js";
import type { Primitive, Tangent } from "../core/primitive.js";
import { bind, Trace, Tracer, withMain, type MainTrace } from "../core/trace.js";

/** A primal value with its tangent (`null` = zero). */
export class JVPTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly primal: Array,
    readonly tangent: Tangent,
  ) {
    super(trace, primal.aval);
  }

  /**
   * The primal's value: forward mode (and so `grad`, which linearizes at concrete primals) may
   * read it, so JS control flow on values works under `grad` as it does in JAX. Under `jit` or
   * `vmap` the primal is itself a tracer and this still throws a ConcretizationError.
   * @internal
   */
  override concreteData(method: string): TypedArray {
    return this.primal.concreteData(method);
  }
}

/** The forward-mode interpreter. */
export class JVPTrace extends Trace {
  pure(x: ConcreteArray): Tracer {
    return new JVPTracer(this, x, null);
  }
  lift(x: Tracer): Tracer {
    return new JVPTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[] {
    const primals = tracers.map((t) => (t as JVPTracer).primal);
    const tangents = tracers.map((t) => (t as JVPTracer).tangent);
    if (tangents.every((t) => t === null)) {
      return bind(prim, primals, params).map((p) => new JVPTracer(this, p, null));
    }
    if (prim.jvp === undefined) {
      throw new MissingRuleError(prim.name, `is not differentiable (it has no JVP rule); wrap its inputs in stopGradient if no derivative is needed`);
    }
    const [po, to] = prim.jvp(primals, tangents, params);
    return po.map((p, i) => new JVPTracer(this, p, to[i] ?? null));
  }
}

/**
 * Forward-mode derivative of a flat function: primal outputs and their tangents (`null` = zero).
 * Tangents of non-float inputs are ignored (integers have no tangent space).
 */
export function jvpFlat(fn: (...xs: Array[]) => Array[], primals: readonly Array[], tangents: readonly Tangent[]): [Array[], Tangent[]] {
  return withMain(
    "jvp",
    (m: MainTrace) => new JVPTrace(m),
    null,
    (main) => {
      const trace = main.trace;
      const ins = primals.map((p, i) => new JVPTracer(trace, p, isFloat(p.dtype) ? (tangents[i] ?? null) : null));
      const outs = fn(...ins);
      const po: Array[] = [];
      const to: Tangent[] = [];
      for (const o of outs) {
        if (o instanceof JVPTracer && o.trace.main === main) {
          po.push(o.primal);
          to.push(o.tangent);
        } else {
          po.push(o);
          to.push(null);
        }
      }
      return [po, to];
    },
  );
}

/**
 * @file Staging: the interpreter that records primitives into a jaxpr instead of running them.
 * Used with omnistaging (as the dynamic trace) by `jit` and `makeJaxpr`, and without it by
 * `linearize`, where only tangent computations are recorded and primal ones run now (partial
 * evaluation: known values are computed, unknown ones staged).
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import type { Primitive } from "../core/primitive.js";
import { fullRaise, Trace, Tracer, withMain, type MainTrace } from "../core/trace.js";
import { ClosedJaxpr, Jaxpr, Lit, Var, type Atom, type Eqn } from "../ir/jaxpr.js";

/** A value being staged: only its abstract value is known. */
export class JaxprTracer extends Tracer {}

interface PendingEqn {
  prim: Primitive;
  inputs: JaxprTracer[];
  params: any;
  outs: JaxprTracer[];
}

/** Collects equations, arguments and constants while tracing. */
export class JaxprBuilder {
  readonly eqns: PendingEqn[] = [];
  readonly args: JaxprTracer[] = [];
  readonly constOf = new Map<Array, JaxprTracer>();
  readonly constVal = new Map<JaxprTracer, Array>();

  /** A new input of the program. */
  newArg(trace: Trace, aval: ShapedArray): JaxprTracer {
    const t = new JaxprTracer(trace, aval);
    this.args.push(t);
    return t;
  }

  /** The tracer standing for a constant (a concrete array or a lower-level tracer), deduplicated by identity. */
  getConst(trace: Trace, val: Array): JaxprTracer {
    let t = this.constOf.get(val);
    if (t === undefined) {
      t = new JaxprTracer(trace, val.aval);
      this.constOf.set(val, t);
      this.constVal.set(t, val);
    }
    return t;
  }

  /** Assemble the jaxpr for the given inputs and outputs. Scalar concrete constants become literals. */
  build(ins: readonly JaxprTracer[], outs: readonly JaxprTracer[]): ClosedJaxpr {
    const vars = new Map<JaxprTracer, Atom>();
    const constvars: Var[] = [];
    const consts: Array[] = [];
    const atom = (t: JaxprTracer): Atom => {
      let a = vars.get(t);
      if (a === undefined) {
        const c = this.constVal.get(t);
        if (c === undefined) throw new Error("staging: a traced value was used outside the trace that created it (internal error)");
        if (c instanceof ConcreteArray && c.ndim === 0) a = new Lit(c);
        else {
          const v = new Var(t.aval);
          constvars.push(v);
          consts.push(c);
          a = v;
        }
        vars.set(t, a);
      }
      return a;
    };
    const invars = ins.map((t) => {
      const v = new Var(t.aval);
      vars.set(t, v);
      return v;
    });
    const eqns: Eqn[] = [];
    for (const e of this.eqns) {
      const inputs = e.inputs.map(atom);
      const outvars = e.outs.map((t) => {
        const v = new Var(t.aval);
        vars.set(t, v);
        return v;
      });
      eqns.push({ prim: e.prim, inputs, params: e.params, outvars });
    }
    return new ClosedJaxpr(new Jaxpr(constvars, invars, eqns, outs.map(atom)), consts);
  }
}

/** The staging interpreter. */
export class JaxprTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.globalData as JaxprBuilder;
  }
  pure(x: ConcreteArray): Tracer {
    return this.builder.getConst(this, x);
  }
  lift(x: Tracer): Tracer {
    return this.builder.getConst(this, x);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[] {
    const avalsOut = prim.abstractEval(
      tracers.map((t) => t.aval),
      params,
    );
    const outs = avalsOut.map((a) => new JaxprTracer(this, a));
    this.builder.eqns.push({ prim, inputs: tracers as JaxprTracer[], params, outs });
    return outs;
  }
}

/**
 * Trace `fn` on abstract inputs into a closed jaxpr, staging every primitive (omnistaging).
 * Constants captured from outside (concrete arrays, tracers of enclosing transformations) become
 * constvars.
 */
export function traceToJaxpr(name: string, fn: (...args: Array[]) => Array[], avals: readonly ShapedArray[]): ClosedJaxpr {
  const builder = new JaxprBuilder();
  return withMain(
    name,
    (m: MainTrace) => new JaxprTrace(m),
    builder,
    (main) => {
      const trace = main.trace;
      const ins = avals.map((a) => builder.newArg(trace, a));
      const outs = fn(...ins);
      return builder.build(
        ins,
        outs.map((o) => fullRaise(trace, o, name) as JaxprTracer),
      );
    },
    true,
  );
}

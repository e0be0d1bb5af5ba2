/**
 * @file The trace machinery (autodidax's design). A stack of `MainTrace`s, one per active
 * transformation; `bind` applies a primitive by finding the highest-level trace among its
 * arguments (or the dynamic trace, when staging everything for `jit`/`makeJaxpr`), boxing the
 * arguments as that trace's tracers, and letting the trace interpret the primitive. With no
 * tracer involved, the primitive's eager implementation runs directly (the eval interpreter).
 */
import { Array, type ShapedArray } from "./array.js";
import { ConcreteArray } from "./concrete.js";
import type { TypedArray } from "./dtype.js";
import { ConcretizationError, UnexpectedTracerError } from "./errors.js";
import type { Primitive } from "./primitive.js";
import { flagsNow } from "./config.js";
import { FloatingPointError } from "./errors.js";

const hasNaN = (x: ConcreteArray): boolean => {
  if (x.dtype !== "float32" && x.dtype !== "float64") return false;
  const d = ConcreteArray.dataOf(x);
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) return true;
  return false;
};

function checkNans(prim: Primitive, args: ConcreteArray[], params: any, outs: ConcreteArray[]): void {
  // Call primitives (jit) re-run their equations eagerly, so the check fires on the inner primitive.
  if (args.some(hasNaN) || !outs.some(hasNaN)) return;
  const show = (x: ConcreteArray) => `${x.dtype}[${x.shape.join(",")}]${x.size <= 8 ? ` ${JSON.stringify(x.tolist())}` : ""}`;
  const p = prim.printParams ? prim.printParams(params) : "";
  throw new FloatingPointError(prim.name, `produced NaN from inputs without NaN (debugNans is on)${p ? ` [${p}]` : ""}; inputs: ${args.map(show).join(", ")}`);
}

/** One active transformation on the trace stack. */
export class MainTrace {
  /** True while the transformation runs; tracers of an inactive main have leaked. */
  active = true;
  constructor(
    /** Position on the stack: higher levels interpret first. */
    readonly level: number,
    /** Creates the Trace that interprets primitives for this transformation. */
    readonly makeTrace: (main: MainTrace) => Trace,
    /** Interpreter-specific data (e.g. the jaxpr builder, the vmap axis size). */
    readonly globalData: any,
    /** Name used in error messages (`grad`, `vmap`, `jit`, ...). */
    readonly name: string,
  ) {}
  #trace: Trace | null = null;
  /** The (cached) trace object for this main. */
  get trace(): Trace {
    return (this.#trace ??= this.makeTrace(this));
  }
}

/** An interpreter: how primitives act on its tracers. */
export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Box a value from outside every transformation (a concrete array). */
  abstract pure(x: ConcreteArray): Tracer;
  /** Box a tracer of a lower-level transformation. */
  abstract lift(x: Tracer): Tracer;
  /** Apply a primitive to this trace's tracers. */
  abstract processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[];
}

/** A value flowing through a transformation: its abstract value plus interpreter-specific data. */
export abstract class Tracer extends Array {
  constructor(
    readonly trace: Trace,
    aval: ShapedArray,
  ) {
    super(aval.shape, aval.dtype, aval.weakType);
  }

  /** @internal */
  concreteData(method: string): TypedArray {
    throw new ConcretizationError(
      method,
      `cannot read the value of a traced array (shape [${this.shape.join(",")}], ${this.dtype}) inside ${this.trace.main.name}: ` +
        `its value is not known while tracing. For control flow on traced values use lax.cond / lax.whileLoop / np.where; ` +
        `for values that are configuration, not data, mark the argument static (jit's staticArgnums).`,
    );
  }

  /** Replace this tracer by a lower-level value when the transformation adds nothing (e.g. an unbatched vmap value). */
  fullLower(): Array {
    return this;
  }
}

const stack: MainTrace[] = [];
let dynamic: MainTrace | null = null;

/** Current depth of the trace stack (0 = eager). @internal */
export function stackDepth(): number {
  return stack.length;
}

/**
 * Run `fn` with a new transformation on top of the stack. With `asDynamic`, every primitive bound
 * inside is staged into this trace even when its inputs are concrete (JAX's omnistaging), as
 * `jit` and `makeJaxpr` need.
 */
export function withMain<T>(name: string, makeTrace: (main: MainTrace) => Trace, globalData: any, fn: (main: MainTrace) => T, asDynamic = false): T {
  const main = new MainTrace(stack.length + 1, makeTrace, globalData, name);
  stack.push(main);
  const prevDynamic = dynamic;
  if (asDynamic) dynamic = main;
  try {
    return fn(main);
  } finally {
    dynamic = prevDynamic;
    stack.pop();
    main.active = false;
  }
}

function findTopMain(args: readonly Array[]): MainTrace | null {
  let top: MainTrace | null = dynamic;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tracer) {
      const m = a.trace.main;
      if (top === null || m.level > top.level) top = m;
    }
  }
  return top;
}

function leaked(prim: string, m: MainTrace): UnexpectedTracerError {
  return new UnexpectedTracerError(
    prim,
    `got a tracer from a ${m.name} transformation that has already finished (a leaked tracer). ` +
      `A value computed inside grad/vmap/jit was stored outside (e.g. in a closure or global) and used after the transformation returned; ` +
      `return it from the transformed function instead.`,
  );
}

/** Box `x` as a tracer of `trace`, lifting lower-level values; rejects leaked tracers. */
export function fullRaise(trace: Trace, x: Array, prim: string): Tracer {
  if (!(x instanceof Tracer)) return trace.pure(x as ConcreteArray);
  const m = x.trace.main;
  if (m === trace.main) return x;
  if (!m.active || stack[m.level - 1] !== m) throw leaked(prim, m);
  if (m.level < trace.main.level) return trace.lift(x);
  throw new UnexpectedTracerError(prim, `tracer of ${m.name} (level ${m.level}) met a lower-level ${trace.main.name} trace`);
}

/**
 * Apply a primitive: the single entry point of every array operation. Array operands are
 * positional; static parameters go in `params`. Returns the list of outputs.
 */
export function bind(prim: Primitive, args: readonly Array[], params: any): Array[] {
  const top = findTopMain(args);
  if (top === null) {
    // Eager: validate with the shape/dtype rule first, so bad input never reaches a kernel.
    if (prim.skipEagerCheck !== true) prim.abstractEval(args as ConcreteArray[], params);
    const outs = prim.impl(args as ConcreteArray[], params);
    if (flagsNow().debugNans) checkNans(prim, args as ConcreteArray[], params, outs);
    return outs;
  }
  if (!top.active) throw leaked(prim.name, top);
  const trace = top.trace;
  const tracers = new globalThis.Array<Tracer>(args.length);
  for (let i = 0; i < args.length; i++) tracers[i] = fullRaise(trace, args[i]!, prim.name);
  const outs = trace.processPrimitive(prim, tracers, params);
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    if (o instanceof Tracer) outs[i] = o.fullLower();
  }
  return outs;
}

/** `bind` for single-output primitives. */
export function bind1(prim: Primitive, args: readonly Array[], params: any): Array {
  return bind(prim, args, params)[0]!;
}

/**
 * @file Transformations of whole jaxprs, used by the rules of higher-order primitives (cond,
 * scan, while): linearize a jaxpr into a "known" jaxpr (primal outputs plus residuals) and a
 * linear jaxpr (residuals and tangents to output tangents), transpose a jaxpr that is linear in
 * some of its inputs, and batch a jaxpr.
 *
 * Jaxprs inside control-flow parameters are closed over *concrete* constants only: values from
 * enclosing transformations are always passed as explicit operands (hoisted), so a parameter
 * jaxpr can be evaluated under any interpreter.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import type { Tangent } from "../core/primitive.js";
import { ClosedJaxpr, evalJaxpr, Jaxpr } from "../ir/jaxpr.js";
import { zerosLikeAval } from "../primitives/util.js";
import { vmapFlat } from "./batching.js";
import { backwardPass, linearizeFlat, type Linearized } from "./linearize.js";
import { traceToJaxpr } from "./staging.js";

/** Trace a function whose only free values are concrete constants (asserted). */
export function traceConcrete(name: string, fn: (...xs: Array[]) => Array[], avals: readonly ShapedArray[]): ClosedJaxpr {
  const c = traceToJaxpr(name, fn, avals);
  if (!c.consts.every((x) => x instanceof ConcreteArray)) {
    throw new Error(`${name}: a traced value from an enclosing transformation was captured by a rule-internal trace (internal error)`);
  }
  return c;
}

/**
 * Trace a user function, hoisting every captured value (concrete or traced) into leading
 * operands: returns a constvar-free closed jaxpr and the values to pass in front.
 */
export function traceHoisted(name: string, fn: (...xs: Array[]) => Array[], avals: readonly ShapedArray[]): { jaxpr: ClosedJaxpr; hoisted: Array[] } {
  const c = traceToJaxpr(name, fn, avals);
  const j = c.jaxpr;
  return { jaxpr: new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outs), []), hoisted: [...c.consts] };
}

/** Compiles a constvar-free jaxpr into a function of concrete arguments (registered by the jit compiler). */
export type BodyCompiler = (jaxpr: Jaxpr) => (args: Array[]) => Array[];

let bodyCompiler: BodyCompiler | undefined;

/**
 * Register the compiler {@link runBody} uses for hot bodies (the jit compiler registers itself
 * when it loads; the registration keeps the primitives independent of the compiler).
 */
export function setBodyCompiler(c: BodyCompiler | undefined): void {
  bodyCompiler = c;
}

/**
 * A body has run this many times (counted per closed jaxpr) before it is compiled. Eager loops
 * trace a new body on every call, so a small count would make short eager loops pay a compile
 * (about 0.1-0.3 ms) each time; under `jit` the runs add up across calls.
 */
export const HOT_BODY_RUNS = 32;

interface BodyState {
  runs: number;
  compiled?: (args: Array[]) => Array[];
}
const bodies = new WeakMap<ClosedJaxpr, BodyState>();

/**
 * Run a control-flow body (a `cond` branch, a `scan` or `while` body) on concrete values, tiered
 * like a JIT: equation by equation for its first {@link HOT_BODY_RUNS} runs, then through the
 * jit compiler (fused kernels, reused buffers) for good. Under `jit` the bodies are the same
 * objects on every call, so a loop body is compiled once and every iteration of every later call
 * runs fused. With `config.debugNans` on, or when some value is not concrete, it always runs
 * equation by equation (so a NaN check names its primitive).
 */
export function runBody(cj: ClosedJaxpr, args: readonly Array[], debugNans: boolean): Array[] {
  if (bodyCompiler === undefined || debugNans || !args.every((a) => a instanceof ConcreteArray) || !cj.consts.every((c) => c instanceof ConcreteArray)) {
    return runClosed(cj, args);
  }
  let st = bodies.get(cj);
  if (st === undefined) bodies.set(cj, (st = { runs: 0 }));
  if (st.compiled === undefined) {
    if (++st.runs <= HOT_BODY_RUNS) return runClosed(cj, args);
    const j = cj.jaxpr;
    st.compiled = bodyCompiler(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outs));
  }
  return st.compiled([...cj.consts, ...args]);
}

/** Run a closed jaxpr under the active interpreters. */
export function runClosed(cj: ClosedJaxpr, args: readonly Array[]): Array[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

/** The split of a jaxpr for reverse mode. */
export interface LinearizedJaxpr {
  /** `(...args) -> [...outs, ...residuals]`. */
  known: ClosedJaxpr;
  /** `(...residuals, ...tangents of the differentiable inputs) -> tangents of every output`. */
  linear: ClosedJaxpr;
  /** Abstract values of the residuals. */
  resAvals: ShapedArray[];
  /** Which inputs have tangents. */
  differentiable: boolean[];
  /** Number of primal outputs. */
  numOuts: number;
}

/** Linearize a closed jaxpr with respect to the inputs marked in `wrt` (float ones only). */
export function linearizeJaxpr(cj: ClosedJaxpr, wrt: readonly boolean[]): LinearizedJaxpr {
  let lin: Linearized | null = null;
  const known = traceConcrete(
    "linearize",
    (...xs) => {
      lin = linearizeFlat((...ys) => runClosed(cj, ys), xs, wrt);
      return [...lin.outs, ...lin.linear.consts];
    },
    cj.jaxpr.inAvals,
  );
  const l = lin! as Linearized;
  const lj = l.linear.jaxpr;
  return {
    known,
    linear: new ClosedJaxpr(new Jaxpr([], [...lj.constvars, ...lj.invars], lj.eqns, lj.outs), []),
    resAvals: lj.constvars.map((v) => v.aval),
    differentiable: l.differentiable,
    numOuts: l.outs.length,
  };
}

/**
 * Transpose a closed jaxpr that is linear in the inputs marked `linear`: the result takes
 * `(...nonLinearInputs, ...outputCotangents)` and returns a cotangent for each linear input
 * (zeros where none flows).
 */
export function transposeJaxpr(cj: ClosedJaxpr, linear: readonly boolean[]): ClosedJaxpr {
  const jaxpr = cj.jaxpr;
  const knownVars = jaxpr.invars.filter((_, i) => !linear[i]);
  const linVars = jaxpr.invars.filter((_, i) => linear[i]);
  const split = new Jaxpr([...jaxpr.constvars, ...knownVars], linVars, jaxpr.eqns, jaxpr.outs);
  const nk = knownVars.length;
  const avals = [...knownVars.map((v) => v.aval), ...jaxpr.outAvals.map((a) => ({ ...a, weakType: false }))];
  return traceConcrete(
    "transpose",
    (...xs) => {
      const cts = backwardPass(split, [...cj.consts, ...xs.slice(0, nk)], xs.slice(nk) as Tangent[]);
      return cts.map((c, i) => c ?? zerosLikeAval({ ...linVars[i]!.aval, weakType: false }));
    },
    avals,
  );
}

/** Batch a closed jaxpr: inputs batched along `dims` (null = unbatched), every output batched at axis 0. */
export function batchJaxpr(cj: ClosedJaxpr, batchedAvals: readonly ShapedArray[], dims: readonly (number | null)[], size: number): ClosedJaxpr {
  return traceConcrete("vmap", (...xs) => vmapFlat((...ys) => runClosed(cj, ys), dims, size, xs), batchedAvals);
}

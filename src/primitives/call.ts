/**
 * @file Higher-order primitives that carry a function or a jaxpr: `pjit` (what `jit` binds),
 * `custom_jvp_call`, `custom_vjp_call` with its linear half `custom_lin`, `checkpoint` with its
 * linear half `remat_lin`, and `stop_gradient`.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { flagsNow } from "../core/config.js";
import { MissingRuleError } from "../core/errors.js";
import { definePrimitive, UndefPrimal, type Primitive, type Tangent } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import { evalJaxpr, type Jaxpr } from "../ir/jaxpr.js";
import { vmapFlat } from "../interpreters/batching.js";
import { jvpFlat } from "../interpreters/jvp.js";
import { linearizeFlat, transposeLinear } from "../interpreters/linearize.js";
import { traceToJaxpr } from "../interpreters/staging.js";
import { batchToFront, zerosLikeAval } from "./util.js";

type FlatFn = (...xs: Array[]) => Array[];

const avalsOf = (xs: readonly Array[]) => xs.map((x) => x.aval);

/** Output avals of a flat function, by tracing it abstractly. */
function shapeOf(name: string, fn: FlatFn, avals: readonly ShapedArray[]): ShapedArray[] {
  return traceToJaxpr(name, fn, avals).jaxpr.outAvals;
}

// ---------------------------------------------------------------------------------------------

/** Parameters of `pjit`: a closed-over-nothing jaxpr (constants are passed as leading arguments). */
export interface PjitParams {
  jaxpr: Jaxpr;
  name: string;
  /** How the eager path runs the jaxpr; set by `jit` (compiled) and defaulting to evaluation. */
  run?: (args: Array[]) => Array[];
}

/** A call to a staged program: what `jit(f)` binds. */
export const pjitP: Primitive<PjitParams> = definePrimitive<PjitParams>({
  name: "pjit",
  skipEagerCheck: true,
  // With debugNans on, run equation by equation so the check names the primitive that made the NaN.
  impl: (args, p) => (p.run && !flagsNow().debugNans ? p.run(args) : evalJaxpr(p.jaxpr, [], args)) as any,
  abstractEval: (_avals, { jaxpr }) => jaxpr.outAvals,
  // Inline under forward mode: linearize must see primal work run now and tangent work staged.
  jvp: (primals, tangents, { jaxpr }) => jvpFlat((...xs) => evalJaxpr(jaxpr, [], xs), primals, tangents),
  batch: (args, dims, { jaxpr, name }, size) => {
    const batchedAvals = args.map((a) => a.aval);
    const batched = traceToJaxpr(`vmap(${name})`, (...xs) => vmapFlat((...ys) => evalJaxpr(jaxpr, [], ys), dims, size, xs), batchedAvals);
    const outs = bind(pjitP, [...batched.consts, ...args], { jaxpr: closeOver(batched.jaxpr), name: `vmap(${name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

/** Turn a jaxpr's constvars into leading invars (so constants travel as arguments). */
export function closeOver(jaxpr: Jaxpr): Jaxpr {
  if (jaxpr.constvars.length === 0) return jaxpr;
  return new (jaxpr.constructor as typeof Jaxpr)([], [...jaxpr.constvars, ...jaxpr.invars], jaxpr.eqns, jaxpr.outs);
}

// ---------------------------------------------------------------------------------------------

/** Parameters of `custom_jvp_call`. */
export interface CustomJvpParams {
  fun: FlatFn;
  jvp: (primals: Array[], tangents: Array[]) => [Array[], Array[]];
  name: string;
}

/** A function with a user-defined JVP; every other interpreter just runs the function. */
export const customJvpCallP: Primitive<CustomJvpParams> = definePrimitive<CustomJvpParams>({
  name: "custom_jvp_call",
  skipEagerCheck: true,
  impl: (args, { fun }) => fun(...args) as any,
  abstractEval: (avals, { fun, name }) => shapeOf(name, fun, avals),
  jvp: (primals, tangents, { jvp }) => {
    const ts = tangents.map((t, i) => t ?? zerosLikeAval(primals[i]!.aval));
    const [outs, touts] = jvp(primals, ts);
    return [outs, touts];
  },
  batch: (args, dims, { fun, jvp, name }, size) => {
    const bfun: FlatFn = (...xs) => vmapFlat(fun, dims, size, xs);
    const bjvp = (ps: Array[], ts: Array[]): [Array[], Array[]] => {
      const n = ps.length;
      const outs = vmapFlat(
        (...xs) => {
          const [o, t] = jvp(xs.slice(0, n), xs.slice(n));
          return [...o, ...t];
        },
        [...dims, ...dims],
        size,
        [...ps, ...ts],
      );
      return [outs.slice(0, outs.length / 2), outs.slice(outs.length / 2)];
    };
    const outs = bind(customJvpCallP, args, { fun: bfun, jvp: bjvp, name: `vmap(${name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `custom_vjp_call`. */
export interface CustomVjpParams {
  fun: FlatFn;
  fwd: (primals: Array[]) => [Array[], Array[]];
  bwd: (residuals: Array[], cts: Array[]) => Array[];
  name: string;
}

/** Parameters of `custom_lin`: the linear half of a custom-VJP function under differentiation. */
interface CustomLinParams {
  bwd: CustomVjpParams["bwd"];
  numRes: number;
  outAvals: ShapedArray[];
  name: string;
}

/** Linear in the tangents; its transpose is the user's `bwd` applied to the residuals. */
export const customLinP: Primitive<CustomLinParams> = definePrimitive<CustomLinParams>({
  name: "custom_lin",
  impl: (_args, { name }) => {
    throw new MissingRuleError(name, "forward-mode differentiation (jvp/jacfwd) of a customVjp function is not supported (as in JAX); use customJvp, or reverse mode");
  },
  abstractEval: (_avals, { outAvals }) => outAvals,
  transpose: (cts, args, { bwd, numRes, outAvals }) => {
    const res = args.slice(0, numRes) as Array[];
    const ctsIn = bwd(
      res,
      cts.map((c, i) => c ?? zerosLikeAval(outAvals[i]!)),
    );
    return [...res.map(() => null), ...ctsIn];
  },
  // Met when a linear jaxpr holding custom_lin is evaluated under vmap (e.g. `vmap` of linearize's
  // jvpFn): batch everything at axis 0 and batch the user's bwd with it.
  batch: (args, dims, p, size) => {
    const moved = args.map((a, i) => batchToFront(a, dims[i]!, size));
    const bwd = (res: Array[], cts: Array[]): Array[] =>
      vmapFlat((...xs) => p.bwd(xs.slice(0, res.length), xs.slice(res.length)), [...res, ...cts].map(() => 0), size, [...res, ...cts]);
    const outAvals = p.outAvals.map((a) => ({ ...a, shape: [size, ...a.shape] }));
    const outs = bind(customLinP, moved, { ...p, bwd, outAvals, name: `vmap(${p.name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

/** A function with a user-defined VJP (`fwd` saves residuals, `bwd` maps cotangents back). */
export const customVjpCallP: Primitive<CustomVjpParams> = definePrimitive<CustomVjpParams>({
  name: "custom_vjp_call",
  skipEagerCheck: true,
  impl: (args, { fun }) => fun(...args) as any,
  abstractEval: (avals, { fun, name }) => shapeOf(name, fun, avals),
  jvp: (primals, tangents, { fwd, bwd, name }) => {
    const [outs, res] = fwd(primals);
    const ts = tangents.map((t, i) => t ?? zerosLikeAval({ ...primals[i]!.aval, weakType: false }));
    const touts = bind(customLinP, [...res, ...ts], { bwd, numRes: res.length, outAvals: avalsOf(outs).map((a) => ({ ...a, weakType: false })), name });
    return [outs, touts];
  },
  batch: (args, dims, { fun, fwd, bwd, name }, size) => {
    const bfun: FlatFn = (...xs) => vmapFlat(fun, dims, size, xs);
    // Batched fwd/bwd: every residual and cotangent carries the batch at axis 0.
    let numOut = 0;
    const bfwd = (ps: Array[]): [Array[], Array[]] => {
      const all = vmapFlat(
        (...xs) => {
          const [o, r] = fwd(xs);
          numOut = o.length;
          return [...o, ...r];
        },
        dims,
        size,
        ps,
      );
      return [all.slice(0, numOut), all.slice(numOut)];
    };
    const bbwd = (res: Array[], cts: Array[]): Array[] =>
      vmapFlat((...xs) => bwd(xs.slice(0, res.length), xs.slice(res.length)), [...res.map(() => 0), ...cts.map(() => 0)], size, [...res, ...cts]);
    const outs = bind(customVjpCallP, args, { fun: bfun, fwd: bfwd, bwd: bbwd, name: `vmap(${name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `checkpoint` and its linear half. */
export interface CheckpointParams {
  fun: FlatFn;
  name: string;
}

/** Linear in the tangents (the trailing half of its inputs); recomputes the forward pass when transposed. */
export const rematLinP: Primitive<CheckpointParams & { outAvals: ShapedArray[] }> = definePrimitive<CheckpointParams & { outAvals: ShapedArray[] }>({
  name: "remat_lin",
  impl: (args, { fun, outAvals }) => {
    const n = args.length / 2;
    return jvpFlat(fun, args.slice(0, n), args.slice(n))[1].map((t, i) => t ?? zerosLikeAval(outAvals[i]!)) as any;
  },
  abstractEval: (_a, { outAvals }) => outAvals,
  transpose: (cts, args, { fun }) => {
    const n = args.length / 2;
    const primals = args.slice(0, n) as Array[];
    const lin = linearizeFlat(fun, primals);
    const ctIn = transposeLinear(lin, cts);
    return [...primals.map(() => null), ...ctIn.map((c, i) => (args[n + i] instanceof UndefPrimal ? c : null))];
  },
  // Forward mode over the JVP of a checkpointed function (jvp of jvp, jacfwd of jacfwd, checkGrads
  // order 2): differentiate `(x, t) -> ∂fun(x)·t` by inlining it. Nothing is rematerialized on this path.
  jvp: (args, tangents, { fun, outAvals }) => {
    const n = args.length / 2;
    const lin = (...xs: Array[]) => jvpFlat(fun, xs.slice(0, n), xs.slice(n))[1].map((t, i) => t ?? zerosLikeAval(outAvals[i]!));
    return jvpFlat(lin, args, tangents);
  },
  batch: (args, dims, p, size) => {
    const moved = args.map((a, i) => batchToFront(a, dims[i]!, size));
    const fun: FlatFn = (...xs) => vmapFlat(p.fun, xs.map(() => 0), size, xs);
    const outAvals = p.outAvals.map((a) => ({ ...a, shape: [size, ...a.shape] }));
    const outs = bind(rematLinP, moved, { ...p, fun, outAvals, name: `vmap(${p.name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

/** Rematerialization: under reverse mode only the inputs are saved; the forward pass reruns in the backward pass. */
export const checkpointP: Primitive<CheckpointParams> = definePrimitive<CheckpointParams>({
  name: "checkpoint",
  skipEagerCheck: true,
  impl: (args, { fun }) => fun(...args) as any,
  abstractEval: (avals, { fun, name }) => shapeOf(name, fun, avals),
  jvp: (primals, tangents, p) => {
    const outs = bind(checkpointP, primals, p);
    const ts: Tangent[] = tangents.map((t, i) => t ?? zerosLikeAval({ ...primals[i]!.aval, weakType: false }));
    const touts = bind(rematLinP, [...primals, ...(ts as Array[])], { ...p, outAvals: avalsOf(outs).map((a) => ({ ...a, weakType: false })) });
    return [outs, touts];
  },
  batch: (args, dims, { fun, name }, size) => {
    const outs = bind(checkpointP, args, { fun: (...xs: Array[]) => vmapFlat(fun, dims, size, xs), name: `vmap(${name})` });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `name=${p.name}`,
});

// ---------------------------------------------------------------------------------------------

/** Identity whose derivative is zero. */
export const stopGradientP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "stop_gradient",
  impl: ([x]) => [x!],
  abstractEval: ([x]) => [x!],
  jvp: ([x]) => [[bind(stopGradientP, [x!], {})[0]!], [null]],
  batch: ([x], [d]) => [[bind(stopGradientP, [x!], {})[0]!], [d!]],
});

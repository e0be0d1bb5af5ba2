/**
 * @file The public autodiff API: `jvp`, `linearize`, `vjp`, `grad`, `valueAndGrad`, `jacfwd`,
 * `jacrev`, `jacobian`, `hessian`, and the controls `stopGradient`, `customJvp`, `customVjp`,
 * `checkpoint`. All accept and return pytrees.
 */
import { Array } from "../core/array.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import type { Tangent } from "../core/primitive.js";
import { bind, bind1 } from "../core/trace.js";
import { assertSameStructure, unflatten, type TreeDef } from "../core/tree.js";
import { jvpFlat } from "../interpreters/jvp.js";
import { applyLinear, linearizeFlat, transposeLinear } from "../interpreters/linearize.js";
import { checkpointP, customJvpCallP, customVjpCallP, stopGradientP } from "../primitives/call.js";
import { convert, eq } from "../primitives/elementwise.js";
import { iotaP } from "../primitives/movement.js";
import { moveAxis, reshape, scalar, zerosLikeAval } from "../primitives/util.js";
import { flattenArrays, normalizeArgnums } from "./args.js";
import { vmap } from "./vmap.js";

/** Any function (the type parameter of the transformations). */
export type AnyFn = (...args: any[]) => any;

function zerosFor(x: Array): Array {
  return zerosLikeAval({ ...x.aval, weakType: false });
}

/**
 * Forward-mode derivative: `jvp(f, primals, tangents)` returns `[f(...primals), J·tangents]`.
 * `primals` and `tangents` are lists of pytrees with matching structures.
 * @example
 * const [y, dy] = jvp((x) => np.sin(x), [np.array(0)], [np.array(1)]); // y = 0, dy = 1
 */
export function jvp<F extends AnyFn>(f: F, primals: readonly unknown[], tangents: readonly unknown[]): [ReturnType<F>, ReturnType<F>] {
  if (!globalThis.Array.isArray(primals) || !globalThis.Array.isArray(tangents)) {
    throw new ValueError("jvp", "primals and tangents must be lists (one entry per argument of f)");
  }
  const [pl, pdef] = flattenArrays("jvp", primals);
  const [tl, tdef] = flattenArrays("jvp", tangents);
  assertSameStructure("jvp", pdef, tdef, "primals and tangents");
  pl.forEach((p, i) => {
    const t = tl[i]!;
    if (p.shape.length !== t.shape.length || p.shape.some((d, j) => d !== t.shape[j])) {
      throw new ShapeError("jvp", `tangent ${i} has shape ${fmtShape(t.shape)} but its primal has shape ${fmtShape(p.shape)}`);
    }
  });
  let outDef: TreeDef | null = null;
  const flatFn = (...xs: Array[]) => {
    const out = f(...(unflatten(pdef, xs) as unknown[]));
    const [ol, od] = flattenArrays("jvp", out);
    outDef = od;
    return ol;
  };
  const [po, to] = jvpFlat(flatFn, pl, tl);
  return [unflatten(outDef!, po) as ReturnType<F>, unflatten(outDef!, to.map((t, i) => t ?? zerosFor(po[i]!))) as ReturnType<F>];
}

/**
 * `linearize(f, ...primals)` returns `[f(...primals), jvpFn]` where `jvpFn(...tangents)` evaluates
 * the linear map without re-running the primal computation.
 */
export function linearize<F extends AnyFn>(f: F, ...primals: Parameters<F>): [ReturnType<F>, (...tangents: Parameters<F>) => ReturnType<F>] {
  const [pl, pdef] = flattenArrays("linearize", primals);
  let outDef: TreeDef | null = null;
  const lin = linearizeFlat((...xs) => {
    const [ol, od] = flattenArrays("linearize", f(...(unflatten(pdef, xs) as unknown[])));
    outDef = od;
    return ol;
  }, pl);
  const jvpFn = (...tangents: unknown[]) => {
    const [tl, tdef] = flattenArrays("linearize", tangents);
    assertSameStructure("linearize", pdef, tdef, "primals and tangents");
    return unflatten(outDef!, applyLinear(lin, tl)) as ReturnType<F>;
  };
  return [unflatten(outDef!, lin.outs) as ReturnType<F>, jvpFn as any];
}

/**
 * Reverse mode: `vjp(f, ...primals)` returns `[f(...primals), vjpFn]`; `vjpFn(ct)` maps a
 * cotangent of the output (same structure) to a list of cotangents, one per primal.
 */
export function vjp<F extends AnyFn>(f: F, ...primals: Parameters<F>): [ReturnType<F>, (ct: ReturnType<F>) => Parameters<F>] {
  const [pl, pdef] = flattenArrays("vjp", primals);
  let outDef: TreeDef | null = null;
  const lin = linearizeFlat((...xs) => {
    const [ol, od] = flattenArrays("vjp", f(...(unflatten(pdef, xs) as unknown[])));
    outDef = od;
    return ol;
  }, pl);
  const vjpFn = (ct: unknown) => {
    const [cl, cdef] = flattenArrays("vjp", ct);
    assertSameStructure("vjp", outDef!, cdef, "the output of f and the cotangent");
    cl.forEach((c, i) => {
      const o = lin.outs[i]!;
      if (c.shape.length !== o.shape.length || c.shape.some((d, j) => d !== o.shape[j])) {
        throw new ShapeError("vjp", `cotangent ${i} has shape ${fmtShape(c.shape)} but the output has shape ${fmtShape(o.shape)}`);
      }
    });
    const cts = transposeLinear(lin, cl);
    return unflatten(pdef, cts.map((c, i) => c ?? zerosFor(pl[i]!))) as Parameters<F>;
  };
  return [unflatten(outDef!, lin.outs) as ReturnType<F>, vjpFn as any];
}

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** Which positional argument(s) to differentiate (default 0). A list gives a list of gradients. */
  argnums?: number | readonly number[];
  /** `f` returns `[loss, aux]`; aux is passed through undifferentiated. */
  hasAux?: boolean;
}

/**
 * `valueAndGrad(f)(...args)` returns `[f(...args), ∇f]` (with `hasAux`: `[[loss, aux], grads]`).
 * `f` must return a float scalar. Gradients have the structure of the differentiated arguments.
 * @example
 * const [loss, g] = valueAndGrad((w) => w.mul(w).sum())(np.array([1, 2])); // g = [2, 4]
 */
export function valueAndGrad<F extends AnyFn>(f: F, opts: GradOptions = {}): (...args: Parameters<F>) => [ReturnType<F>, any] {
  const name = "grad";
  return (...args: Parameters<F>) => {
    const argnums = normalizeArgnums(name, opts.argnums, args.length);
    const diff = argnums.map((i) => args[i]);
    const [dl, ddef] = flattenArrays(name, diff);
    dl.forEach((x, i) => {
      if (!isFloat(x.dtype)) {
        throw new DTypeError(name, `can only differentiate with respect to float inputs (float32/float64), got ${x.dtype} for leaf ${i} of argument(s) ${JSON.stringify(opts.argnums ?? 0)}; convert with astype("float32") or exclude it from argnums`);
      }
    });
    let auxDef: TreeDef | null = null;
    let numAux = 0;
    const flatFn = (...xs: Array[]) => {
      const parts = unflatten(ddef, xs) as unknown[];
      const full = [...args];
      argnums.forEach((a, k) => (full[a] = parts[k]));
      let out = f(...full);
      let auxLeaves: Array[] = [];
      if (opts.hasAux) {
        if (!globalThis.Array.isArray(out) || out.length !== 2) {
          throw new ValueError(name, `with hasAux: true the function must return a pair [output, aux], got ${globalThis.Array.isArray(out) ? `an array of length ${out.length}` : typeof out}`);
        }
        const [o, aux] = out;
        out = o;
        const [al, ad] = flattenArrays(name, aux);
        auxDef = ad;
        numAux = al.length;
        auxLeaves = al;
      }
      if (!(out instanceof Array)) {
        throw new ValueError(name, `the function must return a scalar Array, got ${out === null ? "null" : typeof out === "object" ? "a pytree (use hasAux: true to return [loss, aux], or vjp for several outputs)" : typeof out}`);
      }
      if (out.shape.length !== 0) {
        throw new ShapeError(name, `the function must return a scalar (shape []), got shape ${fmtShape(out.shape)}; reduce it (e.g. .sum() or .mean()) or use vjp / jacrev for non-scalar outputs`);
      }
      if (!isFloat(out.dtype)) throw new DTypeError(name, `the function must return a float scalar, got ${out.dtype}`);
      return [out, ...auxLeaves];
    };
    const lin = linearizeFlat(flatFn, dl);
    const out = lin.outs[0]!;
    const seed = scalar(1, out.dtype);
    const cts = transposeLinear(lin, [seed, ...new globalThis.Array<Tangent>(numAux).fill(null)]);
    const grads = unflatten(ddef, cts.map((c, i) => c ?? zerosFor(dl[i]!))) as unknown[];
    const g = typeof opts.argnums === "number" || opts.argnums === undefined ? grads[0] : grads;
    const value = opts.hasAux ? [out, unflatten(auxDef!, lin.outs.slice(1))] : out;
    return [value as ReturnType<F>, g];
  };
}

/**
 * `grad(f)(...args)`: the gradient of a scalar function with respect to argument `argnums`
 * (with `hasAux`, returns `[grads, aux]`).
 * @example
 * const df = grad((x) => np.sin(x)); df(np.array(0)); // 1
 */
export function grad<F extends AnyFn>(f: F, opts: GradOptions = {}): (...args: Parameters<F>) => any {
  const vg = valueAndGrad(f, opts);
  return (...args: Parameters<F>) => {
    const [value, g] = vg(...args);
    return opts.hasAux ? [g, (value as unknown as unknown[])[1]] : g;
  };
}

// ---------------------------------------------------------------------------------------------
// Jacobians

/** Options of the Jacobian functions. */
export interface JacOptions {
  /** Which positional argument to differentiate (default 0). */
  argnums?: number;
}

/** The identity matrix as a batch of basis vectors of `shape`: `[n, ...shape]`. */
function basis(shape: readonly number[], dtype: Array["dtype"]): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = bind1(iotaP, [], { shape: [n, n], dtype: "int32", dimension: 0 });
  const c = bind1(iotaP, [], { shape: [n, n], dtype: "int32", dimension: 1 });
  return reshape(convert(eq(r, c), dtype), [n, ...shape]);
}

function singleArray(fn: string, x: unknown): Array {
  if (!(x instanceof Array)) throw new ValueError(fn, "differentiates with respect to a single Array argument; for pytrees use vjp/jvp with tree.map");
  if (!isFloat(x.dtype)) throw new DTypeError(fn, `the differentiated argument must be float32/float64, got ${x.dtype}`);
  return x;
}

/** Jacobian by forward mode (one JVP per input element, vectorized with vmap): shape `[...out, ...in]`. */
export function jacfwd<F extends AnyFn>(f: F, opts: JacOptions = {}): (...args: Parameters<F>) => Array {
  return (...args: Parameters<F>) => {
    const [a] = normalizeArgnums("jacfwd", opts.argnums, args.length);
    const x = singleArray("jacfwd", args[a!]);
    const push = (t: Array) => {
      const full = [...args];
      return jvp((xx: Array) => {
        full[a!] = xx;
        return f(...full);
      }, [x], [t])[1] as Array;
    };
    const cols = vmap(push)(basis(x.shape, x.dtype)) as Array; // [n, ...out]
    const outShape = cols.shape.slice(1);
    return reshape(moveAxis(reshape(cols, [cols.shape[0]!, ...outShape]), 0, outShape.length), [...outShape, ...x.shape]);
  };
}

/** Jacobian by reverse mode (one VJP per output element, vectorized with vmap): shape `[...out, ...in]`. */
export function jacrev<F extends AnyFn>(f: F, opts: JacOptions = {}): (...args: Parameters<F>) => Array {
  return (...args: Parameters<F>) => {
    const [a] = normalizeArgnums("jacrev", opts.argnums, args.length);
    const x = singleArray("jacrev", args[a!]);
    const full = [...args];
    const [y, pullback] = vjp((xx: Array) => {
      const g = [...full];
      g[a!] = xx;
      return f(...g) as Array;
    }, x);
    if (!(y instanceof Array)) throw new ValueError("jacrev", "the function must return a single Array");
    const rows = vmap((ct: Array) => (pullback(ct as never) as unknown as Array[])[0]!)(basis(y.shape, y.dtype)) as Array; // [m, ...in]
    return reshape(rows, [...y.shape, ...x.shape]);
  };
}

/** `jacobian` = `jacrev` (as in JAX). */
export const jacobian = jacrev;

/** Hessian = `jacfwd(jacrev(f))`: shape `[...in, ...in]` for a scalar function. */
export function hessian<F extends AnyFn>(f: F, opts: JacOptions = {}): (...args: Parameters<F>) => Array {
  return jacfwd(jacrev(f, opts) as AnyFn, opts) as any;
}

// ---------------------------------------------------------------------------------------------
// Controls

/** Identity in the forward pass; zero derivative. Works on pytrees. */
export function stopGradient<T>(x: T): T {
  const [l, def] = flattenArrays("stopGradient", x);
  return unflatten(def, l.map((v) => bind1(stopGradientP, [v], {}))) as T;
}

function flatCall(name: string, f: AnyFn, args: unknown[]): { flat: Array[]; def: TreeDef; fun: (...xs: Array[]) => Array[]; outDef: () => TreeDef } {
  const [flat, def] = flattenArrays(name, args);
  let od: TreeDef | null = null;
  const fun = (...xs: Array[]) => {
    const [ol, d] = flattenArrays(name, f(...(unflatten(def, xs) as unknown[])));
    od = d;
    return ol;
  };
  return { flat, def, fun, outDef: () => od! };
}

/**
 * A function with a custom forward-mode rule: `jvpRule(primals, tangents) -> [out, tangentOut]`
 * (lists of the positional arguments). Reverse mode transposes the rule, so it must be linear in
 * the tangents.
 */
export function customJvp<F extends AnyFn>(f: F, jvpRule: (primals: Parameters<F>, tangents: Parameters<F>) => [ReturnType<F>, ReturnType<F>]): F {
  const name = f.name || "customJvp";
  return ((...args: unknown[]) => {
    const { flat, def, fun, outDef } = flatCall(name, f, args);
    let ruleDef: TreeDef | null = null;
    const rule = (ps: Array[], ts: Array[]): [Array[], Array[]] => {
      const [o, t] = jvpRule(unflatten(def, ps) as Parameters<F>, unflatten(def, ts) as Parameters<F>);
      const [ol, od] = flattenArrays(name, o);
      const [tl, td] = flattenArrays(name, t);
      assertSameStructure(name, od, td, "the rule's output and tangent output");
      ruleDef = od;
      return [ol, tl];
    };
    const outs = bind(customJvpCallP, flat, { fun, jvp: rule, name });
    return unflatten(outDef() ?? ruleDef!, outs);
  }) as F;
}

/**
 * A function with a custom reverse-mode rule: `fwd(...primals) -> [out, residuals]` and
 * `bwd(residuals, cotangent) -> cotangents` (a list, one per primal).
 */
export function customVjp<F extends AnyFn, R>(f: F, fwd: (...primals: Parameters<F>) => [ReturnType<F>, R], bwd: (residuals: R, ct: ReturnType<F>) => unknown[]): F {
  const name = f.name || "customVjp";
  return ((...args: unknown[]) => {
    const { flat, def, fun, outDef } = flatCall(name, f, args);
    let resDef: TreeDef | null = null;
    let fwdOutDef: TreeDef | null = null;
    const ffwd = (ps: Array[]): [Array[], Array[]] => {
      const [o, r] = fwd(...(unflatten(def, ps) as Parameters<F>));
      const [ol, od] = flattenArrays(name, o);
      const [rl, rd] = flattenArrays(name, r);
      fwdOutDef = od;
      resDef = rd;
      return [ol, rl];
    };
    const fbwd = (res: Array[], cts: Array[]): Array[] => {
      const g = bwd(unflatten(resDef!, res) as R, unflatten(fwdOutDef!, cts) as ReturnType<F>);
      if (!globalThis.Array.isArray(g) || g.length !== args.length) {
        throw new ValueError(name, `bwd must return a list with one cotangent per primal argument (${args.length}), got ${globalThis.Array.isArray(g) ? `a list of length ${g.length}` : typeof g}`);
      }
      const [gl, gd] = flattenArrays(name, g);
      assertSameStructure(name, def, gd, "the primal arguments and bwd's cotangents");
      return gl;
    };
    const outs = bind(customVjpCallP, flat, { fun, fwd: ffwd, bwd: fbwd, name });
    return unflatten(outDef() ?? fwdOutDef!, outs);
  }) as F;
}

/**
 * Rematerialization: `checkpoint(f)` computes the same values, but under reverse mode stores only
 * its inputs and recomputes its intermediates in the backward pass (less memory, more compute).
 */
export function checkpoint<F extends AnyFn>(f: F): F {
  const name = f.name || "checkpoint";
  return ((...args: unknown[]) => {
    const { flat, fun, outDef } = flatCall(name, f, args);
    const outs = bind(checkpointP, flat, { fun, name });
    return unflatten(outDef(), outs);
  }) as F;
}


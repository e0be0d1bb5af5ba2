/**
 * @file `jit`, `makeJaxpr` and `evalShape`. `jit` traces the function once per input signature
 * (pytree structure, shapes, dtypes, weak types, static argument values) into a jaxpr, caches it
 * (bounded, LRU), and binds the `pjit` primitive with it, so that every other transformation
 * sees one call. The compiled executor (fusion, generated kernels) plugs in through `pjit`'s run hook.
 */
import { Array, type ShapedArray } from "../core/array.js";
import { shortName, type DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { ConcreteArray } from "../core/concrete.js";
import { flagsNow } from "../core/config.js";
import { bind, stackDepth } from "../core/trace.js";
import { treedefToString, unflatten, type TreeDef } from "../core/tree.js";
import { ClosedJaxpr, type Jaxpr } from "../ir/jaxpr.js";
import { compileJaxpr } from "../jit/compile.js";
import { traceToJaxpr } from "../interpreters/staging.js";
import { dce } from "../ir/simplify.js";
import { closeOver, pjitP } from "../primitives/call.js";
import { flattenArrays } from "./args.js";

/** Options of `jit`. */
export interface JitOptions {
  /** Positional arguments that are configuration, not data: hashed by value and baked into the trace. */
  staticArgnums?: number | readonly number[];
  /** Maximum cached traces (default 64). */
  cacheSize?: number;
  /**
   * Positional arguments (pytrees of arrays) given up to the call, as JAX's `donate_argnums`:
   * after a top-level call their arrays are deleted (`isDeleted()`; reading them throws), and
   * outputs of the same shape and dtype may be written into their memory instead of fresh
   * memory. Typical for training steps: `params = step(params, batch)`. Ignored (nothing is
   * deleted) when the call is traced by another transformation.
   */
  donateArgnums?: number | readonly number[];
}

/** Statistics of a jitted function's trace cache. */
export interface CacheInfo {
  hits: number;
  misses: number;
  size: number;
}

/** A jitted function: callable like `f`, plus cache inspection. */
export type Jitted<F extends (...args: any[]) => any> = ((...args: Parameters<F>) => ReturnType<F>) & {
  /** Hits, misses (= traces) and current size of the trace cache. */
  cacheInfo(): CacheInfo;
  /** The jaxpr that a call with these arguments runs. */
  lower(...args: Parameters<F>): ClosedJaxpr;
};

interface Entry {
  jaxpr: Jaxpr;
  consts: readonly Array[];
  outDef: TreeDef;
  run: (args: Array[], donated?: readonly boolean[]) => Array[];
}

function avalKey(a: ShapedArray): string {
  return `${shortName[a.dtype as DType]}[${a.shape.join(",")}]${a.weakType ? "w" : ""}`;
}

function staticKey(v: unknown): string {
  if (typeof v === "function") return `fn:${v.name}`;
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof Array ? `Array(${x.shape})` : x));
  } catch {
    return String(v);
  }
}

/** The array leaves of the donated positional arguments. */
function donatedLeaves(args: readonly unknown[], donate: ReadonlySet<number>): Set<Array> {
  const out = new Set<Array>();
  for (const i of donate) for (const l of flattenArrays("jit", args[i])[0]) out.add(l);
  return out;
}

/**
 * Compile `f`: trace once per input signature, cache, and run the staged program.
 * Converting a traced value to a JS value inside `f` (e.g. `if (x.item() > 0)`) throws a
 * ConcretizationError; use `lax.cond`/`np.where`, or mark the argument in `staticArgnums`.
 * @example
 * const f = jit((x) => np.sin(x).mul(2));
 * f(np.arange(3)); f.cacheInfo(); // { hits: 0, misses: 1, size: 1 }
 */
export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): Jitted<F> {
  const statics = new Set(opts.staticArgnums === undefined ? [] : typeof opts.staticArgnums === "number" ? [opts.staticArgnums] : opts.staticArgnums);
  const donate = new Set(opts.donateArgnums === undefined ? [] : typeof opts.donateArgnums === "number" ? [opts.donateArgnums] : opts.donateArgnums);
  for (const d of donate) {
    if (!Number.isInteger(d) || d < 0) throw new ValueError("jit", `donateArgnums must be non-negative integers, got ${JSON.stringify(opts.donateArgnums)}`);
    if (statics.has(d)) throw new ValueError("jit", `argument ${d} is in both staticArgnums and donateArgnums; static arguments are not arrays and cannot be donated`);
  }
  const cacheSize = opts.cacheSize ?? 64;
  const cache = new Map<string, Entry>();
  let hits = 0;
  let misses = 0;
  const name = f.name || "fn";

  const prepare = (args: unknown[]): { entry: Entry; leaves: Array[] } => {
    for (const s of statics) {
      if (!Number.isInteger(s) || s < 0 || s >= args.length) {
        throw new ValueError("jit", `staticArgnums contains ${s}, but the function was called with ${args.length} positional argument(s)`);
      }
    }
    // Checked on every call, traced or not, so a bad index fails the same way under grad or vmap.
    for (const d of donate) {
      if (d >= args.length) throw new ValueError("jit", `donateArgnums contains ${d}, but the function was called with ${args.length} positional argument(s)`);
    }
    const dynamic = args.map((a, i) => (statics.has(i) ? null : a));
    const [leaves, def] = flattenArrays("jit", dynamic);
    const key = `${treedefToString(def)}|${leaves.map((l) => avalKey(l.aval)).join(";")}|${[...statics].map((i) => staticKey(args[i])).join(";")}`;
    let entry = cache.get(key);
    if (entry !== undefined) {
      hits++;
      cache.delete(key); // LRU: move to the end
      cache.set(key, entry);
      return { entry, leaves };
    }
    misses++;
    let outDef: TreeDef | null = null;
    const closed = traceToJaxpr(
      `jit(${name})`,
      (...xs) => {
        const rebuilt = unflatten(def, xs) as unknown[];
        const full = args.map((a, i) => (statics.has(i) ? a : rebuilt[i]));
        const [ol, od] = flattenArrays("jit", f(...full));
        outDef = od;
        return ol;
      },
      leaves.map((l) => l.aval),
    );
    const jaxpr = dce(closeOver(closed.jaxpr));
    entry = { jaxpr, consts: closed.consts, outDef: outDef!, run: compileJaxpr(jaxpr) };
    cache.set(key, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return { entry, leaves };
  };

  const jitted = ((...args: unknown[]) => {
    const { entry, leaves } = prepare(args);
    const flat = [...entry.consts, ...leaves];
    if (donate.size > 0 && stackDepth() === 0 && leaves.every((l) => l instanceof ConcreteArray)) {
      return unflatten(entry.outDef, runDonating(entry, flat, donatedLeaves(args, donate)));
    }
    const outs = bind(pjitP, flat, { jaxpr: entry.jaxpr, name, run: entry.run });
    return unflatten(entry.outDef, outs);
  }) as unknown as Jitted<F>;

  /** A top-level call with donated arguments: run, then delete them (outputs excepted). */
  const runDonating = (entry: Entry, flat: Array[], donated: Set<Array>): Array[] => {
    const flags = flat.map((a, i) => i >= entry.consts.length && donated.has(a));
    const outs = flagsNow().debugNans ? bind(pjitP, flat, { jaxpr: entry.jaxpr, name, run: entry.run }) : entry.run(flat, flags);
    const kept = new Set(outs);
    for (const a of donated) if (a instanceof ConcreteArray && !kept.has(a)) ConcreteArray.markDeleted(a);
    return outs;
  };
  jitted.cacheInfo = () => ({ hits, misses, size: cache.size });
  jitted.lower = (...args: unknown[]) => {
    const { entry } = prepare(args);
    return new ClosedJaxpr(entry.jaxpr, entry.consts);
  };
  return jitted;
}

/**
 * `makeJaxpr(f)(...args)`: the traced program of `f` on arguments like these, printable like JAX's
 * jaxpr (`{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`).
 */
export function makeJaxpr<F extends (...args: any[]) => any>(f: F): (...args: Parameters<F>) => ClosedJaxpr {
  return (...args: unknown[]) => {
    const [leaves, def] = flattenArrays("makeJaxpr", args);
    return traceToJaxpr(
      "makeJaxpr",
      (...xs) => flattenArrays("makeJaxpr", f(...(unflatten(def, xs) as unknown[])))[0],
      leaves.map((l) => l.aval),
    );
  };
}

/** Shape and dtype of an output, as `evalShape` returns them. */
export interface ShapeDtypeStruct {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** The output shapes and dtypes of `f` on such arguments, computed by tracing (no FLOPs). */
export function evalShape<F extends (...args: any[]) => any>(f: F, ...args: Parameters<F>): any {
  const [leaves, def] = flattenArrays("evalShape", args);
  let outDef: TreeDef | null = null;
  const closed = traceToJaxpr(
    "evalShape",
    (...xs) => {
      const [ol, od] = flattenArrays("evalShape", f(...(unflatten(def, xs) as unknown[])));
      outDef = od;
      return ol;
    },
    leaves.map((l) => l.aval),
  );
  return unflatten(
    outDef!,
    closed.jaxpr.outAvals.map((a) => ({ shape: a.shape, dtype: a.dtype }) as unknown as Array),
  );
}

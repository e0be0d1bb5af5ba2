/**
 * @file Helpers shared by the optimizer modules: structure-checked maps over pytrees of arrays,
 * option and state validation with messages that say how to fix the call, and the small numeric
 * building blocks of optax's `tree_utils` / `numerics` (moments, bias correction, saturating
 * step counters). Not part of the public API.
 * @internal
 */
import { Array } from "../core/array.js";
import { TreeMismatchError, ValueError } from "../core/errors.js";
import { flatten, treedefDiff, treedefToString, unflatten, type Tree, type TreeDef } from "../core/tree.js";
import * as np from "../numpy/index.js";

/** A pytree whose leaves are Arrays. @internal */
export type ArrayTree = Tree<Array>;

/** The largest int32: step counters saturate here instead of wrapping around. @internal */
export const INT32_MAX = 2147483647;

/** A short description of a JS value for error messages. @internal */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (x instanceof Array) return `an Array of shape [${x.shape.join(",")}] and dtype ${x.dtype}`;
  if (globalThis.Array.isArray(x)) return `a list of ${x.length}`;
  if (typeof x === "object") {
    const keys = Object.keys(x as object);
    return `an object with keys {${keys.join(", ")}}`;
  }
  if (typeof x === "function") return "a function";
  return `${typeof x} ${String(x)}`;
}

/** The path of every leaf of a structure (`.dense1.w`, `[0].b`), in flatten order. @internal */
export function leafPaths(def: TreeDef): string[] {
  const out: string[] = [];
  const walk = (d: TreeDef, path: string): void => {
    switch (d.kind) {
      case "leaf":
        out.push(path || "(root)");
        return;
      case "none":
        return;
      case "list":
        d.children.forEach((c, i) => walk(c, `${path}[${i}]`));
        return;
      case "dict":
        d.keys.forEach((k, i) => walk(d.children[i]!, `${path}.${k}`));
        return;
    }
  };
  walk(def, "");
  return out;
}

/**
 * Flatten a tree whose leaves must be Arrays; anything else (a JS number, a string) is rejected
 * with its path. @internal
 */
export function flattenArrayTree(fn: string, what: string, tree: unknown): [Array[], TreeDef] {
  const [leaves, def] = flatten<unknown>(tree as Tree<unknown>);
  for (let i = 0; i < leaves.length; i++) {
    if (!(leaves[i] instanceof Array)) {
      const path = leafPaths(def)[i];
      throw new ValueError(
        fn,
        `${what} must be a pytree of Arrays, but the leaf at ${path} is ${describe(leaves[i])}; wrap numbers with np.array(...)`,
      );
    }
  }
  return [leaves as Array[], def];
}

/**
 * Map `f` over the leaves of several trees of one structure. `names` label the trees in the error
 * raised when a structure differs (which also prints both structures and the first difference).
 * @internal
 */
export function mapTrees(fn: string, names: readonly string[], f: (...xs: Array[]) => Array, trees: readonly unknown[]): ArrayTree {
  const flat = trees.map((t, i) => flattenArrayTree(fn, names[i] ?? `tree ${i}`, t));
  const [first, def] = flat[0]!;
  for (let i = 1; i < flat.length; i++) assertSameDef(fn, names[0]!, names[i]!, def, flat[i]![1]);
  return unflatten(
    def,
    first.map((x, j) => f(x, ...flat.slice(1).map((fl) => fl[0][j]!))),
  ) as ArrayTree;
}

/** Throw a TreeMismatchError naming both trees when their structures differ. @internal */
export function assertSameDef(fn: string, nameA: string, nameB: string, a: TreeDef, b: TreeDef): void {
  const d = treedefDiff(a, b);
  if (d !== null) {
    throw new TreeMismatchError(
      fn,
      `${nameA} and ${nameB} have different structures, first difference at ${d}:\n  ${nameA}: ${treedefToString(a)}\n  ${nameB}: ${treedefToString(b)}\n` +
        `initialize the optimizer with params of the same structure as the gradients you pass to update`,
    );
  }
}

/** Zeros with the structure, shapes and dtypes of `tree`. @internal */
export function zerosLikeTree(fn: string, tree: unknown): ArrayTree {
  return mapTrees(fn, ["params"], (x) => np.zerosLike(x), [tree]);
}

/** `value` with the structure, shapes and dtypes of `tree`. @internal */
export function fullLikeTree(fn: string, tree: unknown, value: number): ArrayTree {
  return mapTrees(fn, ["params"], (x) => np.fullLike(x, value), [tree]);
}

/** A fresh int32 step counter at zero. @internal */
export function zeroCount(): Array {
  return np.zeros([], { dtype: "int32" });
}

/** `count + 1`, saturating at the int32 maximum (optax's `safe_increment`). @internal */
export function safeIncrement(count: Array): Array {
  return np.where(count.lt(INT32_MAX), count.add(1), INT32_MAX);
}

/** `(1 - decay) * g^order + decay * m`: an exponential moving average of `g^order`. @internal */
export function updateMoment(g: Array, m: Array, decay: number, order: 1 | 2): Array {
  const gp = order === 1 ? g : g.square();
  return gp.mul(1 - decay).add(m.mul(decay));
}

/**
 * `m / (1 - decay^count)`. The correction is computed in `m`'s dtype (not in float32, as optax
 * without x64 does), so float64 training keeps float64 precision. @internal
 */
export function biasCorrection(m: Array, decay: number, count: Array): Array {
  const correction = np.subtract(1, np.power(decay, count.astype(m.dtype)));
  return m.div(correction);
}

/** Cast a scalar hyperparameter (JS number or Array) to `like`'s dtype for multiplication. @internal */
export function scalarFor(s: number | Array, like: Array): number | Array {
  return typeof s === "number" ? s : s.dtype === like.dtype ? s : s.astype(like.dtype);
}

/** Reject unknown option names (catches typos such as `beta1` for `b1`). @internal */
export function checkOptions(fn: string, opts: unknown, valid: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || globalThis.Array.isArray(opts) || opts instanceof Array) {
    throw new ValueError(fn, `options must be an object such as { ${valid[0] ?? ""}: ... }, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!valid.includes(k)) {
      throw new ValueError(fn, `unknown option '${k}'; valid options: ${valid.length ? valid.join(", ") : "none"}`);
    }
  }
}

/** Validate a numeric hyperparameter; `range` gives inclusive bounds. @internal */
export function checkNumber(fn: string, name: string, v: unknown, range: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValueError(fn, `${name} must be a finite number, got ${describe(v)}`);
  }
  if (range.integer && !Number.isInteger(v)) throw new ValueError(fn, `${name} must be an integer, got ${v}`);
  if (range.min !== undefined && v < range.min) throw new ValueError(fn, `${name} must be >= ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new ValueError(fn, `${name} must be <= ${range.max}, got ${v}`);
  return v;
}

/** Validate a decay rate in [0, 1]. @internal */
export function checkDecay(fn: string, name: string, v: unknown): number {
  return checkNumber(fn, name, v, { min: 0, max: 1 });
}

/**
 * Check that `state` is the state `fn`'s `init` returned (an object with `keys`), so that a state
 * from another optimizer fails here and not deep inside a kernel. @internal
 */
export function checkState(fn: string, state: unknown, keys: readonly string[]): void {
  const ok =
    state !== null &&
    typeof state === "object" &&
    !globalThis.Array.isArray(state) &&
    !(state instanceof Array) &&
    keys.every((k) => k in (state as object));
  if (!ok) {
    throw new ValueError(
      fn,
      `expected the state returned by ${fn}'s init (an object with keys {${keys.join(", ")}}), got ${describe(state)}; ` +
        `call init(params) on this same transformation and pass its result to update`,
    );
  }
}

/** The error for transformations that need `params` and did not get them. @internal */
export function noParamsError(fn: string): ValueError {
  return new ValueError(
    fn,
    "params are required: this transformation uses the current parameter values, so call update(grads, state, params)",
  );
}

/**
 * Freeze a state's containers (plain objects and lists, recursively; Array leaves are immutable
 * already), so that accidental mutation throws instead of corrupting the state. @internal
 */
export function freeze<T extends object>(x: T): T {
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object" || v instanceof Array || Object.isFrozen(v)) return;
    const proto = Object.getPrototypeOf(v);
    if (!(globalThis.Array.isArray(v) || proto === Object.prototype || proto === null)) return;
    Object.freeze(v);
    for (const c of Object.values(v)) walk(c);
  };
  walk(x);
  return x;
}

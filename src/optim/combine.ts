/**
 * @file Combinators (optax's `combine.py` and `wrappers.py`): {@link chain} runs transformations
 * in sequence, {@link masked} applies one to a subset of the parameters, and {@link multiSteps}
 * accumulates gradients over several steps before updating (gradient accumulation).
 */
import { Array } from "../core/array.js";
import { TreeMismatchError, ValueError } from "../core/errors.js";
import { flatten, unflatten, type Tree } from "../core/tree.js";
import * as np from "../numpy/index.js";
import type { GradientTransformation, OptState, Params, Updates } from "./base.js";
import {
  assertSameDef,
  checkNumber,
  checkOptions,
  checkState,
  describe,
  flattenArrayTree,
  freeze,
  mapTrees,
  safeIncrement,
  zeroCount,
  zerosLikeTree,
} from "./internal.js";

/** Check that `t` looks like a GradientTransformation, with a hint for the common slips. @internal */
export function checkTransformation(fn: string, what: string, t: unknown): asserts t is GradientTransformation<any> {
  const ok = t !== null && typeof t === "object" && typeof (t as any).init === "function" && typeof (t as any).update === "function";
  if (!ok) {
    const hint =
      typeof t === "function"
        ? " (a function: did you forget to call it, e.g. optim.identity() or optim.clipByGlobalNorm(1)?)"
        : "";
    throw new ValueError(fn, `${what} must be a GradientTransformation (an object with init and update), got ${describe(t)}${hint}`);
  }
}

/**
 * Run transformations in sequence: the updates output by each are the input of the next. The
 * state is the list of the sub-states, in order.
 *
 *     u⁽⁰⁾ = g,   u⁽ᵏ⁾ = Tₖ(u⁽ᵏ⁻¹⁾),   u = u⁽ⁿ⁾
 *
 * `chain` is associative: `chain(a, chain(b, c))` and `chain(chain(a, b), c)` give the same
 * updates (their states nest differently).
 *
 * @param transforms - the transformations, applied left to right.
 * @returns a transformation whose state is a list with one entry per transformation (typed as
 *   the general {@link OptState}, so a training step can declare `state: optim.OptState`).
 * @example
 * ```ts
 * // Clip, then Adam, then scale by -lr: what optim.adam does, with clipping in front.
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.scaleByAdam(), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation {
  const fn = "chain";
  transforms.forEach((t, i) => checkTransformation(fn, `argument ${i}`, t));
  const n = transforms.length;
  return {
    init: (params: Params) => freeze(transforms.map((t) => t.init(params))),
    update: <U extends Updates>(updates: U, state: OptState, params?: Params): [U, OptState] => {
      if (!globalThis.Array.isArray(state)) {
        throw new ValueError(fn, `expected the state returned by this chain's init (a list of ${n} states), got ${describe(state)}; call init with the same chain`);
      }
      if (state.length !== n) {
        throw new ValueError(fn, `state has ${state.length} entries but ${n} transformations — call init with the same chain`);
      }
      let u: Updates = updates;
      const next: OptState[] = [];
      for (let i = 0; i < n; i++) {
        const [u2, s2] = transforms[i]!.update(u, state[i], params);
        u = u2;
        next.push(s2);
      }
      return [u as U, freeze(next)];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// masked

/** A mask: booleans with the structure of the parameters, or a prefix of it (a boolean for a whole subtree). */
export type MaskTree = boolean | null | undefined | readonly MaskTree[] | { readonly [k: string]: MaskTree };

/** A mask, or a function computing it from the params (at `init`) or the updates (at `update`). */
export type MaskOrFn = MaskTree | ((tree: Params) => MaskTree);

/** State of {@link masked}: the inner transformation's state (computed on the masked-in leaves only). */
export type MaskedState<S extends OptState = OptState> = {
  /** The inner transformation's state (null where the mask is false). */
  readonly innerState: S;
};

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object" || x instanceof Array) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Expand a (prefix) mask to one flag per leaf of `tree`, in flatten order. @internal */
export function expandMask(fn: string, mask: unknown, tree: unknown): boolean[] {
  const out: boolean[] = [];
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new TreeMismatchError(
      fn,
      `the mask does not match the params at ${path || "(root)"}: expected ${expected}, got ${describe(got)}; ` +
        "a mask has the structure of the params (or a prefix of it) with boolean leaves",
    );
  };
  const walk = (m: unknown, t: unknown, path: string): void => {
    if (typeof m === "boolean") {
      const n = flatten(t as Tree<unknown>)[0].length;
      for (let i = 0; i < n; i++) out.push(m);
      return;
    }
    if (t === null || t === undefined) {
      if (m !== null && m !== undefined) fail(path, "null (the params are empty here) or a boolean", m);
      return;
    }
    if (globalThis.Array.isArray(t)) {
      if (!globalThis.Array.isArray(m) || m.length !== t.length) fail(path, `a boolean or a list of ${t.length}`, m);
      t.forEach((c, i) => walk((m as unknown[])[i], c, `${path}[${i}]`));
      return;
    }
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      if (!isPlainObject(m) || Object.keys(m).sort().join("\u0000") !== keys.join("\u0000")) {
        fail(path, `a boolean or an object with keys {${keys.join(", ")}}`, m);
      }
      keys.forEach((k) => walk((m as Record<string, unknown>)[k], t[k], `${path}.${k}`));
      return;
    }
    fail(path, "a boolean (true: transform this leaf, false: leave it unchanged)", m);
  };
  walk(mask, tree, "");
  return out;
}

/** Replace masked-out leaves by null (an empty subtree), so the inner transformation skips them. */
function maskOut(tree: unknown, flags: readonly boolean[]): Updates {
  const [leaves, def] = flatten<unknown>(tree as Tree<unknown>);
  return unflatten(def, leaves.map((l, i) => (flags[i] ? l : null))) as Updates;
}

/**
 * Apply `inner` only where `mask` is true; the other updates pass through unchanged. The
 * inner transformation sees (and keeps state for) the masked-in leaves only.
 *
 *     uᵢ = inner(g)ᵢ  where maskᵢ,   uᵢ = gᵢ  elsewhere
 *
 * @param inner - the transformation to apply.
 * @param mask - booleans with the params' structure or a prefix of it (`{ w: true, b: false }`,
 *   or `true` for a whole subtree), or a function from the params/updates to such a mask.
 * @example
 * ```ts
 * // Weight decay on the weights, not on the biases.
 * const decay = optim.masked(optim.addDecayedWeights(1e-4), (p) => tree.map((x) => x.ndim > 1, p));
 * ```
 */
export function masked<S extends OptState>(inner: GradientTransformation<S>, mask: MaskOrFn): GradientTransformation<MaskedState<S>> {
  const fn = "masked";
  checkTransformation(fn, "inner", inner);
  const maskFor = (tree: Params): MaskTree => {
    if (typeof mask !== "function") return mask;
    const m = mask(tree);
    if (typeof m === "function") throw new ValueError(fn, "the mask function must return a mask tree, got a function");
    return m;
  };
  return {
    init: (params: Params) => {
      const flags = expandMask(fn, maskFor(params), params);
      return freeze({ innerState: inner.init(maskOut(params, flags)) });
    },
    update: <U extends Updates>(updates: U, state: MaskedState<S>, params?: Params): [U, MaskedState<S>] => {
      checkState(fn, state, ["innerState"]);
      const [ul, udef] = flattenArrayTree(fn, "updates", updates);
      if (params !== undefined) assertSameDef(fn, "updates", "params", udef, flattenArrayTree(fn, "params", params)[1]);
      const flags = expandMask(fn, maskFor(updates), updates);
      const [innerUpdates, innerState] = inner.update(
        maskOut(updates, flags),
        state.innerState,
        params === undefined ? undefined : maskOut(params, flags),
      );
      const [il] = flattenArrayTree(fn, "the inner transformation's updates", innerUpdates);
      const expected = flags.filter((f) => f).length;
      if (il.length !== expected) {
        throw new TreeMismatchError(fn, `the inner transformation returned ${il.length} updates for ${expected} masked-in leaves; it must keep the structure of its input`);
      }
      let k = 0;
      const merged = ul.map((u, i) => (flags[i] ? il[k++]! : u));
      return [unflatten(udef, merged) as U, freeze({ innerState })];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// multiSteps

/** State of {@link multiSteps}. */
export type MultiStepsState<S extends OptState = OptState> = {
  /** Mini-steps accumulated since the last real update (int32). */
  readonly miniStep: Array;
  /** Real (inner) updates done so far (int32). */
  readonly gradientStep: Array;
  /** The inner optimizer's state. */
  readonly innerOptState: S;
  /** The accumulated gradients (their mean, by default). */
  readonly accGrads: Updates;
};

/** Options of {@link multiSteps}. */
export interface MultiStepsOptions {
  /** Accumulate the mean of the gradients (default true); false accumulates their sum. */
  useGradMean?: boolean;
}

/**
 * Gradient accumulation (optax's `MultiSteps`): accumulate the gradients of `k` calls, then let
 * `opt` update once with their mean; the other calls return zero updates and leave `opt`'s
 * state alone. Useful to emulate a batch `k` times larger.
 *
 *     a ← a + (g − a) / (n + 1)                         (n: mini-step; with useGradMean: false, a ← a + g)
 *     n < k − 1:  u = 0,            n ← n + 1
 *     n = k − 1:  u, s ← opt(a, s),  a ← 0,  n ← 0,  step ← step + 1
 *
 * Both branches are computed and the result is chosen with `np.where`, so the step is traceable
 * by `jit` (the state's structure never changes).
 *
 * @param opt - the inner optimizer.
 * @param everyKSchedule - `k` (an integer ≥ 1), or a function of the inner step count giving `k`.
 * @param opts - `useGradMean` (default true).
 * @example
 * ```ts
 * const opt = optim.multiSteps(optim.adam(1e-3), 4); // one Adam step every 4 calls
 * ```
 */
export function multiSteps<S extends OptState>(
  opt: GradientTransformation<S>,
  everyKSchedule: number | ((gradientStep: Array) => number | Array),
  opts: MultiStepsOptions = {},
): GradientTransformation<MultiStepsState<S>> {
  const fn = "multiSteps";
  checkTransformation(fn, "opt", opt);
  checkOptions(fn, opts, ["useGradMean"]);
  if (typeof everyKSchedule === "number") checkNumber(fn, "everyKSchedule", everyKSchedule, { min: 1, integer: true });
  else if (typeof everyKSchedule !== "function") {
    throw new ValueError(fn, `everyKSchedule must be a positive integer or a function (step) => k, got ${describe(everyKSchedule)}`);
  }
  const useGradMean = opts.useGradMean ?? true;
  return {
    init: (params: Params) =>
      freeze({
        miniStep: zeroCount(),
        gradientStep: zeroCount(),
        innerOptState: opt.init(params),
        accGrads: zerosLikeTree(fn, params),
      }),
    update: <U extends Updates>(updates: U, state: MultiStepsState<S>, params?: Params): [U, MultiStepsState<S>] => {
      checkState(fn, state, ["miniStep", "gradientStep", "innerOptState", "accGrads"]);
      const k = typeof everyKSchedule === "number" ? everyKSchedule : everyKSchedule(state.gradientStep);
      const n = state.miniStep;
      const acc = mapTrees(
        fn,
        ["updates", "state.accGrads"],
        (g, a) => (useGradMean ? a.add(g.sub(a).div(n.add(1).astype(a.dtype))) : a.add(g)),
        [updates, state.accGrads],
      );
      const isFinal = n.ge(np.subtract(k, 1));
      const [finalUpdates, finalInner] = opt.update(acc, state.innerOptState, params);
      const newUpdates = mapTrees(fn, ["updates"], (u) => np.where(isFinal, u, 0), [finalUpdates]);
      const [oldLeaves, innerDef] = flattenArrayTree(fn, "state.innerOptState", state.innerOptState);
      const [newLeaves, newDef] = flattenArrayTree(fn, "the inner optimizer's new state", finalInner);
      assertSameDef(fn, "state.innerOptState", "the inner optimizer's new state", innerDef, newDef);
      const innerOptState = unflatten(innerDef, newLeaves.map((s, i) => np.where(isFinal, s, oldLeaves[i]!))) as S;
      return [
        newUpdates as U,
        freeze({
          miniStep: np.where(isFinal, 0, safeIncrement(n)),
          gradientStep: np.where(isFinal, safeIncrement(state.gradientStep), state.gradientStep),
          innerOptState,
          accGrads: mapTrees(fn, ["accGrads"], (a) => np.where(isFinal, 0, a), [acc]),
        }),
      ];
    },
  };
}

/**
 * @file The optimizer abstraction (optax's `base.py` and `update.py`): a
 * {@link GradientTransformation} is a pair of pure functions, `init(params) -> state` and
 * `update(updates, state, params?) -> [updates, state]`; {@link applyUpdates} adds the final
 * updates to the parameters. Also the trivial transformations {@link identity},
 * {@link stateless}, {@link statelessWithTreeMap} and {@link setToZero}.
 *
 * Every state is an immutable pytree (plain objects and lists with Array leaves; step counts are
 * int32 scalars), so a whole training step can be traced by `jit`.
 */
import { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { unflatten, type Tree } from "../core/tree.js";
import * as np from "../numpy/index.js";
import { assertSameDef, describe, flattenArrayTree, freeze, mapTrees } from "./internal.js";

/** A pytree of Arrays: parameters, gradients, updates. */
export type ArrayTree = Tree<Array>;

/** Model parameters: a pytree of Arrays. */
export type Params = ArrayTree;

/** Gradients or updates: a pytree of Arrays with the structure of the parameters. */
export type Updates = ArrayTree;

/** Optimizer state: any pytree of Arrays (counts are int32 scalars). */
export type OptState = ArrayTree;

/** The state of a transformation that keeps none (`{}`, like optax's `EmptyState`). */
export type EmptyState = { readonly [k: string]: never };

/**
 * A schedule as optimizers call it: the step count (an int32 scalar Array, traced under `jit`)
 * to a value (a JS number or a float scalar Array). Write it with Array methods or `np.where`,
 * never with `if` on the count.
 *
 * @example
 * ```ts
 * const halveAt1000: Schedule = (count) => np.where(count.lt(1000), 1e-3, 5e-4);
 * ```
 */
export type Schedule = (count: Array) => number | Array;

/** A hyperparameter given as a constant (JS number or scalar Array) or as a {@link Schedule}. */
export type ScalarOrSchedule = number | Array | Schedule;

/**
 * A gradient transformation (optax's `GradientTransformation`): two pure functions.
 *
 * - `init(params)` returns the initial state, a pytree of Arrays;
 * - `update(updates, state, params?)` maps incoming updates (at first the gradients) to outgoing
 *   updates and returns the next state. Inputs are never modified.
 *
 * Transformations compose with `chain`; the last one of an optimizer usually scales by
 * `-learningRate`, and {@link applyUpdates} adds the result to the parameters.
 *
 * @typeParam S - the state type.
 * @example
 * ```ts
 * const opt = optim.adam(1e-3);
 * let state = opt.init(params);
 * const [updates, next] = opt.update(grads, state, params);
 * params = optim.applyUpdates(params, updates);
 * state = next;
 * ```
 */
export interface GradientTransformation<S extends OptState = OptState> {
  /** The initial state for these parameters. */
  init(params: Params): S;
  /** Transform `updates` (gradients at first) given `state` and, for some transformations, `params`. */
  update<U extends Updates>(updates: U, state: S, params?: Params): [U, S];
}

/**
 * Add updates to parameters, leaf by leaf: `params + updates`, each result cast back to its
 * parameter's dtype (so float32 parameters stay float32).
 *
 *     θ ← θ + u
 *
 * @param params - the current parameters.
 * @param updates - updates of the same structure (from an optimizer's `update`).
 * @returns new parameters; the inputs are unchanged.
 * @example
 * ```ts
 * const [updates, state2] = opt.update(grads, state, params);
 * const params2 = optim.applyUpdates(params, updates);
 * ```
 */
export function applyUpdates<P extends Params>(params: P, updates: Updates): P {
  const fn = "applyUpdates";
  const [pl, pdef] = flattenArrayTree(fn, "params", params);
  const [ul, udef] = flattenArrayTree(fn, "updates", updates);
  assertSameDef(fn, "params", "updates", pdef, udef);
  const out = pl.map((p, i) => {
    const s = p.add(ul[i]!);
    return s.dtype === p.dtype ? s : s.astype(p.dtype);
  });
  return unflatten(pdef, out) as P;
}

/**
 * The transformation that changes nothing: `update` returns its input updates.
 *
 *     u = g
 *
 * @example
 * ```ts
 * const noMomentum = optim.identity();
 * ```
 */
export function identity(): GradientTransformation<EmptyState> {
  return {
    init: () => emptyState(),
    update: (updates, state) => [updates, state],
  };
}

/**
 * The empty state `{}` (frozen): what stateless transformations return from `init`.
 *
 * @example
 * ```ts
 * const myScale = { init: () => optim.emptyState(), update: (u, s) => [tree.map((x) => x.mul(2), u), s] };
 * ```
 */
export function emptyState(): EmptyState {
  return freeze({}) as EmptyState;
}

/**
 * A stateless transformation from a function of the whole updates tree (and the params, if
 * the caller passed them).
 *
 *     u = f(g, θ)
 *
 * @param f - `(updates, params?) => newUpdates`; must keep the structure.
 * @example
 * ```ts
 * // Scale every update by the number of leaves.
 * const t = optim.stateless((u) => tree.map((x) => x.mul(tree.leaves(u).length), u));
 * ```
 */
export function stateless(f: (updates: Updates, params?: Params) => Updates): GradientTransformation<EmptyState> {
  if (typeof f !== "function") throw new ValueError("stateless", `expected a function (updates, params?) => updates, got ${describe(f)}`);
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState, params?: Params): [U, EmptyState] => [f(updates, params) as U, state],
  };
}

/**
 * A stateless transformation applied leaf by leaf: `f(g, p)` on each leaf (`p` is undefined
 * when no params were passed).
 *
 *     uᵢ = f(gᵢ, θᵢ)   for every leaf i
 *
 * @param f - `(g, p?) => u` for one leaf.
 * @example
 * ```ts
 * const signSgd = optim.chain(optim.statelessWithTreeMap((g) => np.sign(g)), optim.scale(-0.01));
 * ```
 */
export function statelessWithTreeMap(f: (g: Array, p?: Array) => Array): GradientTransformation<EmptyState> {
  if (typeof f !== "function") throw new ValueError("statelessWithTreeMap", `expected a function (g, p?) => u, got ${describe(f)}`);
  const fn = "statelessWithTreeMap";
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState, params?: Params): [U, EmptyState] => {
      const out =
        params === undefined
          ? mapTrees(fn, ["updates"], (g) => f(g), [updates])
          : mapTrees(fn, ["updates", "params"], (g, p) => f(g, p), [updates, params]);
      return [out as U, state];
    },
  };
}

/**
 * The transformation that zeroes every update (freezes parameters, e.g. inside `masked`).
 *
 *     u = 0
 *
 * @example
 * ```ts
 * const frozen = optim.setToZero();
 * ```
 */
export function setToZero(): GradientTransformation<EmptyState> {
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState): [U, EmptyState] => [
      mapTrees("setToZero", ["updates"], (g) => np.zerosLike(g), [updates]) as U,
      state,
    ],
  };
}

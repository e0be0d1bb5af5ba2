/**
 * @file Gradient clipping (optax's `clipping.py`): elementwise {@link clip}, and
 * {@link clipByGlobalNorm}, which rescales the whole update tree when its {@link globalNorm}
 * exceeds a bound (Pascanu et al. 2013).
 */
import { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import * as np from "../numpy/index.js";
import { emptyState, type EmptyState, type GradientTransformation, type Updates } from "./base.js";
import { checkNumber, flattenArrayTree, mapTrees } from "./internal.js";

/**
 * Clip every update elementwise to `[-maxDelta, maxDelta]`.
 *
 *     u = min(max(g, −maxDelta), maxDelta)
 *
 * @param maxDelta - the bound (≥ 0).
 * @example
 * ```ts
 * const opt = optim.chain(optim.clip(1), optim.sgd(0.1));
 * ```
 */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  const fn = "clip";
  const d = checkNumber(fn, "maxDelta", maxDelta, { min: 0 });
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState): [U, EmptyState] => [
      mapTrees(fn, ["updates"], (g) => g.clip(-d, d), [updates]) as U,
      state,
    ],
  };
}

/**
 * The global L2 norm of a tree: the norm of all its leaves concatenated.
 *
 *     ‖g‖ = √(Σₗ Σᵢ gₗᵢ²)
 *
 * @param updates - a pytree of Arrays.
 * @returns a scalar Array (float32 zero for an empty tree).
 * @example
 * ```ts
 * optim.globalNorm({ a: np.array([3]), b: np.array([4]) }); // 5
 * ```
 */
export function globalNorm(updates: Updates): Array {
  const [leaves] = flattenArrayTree("globalNorm", "updates", updates);
  if (leaves.length === 0) return np.zeros([]);
  let total = leaves[0]!.square().sum();
  for (let i = 1; i < leaves.length; i++) total = total.add(leaves[i]!.square().sum());
  return total.sqrt();
}

/**
 * Rescale the updates so that their global norm is at most `maxNorm`, keeping the direction.
 *
 *     u = g                        if ‖g‖ < maxNorm
 *     u = g · maxNorm / ‖g‖        otherwise
 *
 * @param maxNorm - the bound on the global norm (> 0).
 * @example
 * ```ts
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adam(1e-3));
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  const fn = "clipByGlobalNorm";
  const m = checkNumber(fn, "maxNorm", maxNorm, { min: 0 });
  if (m === 0) throw new ValueError(fn, "maxNorm must be positive, got 0 (to zero all updates use optim.setToZero())");
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState): [U, EmptyState] => {
      const norm = globalNorm(updates);
      const keep = norm.lt(m);
      // Divide by 1 where the updates are kept, so a zero norm never makes a 0/0 (even unselected).
      const denom = np.where(keep, 1, norm);
      const out = mapTrees(fn, ["updates"], (g) => np.where(keep, g, g.div(denom.astype(g.dtype)).mul(m)), [updates]);
      return [out as U, state];
    },
  };
}

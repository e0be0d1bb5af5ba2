/**
 * @file Global configuration flags (`config.debugNans`), as JAX's `jax.config`.
 */

const flags = { debugNans: false };

/** Read the current flags. @internal */
export function flagsNow(): Readonly<typeof flags> {
  return flags;
}

/**
 * Tessera's configuration. `config.debugNans(true)` makes the first primitive that produces a NaN
 * (from inputs without NaNs) throw an error naming the primitive and showing its inputs, eagerly and
 * inside `jit` (whose compiled program is then run op by op to locate the culprit), like
 * `jax_debug_nans`.
 */
export const config = {
  /** Turn NaN checking on or off (returns the previous setting). */
  debugNans(on: boolean): boolean {
    const prev = flags.debugNans;
    flags.debugNans = on;
    return prev;
  },
};

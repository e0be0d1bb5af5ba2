/**
 * @file Mini-batches over a pytree of arrays that share their leading axis.
 */
import type { Array } from "../core/array.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { flatten, unflatten, type Tree } from "../core/tree.js";
import { arange, take } from "../numpy/index.js";
import { permutation } from "../random/index.js";

/** Number of examples (the shared leading axis) of a data pytree; throws if the leaves disagree. */
export function numExamples(fn: string, data: Tree): number {
  const [leaves] = flatten(data);
  if (leaves.length === 0) throw new ValueError(fn, "data has no arrays");
  const n = leaves[0]!.shape[0];
  for (const l of leaves) {
    if (l.ndim === 0 || l.shape[0] !== n) {
      throw new ShapeError(fn, `every array must share the leading (example) axis: got shapes ${leaves.map((x) => `[${x.shape.join(",")}]`).join(", ")}`);
    }
  }
  return n!;
}

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle the order with the key (default true). */
  shuffle?: boolean;
  /** Drop a last, smaller batch (default false). */
  dropRemainder?: boolean;
}

/**
 * Iterate mini-batches of `data` (a pytree of arrays with a shared leading axis). With `shuffle`,
 * the order is a permutation drawn from `key`, so every example appears exactly once per pass.
 * @example
 * for (const { x, y } of data.batches(key, { x: xs, y: ys }, { batchSize: 32 })) { ... }
 */
export function* batches<T extends Tree>(key: Array | null, data: T, opts: BatchOptions): Generator<T> {
  const n = numExamples("batches", data);
  const { batchSize, shuffle = true, dropRemainder = false } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError("batches", `batchSize must be a positive integer, got ${batchSize}`);
  if (shuffle && key === null) throw new ValueError("batches", "shuffle needs a PRNG key (random.key(seed)); pass shuffle: false for a fixed order");
  const order = shuffle ? permutation(key!, n) : arange(n);
  const [leaves, def] = flatten(data);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (dropRemainder && end - start < batchSize) break;
    const contiguous = !shuffle;
    const sel = contiguous ? null : take(order, arange(start, end));
    yield unflatten(
      def,
      leaves.map((l) => (contiguous ? l.slice([start, end]) : take(l, sel!, 0))),
    ) as T;
  }
}

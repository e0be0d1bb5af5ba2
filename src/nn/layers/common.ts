/**
 * @file Helpers shared by the layer families: validating input shapes, resolving initializer
 * options and the errors every layer raises the same way.
 */
import type { Array } from "../../core/array.js";
import { ShapeError, ValueError } from "../../core/errors.js";
import * as random from "../../random/index.js";
import { get as getInitializer, type Initializer, type InitializerName } from "../initializers.js";

/** An initializer option: a function or a Keras-style name. */
export type InitializerLike = Initializer | InitializerName;

/** Resolve an initializer option with a default. */
export function initializerOf(init: InitializerLike | undefined, fallback: Initializer): Initializer {
  return init === undefined ? fallback : getInitializer(init);
}

/** Check that `inputShape` is a list of positive integers of one of the given ranks. */
export function checkInputShape(layer: string, inputShape: readonly number[], ranks?: readonly number[], what?: string): number[] {
  if (!globalThis.Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(layer, `inputShape must be a list of non-negative integers (without the batch axis), got ${JSON.stringify(inputShape)}`);
  }
  if (ranks !== undefined && !ranks.includes(inputShape.length)) {
    throw new ShapeError(
      layer,
      `expected an inputShape of rank ${ranks.join(" or ")} (${what ?? "without the batch axis"}), got [${inputShape.join(", ")}]`,
    );
  }
  return [...inputShape];
}

/** Check that a batched input has the rank and trailing dims `init` was given. */
export function checkBatched(layer: string, x: Array, featureShape: readonly number[]): void {
  if (x.ndim !== featureShape.length + 1 || featureShape.some((d, i) => x.shape[i + 1] !== d)) {
    throw new ShapeError(
      layer,
      `expected input of shape [batch, ${featureShape.join(", ")}], got [${x.shape.join(", ")}]`,
    );
  }
}

/** A positive integer hyperparameter. */
export function positiveInt(layer: string, what: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(layer, `${what} must be a positive integer, got ${v}`);
  return v;
}

/** A hyperparameter given as one number or one per spatial axis. */
export function tupleOf(layer: string, what: string, v: number | readonly number[], n: number): number[] {
  const out = typeof v === "number" ? new globalThis.Array<number>(n).fill(v) : [...v];
  if (out.length !== n || out.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ValueError(layer, `${what} must be a positive integer or a list of ${n} positive integers, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** `n` independent keys from `key` (as `random.split`, returned as a JS list). */
export function splitKeys(key: Array, n: number): Array[] {
  const ks = random.split(key, n);
  return globalThis.Array.from({ length: n }, (_, i) => ks.slice(i));
}

/** The key of a stochastic layer in training mode, or a clear error. */
export function requireKey(layer: string, key: Array | undefined): Array {
  if (key === undefined) {
    throw new ValueError(layer, "needs a PRNG key when train is true: apply(params, state, x, { train: true, key: random.key(0) })");
  }
  return key;
}

/**
 * @file The primitive record. A primitive is a name plus its rules, declared once, side by side:
 * the eager implementation, the shape/dtype rule, the JVP, the transpose (linear primitives only),
 * the batching rule, and (later) how `jit` lowers it. Interpreters only call `prim.<rule>`.
 */
import type { Array, ShapedArray } from "./array.js";
import type { ConcreteArray } from "./concrete.js";

/** Marks a linear input of a transpose rule: only its abstract value is known. */
export class UndefPrimal {
  constructor(readonly aval: ShapedArray) {}
}

/** A tangent that is `null` is a symbolic zero (no work is done for it). */
export type Tangent = Array | null;

/** Forward-mode rule: primal outputs and their tangents from primal inputs and tangents. */
export type JvpRule<P> = (primals: Array[], tangents: Tangent[], params: P) => [Array[], Tangent[]];

/**
 * Transpose rule of a linear primitive: given output cotangents and the inputs (linear ones as
 * `UndefPrimal`), return a cotangent per input (`null` for non-linear inputs or zero).
 */
export type TransposeRule<P> = (cts: Tangent[], args: (Array | UndefPrimal)[], params: P) => Tangent[];

/** Batching rule: batched inputs with their batch axes (null = unbatched) to outputs and their batch axes. */
export type BatchRule<P> = (args: Array[], dims: (number | null)[], params: P, axisSize: number) => [Array[], (number | null)[]];

/** Everything Tessera knows about one primitive. */
export interface Primitive<P = any> {
  /** Name as printed in jaxprs (`add`, `reduce_sum`, `dot_general`). */
  readonly name: string;
  /** Eager implementation on concrete arrays. */
  readonly impl: (args: ConcreteArray[], params: P) => ConcreteArray[];
  /** Shape/dtype rule: validates its inputs and returns output abstract values. */
  readonly abstractEval: (avals: ShapedArray[], params: P) => ShapedArray[];
  /** Forward-mode derivative; absent means "not differentiable" (a clear error when hit). */
  readonly jvp?: JvpRule<P>;
  /** Transpose rule; present exactly for primitives linear in some inputs. */
  readonly transpose?: TransposeRule<P>;
  /** Batching rule for `vmap`. */
  readonly batch?: BatchRule<P>;
  /** Skip the shape rule on eager calls (for call primitives whose rule would trace a function). */
  readonly skipEagerCheck?: boolean;
  /** Prints params in jaxprs; defaults to `key=value` pairs. */
  readonly printParams?: (params: P) => string;
}

const registry = new Map<string, Primitive>();

/** Declare a primitive (names are unique) and register it. */
export function definePrimitive<P>(spec: Primitive<P>): Primitive<P> {
  if (registry.has(spec.name)) throw new Error(`definePrimitive: duplicate primitive name '${spec.name}'`);
  registry.set(spec.name, spec as Primitive);
  return spec;
}

/** All registered primitives (for the registry test and the size report). */
export function allPrimitives(): Primitive[] {
  return [...registry.values()];
}

/** Print a list of numbers as a Python tuple, the way JAX prints params: `()`, `(0,)`, `(0, 1)`. */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}

/**
 * @file The public, immutable `Array` type. Concrete arrays (`ConcreteArray`) and every tracer
 * extend it, so user functions written against `Array` run unchanged under `grad`, `vmap` and
 * `jit`. Fluent methods delegate to the NumPy layer through a late-bound table, which keeps the
 * core free of import cycles.
 */
import type { DType, TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/** The abstract value of an array: what tracing knows about it (shape, dtype, weak type). */
export interface ShapedArray {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly weakType: boolean;
}

/** An array or a JS scalar accepted wherever an array is (`x.add(1)`). */
export type ArrayLike = Array | number | boolean;

/** One index in `x.slice(...)`: a number, `[start, stop, step?]`, `null` (new axis), `"..."`, or an index/mask Array. */
export type Index = number | readonly [number | null, (number | null)?, (number | null)?] | null | "..." | Array;

/** Functional updates at an index: each returns a new array, the original is unchanged. */
export interface AtUpdate {
  /** `x.at(i).set(v)`: replace the selected elements by `v` (broadcast). */
  set(v: ArrayLike): Array;
  /** `x.at(i).add(v)`: add `v`; repeated indices accumulate, as in JAX. */
  add(v: ArrayLike): Array;
  /** `x.at(i).mul(v)`: multiply by `v`. */
  mul(v: ArrayLike): Array;
  /** `x.at(i).min(v)`: elementwise minimum with `v`. */
  min(v: ArrayLike): Array;
  /** `x.at(i).max(v)`: elementwise maximum with `v`. */
  max(v: ArrayLike): Array;
  /** `x.at(i).get()`: the same as `x.slice(i)`. */
  get(): Array;
}

/** Axis argument of reductions. */
export type Axis = number | readonly number[] | null | undefined;

/** Options of reductions. */
export interface ReduceOptions {
  /** Keep reduced axes as size-1 dimensions. */
  keepdims?: boolean;
}

/** The operations behind the fluent methods, installed by the NumPy layer at import time. */
export interface FluentOps {
  add(x: Array, y: ArrayLike): Array;
  subtract(x: Array, y: ArrayLike): Array;
  multiply(x: Array, y: ArrayLike): Array;
  divide(x: Array, y: ArrayLike): Array;
  power(x: Array, y: ArrayLike): Array;
  mod(x: Array, y: ArrayLike): Array;
  maximum(x: Array, y: ArrayLike): Array;
  minimum(x: Array, y: ArrayLike): Array;
  equal(x: Array, y: ArrayLike): Array;
  notEqual(x: Array, y: ArrayLike): Array;
  less(x: Array, y: ArrayLike): Array;
  lessEqual(x: Array, y: ArrayLike): Array;
  greater(x: Array, y: ArrayLike): Array;
  greaterEqual(x: Array, y: ArrayLike): Array;
  negative(x: Array): Array;
  abs(x: Array): Array;
  exp(x: Array): Array;
  log(x: Array): Array;
  sqrt(x: Array): Array;
  square(x: Array): Array;
  sin(x: Array): Array;
  cos(x: Array): Array;
  tanh(x: Array): Array;
  clip(x: Array, lo: ArrayLike | null, hi: ArrayLike | null): Array;
  matmul(x: Array, y: Array): Array;
  dot(x: Array, y: Array): Array;
  sum(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  prod(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  mean(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  var(x: Array, axis?: Axis, opts?: ReduceOptions & { ddof?: number }): Array;
  std(x: Array, axis?: Axis, opts?: ReduceOptions & { ddof?: number }): Array;
  max(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  min(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  all(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  any(x: Array, axis?: Axis, opts?: ReduceOptions): Array;
  argmax(x: Array, axis?: number | null, opts?: ReduceOptions): Array;
  argmin(x: Array, axis?: number | null, opts?: ReduceOptions): Array;
  cumsum(x: Array, axis?: number | null): Array;
  reshape(x: Array, shape: readonly number[]): Array;
  transpose(x: Array, axes?: readonly number[]): Array;
  ravel(x: Array): Array;
  squeeze(x: Array, axis?: Axis): Array;
  expandDims(x: Array, axis: number | readonly number[]): Array;
  astype(x: Array, dtype: DType): Array;
  slice(x: Array, idx: readonly Index[]): Array;
  at(x: Array, idx: readonly Index[]): AtUpdate;
  toString(x: Array): string;
}

let fluent: FluentOps | null = null;

/** Install the fluent-method table (called once by the NumPy layer). */
export function installFluentOps(ops: FluentOps): void {
  fluent = ops;
}

function ops(): FluentOps {
  if (fluent === null) throw new Error("tessera: the numpy module was not loaded; import from 'tessera'");
  return fluent;
}

/**
 * An immutable n-dimensional array. Concrete arrays hold data; inside a transformation, the same
 * interface is served by tracers. Arrays are never mutated and are freed by the garbage collector:
 * there is no `dispose()`.
 */
export abstract class Array implements ShapedArray {
  /** Dimensions, row-major. */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
  /** True when the dtype came from a JS number and may yield to the other operand's dtype. */
  readonly weakType: boolean;

  constructor(shape: Shape, dtype: DType, weakType: boolean) {
    this.shape = shape;
    this.dtype = dtype;
    this.weakType = weakType;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** The abstract value (shape, dtype, weak type) of this array. */
  get aval(): ShapedArray {
    return { shape: this.shape, dtype: this.dtype, weakType: this.weakType };
  }

  /**
   * The concrete data behind this value. Concrete arrays return their storage; tracers throw a
   * ConcretizationError (their value is not known while tracing).
   * @internal
   */
  abstract concreteData(method: string): TypedArray;

  /**
   * Whether this array was donated to a jit-compiled function (`donateArgnums`) and deleted:
   * its data can no longer be read (shape and dtype remain). Always false for tracers.
   */
  isDeleted(): boolean {
    return false;
  }

  /** A copy of the data as a TypedArray (Float32Array for float32, Uint8Array for bool, ...). */
  dataSync(): TypedArray {
    return this.concreteData("dataSync").slice();
  }

  /** The value as nested JS arrays of numbers (booleans for bool). */
  tolist(): any {
    const data = this.concreteData("tolist");
    const isBool = this.dtype === "bool";
    const shape = this.shape;
    const build = (dim: number, offset: number, stride: number): any => {
      if (dim === shape.length) return isBool ? data[offset] !== 0 : data[offset];
      const n = shape[dim]!;
      const inner = stride / (n || 1);
      const out = new globalThis.Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * inner, inner);
      return out;
    };
    return build(0, 0, this.size);
  }

  /** The single element of a size-1 array as a JS number (or boolean). */
  item(): number | boolean {
    const data = this.concreteData("item");
    if (data.length !== 1) {
      throw new (class extends Error {})(`item: can only convert an array of size 1 to a JS scalar, got shape [${this.shape.join(",")}]`);
    }
    return this.dtype === "bool" ? data[0] !== 0 : data[0]!;
  }

  /** NumPy-like printing. */
  toString(): string {
    return ops().toString(this);
  }

  // ---- arithmetic ----
  /** `this + y` with broadcasting. */
  add(y: ArrayLike): Array { return ops().add(this, y); }
  /** `this - y`. */
  sub(y: ArrayLike): Array { return ops().subtract(this, y); }
  /** `this * y`. */
  mul(y: ArrayLike): Array { return ops().multiply(this, y); }
  /** `this / y` (true division). */
  div(y: ArrayLike): Array { return ops().divide(this, y); }
  /** `this ** y`. */
  pow(y: ArrayLike): Array { return ops().power(this, y); }
  /** `this % y` (NumPy `mod`: the sign of the divisor). */
  mod(y: ArrayLike): Array { return ops().mod(this, y); }
  /** `-this`. */
  neg(): Array { return ops().negative(this); }
  /** Elementwise maximum. */
  maximum(y: ArrayLike): Array { return ops().maximum(this, y); }
  /** Elementwise minimum. */
  minimum(y: ArrayLike): Array { return ops().minimum(this, y); }
  /** `|this|`. */
  abs(): Array { return ops().abs(this); }
  /** `e ** this`. */
  exp(): Array { return ops().exp(this); }
  /** Natural log. */
  log(): Array { return ops().log(this); }
  /** Square root. */
  sqrt(): Array { return ops().sqrt(this); }
  /** `this * this`. */
  square(): Array { return ops().square(this); }
  /** Sine. */
  sin(): Array { return ops().sin(this); }
  /** Cosine. */
  cos(): Array { return ops().cos(this); }
  /** Hyperbolic tangent. */
  tanh(): Array { return ops().tanh(this); }
  /** Clip to `[lo, hi]` (either may be null). */
  clip(lo: ArrayLike | null, hi: ArrayLike | null): Array { return ops().clip(this, lo, hi); }

  // ---- comparisons ----
  /** `this == y` elementwise (bool). */
  eq(y: ArrayLike): Array { return ops().equal(this, y); }
  /** `this != y`. */
  ne(y: ArrayLike): Array { return ops().notEqual(this, y); }
  /** `this < y`. */
  lt(y: ArrayLike): Array { return ops().less(this, y); }
  /** `this <= y`. */
  le(y: ArrayLike): Array { return ops().lessEqual(this, y); }
  /** `this > y`. */
  gt(y: ArrayLike): Array { return ops().greater(this, y); }
  /** `this >= y`. */
  ge(y: ArrayLike): Array { return ops().greaterEqual(this, y); }

  // ---- linear algebra ----
  /** Matrix product (`np.matmul`). */
  matmul(y: Array): Array { return ops().matmul(this, y); }
  /** `np.dot`. */
  dot(y: Array): Array { return ops().dot(this, y); }

  // ---- reductions ----
  /** Sum over `axis` (all axes by default). */
  sum(axis?: Axis, opts?: ReduceOptions): Array { return ops().sum(this, axis, opts); }
  /** Product over `axis`. */
  prod(axis?: Axis, opts?: ReduceOptions): Array { return ops().prod(this, axis, opts); }
  /** Mean over `axis`. */
  mean(axis?: Axis, opts?: ReduceOptions): Array { return ops().mean(this, axis, opts); }
  /** Variance over `axis`. */
  var(axis?: Axis, opts?: ReduceOptions & { ddof?: number }): Array { return ops().var(this, axis, opts); }
  /** Standard deviation over `axis`. */
  std(axis?: Axis, opts?: ReduceOptions & { ddof?: number }): Array { return ops().std(this, axis, opts); }
  /** Maximum over `axis`. */
  max(axis?: Axis, opts?: ReduceOptions): Array { return ops().max(this, axis, opts); }
  /** Minimum over `axis`. */
  min(axis?: Axis, opts?: ReduceOptions): Array { return ops().min(this, axis, opts); }
  /** Logical AND over `axis`. */
  all(axis?: Axis, opts?: ReduceOptions): Array { return ops().all(this, axis, opts); }
  /** Logical OR over `axis`. */
  any(axis?: Axis, opts?: ReduceOptions): Array { return ops().any(this, axis, opts); }
  /** Index of the maximum (flattened when `axis` is null). */
  argmax(axis?: number | null, opts?: ReduceOptions): Array { return ops().argmax(this, axis, opts); }
  /** Index of the minimum. */
  argmin(axis?: number | null, opts?: ReduceOptions): Array { return ops().argmin(this, axis, opts); }
  /** Cumulative sum along `axis` (flattened when null). */
  cumsum(axis?: number | null): Array { return ops().cumsum(this, axis); }

  // ---- shape ----
  /** A view of the same data with a new shape (one dimension may be -1). */
  reshape(...shape: number[] | [readonly number[]]): Array {
    const s = (shape.length === 1 && typeof shape[0] !== "number" ? shape[0] : shape) as readonly number[];
    return ops().reshape(this, s);
  }
  /** Permute axes (reverse them by default). */
  transpose(axes?: readonly number[]): Array { return ops().transpose(this, axes); }
  /** The transpose (axes reversed). */
  get T(): Array { return ops().transpose(this); }
  /** Flatten to 1-D. */
  ravel(): Array { return ops().ravel(this); }
  /** Flatten to 1-D. */
  flatten(): Array { return ops().ravel(this); }
  /** Remove size-1 axes. */
  squeeze(axis?: Axis): Array { return ops().squeeze(this, axis); }
  /** Insert size-1 axes. */
  expandDims(axis: number | readonly number[]): Array { return ops().expandDims(this, axis); }
  /** Convert to another dtype. */
  astype(dtype: DType): Array { return ops().astype(this, dtype); }

  // ---- indexing ----
  /** NumPy indexing: numbers, `[start, stop, step]`, `null`, `"..."`, integer or boolean arrays. */
  slice(...idx: Index[]): Array { return ops().slice(this, idx); }
  /** Functional updates at an index: `x.at(0).set(1)` returns a new array. */
  at(...idx: Index[]): AtUpdate { return ops().at(this, idx); }
}

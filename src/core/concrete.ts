/**
 * @file `ConcreteArray`: an array whose data is known. Storage is a private, contiguous row-major
 * TypedArray that user code cannot reach for writing (`dataSync()` returns a copy).
 *
 * Buffer donation (`jit(f, { donateArgnums })`, as in JAX) is the one way storage is recycled:
 * a donated array is marked deleted (any later use throws a clear error) and its storage may
 * become an output of that call. Only storage known to belong to exactly one array can be
 * recycled: {@link markExclusive} records storage that compiled programs allocated for their
 * outputs, and {@link markShared} withdraws that mark wherever another array starts to see the
 * same memory (reshape and other zero-copy views).
 */
import { Array } from "./array.js";
import type { DType, TypedArray } from "./dtype.js";
import { ValueError } from "./errors.js";
import type { Shape } from "./shape.js";

/** An array with data: what eager operations produce and transformations bottom out in. */
export class ConcreteArray extends Array {
  readonly #data: TypedArray;
  #deleted = false;

  /**
   * Wrap storage. The caller hands over ownership: `data` must not be written afterwards.
   * @internal
   */
  constructor(data: TypedArray, shape: Shape, dtype: DType, weakType = false) {
    super(shape, dtype, weakType);
    this.#data = data;
  }

  /** @internal */
  concreteData(): TypedArray {
    if (this.#deleted) throw deletedError();
    return this.#data;
  }

  /** Whether this array was donated to a compiled function (its data is gone; shape and dtype remain). */
  override isDeleted(): boolean {
    return this.#deleted;
  }

  /**
   * Read-only access to the storage of a concrete array, for kernels. Never write to it.
   * @internal
   */
  static dataOf(x: ConcreteArray): TypedArray {
    if (x.#deleted) throw deletedError();
    return x.#data;
  }

  /**
   * Mark `x` deleted after it was donated; its storage may now belong to another array.
   * @internal
   */
  static markDeleted(x: ConcreteArray): void {
    x.#deleted = true;
  }
}

function deletedError(): ValueError {
  return new ValueError(
    "Array",
    "this array was donated to a jit-compiled function (donateArgnums) and deleted: its buffer may now hold one of that call's outputs. Use the outputs instead, or do not donate arrays you still need",
  );
}

// Keyed by the TypedArray itself, never its `.buffer`: reading `.buffer` of a small TypedArray
// makes V8 move it off the heap, which costs more than a whole small kernel.
const exclusive = new WeakSet<TypedArray>();

/** Storage smaller than this is never recycled (the bookkeeping would cost more than it saves). */
const MIN_RECYCLED_BYTES = 4096;

/**
 * Record that `data` (a whole allocation) belongs to exactly one array, so donating that array
 * may recycle it.
 * @internal
 */
export function markExclusive(data: TypedArray): void {
  if (data.byteLength >= MIN_RECYCLED_BYTES) exclusive.add(data);
}

/**
 * Record that `data`'s memory is now seen through more than one array (a zero-copy view): it
 * must never be recycled.
 * @internal
 */
export function markShared(data: TypedArray): void {
  if (data.byteLength >= MIN_RECYCLED_BYTES) exclusive.delete(data);
}

/**
 * The storage of `x` for a new array that will see the same memory (a zero-copy view such as a
 * reshape); the storage is marked shared so it is never recycled.
 * @internal
 */
export function shareData(x: ConcreteArray): TypedArray {
  const d = ConcreteArray.dataOf(x);
  markShared(d);
  return d;
}

/**
 * Whether `data` may be recycled when its array is donated: a whole allocation that only one
 * array has ever seen (views of it are other TypedArrays and were marked when made).
 * @internal
 */
export function isExclusive(data: TypedArray): boolean {
  return exclusive.has(data);
}

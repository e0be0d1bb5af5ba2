/**
 * @file `ConcreteArray`: an array whose data is known. Storage is a private, contiguous row-major
 * TypedArray that user code cannot reach for writing (`dataSync()` returns a copy).
 */
import { Array } from "./array.js";
import type { DType, TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/** An array with data: what eager operations produce and transformations bottom out in. */
export class ConcreteArray extends Array {
  readonly #data: TypedArray;

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
    return this.#data;
  }

  /**
   * Read-only access to the storage of a concrete array, for kernels. Never write to it.
   * @internal
   */
  static dataOf(x: ConcreteArray): TypedArray {
    return x.#data;
  }
}

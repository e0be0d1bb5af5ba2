/**
 * @file Conversions between the parsers' plain `RawArray` values and immutable Arrays.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import type { RawArray } from "./raw.js";

/** Wrap a parsed RawArray as an Array (takes ownership of its data, which the parsers allocate fresh). */
export function fromRaw(raw: RawArray): Array {
  return new ConcreteArray(raw.data, [...raw.shape], raw.dtype);
}

/** A RawArray copy of a concrete Array's data (for writers). */
export function toRaw(x: Array): RawArray {
  return { dtype: x.dtype, shape: [...x.shape], data: x.dataSync() };
}

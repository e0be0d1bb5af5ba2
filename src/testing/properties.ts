/**
 * @file Helpers that turn numerical checks into fast-check properties.
 */
import fc from "fast-check";
import type { Array } from "../core/array.js";
import { checkGrads, type CheckGradsOptions } from "./checkGrads.js";

/**
 * A fast-check property asserting that `f`'s derivatives match finite differences at every
 * generated input: `fc.assert(gradProperty(f, [arrays({ shape: [3] })], { order: 2 }))`.
 */
export function gradProperty(f: (...args: Array[]) => Array, argArbs: fc.Arbitrary<Array>[], opts: CheckGradsOptions = {}) {
  return fc.property(fc.tuple(...argArbs), (args) => {
    checkGrads(f, args, opts);
  });
}

/**
 * @file The `lax` namespace: primitive-level operations (no implicit promotion or broadcasting
 * beyond what the primitive allows) and, later, structured control flow.
 */
import type { Array } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import { bind1 } from "../core/trace.js";
import { dotGeneralP, type DotGeneralParams } from "../primitives/contraction.js";
import { convertP } from "../primitives/elementwise.js";
import { broadcastInDimP, iotaP, padP, sliceP } from "../primitives/movement.js";
import { stopGradient } from "../transforms/autodiff.js";

/**
 * `lax.dot_general`: contract `lhsContract` with `rhsContract` axes, with batch axes paired in
 * order. Output axes: batch, then lhs free, then rhs free.
 */
export function dotGeneral(lhs: Array, rhs: Array, dimensionNumbers: [[number[], number[]], [number[], number[]]]): Array {
  const [[lc, rc], [lb, rb]] = dimensionNumbers;
  const p: DotGeneralParams = { lhsContract: lc, rhsContract: rc, lhsBatch: lb, rhsBatch: rb };
  return bind1(dotGeneralP, [lhs, rhs], p);
}

/** `lax.convert_element_type`. */
export function convertElementType(x: Array, dtype: DType): Array {
  return bind1(convertP, [x], { dtype, weakType: false });
}

/** `lax.broadcast_in_dim`. */
export function broadcastInDim(x: Array, shape: number[], broadcastDimensions: number[]): Array {
  return bind1(broadcastInDimP, [x], { shape, broadcastDimensions });
}

/** `lax.iota`. */
export function iota(dtype: DType, size: number): Array {
  return bind1(iotaP, [], { shape: [size], dtype, dimension: 0 });
}

/** `lax.slice` with optional strides. */
export function slice(x: Array, start: number[], limit: number[], strides?: number[]): Array {
  return bind1(sliceP, [x], { start, limit, strides: strides ?? start.map(() => 1) });
}

/** `lax.pad` with a constant value and `[lo, hi, interior]` per axis. */
export function pad(x: Array, value: number, config: [number, number, number][]): Array {
  return bind1(padP, [x], { lo: config.map((c) => c[0]), hi: config.map((c) => c[1]), interior: config.map((c) => c[2]), value });
}

export { stopGradient };
export * from "./conv.js";
export { cond, switch_ as switch, scan, whileLoop, foriLoop, map, type ScanOptions } from "./control.js";

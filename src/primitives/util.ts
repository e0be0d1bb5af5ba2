/**
 * @file Small helpers shared by primitive rules: scalars and zeros of a given abstract value,
 * broadcasting a tangent to an output shape, summing a cotangent back to an operand's shape
 * (the transpose of broadcasting), moving batch axes, and the batching rule of the elementwise
 * family.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, type DType } from "../core/dtype.js";
import type { Primitive } from "../core/primitive.js";
import { shapeEqual, type Shape } from "../core/shape.js";
import { bind, bind1 } from "../core/trace.js";
import { broadcastInDimP, reshapeP, transposeP } from "./movement.js";
import { reduceSumP } from "./reduce.js";

/** A 0-d weak-typed array holding `v` with the dtype of `like`. */
export function scalarLike(v: number, like: { dtype: DType }): ConcreteArray {
  const data = allocate(like.dtype, 1);
  data[0] = v;
  return new ConcreteArray(data, [], like.dtype, true);
}

/** A concrete scalar of a dtype. */
export function scalar(v: number, dtype: DType, weakType = false): ConcreteArray {
  const data = allocate(dtype, 1);
  data[0] = v;
  return new ConcreteArray(data, [], dtype, weakType);
}

/** Zeros with a given abstract value (a broadcast scalar: no full-size allocation until used). */
export function zerosLikeAval(aval: ShapedArray): Array {
  const z = scalar(0, aval.dtype, aval.weakType);
  return aval.shape.length === 0 ? z : broadcastTo(z, aval.shape);
}

/** NumPy-style broadcast of `x` to `shape` (trailing alignment). */
export function broadcastTo(x: Array, shape: Shape): Array {
  if (shapeEqual(x.shape, shape)) return x;
  const offset = shape.length - x.ndim;
  const dims = x.shape.map((_, i) => i + offset);
  return bind1(broadcastInDimP, [x], { shape: [...shape], broadcastDimensions: dims });
}

/** Sum `ct` down to `shape`: the transpose of NumPy broadcasting from `shape` to `ct.shape`. */
export function unbroadcast(ct: Array, shape: Shape): Array {
  if (shapeEqual(ct.shape, shape)) return ct;
  const lead = ct.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? bind1(reduceSumP, [ct], { axes }) : ct;
  return shapeEqual(summed.shape, shape) ? summed : reshape(summed, shape);
}

/** Reshape (no copy for concrete arrays). */
export function reshape(x: Array, shape: Shape): Array {
  if (shapeEqual(x.shape, shape)) return x;
  return bind1(reshapeP, [x], { shape: [...shape] });
}

/** Permute axes. */
export function transpose(x: Array, perm: readonly number[]): Array {
  if (perm.every((p, i) => p === i)) return x;
  return bind1(transposeP, [x], { perm: [...perm] });
}

/** Move axis `from` to position `to`. */
export function moveAxis(x: Array, from: number, to: number): Array {
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return transpose(x, perm);
}

/** Give `x` a batch axis of `size` at position 0, broadcasting if it has none. */
export function batchToFront(x: Array, dim: number | null, size: number): Array {
  if (dim === null) return broadcastTo(x, [size, ...x.shape]);
  return moveAxis(x, dim, 0);
}

/**
 * Batching rule of broadcasting elementwise primitives: batched operands get their batch axis in
 * front and are padded with size-1 axes to a common rank, so NumPy broadcasting lines them up;
 * unbatched operands are left as they are. Every output (there may be several) is batched at axis 0.
 */
export function batchElementwise(prim: Primitive, args: Array[], dims: (number | null)[], params: any): [Array[], (number | null)[]] {
  let rank = 0;
  for (let i = 0; i < args.length; i++) rank = Math.max(rank, args[i]!.ndim - (dims[i] === null ? 0 : 1));
  const moved = args.map((x, i) => {
    const d = dims[i]!;
    if (d === null) return x;
    const front = moveAxis(x, d, 0);
    const r = front.ndim - 1;
    return r === rank ? front : reshape(front, [front.shape[0]!, ...new globalThis.Array<number>(rank - r).fill(1), ...front.shape.slice(1)]);
  });
  const outs = bind(prim, moved, params);
  return [outs, outs.map(() => 0)];
}


/**
 * @file `sort`: a stable sort of several operands along one axis, ordered by the first (NaNs
 * last, as NumPy). `argsort` sorts an iota alongside; the JVP gathers tangents by that permutation.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, type DType } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { sizeOf } from "../core/shape.js";
import { bind } from "../core/trace.js";
import { takeAlongAxis } from "./indexing.js";
import { iotaP } from "./movement.js";
import { batchToFront } from "./util.js";
import { bind1 } from "../core/trace.js";

/** Parameters of `sort`. */
export interface SortParams {
  axis: number;
}

function compare(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort operands along `axis` by the first operand (stable; NaN last). */
export const sortP: Primitive<SortParams> = definePrimitive<SortParams>({
  name: "sort",
  impl: (xs, { axis }) => {
    const shape = xs[0]!.shape;
    const n = shape[axis]!;
    const inner = sizeOf(shape.slice(axis + 1));
    const outer = sizeOf(shape.slice(0, axis));
    const datas = xs.map((x) => ConcreteArray.dataOf(x));
    const outs = xs.map((x) => allocate(x.dtype, x.size));
    const keys = datas[0]!;
    const perm = new globalThis.Array<number>(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        for (let k = 0; k < n; k++) perm[k] = k;
        perm.sort((p, q) => compare(keys[base + p * inner]!, keys[base + q * inner]!) || p - q);
        for (let j = 0; j < xs.length; j++) {
          const src = datas[j]!;
          const dst = outs[j]!;
          for (let k = 0; k < n; k++) dst[base + k * inner] = src[base + perm[k]! * inner]!;
        }
      }
    }
    return xs.map((x, j) => new ConcreteArray(outs[j]!, shape, x.dtype, x.weakType));
  },
  abstractEval: (avals, { axis }) => {
    const s = avals[0]!.shape;
    if (axis < 0 || axis >= s.length) throw new ValueError("sort", `axis ${axis} out of range for shape ${fmtShape(s)}`);
    for (const a of avals) {
      if (a.shape.length !== s.length || a.shape.some((d, i) => d !== s[i])) throw new ShapeError("sort", `all operands must have the same shape, got ${avals.map((v) => fmtShape(v.shape)).join(", ")}`);
    }
    return avals;
  },
  jvp: (xs, ts, { axis }) => {
    const iota = bind1(iotaP, [], { shape: [...xs[0]!.shape], dtype: "int32" as DType, dimension: axis });
    const outs = bind(sortP, [...xs, iota], { axis });
    const perm = outs[outs.length - 1]!;
    return [outs.slice(0, xs.length), ts.map((t) => (t === null ? null : takeAlongAxis(t, perm, axis)))];
  },
  batch: (xs, dims, { axis }, size) => [bind(sortP, xs.map((x, i) => batchToFront(x, dims[i]!, size)), { axis: axis + 1 }), xs.map(() => 0)],
  printParams: (p) => `dimension=${p.axis} is_stable=True num_keys=1`,
});

/** Sort `x` along `axis`. */
export function sort(x: Array, axis: number): Array {
  return bind(sortP, [x], { axis })[0]!;
}

/** Indices that sort `x` along `axis` (int32, stable). */
export function argsort(x: Array, axis: number): Array {
  const iota = bind1(iotaP, [], { shape: [...x.shape], dtype: "int32" as DType, dimension: axis });
  return bind(sortP, [x, iota], { axis })[1]!;
}

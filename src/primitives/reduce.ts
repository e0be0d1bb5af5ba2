/**
 * @file Reductions (sum, max, min, prod, and, or over a set of axes), arg-reductions and
 * cumulative scans along one axis.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, isFloat, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, fmtShape, ValueError } from "../core/errors.js";
import { definePrimitive, pyTuple, type Primitive } from "../core/primitive.js";
import { sizeOf, stridesOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { convert, div, eq, mul } from "./elementwise.js";
import { broadcastInDimP } from "./movement.js";
import { moveAxis } from "./util.js";

/** Parameters of the multi-axis reductions: sorted, distinct axes. */
export interface ReduceParams {
  axes: number[];
}

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Broadcast a reduced result back over the reduced axes of `shape`. */
export function expandReduced(y: Array, shape: Shape, axes: readonly number[]): Array {
  const dims = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return bind1(broadcastInDimP, [y], { shape: [...shape], broadcastDimensions: dims });
}

type Combine = "sum" | "max" | "min" | "prod" | "and" | "or";

/** Reduce `data` (of `shape`) over `axes` into `out` (the kept-axes shape) in one strided pass. */
function reduceKernel(kind: Combine, data: TypedArray, shape: Shape, axes: readonly number[], dtype: DType): TypedArray {
  const outShape = keptShape(shape, axes);
  const m = sizeOf(outShape);
  // Accumulate in float64 (exact for int32/uint32 extrema and sums up to 2^53) except for bool logic.
  // Integer products wrap like int32 multiplication (Math.imul on an int32 accumulator).
  const intProd = kind === "prod" && (dtype === "int32" || dtype === "uint32");
  const acc = kind === "and" || kind === "or" || intProd ? allocate(intProd ? "int32" : dtype, m) : new Float64Array(m);
  const init = kind === "sum" || kind === "or" ? 0 : kind === "prod" || kind === "and" ? 1 : kind === "max" ? -Infinity : Infinity;
  acc.fill(init);
  const nd = shape.length;
  const n = data.length;
  if (n > 0 && m > 0) {
    // Output stride per input axis: 0 on reduced axes.
    const ost = stridesOf(outShape);
    const st = new globalThis.Array<number>(nd).fill(0);
    for (let i = 0, k = 0; i < nd; i++) if (!axes.includes(i)) st[i] = ost[k++]!;
    const idx = new Int32Array(nd);
    const last = nd > 0 ? shape[nd - 1]! : 1;
    const sl = nd > 0 ? st[nd - 1]! : 0;
    let off = 0;
    for (let p = 0; p < n; ) {
      let o = off;
      switch (kind) {
        case "sum":
          for (let j = 0; j < last; j++, o += sl) acc[o] += data[p++]!;
          break;
        case "prod":
          if (intProd) for (let j = 0; j < last; j++, o += sl) acc[o] = Math.imul(acc[o]!, data[p++]!);
          else for (let j = 0; j < last; j++, o += sl) acc[o] *= data[p++]!;
          break;
        case "max":
          for (let j = 0; j < last; j++, o += sl) {
            const v = data[p++]!;
            if (v > acc[o]! || v !== v) acc[o] = v;
          }
          break;
        case "min":
          for (let j = 0; j < last; j++, o += sl) {
            const v = data[p++]!;
            if (v < acc[o]! || v !== v) acc[o] = v;
          }
          break;
        case "and":
          for (let j = 0; j < last; j++, o += sl) acc[o] &= data[p++]!;
          break;
        case "or":
          for (let j = 0; j < last; j++, o += sl) acc[o] |= data[p++]!;
          break;
      }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]!++;
        off += st[d]!;
        if (idx[d]! < shape[d]!) break;
        off -= st[d]! * shape[d]!;
        idx[d] = 0;
      }
    }
  }
  if (acc.constructor === allocate(dtype, 0).constructor) return acc;
  if (intProd && dtype === "uint32") return new Uint32Array(acc.buffer);
  const out = allocate(dtype, m);
  if (dtype === "int32") for (let i = 0; i < m; i++) out[i] = acc[i]! | 0;
  else if (dtype === "uint32") for (let i = 0; i < m; i++) out[i] = acc[i]! >>> 0;
  else out.set(acc);
  return out;
}

function reduction(name: string, kind: Combine, dtypes: (d: DType) => boolean, valid: string, jvp?: Primitive<ReduceParams>["jvp"]): Primitive<ReduceParams> {
  const prim: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
    name,
    impl: ([x], { axes }) => [new ConcreteArray(reduceKernel(kind, ConcreteArray.dataOf(x!), x!.shape, axes, x!.dtype), keptShape(x!.shape, axes), x!.dtype, x!.weakType)],
    abstractEval: ([x], { axes }) => {
      if (!dtypes(x!.dtype)) throw new DTypeError(name, `expected ${valid}, got ${x!.dtype}`);
      if (axes.some((a) => a < 0 || a >= x!.shape.length)) throw new ValueError(name, `axes ${JSON.stringify(axes)} out of range for shape ${fmtShape(x!.shape)}`);
      return [{ shape: keptShape(x!.shape, axes), dtype: x!.dtype, weakType: x!.weakType }];
    },
    jvp: jvp ?? (([x], _t, p) => [[bind1(prim, [x!], p)], [null]]),
    batch: ([x], [d], { axes }) => [[bind1(prim, [moveAxis(x!, d!, 0)], { axes: axes.map((a) => a + 1) })], [0]],
    printParams: (p) => `axes=${pyTuple(p.axes)}`,
  });
  return prim;
}

const numeric = (d: DType) => d !== "bool";

/** Sum over axes (linear). */
export const reduceSumP: Primitive<ReduceParams> = reduction("reduce_sum", "sum", numeric, "a numeric dtype (convert bool first)", ([x], [t], p) => [
  [bind1(reduceSumP, [x!], p)],
  [t === null ? null : bind1(reduceSumP, [t], p)],
]);
(reduceSumP as { transpose?: Primitive<ReduceParams>["transpose"] }).transpose = ([ct], [x], { axes }) => [
  ct === null ? null : expandReduced(ct, (x as { aval: ShapedArray }).aval.shape, axes),
];

// Tangent of max/min: the mean of the tangents at the positions that attain the extremum (as JAX).
const extremumJvp =
  (p: () => Primitive<ReduceParams>): Primitive<ReduceParams>["jvp"] =>
  ([x], [t], params) => {
    const y = bind1(p(), [x!], params);
    if (t === null || !isFloat(x!.dtype)) return [[y], [null]];
    const mask = convert(eq(x!, expandReduced(y, x!.shape, params.axes)), x!.dtype);
    const num = bind1(reduceSumP, [mul(t, mask)], params);
    const den = bind1(reduceSumP, [mask], params);
    return [[y], [div(num, den)]];
  };

/** Maximum over axes (NaN propagates). */
export const reduceMaxP: Primitive<ReduceParams> = reduction("reduce_max", "max", numeric, "a numeric dtype", extremumJvp(() => reduceMaxP));
/** Minimum over axes (NaN propagates). */
export const reduceMinP: Primitive<ReduceParams> = reduction("reduce_min", "min", numeric, "a numeric dtype", extremumJvp(() => reduceMinP));
/** Product over axes. Its JVP is `prod * sum(t / x)`, which is NaN where x has zeros (documented sharp bit). */
export const reduceProdP: Primitive<ReduceParams> = reduction("reduce_prod", "prod", numeric, "a numeric dtype", ([x], [t], p) => {
  const y = bind1(reduceProdP, [x!], p);
  if (t === null || !isFloat(x!.dtype)) return [[y], [null]];
  return [[y], [mul(y, bind1(reduceSumP, [div(t, x!)], p))]];
});
/** Logical AND over axes (bool). */
export const reduceAndP: Primitive<ReduceParams> = reduction("reduce_and", "and", (d) => d === "bool", "bool");
/** Logical OR over axes (bool). */
export const reduceOrP: Primitive<ReduceParams> = reduction("reduce_or", "or", (d) => d === "bool", "bool");

// ---------------------------------------------------------------------------------------------

/** Parameters of arg-reductions and scans along one axis. */
export interface AxisParams {
  axis: number;
}

function argReduction(name: string, better: (a: number, b: number) => boolean): Primitive<AxisParams> {
  const prim: Primitive<AxisParams> = definePrimitive<AxisParams>({
    name,
    impl: ([x], { axis }) => {
      const shape = x!.shape;
      const n = shape[axis]!;
      const inner = sizeOf(shape.slice(axis + 1));
      const outer = sizeOf(shape.slice(0, axis));
      const data = ConcreteArray.dataOf(x!);
      const out = new Int32Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          let bv = data[o * n * inner + i]!;
          if (bv === bv) {
            for (let k = 1; k < n; k++) {
              const v = data[(o * n + k) * inner + i]!;
              if (v !== v) {
                best = k; // the first NaN wins, as in NumPy
                break;
              }
              if (better(v, bv)) {
                bv = v;
                best = k;
              }
            }
          }
          out[o * inner + i] = best;
        }
      }
      return [new ConcreteArray(out, keptShape(shape, [axis]), "int32")];
    },
    abstractEval: ([x], { axis }) => {
      if (axis < 0 || axis >= x!.shape.length || x!.shape[axis] === 0) {
        throw new ValueError(name, `axis ${axis} is invalid for shape ${fmtShape(x!.shape)} (the axis must exist and be non-empty)`);
      }
      return [{ shape: keptShape(x!.shape, [axis]), dtype: "int32", weakType: false }];
    },
    jvp: ([x], _t, p) => [[bind1(prim, [x!], p)], [null]],
    batch: ([x], [d], { axis }) => [[bind1(prim, [moveAxis(x!, d!, 0)], { axis: axis + 1 })], [0]],
    printParams: (p) => `axes=(${p.axis},) index_dtype=int32`,
  });
  return prim;
}

/** Index of the maximum along an axis (first occurrence; NaN counts as maximal). */
export const argmaxP = argReduction("argmax", (a, b) => a > b);
/** Index of the minimum along an axis. */
export const argminP = argReduction("argmin", (a, b) => a < b);

// ---------------------------------------------------------------------------------------------

/** Parameters of cumulative scans. */
export interface CumParams {
  axis: number;
  reverse: boolean;
}

function cumulative(name: string, op: (a: number, b: number) => number, jvp: Primitive<CumParams>["jvp"]): Primitive<CumParams> {
  const prim: Primitive<CumParams> = definePrimitive<CumParams>({
    name,
    impl: ([x], { axis, reverse }) => {
      const shape = x!.shape;
      const n = shape[axis]!;
      const inner = sizeOf(shape.slice(axis + 1));
      const outer = sizeOf(shape.slice(0, axis));
      const data = ConcreteArray.dataOf(x!);
      const out = allocate(x!.dtype, data.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let acc = NaN;
          for (let s = 0; s < n; s++) {
            const k = reverse ? n - 1 - s : s;
            const at = (o * n + k) * inner + i;
            acc = s === 0 ? data[at]! : op(acc, data[at]!);
            out[at] = acc;
            acc = out[at]!; // round to the storage type each step, as a float32 scan would
          }
        }
      }
      return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
    },
    abstractEval: ([x], { axis }) => {
      if (axis < 0 || axis >= x!.shape.length) throw new ValueError(name, `axis ${axis} out of range for shape ${fmtShape(x!.shape)}`);
      if (x!.dtype === "bool") throw new DTypeError(name, "expected a numeric dtype, got bool");
      return [x!];
    },
    jvp,
    batch: ([x], [d], { axis, reverse }) => [[bind1(prim, [moveAxis(x!, d!, 0)], { axis: axis + 1, reverse })], [0]],
    printParams: (p) => `axis=${p.axis} reverse=${p.reverse ? "True" : "False"}`,
  });
  return prim;
}

/** Cumulative sum along an axis (linear). */
export const cumsumP: Primitive<CumParams> = cumulative(
  "cumsum",
  (a, b) => a + b,
  ([x], [t], p) => [[bind1(cumsumP, [x!], p)], [t === null ? null : bind1(cumsumP, [t], p)]],
);
(cumsumP as { transpose?: Primitive<CumParams>["transpose"] }).transpose = ([ct], _x, p) => [
  ct === null ? null : bind1(cumsumP, [ct], { axis: p.axis, reverse: !p.reverse }),
];

/** Cumulative product along an axis. JVP `cumprod * cumsum(t / x)` (NaN where x has zeros). */
export const cumprodP: Primitive<CumParams> = cumulative(
  "cumprod",
  (a, b) => a * b,
  ([x], [t], p) => {
    const y = bind1(cumprodP, [x!], p);
    if (t === null || !isFloat(x!.dtype)) return [[y], [null]];
    return [[y], [mul(y, bind1(cumsumP, [div(t, x!)], p))]];
  },
);

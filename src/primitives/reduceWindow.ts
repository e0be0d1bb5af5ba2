/**
 * @file Window reductions, the primitives behind pooling: `reduce_window_sum`,
 * `reduce_window_max` and `reduce_window_min`, with window dimensions, strides, (possibly
 * negative) padding and base/window dilation over every axis of the operand, as XLA's
 * `ReduceWindow` with a monoid.
 *
 * Derivatives follow JAX. The sum is linear; its transpose is again a window sum, of the
 * cotangent dilated by the forward strides (the transpose of a convolution with an all-ones,
 * hence flip-invariant, kernel). Max and min route each tangent through the element each window
 * selects (its first maximum / minimum in window order): `select_and_gather_add` picks the
 * tangent at that element, and its transpose `select_and_scatter_add` adds each window's
 * cotangent back onto it. Both are linear in their first operand and transpose into each other,
 * so derivatives of any order exist. Padding and dilation holes hold the monoid identity and are
 * never selected.
 *
 * The kernels precompute per-axis offset tables (shared with the convolution kernel) and loop
 * over window taps outside and output positions inside, with no per-element closures.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, isFloat, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { definePrimitive, pyTuple, UndefPrimal, type Primitive } from "../core/primitive.js";
import { sizeOf, stridesOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { dilateDim, windowGeometry } from "./conv.js";
import { batchToFront, moveAxis, zerosLikeAval } from "./util.js";

/** Window parameters, one entry per axis of the operand. */
export interface ReduceWindowParams {
  /** Window size on each axis (>= 1; use 1 for axes that are not pooled). */
  readonly windowDimensions: readonly number[];
  /** Step between windows (>= 1). */
  readonly windowStrides: readonly number[];
  /** `[lo, hi]` padding of the (base-dilated) operand; negative values crop. */
  readonly padding: readonly (readonly [number, number])[];
  /** `d - 1` holes between operand elements (>= 1). */
  readonly baseDilation: readonly number[];
  /** `d - 1` holes between window taps (>= 1). */
  readonly windowDilation: readonly number[];
}

/** Which element a window selects: its maximum or its minimum. */
export type SelectKind = "max" | "min";

/** Parameters of `select_and_gather_add` / `select_and_scatter_add`: the window and the selection. */
export interface SelectParams extends ReduceWindowParams {
  /** Select the first maximum (`max`) or minimum (`min`) of each window. */
  readonly select: SelectKind;
}

const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;

/**
 * Validate window parameters for an operand shape and return the output shape. Errors name
 * `fn` and print the shape and the offending parameter.
 * @internal
 */
export function reduceWindowShape(fn: string, shape: Shape, p: ReduceWindowParams): number[] {
  const nd = shape.length;
  const listOk = (xs: readonly number[]) => globalThis.Array.isArray(xs) && xs.length === nd && xs.every(isPosInt);
  const at = `for an operand of shape ${fmtShape(shape)} (one entry per axis)`;
  if (!listOk(p.windowDimensions)) throw new ValueError(fn, `windowDimensions must be ${nd} positive integers ${at}, got ${JSON.stringify(p.windowDimensions)}`);
  if (!listOk(p.windowStrides)) throw new ValueError(fn, `windowStrides must be ${nd} positive integers ${at}, got ${JSON.stringify(p.windowStrides)}`);
  if (!listOk(p.baseDilation)) throw new ValueError(fn, `baseDilation must be ${nd} positive integers ${at}, got ${JSON.stringify(p.baseDilation)}`);
  if (!listOk(p.windowDilation)) throw new ValueError(fn, `windowDilation must be ${nd} positive integers ${at}, got ${JSON.stringify(p.windowDilation)}`);
  if (!globalThis.Array.isArray(p.padding) || p.padding.length !== nd || !p.padding.every((q) => globalThis.Array.isArray(q) && q.length === 2 && Number.isInteger(q[0]) && Number.isInteger(q[1]))) {
    throw new ValueError(fn, `padding must be ${nd} integer pairs [lo, hi] ${at}, got ${JSON.stringify(p.padding)}`);
  }
  return shape.map((n, i) => {
    const padded = dilateDim(n, p.baseDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const w = dilateDim(p.windowDimensions[i]!, p.windowDilation[i]!);
    if (padded < w) return 0; // no window fits: an empty axis, as in XLA/JAX
    return Math.floor((padded - w) / p.windowStrides[i]!) + 1;
  });
}

function geometryFor(shape: Shape, p: ReduceWindowParams, outShape: Shape) {
  return windowGeometry(
    shape,
    stridesOf(shape),
    p.baseDilation,
    p.padding.map((q) => q[0]),
    p.windowStrides,
    p.windowDimensions,
    p.windowDilation,
    outShape,
  );
}

type Monoid = "sum" | "max" | "min";

/** The identity of a monoid in a dtype (what padding and dilation holes hold). */
function identity(kind: Monoid, dtype: DType): number {
  if (kind === "sum") return 0;
  if (isFloat(dtype)) return kind === "max" ? -Infinity : Infinity;
  if (dtype === "int32") return kind === "max" ? -2147483648 : 2147483647;
  if (dtype === "uint32") return kind === "max" ? 0 : 4294967295;
  return kind === "max" ? 0 : 1;
}

/** Reduce every window of `data` (shape `shape`) with a monoid. */
function reduceWindowKernel(kind: Monoid, data: TypedArray, shape: Shape, dtype: DType, p: ReduceWindowParams, outShape: Shape): TypedArray {
  const m = sizeOf(outShape);
  const acc = new Float64Array(m).fill(identity(kind, dtype));
  if (m > 0 && data.length > 0) {
    const { outer, last, Ko, Po, kl, ol } = geometryFor(shape, p, outShape);
    for (let ko = 0; ko < Ko; ko++) {
      for (let kli = 0; kli < kl; kli++) {
        const lb = kli * ol;
        for (let po = 0; po < Po; po++) {
          const ob = outer[ko * Po + po]!;
          if (ob < 0) continue;
          const ab = po * ol;
          if (kind === "sum") {
            for (let yl = 0; yl < ol; yl++) {
              const off = last[lb + yl]!;
              if (off >= 0) acc[ab + yl] += data[ob + off]!;
            }
          } else if (kind === "max") {
            for (let yl = 0; yl < ol; yl++) {
              const off = last[lb + yl]!;
              if (off < 0) continue;
              const v = data[ob + off]!;
              if (v > acc[ab + yl]! || v !== v) acc[ab + yl] = v;
            }
          } else {
            for (let yl = 0; yl < ol; yl++) {
              const off = last[lb + yl]!;
              if (off < 0) continue;
              const v = data[ob + off]!;
              if (v < acc[ab + yl]! || v !== v) acc[ab + yl] = v;
            }
          }
        }
      }
    }
  }
  const out = allocate(dtype, m);
  if (dtype === "int32") for (let i = 0; i < m; i++) out[i] = acc[i]! | 0;
  else if (dtype === "uint32") for (let i = 0; i < m; i++) out[i] = acc[i]! >>> 0;
  else out.set(acc);
  return out;
}

/**
 * For each window, the flat operand index of the element it selects (first maximum / minimum
 * in window order, NaN winning as in `max`), or -1 for a window of padding only.
 */
function selectKernel(kind: SelectKind, data: TypedArray, shape: Shape, p: ReduceWindowParams, outShape: Shape): Int32Array {
  const m = sizeOf(outShape);
  const idx = new Int32Array(m).fill(-1);
  if (m === 0 || data.length === 0) return idx;
  const best = new Float64Array(m);
  const { outer, last, Ko, Po, kl, ol } = geometryFor(shape, p, outShape);
  const isMax = kind === "max";
  for (let ko = 0; ko < Ko; ko++) {
    for (let kli = 0; kli < kl; kli++) {
      const lb = kli * ol;
      for (let po = 0; po < Po; po++) {
        const ob = outer[ko * Po + po]!;
        if (ob < 0) continue;
        const ab = po * ol;
        for (let yl = 0; yl < ol; yl++) {
          const off = last[lb + yl]!;
          if (off < 0) continue;
          const q = ab + yl;
          const v = data[ob + off]!;
          const b = best[q]!;
          if (idx[q]! < 0 || (isMax ? v > b : v < b) || (v !== v && b === b)) {
            best[q] = v;
            idx[q] = ob + off;
          }
        }
      }
    }
  }
  return idx;
}

/** Window parameters with a leading unpooled axis (for batching rules). */
function withBatchAxis<P extends ReduceWindowParams>(p: P): P {
  return {
    ...p,
    windowDimensions: [1, ...p.windowDimensions],
    windowStrides: [1, ...p.windowStrides],
    padding: [[0, 0] as const, ...p.padding],
    baseDilation: [1, ...p.baseDilation],
    windowDilation: [1, ...p.windowDilation],
  };
}

const fmtPairs = (ps: readonly (readonly [number, number])[]) => (ps.length === 1 ? `((${ps[0]![0]}, ${ps[0]![1]}),)` : `(${ps.map((q) => `(${q[0]}, ${q[1]})`).join(", ")})`);

/** Print window parameters the way JAX prints them. */
function printWindow(p: ReduceWindowParams): string {
  return (
    `window_dimensions=${pyTuple(p.windowDimensions)} window_strides=${pyTuple(p.windowStrides)} padding=${fmtPairs(p.padding)} ` +
    `base_dilation=${pyTuple(p.baseDilation)} window_dilation=${pyTuple(p.windowDilation)}`
  );
}

function reduceWindowPrimitive(name: string, kind: Monoid, jvp: Primitive<ReduceWindowParams>["jvp"]): Primitive<ReduceWindowParams> {
  const prim: Primitive<ReduceWindowParams> = definePrimitive<ReduceWindowParams>({
    name,
    impl: ([x], p) => {
      const shape = reduceWindowShape(name, x!.shape, p);
      return [new ConcreteArray(reduceWindowKernel(kind, ConcreteArray.dataOf(x!), x!.shape, x!.dtype, p, shape), shape, x!.dtype, x!.weakType)];
    },
    abstractEval: ([x], p) => {
      if (x!.dtype === "bool") throw new DTypeError(name, "expected a numeric dtype (float32, float64, int32 or uint32), got bool; convert it first");
      return [{ shape: reduceWindowShape(name, x!.shape, p), dtype: x!.dtype, weakType: x!.weakType }];
    },
    jvp,
    batch: ([x], [d], p) => [[bind1(prim, [moveAxis(x!, d!, 0)], withBatchAxis(p))], [0]],
    printParams: printWindow,
  });
  return prim;
}

/** Sum over each window (linear). */
export const reduceWindowSumP: Primitive<ReduceWindowParams> = reduceWindowPrimitive("reduce_window_sum", "sum", ([x], [t], p) => [
  [bind1(reduceWindowSumP, [x!], p)],
  [t === null ? null : bind1(reduceWindowSumP, [t], p)],
]);

// The transpose of a window sum is a window sum of the cotangent, dilated by the forward strides
// and padded so that every operand element sees exactly the windows that contained it.
(reduceWindowSumP as { transpose?: Primitive<ReduceWindowParams>["transpose"] }).transpose = ([ct], [x], p) => {
  if (ct === null) return [null];
  const aval = x!.aval;
  const inShape = aval.shape;
  if (sizeOf(ct.shape) === 0 || sizeOf(inShape) === 0) return [zerosLikeAval({ ...aval, weakType: false })];
  const padding = inShape.map((n, i): [number, number] => {
    const w = dilateDim(p.windowDimensions[i]!, p.windowDilation[i]!);
    const before = w - 1 - p.padding[i]![0];
    return [before, dilateDim(n, p.baseDilation[i]!) + w - 1 - dilateDim(ct.shape[i]!, p.windowStrides[i]!) - before];
  });
  return [
    bind1(reduceWindowSumP, [ct], {
      windowDimensions: p.windowDimensions,
      windowStrides: p.baseDilation,
      padding,
      baseDilation: p.windowStrides,
      windowDilation: p.windowDilation,
    }),
  ];
};

const chooserJvp =
  (prim: () => Primitive<ReduceWindowParams>, select: SelectKind): Primitive<ReduceWindowParams>["jvp"] =>
  ([x], [t], p) => {
    const y = bind1(prim(), [x!], p);
    if (t === null || !isFloat(x!.dtype)) return [[y], [null]];
    return [[y], [bind1(selectAndGatherAddP, [t, x!], { ...p, select })]];
  };

/** Maximum over each window (NaN propagates). */
export const reduceWindowMaxP: Primitive<ReduceWindowParams> = reduceWindowPrimitive(
  "reduce_window_max",
  "max",
  chooserJvp(() => reduceWindowMaxP, "max"),
);

/** Minimum over each window (NaN propagates). */
export const reduceWindowMinP: Primitive<ReduceWindowParams> = reduceWindowPrimitive(
  "reduce_window_min",
  "min",
  chooserJvp(() => reduceWindowMinP, "min"),
);

function checkSelectOperands(name: string, first: ShapedArray, operand: ShapedArray, wantFirst: Shape, what: string): void {
  if (!isFloat(operand.dtype) || first.dtype !== operand.dtype) {
    throw new DTypeError(name, `the ${what} and the operand must share a float dtype, got ${first.dtype} and ${operand.dtype}`);
  }
  if (first.shape.length !== wantFirst.length || first.shape.some((d, i) => d !== wantFirst[i])) {
    throw new ShapeError(name, `the ${what} must have shape ${fmtShape(wantFirst)} for an operand of shape ${fmtShape(operand.shape)}, got ${fmtShape(first.shape)}`);
  }
}

/**
 * `select_and_gather_add(tangents, operand)`: for each window of `operand`, the entry of
 * `tangents` (same shape as `operand`) at the element the window selects. Linear in `tangents`.
 */
export const selectAndGatherAddP: Primitive<SelectParams> = definePrimitive<SelectParams>({
  name: "select_and_gather_add",
  impl: ([t, x], p) => {
    const shape = reduceWindowShape("select_and_gather_add", x!.shape, p);
    const idx = selectKernel(p.select, ConcreteArray.dataOf(x!), x!.shape, p, shape);
    const td = ConcreteArray.dataOf(t!);
    const out = allocate(t!.dtype, idx.length);
    for (let q = 0; q < idx.length; q++) {
      const i = idx[q]!;
      if (i >= 0) out[q] = td[i]!;
    }
    return [new ConcreteArray(out, shape, t!.dtype, false)];
  },
  abstractEval: ([t, x], p) => {
    checkSelectOperands("select_and_gather_add", t!, x!, x!.shape, "tangents");
    return [{ shape: reduceWindowShape("select_and_gather_add", x!.shape, p), dtype: t!.dtype, weakType: false }];
  },
  jvp: ([t, x], [tt], p) => [[bind1(selectAndGatherAddP, [t!, x!], p)], [tt === null ? null : bind1(selectAndGatherAddP, [tt, x!], p)]],
  transpose: ([ct], [t, x], p) => {
    if (ct === null || !(t instanceof UndefPrimal)) return [null, null];
    return [bind1(selectAndScatterAddP, [ct, x as Array], p), null];
  },
  batch: ([t, x], [dt, dx], p, size) => [[bind1(selectAndGatherAddP, [batchToFront(t!, dt!, size), batchToFront(x!, dx!, size)], withBatchAxis(p))], [0]],
  printParams: (p) => `select_prim=${p.select === "max" ? "ge" : "le"} ${printWindow(p)}`,
});

/**
 * `select_and_scatter_add(source, operand)`: an array shaped like `operand`, zero except where
 * windows select: each window's `source` value is added onto the element it selects.
 * Linear in `source`; the transpose of {@link selectAndGatherAddP}.
 */
export const selectAndScatterAddP: Primitive<SelectParams> = definePrimitive<SelectParams>({
  name: "select_and_scatter_add",
  impl: ([s, x], p) => {
    const shape = reduceWindowShape("select_and_scatter_add", x!.shape, p);
    const idx = selectKernel(p.select, ConcreteArray.dataOf(x!), x!.shape, p, shape);
    const sd = ConcreteArray.dataOf(s!);
    const acc = new Float64Array(x!.size);
    for (let q = 0; q < idx.length; q++) {
      const i = idx[q]!;
      if (i >= 0) acc[i] += sd[q]!;
    }
    const out = allocate(s!.dtype, acc.length);
    out.set(acc);
    return [new ConcreteArray(out, x!.shape, s!.dtype, false)];
  },
  abstractEval: ([s, x], p) => {
    checkSelectOperands("select_and_scatter_add", s!, x!, reduceWindowShape("select_and_scatter_add", x!.shape, p), "source");
    return [{ shape: x!.shape, dtype: s!.dtype, weakType: false }];
  },
  jvp: ([s, x], [ts], p) => [[bind1(selectAndScatterAddP, [s!, x!], p)], [ts === null ? null : bind1(selectAndScatterAddP, [ts, x!], p)]],
  transpose: ([ct], [s, x], p) => {
    if (ct === null || !(s instanceof UndefPrimal)) return [null, null];
    return [bind1(selectAndGatherAddP, [ct, x as Array], p), null];
  },
  batch: ([s, x], [ds, dx], p, size) => [[bind1(selectAndScatterAddP, [batchToFront(s!, ds!, size), batchToFront(x!, dx!, size)], withBatchAxis(p))], [0]],
  printParams: (p) => `select_prim=${p.select === "max" ? "ge" : "le"} ${printWindow(p)}`,
});

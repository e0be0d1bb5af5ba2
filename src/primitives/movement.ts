/**
 * @file Movement primitives: reshape, transpose, broadcast_in_dim, slice, pad, concatenate, rev
 * and iota. All are linear, so each carries a transpose rule.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray, shareData } from "../core/concrete.js";
import { allocate, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { definePrimitive, pyTuple, UndefPrimal, type Primitive } from "../core/primitive.js";
import { sizeOf, stridesOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { mapElementwise } from "../backend/cpu/elementwise.js";
import { reduceSumP } from "./reduce.js";
import { batchToFront, moveAxis, reshape, transpose, zerosLikeAval } from "./util.js";

const avalOf = (x: Array | UndefPrimal) => (x instanceof UndefPrimal ? x.aval : x.aval);

// ---------------------------------------------------------------------------------------------

/** Parameters of `reshape`. */
export interface ReshapeParams {
  shape: number[];
}

/** Same elements, new shape. Concrete arrays share their (immutable) storage: no copy. */
export const reshapeP: Primitive<ReshapeParams> = definePrimitive<ReshapeParams>({
  name: "reshape",
  impl: ([x], { shape }) => [new ConcreteArray(shareData(x!), shape, x!.dtype, x!.weakType)],
  abstractEval: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x!.shape)) {
      throw new ShapeError("reshape", `cannot reshape an array of shape ${fmtShape(x!.shape)} (size ${sizeOf(x!.shape)}) into shape ${fmtShape(shape)} (size ${sizeOf(shape)})`);
    }
    return [{ ...x!, shape }];
  },
  jvp: ([x], [t], p) => [[bind1(reshapeP, [x!], p)], [t === null ? null : bind1(reshapeP, [t], p)]],
  transpose: ([ct], [x]) => [ct === null ? null : reshape(ct, avalOf(x!).shape)],
  batch: ([x], [d], { shape }) => {
    const front = moveAxis(x!, d!, 0);
    return [[bind1(reshapeP, [front], { shape: [front.shape[0]!, ...shape] })], [0]];
  },
  printParams: (p) => `new_sizes=${pyTuple(p.shape)}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `transpose`. */
export interface TransposeParams {
  perm: number[];
}

/** Copy `x` with axes permuted by `perm` (row-major strided gather). */
function transposeData(data: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const nd = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const st = perm.map((p) => inStrides[p]!);
  const n = out.length;
  if (n === 0) return;
  if (nd === 2) {
    const [r, c] = outShape as [number, number];
    const [s0, s1] = st as [number, number];
    for (let i = 0, p = 0; i < r; i++) for (let j = 0; j < c; j++) out[p++] = data[i * s0 + j * s1]!;
    return;
  }
  const idx = new Int32Array(nd);
  const last = outShape[nd - 1]!;
  const sl = st[nd - 1]!;
  let off = 0;
  for (let p = 0; p < n; ) {
    for (let j = 0, o = off; j < last; j++, o += sl) out[p++] = data[o]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      off += st[d]!;
      if (idx[d]! < outShape[d]!) break;
      off -= st[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Permute axes. */
export const transposeP: Primitive<TransposeParams> = definePrimitive<TransposeParams>({
  name: "transpose",
  impl: ([x], { perm }) => {
    const out = allocate(x!.dtype, x!.size);
    const data = ConcreteArray.dataOf(x!);
    if (x!.shape.length <= 1) out.set(data);
    else transposeData(data, x!.shape, perm, out);
    return [new ConcreteArray(out, perm.map((p) => x!.shape[p]!), x!.dtype, x!.weakType)];
  },
  abstractEval: ([x], { perm }) => {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x!.shape.length || sorted.some((p, i) => p !== i)) {
      throw new ValueError("transpose", `axes ${JSON.stringify(perm)} are not a permutation of the ${x!.shape.length} axes of an array of shape ${fmtShape(x!.shape)}`);
    }
    return [{ ...x!, shape: perm.map((p) => x!.shape[p]!) }];
  },
  jvp: ([x], [t], p) => [[bind1(transposeP, [x!], p)], [t === null ? null : bind1(transposeP, [t], p)]],
  transpose: ([ct], _x, { perm }) => {
    if (ct === null) return [null];
    const inv = new globalThis.Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(ct, inv)];
  },
  batch: ([x], [d], { perm }) => [[transpose(moveAxis(x!, d!, 0), [0, ...perm.map((p) => p + 1)])], [0]],
  printParams: (p) => `permutation=${pyTuple(p.perm)}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `broadcast_in_dim`: operand axis i becomes output axis `broadcastDimensions[i]`. */
export interface BroadcastInDimParams {
  shape: number[];
  broadcastDimensions: number[];
}

/** Broadcast to `shape`, placing operand axes at `broadcastDimensions` (sizes must match or be 1). */
export const broadcastInDimP: Primitive<BroadcastInDimParams> = definePrimitive<BroadcastInDimParams>({
  name: "broadcast_in_dim",
  impl: ([x], { shape, broadcastDimensions }) => {
    const full = new globalThis.Array<number>(shape.length).fill(1);
    broadcastDimensions.forEach((d, i) => (full[d] = x!.shape[i]!));
    const out = allocate(x!.dtype, sizeOf(shape));
    mapElementwise("a", [ConcreteArray.dataOf(x!)], [full], shape, out);
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x], { shape, broadcastDimensions }) => {
    const ok =
      broadcastDimensions.length === x!.shape.length &&
      broadcastDimensions.every((d, i) => d >= 0 && d < shape.length && (i === 0 || d > broadcastDimensions[i - 1]!)) &&
      broadcastDimensions.every((d, i) => x!.shape[i] === 1 || x!.shape[i] === shape[d]);
    if (!ok) {
      throw new ShapeError("broadcast_in_dim", `cannot broadcast shape ${fmtShape(x!.shape)} to ${fmtShape(shape)} with dimensions ${JSON.stringify(broadcastDimensions)}`);
    }
    return [{ ...x!, shape }];
  },
  jvp: ([x], [t], p) => [[bind1(broadcastInDimP, [x!], p)], [t === null ? null : bind1(broadcastInDimP, [t], p)]],
  transpose: ([ct], [x], { shape, broadcastDimensions }) => {
    if (ct === null) return [null];
    const inShape = avalOf(x!).shape;
    const keep = new Set(broadcastDimensions.filter((d, i) => inShape[i] === shape[d]));
    const axes = shape.map((_, i) => i).filter((i) => !keep.has(i));
    const summed = axes.length > 0 ? bind1(reduceSumP, [ct], { axes }) : ct;
    return [reshape(summed, inShape)];
  },
  batch: ([x], [d], { shape, broadcastDimensions }) => {
    const front = moveAxis(x!, d!, 0);
    return [[bind1(broadcastInDimP, [front], { shape: [front.shape[0]!, ...shape], broadcastDimensions: [0, ...broadcastDimensions.map((b) => b + 1)] })], [0]];
  },
  printParams: (p) => `shape=${pyTuple(p.shape)} broadcast_dimensions=${pyTuple(p.broadcastDimensions)}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `slice`: per axis start (inclusive), limit (exclusive) and positive stride. */
export interface SliceParams {
  start: number[];
  limit: number[];
  strides: number[];
}

function sliceShape(p: SliceParams): number[] {
  return p.start.map((s, i) => Math.max(0, Math.ceil((p.limit[i]! - s) / p.strides[i]!)));
}

/** A strided window `x[start:limit:stride]` on every axis (strides positive; `rev` handles negative steps). */
export const sliceP: Primitive<SliceParams> = definePrimitive<SliceParams>({
  name: "slice",
  impl: ([x], p) => {
    const shape = sliceShape(p);
    const out = allocate(x!.dtype, sizeOf(shape));
    const data = ConcreteArray.dataOf(x!);
    const st = stridesOf(x!.shape);
    const nd = shape.length;
    if (out.length > 0) {
      if (nd === 0) out[0] = data[0]!;
      else {
        const idx = new Int32Array(nd);
        let base = 0;
        for (let i = 0; i < nd; i++) base += p.start[i]! * st[i]!;
        const step = st.map((s, i) => s * p.strides[i]!);
        const last = shape[nd - 1]!;
        const sl = step[nd - 1]!;
        let off = base;
        for (let q = 0; q < out.length; ) {
          for (let j = 0, o = off; j < last; j++, o += sl) out[q++] = data[o]!;
          for (let d = nd - 2; d >= 0; d--) {
            idx[d]!++;
            off += step[d]!;
            if (idx[d]! < shape[d]!) break;
            off -= step[d]! * shape[d]!;
            idx[d] = 0;
          }
        }
      }
    }
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x], p) => {
    const bad = x!.shape.findIndex((d, i) => !(p.start[i]! >= 0 && p.limit[i]! <= d && p.start[i]! <= p.limit[i]! && p.strides[i]! >= 1));
    if (p.start.length !== x!.shape.length || bad >= 0) {
      throw new ValueError("slice", `invalid slice start=${JSON.stringify(p.start)} limit=${JSON.stringify(p.limit)} strides=${JSON.stringify(p.strides)} for shape ${fmtShape(x!.shape)}`);
    }
    return [{ ...x!, shape: sliceShape(p) }];
  },
  jvp: ([x], [t], p) => [[bind1(sliceP, [x!], p)], [t === null ? null : bind1(sliceP, [t], p)]],
  transpose: ([ct], [x], p) => {
    if (ct === null) return [null];
    const inShape = avalOf(x!).shape;
    const out = sliceShape(p);
    const lo = p.start;
    const interior = p.strides.map((s) => s - 1);
    // pad's output size: lo + n + (n-1)*interior + hi = inShape  =>  hi = inShape - lo - n - (n-1)*interior
    const hi = inShape.map((d, i) => d - lo[i]! - out[i]! - Math.max(0, out[i]! - 1) * interior[i]!);
    return [bind1(padP, [ct], { lo: [...lo], hi, interior, value: 0 })];
  },
  batch: ([x], [d], p) => {
    const front = moveAxis(x!, d!, 0);
    return [[bind1(sliceP, [front], { start: [0, ...p.start], limit: [front.shape[0]!, ...p.limit], strides: [1, ...p.strides] })], [0]];
  },
  printParams: (p) => `start_indices=${pyTuple(p.start)} limit_indices=${pyTuple(p.limit)} strides=${pyTuple(p.strides)}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `pad`: low/high edge padding (>= 0) and interior padding between elements, with a constant. */
export interface PadParams {
  lo: number[];
  hi: number[];
  interior: number[];
  value: number;
}

function padShape(shape: Shape, p: PadParams): number[] {
  return shape.map((d, i) => p.lo[i]! + d + Math.max(0, d - 1) * p.interior[i]! + p.hi[i]!);
}

/** Pad with a constant value (edge and interior padding, as `lax.pad` with non-negative amounts). */
export const padP: Primitive<PadParams> = definePrimitive<PadParams>({
  name: "pad",
  impl: ([x], p) => {
    const shape = padShape(x!.shape, p);
    const out = allocate(x!.dtype, sizeOf(shape));
    if (p.value !== 0) out.fill(p.value);
    const data = ConcreteArray.dataOf(x!);
    const n = data.length;
    if (n > 0) {
      const nd = shape.length;
      const ost = stridesOf(shape);
      const idx = new Int32Array(nd);
      const step = ost.map((s, i) => s * (p.interior[i]! + 1));
      let off = 0;
      for (let i = 0; i < nd; i++) off += p.lo[i]! * ost[i]!;
      if (nd === 0) out[0] = data[0]!;
      else {
        const last = x!.shape[nd - 1]!;
        const sl = step[nd - 1]!;
        for (let q = 0; q < n; ) {
          for (let j = 0, o = off; j < last; j++, o += sl) out[o] = data[q++]!;
          for (let d = nd - 2; d >= 0; d--) {
            idx[d]!++;
            off += step[d]!;
            if (idx[d]! < x!.shape[d]!) break;
            off -= step[d]! * x!.shape[d]!;
            idx[d] = 0;
          }
        }
      }
    }
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x], p) => {
    const ok = [p.lo, p.hi, p.interior].every((a) => a.length === x!.shape.length && a.every((v) => Number.isInteger(v) && v >= 0));
    if (!ok) throw new ValueError("pad", `padding lo=${JSON.stringify(p.lo)} hi=${JSON.stringify(p.hi)} interior=${JSON.stringify(p.interior)} must be non-negative integers, one per axis of shape ${fmtShape(x!.shape)}`);
    return [{ ...x!, shape: padShape(x!.shape, p) }];
  },
  jvp: ([x], [t], p) => [[bind1(padP, [x!], p)], [t === null ? null : bind1(padP, [t], { ...p, value: 0 })]],
  transpose: ([ct], [x], p) => {
    if (ct === null) return [null];
    const inShape = avalOf(x!).shape;
    const strides = p.interior.map((i) => i + 1);
    const limit = inShape.map((d, i) => (d === 0 ? p.lo[i]! : p.lo[i]! + (d - 1) * strides[i]! + 1));
    return [bind1(sliceP, [ct], { start: [...p.lo], limit, strides })];
  },
  batch: ([x], [d], p) => [[bind1(padP, [moveAxis(x!, d!, 0)], { lo: [0, ...p.lo], hi: [0, ...p.hi], interior: [0, ...p.interior], value: p.value })], [0]],
  printParams: (p) => `padding_config=(${p.lo.map((l, i) => `(${l}, ${p.hi[i]}, ${p.interior[i]})`).join(", ")}) padding_value=${p.value}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `concatenate`. */
export interface ConcatParams {
  axis: number;
}

/** Join arrays along an existing axis. */
export const concatenateP: Primitive<ConcatParams> = definePrimitive<ConcatParams>({
  name: "concatenate",
  impl: (xs, { axis }) => {
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    const out = allocate(xs[0]!.dtype, sizeOf(shape));
    const outer = sizeOf(shape.slice(0, axis));
    const rowOut = sizeOf(shape.slice(axis));
    let col = 0;
    for (const x of xs) {
      const data = ConcreteArray.dataOf(x);
      const row = sizeOf(x.shape.slice(axis));
      for (let o = 0; o < outer; o++) out.set(data.subarray(o * row, (o + 1) * row), o * rowOut + col);
      col += row;
    }
    return [new ConcreteArray(out, shape, xs[0]!.dtype, xs.every((x) => x.weakType))];
  },
  abstractEval: (avals, { axis }) => {
    const a0 = avals[0]!;
    for (const a of avals) {
      if (a.dtype !== a0.dtype) throw new DTypeError("concatenate", `all arrays must have the same dtype, got ${avals.map((x) => x.dtype).join(", ")}`);
      if (a.shape.length !== a0.shape.length || a.shape.some((d, i) => i !== axis && d !== a0.shape[i])) {
        throw new ShapeError("concatenate", `all shapes must match except on axis ${axis}, got ${avals.map((x) => fmtShape(x.shape)).join(", ")}`);
      }
    }
    const shape = [...a0.shape];
    shape[axis] = avals.reduce((s, a) => s + a.shape[axis]!, 0);
    return [{ shape, dtype: a0.dtype, weakType: avals.every((a) => a.weakType) }];
  },
  jvp: (xs, ts, p) => {
    const y = bind1(concatenateP, xs, p);
    if (ts.every((t) => t === null)) return [[y], [null]];
    return [[y], [bind1(concatenateP, ts.map((t, i) => t ?? zerosLikeAval(xs[i]!.aval)), p)]];
  },
  transpose: ([ct], xs, { axis }) => {
    if (ct === null) return xs.map(() => null);
    let start = 0;
    return xs.map((x) => {
      const shape = avalOf(x).shape;
      const s = start;
      start += shape[axis]!;
      if (!(x instanceof UndefPrimal)) return null;
      const st = ct.shape.map(() => 0);
      const lim = [...ct.shape];
      st[axis] = s;
      lim[axis] = s + shape[axis]!;
      return bind1(sliceP, [ct], { start: st, limit: lim, strides: ct.shape.map(() => 1) });
    });
  },
  batch: (xs, dims, { axis }, size) => [[bind1(concatenateP, xs.map((x, i) => batchToFront(x, dims[i]!, size)), { axis: axis + 1 })], [0]],
  printParams: (p) => `dimension=${p.axis}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `rev`. */
export interface RevParams {
  axes: number[];
}

/** Reverse the order of elements along `axes`. */
export const revP: Primitive<RevParams> = definePrimitive<RevParams>({
  name: "rev",
  impl: ([x], { axes }) => {
    const out = allocate(x!.dtype, x!.size);
    const data = ConcreteArray.dataOf(x!);
    const shape = x!.shape;
    const st = stridesOf(shape);
    const nd = shape.length;
    const flip = shape.map((_, i) => axes.includes(i));
    const n = out.length;
    const idx = new Int32Array(nd);
    for (let p = 0; p < n; p++) {
      let src = 0;
      for (let d = 0; d < nd; d++) src += (flip[d] ? shape[d]! - 1 - idx[d]! : idx[d]!) * st[d]!;
      out[p] = data[src]!;
      for (let d = nd - 1; d >= 0; d--) {
        if (++idx[d]! < shape[d]!) break;
        idx[d] = 0;
      }
    }
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x], { axes }) => {
    if (axes.some((a) => a < 0 || a >= x!.shape.length)) throw new ValueError("rev", `axes ${JSON.stringify(axes)} out of range for shape ${fmtShape(x!.shape)}`);
    return [x!];
  },
  jvp: ([x], [t], p) => [[bind1(revP, [x!], p)], [t === null ? null : bind1(revP, [t], p)]],
  transpose: ([ct], _x, p) => [ct === null ? null : bind1(revP, [ct], p)],
  batch: ([x], [d], { axes }) => [[bind1(revP, [moveAxis(x!, d!, 0)], { axes: axes.map((a) => a + 1) })], [0]],
  printParams: (p) => `dimensions=${pyTuple(p.axes)}`,
});

// ---------------------------------------------------------------------------------------------

/** Parameters of `iota`. */
export interface IotaParams {
  shape: number[];
  dtype: DType;
  dimension: number;
}

/** `0, 1, 2, ...` along `dimension`, broadcast over the other axes. */
export const iotaP: Primitive<IotaParams> = definePrimitive<IotaParams>({
  name: "iota",
  impl: (_args, { shape, dtype, dimension }) => {
    const out = allocate(dtype, sizeOf(shape));
    const inner = sizeOf(shape.slice(dimension + 1));
    const d = shape[dimension] ?? 1;
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / inner) % d;
    return [new ConcreteArray(out, shape, dtype)];
  },
  abstractEval: (_a, { shape, dtype }) => [{ shape, dtype, weakType: false }],
  jvp: (_x, _t, p) => [[bind1(iotaP, [], p)], [null]],
  batch: (_x, _d, p) => [[bind1(iotaP, [], p)], [null]],
  printParams: (p) => `dtype=${p.dtype} shape=${pyTuple(p.shape)} dimension=${p.dimension}`,
});

/**
 * @file Point gather and scatter, the primitives behind advanced indexing, `take`,
 * `takeAlongAxis` and `x.at(...)` updates.
 *
 * Layout (a simplified `lax.gather`): the operand's first `k` axes are indexed by an int32 index
 * array of shape `[...B, k]`; the result has shape `[...B, ...operand.shape.slice(k)]`.
 * Indices out of range are clamped, as JAX does under tracing; the NumPy layer checks them
 * eagerly and raises an IndexError instead.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, isFloat, type DType } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError } from "../core/errors.js";
import { definePrimitive, UndefPrimal, type Primitive } from "../core/primitive.js";
import { sizeOf, stridesOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { add, convert, div, eq, select } from "./elementwise.js";
import { concatenateP, iotaP } from "./movement.js";
import { batchToFront, broadcastTo, reshape, zerosLikeAval } from "./util.js";

function gatherShape(x: Shape, idx: Shape): number[] {
  const k = idx[idx.length - 1]!;
  return [...idx.slice(0, -1), ...x.slice(k)];
}

function checkGather(name: string, x: ShapedArray, idx: ShapedArray): void {
  if (idx.dtype !== "int32") throw new DTypeError(name, `indices must be int32, got ${idx.dtype}`);
  const k = idx.shape[idx.shape.length - 1];
  if (idx.shape.length === 0 || k === undefined || k > x.shape.length) {
    throw new ShapeError(name, `index array of shape ${fmtShape(idx.shape)} must end in an axis of size k <= ${x.shape.length} (the operand rank)`);
  }
}

/** Flat offsets (in units of the trailing slice) addressed by each index row, clamped into range. */
function rowOffsets(xShape: Shape, idx: ConcreteArray, k: number): Int32Array {
  // Count rows from the index shape: with k = 0 the index data is empty but there are still
  // prod(B) rows, each addressing the whole operand.
  const rows = sizeOf(idx.shape.slice(0, -1));
  const data = ConcreteArray.dataOf(idx);
  const st = stridesOf(xShape.slice(0, k));
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const d = xShape[j]!;
      let i = data[r * k + j]!;
      i = i < 0 ? 0 : i >= d ? d - 1 : i;
      off += i * st[j]!;
    }
    out[r] = off;
  }
  return out;
}

/** Gather slices of the operand at index rows. */
export const gatherP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "gather",
  impl: ([x, idx]) => {
    const k = idx!.shape[idx!.ndim - 1]!;
    const shape = gatherShape(x!.shape, idx!.shape);
    const inner = sizeOf(x!.shape.slice(k));
    const offs = rowOffsets(x!.shape, idx!, k);
    const data = ConcreteArray.dataOf(x!);
    const out = allocate(x!.dtype, sizeOf(shape));
    if (sizeOf(x!.shape.slice(0, k)) > 0 || offs.length === 0) {
      if (inner === 1) for (let r = 0; r < offs.length; r++) out[r] = data[offs[r]!]!;
      else for (let r = 0; r < offs.length; r++) out.set(data.subarray(offs[r]! * inner, offs[r]! * inner + inner), r * inner);
    }
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x, idx]) => {
    checkGather("gather", x!, idx!);
    return [{ shape: gatherShape(x!.shape, idx!.shape), dtype: x!.dtype, weakType: x!.weakType }];
  },
  jvp: ([x, idx], [t]) => [[gather(x!, idx!)], [t === null ? null : gather(t, idx!)]],
  transpose: ([ct], [x, idx]) => {
    if (ct === null) return [null, null];
    const aval = (x as UndefPrimal).aval;
    return [scatter(zerosLikeAval(aval), idx as Array, ct, "add"), null];
  },
  batch: ([x, idx], [dx, di], _p, size) => {
    if (dx === null) return [[gather(x!, batchToFront(idx!, di!, size))], [0]];
    // Make the batch axis an indexed axis: prepend the batch position to every index row.
    const xb = batchToFront(x!, dx, size);
    const ib = batchToFront(idx!, di!, size);
    return [[gather(xb, prependBatchIndex(ib))], [0]];
  },
});

/** `[Bt, ...B, k]` indices to `[Bt, ...B, k+1]` with the batch position in front of each row. */
function prependBatchIndex(idx: Array): Array {
  const rowsShape = idx.shape.slice(0, -1);
  const pos = bind1(iotaP, [], { shape: [...rowsShape, 1], dtype: "int32" as DType, dimension: 0 });
  return bind1(concatenateP, [pos, idx], { axis: idx.ndim - 1 });
}

/** How a scatter combines the update with the existing value. */
export type ScatterMode = "set" | "add" | "mul" | "min" | "max";

/** Parameters of `scatter`. */
export interface ScatterParams {
  mode: ScatterMode;
}

/** Functional scatter: a copy of the operand with the update slices combined in at index rows. */
export const scatterP: Primitive<ScatterParams> = definePrimitive<ScatterParams>({
  name: "scatter",
  impl: ([x, idx, upd], { mode }) => {
    const k = idx!.shape[idx!.ndim - 1]!;
    const inner = sizeOf(x!.shape.slice(k));
    const offs = rowOffsets(x!.shape, idx!, k);
    const out = ConcreteArray.dataOf(x!).slice();
    const u = ConcreteArray.dataOf(upd!);
    if (sizeOf(x!.shape.slice(0, k)) > 0) {
      for (let r = 0; r < offs.length; r++) {
        const o = offs[r]! * inner;
        const s = r * inner;
        switch (mode) {
          case "set":
            for (let j = 0; j < inner; j++) out[o + j] = u[s + j]!;
            break;
          case "add":
            for (let j = 0; j < inner; j++) out[o + j] += u[s + j]!;
            break;
          case "mul":
            for (let j = 0; j < inner; j++) out[o + j] *= u[s + j]!;
            break;
          case "min":
            for (let j = 0; j < inner; j++) {
              const a = out[o + j]!;
              const b = u[s + j]!;
              out[o + j] = a !== a || b !== b ? NaN : Math.min(a, b);
            }
            break;
          case "max":
            for (let j = 0; j < inner; j++) {
              const a = out[o + j]!;
              const b = u[s + j]!;
              out[o + j] = a !== a || b !== b ? NaN : Math.max(a, b);
            }
            break;
        }
      }
    }
    return [new ConcreteArray(out, x!.shape, x!.dtype, x!.weakType)];
  },
  abstractEval: ([x, idx, upd], { mode }) => {
    checkGather("scatter", x!, idx!);
    const want = gatherShape(x!.shape, idx!.shape);
    if (upd!.dtype !== x!.dtype) throw new DTypeError("scatter", `updates must have the operand's dtype ${x!.dtype}, got ${upd!.dtype}`);
    if (upd!.shape.length !== want.length || upd!.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError("scatter", `updates must have shape ${fmtShape(want)} for operand ${fmtShape(x!.shape)} and indices ${fmtShape(idx!.shape)}, got ${fmtShape(upd!.shape)}`);
    }
    if (mode !== "set" && mode !== "add" && mode !== "mul" && mode !== "min" && mode !== "max") throw new Error(`scatter: unknown mode ${mode as string}`);
    return [x!];
  },
  jvp: ([x, idx, upd], [tx, , tu], p) => {
    const y = scatter(x!, idx!, upd!, p.mode);
    if (!isFloat(y.dtype) || (tx === null && tu === null)) return [[y], [null]];
    if (p.mode === "set" || p.mode === "add") {
      return [[y], [scatter(tx ?? zerosLikeAval(x!.aval), idx!, tu ?? zerosLikeAval(upd!.aval), p.mode)]];
    }
    if (p.mode === "mul" && tu === null) return [[y], [scatter(tx!, idx!, upd!, "mul")]];
    if (p.mode === "min" || p.mode === "max") return [[y], [extremalTangent(x!, idx!, upd!, y, tx, tu)]];
    // As in JAX: with repeated indices the product rule would need every partial product.
    throw new Error(`scatter: differentiation of mode 'mul' with respect to the updates is not supported (as in JAX, whose rule needs unique indices); use a log-sum (scatter add of logs) or differentiate with respect to the operand only`);
  },
  transpose: ([ct], [x, idx, upd], { mode }) => {
    if (ct === null) return [null, null, null];
    const i = idx as Array;
    if (mode === "add") {
      return [x instanceof UndefPrimal ? ct : null, null, upd instanceof UndefPrimal ? gather(ct, i) : null];
    }
    if (mode === "set") {
      const uAval = upd instanceof UndefPrimal ? upd.aval : (upd as Array).aval;
      return [
        x instanceof UndefPrimal ? scatter(ct, i, zerosLikeAval({ ...uAval, shape: gatherShape(ct.shape, i.shape) }), "set") : null,
        null,
        upd instanceof UndefPrimal ? gather(ct, i) : null,
      ];
    }
    if (mode === "mul" && !(upd instanceof UndefPrimal)) return [scatter(ct, i, upd as Array, "mul"), null, null];
    throw new Error(`scatter: transpose of mode '${mode}' is not linear`);
  },
  batch: ([x, idx, upd], [dx, di, du], p, size) => {
    const xb = batchToFront(x!, dx!, size);
    const ib = prependBatchIndex(batchToFront(idx!, di!, size));
    const ub = batchToFront(upd!, du!, size);
    return [[scatter(xb, ib, ub, p.mode)], [0]];
  },
  printParams: (p) => `mode=${p.mode}`,
});

/**
 * The tangent of a min/max scatter (JAX's rule): each output element takes the tangent of
 * whatever produced it, the operand element or a winning update, averaged over ties. Linear in
 * `(tx, tu)`, so reverse mode follows by transposition.
 */
function extremalTangent(x: Array, idx: Array, upd: Array, y: Array, tx: Array | null, tu: Array | null): Array {
  const dt = y.dtype;
  const won = eq(upd, gather(y, idx)); // which update elements produced their output element
  const kept = eq(x, y); // which operand elements survived
  const zeros = zerosLikeAval(x.aval);
  const wins = scatter(zeros, idx, convert(won, dt), "add");
  const count = add(wins, convert(kept, dt)); // contributors per output element (>= 1)
  let num: Array = zeros;
  if (tx !== null) num = select(kept, tx, 0);
  if (tu !== null) num = add(num, scatter(zeros, idx, select(won, tu, 0), "add"));
  return div(num, count);
}

/** Gather wrapper. */
export function gather(x: Array, idx: Array): Array {
  return bind1(gatherP, [x, idx], {});
}

/** Scatter wrapper. */
export function scatter(x: Array, idx: Array, upd: Array, mode: ScatterMode): Array {
  return bind1(scatterP, [x, idx, upd], { mode });
}

/**
 * `take_along_axis`: out[..., i, ...] = x[..., idx[..., i, ...], ...] along `axis`, where `idx`
 * (int32) has x's rank and broadcasts against x on the other axes.
 */
export function takeAlongAxis(x: Array, idx: Array, axis: number): Array {
  const nd = x.ndim;
  const shape = idx.shape.map((d, i) => (i === axis ? d : Math.max(d, x.shape[i]!)));
  const cols: Array[] = [];
  for (let d = 0; d < nd; d++) {
    const col = d === axis ? broadcastTo(idx, shape) : bind1(iotaP, [], { shape, dtype: "int32" as DType, dimension: d });
    cols.push(reshape(col, [...shape, 1]));
  }
  const full = cols.length === 1 ? cols[0]! : bind1(concatenateP, cols, { axis: nd });
  return gather(x, full);
}

/**
 * @file `dot_general`: contraction over any set of axes with batch axes, the primitive behind
 * `matmul`, `dot`, `tensordot` and `einsum`. Operands are brought to a [batch, rows, depth] x
 * [batch, depth, cols] layout (transposing only when the data is not already in either
 * orientation) and handed to the GEMM kernel.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError } from "../core/errors.js";
import { definePrimitive, UndefPrimal, type Primitive } from "../core/primitive.js";
import { sizeOf } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { gemm } from "../backend/gemm.js";
import { add } from "./elementwise.js";
import { moveAxis, transpose } from "./util.js";

/** Which axes of each operand are contracted and which are batch axes (paired in order). */
export interface DotGeneralParams {
  lhsContract: number[];
  rhsContract: number[];
  lhsBatch: number[];
  rhsBatch: number[];
}

function freeAxes(ndim: number, ...used: number[][]): number[] {
  const u = new Set(used.flat());
  return Array_from(ndim).filter((i) => !u.has(i));
}
function Array_from(n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => i);
}
const isIdentity = (p: number[]) => p.every((v, i) => v === i);

/** Output shape of dot_general: batch axes, then lhs free axes, then rhs free axes. */
function outShape(ls: readonly number[], rs: readonly number[], p: DotGeneralParams): number[] {
  const lf = freeAxes(ls.length, p.lhsContract, p.lhsBatch);
  const rf = freeAxes(rs.length, p.rhsContract, p.rhsBatch);
  return [...p.lhsBatch.map((a) => ls[a]!), ...lf.map((a) => ls[a]!), ...rf.map((a) => rs[a]!)];
}

/** General tensor contraction (`lax.dot_general`). */
export const dotGeneralP: Primitive<DotGeneralParams> = definePrimitive<DotGeneralParams>({
  name: "dot_general",
  impl: ([x, y], p) => {
    const lf = freeAxes(x!.shape.length, p.lhsContract, p.lhsBatch);
    const rf = freeAxes(y!.shape.length, p.rhsContract, p.rhsBatch);
    const B = sizeOf(p.lhsBatch.map((a) => x!.shape[a]!));
    const M = sizeOf(lf.map((a) => x!.shape[a]!));
    const K = sizeOf(p.lhsContract.map((a) => x!.shape[a]!));
    const N = sizeOf(rf.map((a) => y!.shape[a]!));
    // Choose an orientation that needs no copy when possible.
    let a: Array = x!;
    let transA = false;
    const pa = [...p.lhsBatch, ...lf, ...p.lhsContract];
    const paT = [...p.lhsBatch, ...p.lhsContract, ...lf];
    if (isIdentity(paT) && !isIdentity(pa)) transA = true;
    else if (!isIdentity(pa)) a = transpose(x!, pa);
    let b: Array = y!;
    let transB = false;
    const pb = [...p.rhsBatch, ...p.rhsContract, ...rf];
    const pbT = [...p.rhsBatch, ...rf, ...p.rhsContract];
    if (isIdentity(pbT) && !isIdentity(pb)) transB = true;
    else if (!isIdentity(pb)) b = transpose(y!, pb);
    const shape = outShape(x!.shape, y!.shape, p);
    const out = gemm(x!.dtype, B, M, K, N, ConcreteArray.dataOf(a as ConcreteArray), transA, ConcreteArray.dataOf(b as ConcreteArray), transB);
    return [new ConcreteArray(out, shape, x!.dtype, x!.weakType && y!.weakType)];
  },
  abstractEval: ([x, y], p) => {
    if (x!.dtype !== y!.dtype) throw new DTypeError("dot_general", `operands must have the same dtype, got ${x!.dtype} and ${y!.dtype}`);
    if (x!.dtype === "bool") throw new DTypeError("dot_general", "bool operands are not supported; convert to a numeric dtype");
    const okAxes = (axes: number[], nd: number) => axes.every((a) => Number.isInteger(a) && a >= 0 && a < nd) && new Set(axes).size === axes.length;
    const mism = (la: number[], ra: number[]) => la.length !== ra.length || la.some((a, i) => x!.shape[a] !== y!.shape[ra[i]!]);
    if (!okAxes([...p.lhsContract, ...p.lhsBatch], x!.shape.length) || !okAxes([...p.rhsContract, ...p.rhsBatch], y!.shape.length) || mism(p.lhsContract, p.rhsContract) || mism(p.lhsBatch, p.rhsBatch)) {
      throw new ShapeError(
        "dot_general",
        `cannot contract shapes ${fmtShape(x!.shape)} and ${fmtShape(y!.shape)} over axes ${JSON.stringify(p.lhsContract)} / ${JSON.stringify(p.rhsContract)} with batch axes ${JSON.stringify(p.lhsBatch)} / ${JSON.stringify(p.rhsBatch)}`,
      );
    }
    return [{ shape: outShape(x!.shape, y!.shape, p), dtype: x!.dtype, weakType: x!.weakType && y!.weakType }];
  },
  jvp: ([x, y], [tx, ty], p) => {
    const z = bind1(dotGeneralP, [x!, y!], p);
    if (!isFloat(z.dtype) || (tx === null && ty === null)) return [[z], [null]];
    const a = tx === null ? null : bind1(dotGeneralP, [tx, y!], p);
    const b = ty === null ? null : bind1(dotGeneralP, [x!, ty], p);
    return [[z], [a === null ? b : b === null ? a : add(a, b)]];
  },
  transpose: ([ct], [x, y], p) => {
    if (ct === null) return [null, null];
    const xa = x instanceof UndefPrimal ? x.aval : (x as Array).aval;
    const ya = y instanceof UndefPrimal ? y.aval : (y as Array).aval;
    const nb = p.lhsBatch.length;
    const lf = freeAxes(xa.shape.length, p.lhsContract, p.lhsBatch);
    const rf = freeAxes(ya.shape.length, p.rhsContract, p.rhsBatch);
    const batchPos = Array_from(nb);
    const ctX = lf.map((_, i) => nb + i);
    const ctY = rf.map((_, i) => nb + lf.length + i);
    let cx: Array | null = null;
    let cy: Array | null = null;
    if (x instanceof UndefPrimal) {
      const r = bind1(dotGeneralP, [ct, y as Array], { lhsContract: ctY, rhsContract: rf, lhsBatch: batchPos, rhsBatch: p.rhsBatch });
      // r axes: batch, lhs free, then the rhs contract axes in increasing rhs order.
      const sortedRc = [...p.rhsContract].sort((a, b) => a - b);
      const pos = new globalThis.Array<number>(xa.shape.length);
      p.lhsBatch.forEach((d, i) => (pos[d] = i));
      lf.forEach((d, j) => (pos[d] = nb + j));
      p.lhsContract.forEach((d, k) => (pos[d] = nb + lf.length + sortedRc.indexOf(p.rhsContract[k]!)));
      cx = transpose(r, pos);
    }
    if (y instanceof UndefPrimal) {
      // dot_general(x, ct) contracting x's free axes with ct's lhs-free axes yields
      // [batch, x's contract axes (increasing), rhs free] — already y's layout in the common case
      // (no transpose copy for the weight gradient of x @ W).
      const r = bind1(dotGeneralP, [x as Array, ct], { lhsContract: lf, rhsContract: ctX, lhsBatch: p.lhsBatch, rhsBatch: batchPos });
      const sortedLc = [...p.lhsContract].sort((a, b) => a - b);
      const pos = new globalThis.Array<number>(ya.shape.length);
      p.rhsBatch.forEach((d, i) => (pos[d] = i));
      p.rhsContract.forEach((d, k) => (pos[d] = nb + sortedLc.indexOf(p.lhsContract[k]!)));
      rf.forEach((d, j) => (pos[d] = nb + p.lhsContract.length + j));
      cy = transpose(r, pos);
    }
    return [cx, cy];
  },
  batch: ([x, y], [dx, dy], p) => {
    const sh = (a: number[]) => a.map((v) => v + 1);
    if (dx !== null && dy !== null) {
      const q = { lhsContract: sh(p.lhsContract), rhsContract: sh(p.rhsContract), lhsBatch: [0, ...sh(p.lhsBatch)], rhsBatch: [0, ...sh(p.rhsBatch)] };
      return [[bind1(dotGeneralP, [moveAxis(x!, dx, 0), moveAxis(y!, dy, 0)], q)], [0]];
    }
    if (dx !== null) {
      const q = { ...p, lhsContract: sh(p.lhsContract), lhsBatch: sh(p.lhsBatch) };
      return [[bind1(dotGeneralP, [moveAxis(x!, dx, 0), y!], q)], [p.lhsBatch.length]];
    }
    const q = { ...p, rhsContract: sh(p.rhsContract), rhsBatch: sh(p.rhsBatch) };
    const xFree = x!.shape.length - p.lhsContract.length - p.lhsBatch.length;
    return [[bind1(dotGeneralP, [x!, moveAxis(y!, dy!, 0)], q)], [p.lhsBatch.length + xFree]];
  },
  printParams: (p) =>
    `dimension_numbers=(([${p.lhsContract.join(", ")}], [${p.rhsContract.join(", ")}]), ([${p.lhsBatch.join(", ")}], [${p.rhsBatch.join(", ")}]))`,
});

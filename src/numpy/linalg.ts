/**
 * @file Linear algebra on top of the `dot_general` primitive: `matmul`, `dot`, `vdot`, `inner`,
 * `outer`, `tensordot`, `einsum`, and `linalg.norm`.
 *
 * Every contraction is a single `dot_general` (plus transposes/reshapes), so each inherits the
 * primitive's JVP, transpose and batching rules. Operands are promoted with JAX's rules first.
 *
 * bool operands: NumPy computes `matmul`/`dot`/`einsum` of bools as a logical OR of ANDs and
 * returns bool; we do the same by contracting in int32 and testing `!= 0` (the GEMM kernel has no
 * bool path).
 */
import type { Array } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import { fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { broadcastShapes, normalizeAxis } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { dotGeneralP, type DotGeneralParams } from "../primitives/contraction.js";
import { absP, convert, mul, ne, pow, sqrt } from "../primitives/elementwise.js";
import { gather } from "../primitives/indexing.js";
import { iotaP } from "../primitives/movement.js";
import { reduceMaxP, reduceMinP, reduceSumP } from "../primitives/reduce.js";
import { broadcastTo, reshape, transpose } from "../primitives/util.js";
import { promoteArgs } from "./coerce.js";

// ---------------------------------------------------------------------------------------------
// Helpers

/** Promote two operands; bool operands are computed in int32 and converted back by `finish`. */
function promote2(fn: string, a: unknown, b: unknown): [Array, Array, (r: Array) => Array] {
  const [x, y] = promoteArgs(fn, [a, b]);
  if (x!.dtype !== "bool") return [x!, y!, (r) => r];
  return [convert(x!, "int32"), convert(y!, "int32"), (r) => ne(r, 0)];
}

function dotGeneral(x: Array, y: Array, p: DotGeneralParams): Array {
  return bind1(dotGeneralP, [x, y], p);
}

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);

function sumAxes(x: Array, axes: number[]): Array {
  return axes.length === 0 ? x : bind1(reduceSumP, [x], { axes: [...axes].sort((p, q) => p - q) });
}

// ---------------------------------------------------------------------------------------------
// Products

/**
 * Matrix product with NumPy's rules (`a @ b`): the last two axes are matrices and leading axes
 * are batch axes that broadcast; a 1-D first operand is a row vector and a 1-D second operand a
 * column vector, and the added axis is removed from the result.
 *
 * @param a First operand (at least 1-D).
 * @param b Second operand (at least 1-D).
 * @returns `[...broadcast(batchA, batchB), m, n]` (without `m` / `n` for 1-D operands).
 * @throws ValueError for 0-d operands; ShapeError when the inner dimensions differ or the batch
 *   dimensions do not broadcast.
 * @example
 * ```ts
 * matmul(np.array([[1, 2], [3, 4]]), np.array([[5], [6]])); // [[17], [39]]
 * matmul(np.ones([8, 2, 3]), np.ones([3, 4])).shape;         // [8, 2, 4]
 * ```
 */
export function matmul(a: Array, b: Array): Array {
  const fn = "matmul";
  const [x, y, finish] = promote2(fn, a, b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ValueError(fn, `operands must be at least 1-D, got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}; use multiply for scalars`);
  }
  const xv = x.ndim === 1 ? reshape(x, [1, x.shape[0]!]) : x;
  const yv = y.ndim === 1 ? reshape(y, [y.shape[0]!, 1]) : y;
  const k1 = xv.shape[xv.ndim - 1]!;
  const k2 = yv.shape[yv.ndim - 2]!;
  if (k1 !== k2) {
    throw new ShapeError(
      fn,
      `shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not align: the last axis of the first (size ${k1}) must match ` +
        `${y.ndim === 1 ? "the length of the second" : "the second-to-last axis of the second"} (size ${k2})`,
    );
  }
  const ba = xv.shape.slice(0, -2);
  const bb = yv.shape.slice(0, -2);
  let out: Array;
  if (bb.length === 0) {
    // [...B, m, k] x [k, n]: the batch axes are just more rows, no broadcasting needed.
    out = dotGeneral(xv, yv, { lhsContract: [xv.ndim - 1], rhsContract: [0], lhsBatch: [], rhsBatch: [] });
  } else if (ba.length === 0) {
    // [m, k] x [...B, k, n]: contract as [...B, n] x [m] and swap the last two axes.
    const r = dotGeneral(yv, xv, { lhsContract: [yv.ndim - 2], rhsContract: [1], lhsBatch: [], rhsBatch: [] });
    out = transpose(r, [...range(r.ndim - 2), r.ndim - 1, r.ndim - 2]);
  } else {
    let B: readonly number[];
    try {
      B = broadcastShapes(fn, ba, bb);
    } catch {
      throw new ShapeError(fn, `the batch dimensions ${fmtShape(ba)} and ${fmtShape(bb)} of shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} cannot be broadcast together`);
    }
    const xb = broadcastTo(xv, [...B, ...xv.shape.slice(-2)]);
    const yb = broadcastTo(yv, [...B, ...yv.shape.slice(-2)]);
    const nb = B.length;
    out = dotGeneral(xb, yb, { lhsContract: [nb + 1], rhsContract: [nb], lhsBatch: range(nb), rhsBatch: range(nb) });
  }
  if (x.ndim === 1 || y.ndim === 1) {
    const s = [...out.shape];
    if (y.ndim === 1) s.splice(s.length - 1, 1);
    if (x.ndim === 1) s.splice(s.length - (y.ndim === 1 ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return finish(out);
}

/**
 * `np.dot`: for 0-d operands a product; for 1-D · 1-D the inner product; otherwise a sum over the
 * last axis of `a` and the second-to-last axis of `b` (the last, if `b` is 1-D). The result has
 * shape `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`.
 *
 * @example
 * ```ts
 * dot(np.array([1, 2, 3]), np.array([4, 5, 6])); // 32
 * dot(np.ones([2, 3]), np.ones([3])).shape;       // [2]
 * ```
 */
export function dot(a: Array, b: Array): Array {
  const fn = "dot";
  const [x, y, finish] = promote2(fn, a, b);
  if (x.ndim === 0 || y.ndim === 0) return finish(mul(x, y));
  const ca = x.ndim - 1;
  const cb = y.ndim === 1 ? 0 : y.ndim - 2;
  if (x.shape[ca] !== y.shape[cb]) {
    throw new ShapeError(fn, `shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} not aligned: axis ${ca} of the first (size ${x.shape[ca]}) != axis ${cb} of the second (size ${y.shape[cb]})`);
  }
  return finish(dotGeneral(x, y, { lhsContract: [ca], rhsContract: [cb], lhsBatch: [], rhsBatch: [] }));
}

/**
 * `np.vdot`: the dot product of the flattened operands (which must have the same size).
 *
 * @example
 * ```ts
 * vdot(np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 1]])); // 10
 * ```
 */
export function vdot(a: Array, b: Array): Array {
  const fn = "vdot";
  const [x, y, finish] = promote2(fn, a, b);
  if (x.size !== y.size) {
    throw new ShapeError(fn, `operands must have the same number of elements, got shapes ${fmtShape(x.shape)} (${x.size}) and ${fmtShape(y.shape)} (${y.size})`);
  }
  return finish(dotGeneral(reshape(x, [x.size]), reshape(y, [y.size]), { lhsContract: [0], rhsContract: [0], lhsBatch: [], rhsBatch: [] }));
}

/**
 * `np.inner`: a sum over the last axes of both operands (a product for 0-d operands). The result
 * has shape `a.shape[:-1] + b.shape[:-1]`.
 *
 * @example
 * ```ts
 * inner(np.array([[1, 2], [3, 4]]), np.array([1, 1])); // [3, 7]
 * ```
 */
export function inner(a: Array, b: Array): Array {
  const fn = "inner";
  const [x, y, finish] = promote2(fn, a, b);
  if (x.ndim === 0 || y.ndim === 0) return finish(mul(x, y));
  const ca = x.ndim - 1;
  const cb = y.ndim - 1;
  if (x.shape[ca] !== y.shape[cb]) {
    throw new ShapeError(fn, `the last axes of shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} must have the same size (${x.shape[ca]} vs ${y.shape[cb]})`);
  }
  return finish(dotGeneral(x, y, { lhsContract: [ca], rhsContract: [cb], lhsBatch: [], rhsBatch: [] }));
}

/**
 * `np.outer`: `out[i, j] = a.ravel()[i] * b.ravel()[j]`.
 *
 * @example
 * ```ts
 * outer(np.array([1, 2]), np.array([1, 10, 100])); // [[1, 10, 100], [2, 20, 200]]
 * ```
 */
export function outer(a: Array, b: Array): Array {
  const [x, y] = promoteArgs("outer", [a, b]);
  return mul(reshape(x!, [x!.size, 1]), reshape(y!, [1, y!.size]));
}

/** Axes argument of {@link tensordot}: a count, or the axes of `a` and `b` to contract (paired in order). */
export type TensordotAxes = number | readonly [number | readonly number[], number | readonly number[]];

/**
 * `np.tensordot`: contract the given axes of `a` with those of `b` (paired in order). With a
 * number `n`, the last `n` axes of `a` are contracted with the first `n` of `b`. The result has
 * the free axes of `a` followed by the free axes of `b`.
 *
 * @param axes `n` (default 2) or `[axesOfA, axesOfB]`.
 * @example
 * ```ts
 * tensordot(np.ones([3, 4, 5]), np.ones([4, 5, 6]), 2).shape;        // [3, 6]
 * tensordot(np.ones([3, 4]), np.ones([5, 3]), [[0], [1]]).shape;      // [4, 5]
 * ```
 */
export function tensordot(a: Array, b: Array, axes: TensordotAxes = 2): Array {
  const fn = "tensordot";
  const [x, y, finish] = promote2(fn, a, b);
  let ax: number[];
  let bx: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > Math.min(x.ndim, y.ndim)) {
      throw new ValueError(fn, `axes=${axes} must be an integer between 0 and ${Math.min(x.ndim, y.ndim)} for shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
    }
    ax = range(axes, x.ndim - axes);
    bx = range(axes);
  } else {
    if (!globalThis.Array.isArray(axes) || axes.length !== 2) throw new ValueError(fn, `axes must be a number or a pair [axesOfA, axesOfB], got ${JSON.stringify(axes)}`);
    const list = (v: number | readonly number[]) => (typeof v === "number" ? [v] : [...v]);
    ax = list(axes[0]).map((i) => normalizeAxis(fn, i, x.ndim));
    bx = list(axes[1]).map((i) => normalizeAxis(fn, i, y.ndim));
    if (ax.length !== bx.length) throw new ValueError(fn, `axes ${JSON.stringify(axes)}: both operands must contract the same number of axes`);
    if (new Set(ax).size !== ax.length || new Set(bx).size !== bx.length) throw new ValueError(fn, `axes ${JSON.stringify(axes)} repeat an axis`);
  }
  ax.forEach((i, k) => {
    if (x.shape[i] !== y.shape[bx[k]!]) {
      throw new ShapeError(fn, `shape mismatch for the contracted axes: axis ${i} of ${fmtShape(x.shape)} has size ${x.shape[i]} but axis ${bx[k]} of ${fmtShape(y.shape)} has size ${y.shape[bx[k]!]}`);
    }
  });
  return finish(dotGeneral(x, y, { lhsContract: ax, rhsContract: bx, lhsBatch: [], rhsBatch: [] }));
}

// ---------------------------------------------------------------------------------------------
// einsum

/** Label of the `k`-th ellipsis dimension (right-aligned across operands); cannot clash with letters. */
const ellipsisLabel = (k: number) => `.${k}`;

/** One comma-separated term of the subscripts. */
interface ParsedTerm {
  /** The letters, in axis order (without the ellipsis). */
  letters: string[];
  hasEllipsis: boolean;
  /** How many letters come before the `...` (when there is one). */
  ellipsisAt: number;
}

function parseTerm(fn: string, subscripts: string, term: string, what: string): ParsedTerm {
  const letters: string[] = [];
  let hasEllipsis = false;
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; ) {
    const c = term[i]!;
    if (/[a-zA-Z]/.test(c)) {
      letters.push(c);
      i++;
    } else if (term.startsWith("...", i)) {
      if (hasEllipsis) throw new ValueError(fn, `${what} in subscripts '${subscripts}' has more than one ellipsis ('...')`);
      hasEllipsis = true;
      ellipsisAt = letters.length;
      i += 3;
    } else {
      throw new ValueError(fn, `invalid character '${c}' in ${what} '${term}' of subscripts '${subscripts}'; use letters a-z, A-Z, ',' between operands, '->' before the output and '...'`);
    }
  }
  return { letters, hasEllipsis, ellipsisAt };
}

/** One operand during evaluation: an array and the label of each of its axes. */
interface Labeled {
  arr: Array;
  labels: string[];
}

/** Take the diagonal over every label repeated within one operand (`ii->i`) with a gather. */
function diagonalize(op: Labeled): Labeled {
  let { arr, labels } = op;
  for (;;) {
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup === undefined) return { arr, labels };
    const pos = labels.flatMap((l, i) => (l === dup ? [i] : []));
    const rest = labels.map((_, i) => i).filter((i) => !pos.includes(i));
    const front = transpose(arr, [...pos, ...rest]);
    const n = arr.shape[pos[0]!]!;
    // Row j of the index is (j, j, ..., j): the diagonal element of the repeated axes.
    const idx = bind1(iotaP, [], { shape: [n, pos.length], dtype: "int32" as DType, dimension: 0 });
    arr = gather(front, idx);
    labels = [dup, ...rest.map((i) => labels[i]!)];
  }
}

/**
 * `np.einsum`: Einstein summation. Subscripts name each operand's axes with letters, separated by
 * commas; `->` introduces the output (implicit mode, without `->`, outputs the labels that appear
 * once, in alphabetical order). A label repeated within one operand takes a diagonal; labels
 * absent from the output are summed; `...` stands for broadcast leading axes (in implicit mode they
 * come first in the output; in explicit mode without `...` in the output they are summed, as JAX).
 * Evaluated as a left-to-right chain of pairwise `dot_general` contractions.
 *
 * @param subscripts For example `"ij,jk->ik"`, `"ii->i"`, `"bij,bjk->bik"`, `"...ij,...jk"`.
 * @param operands One array per comma-separated term.
 * @throws ValueError for a malformed string or an operand count/rank mismatch; ShapeError when a
 *   label has different sizes in different places.
 * @example
 * ```ts
 * einsum("ij,jk->ik", a, b);   // matmul(a, b)
 * einsum("ii->i", m);          // the diagonal of m
 * einsum("i,i->", u, v);       // the inner product
 * ```
 */
export function einsum(subscripts: string, ...operands: Array[]): Array {
  const fn = "einsum";
  if (typeof subscripts !== "string") throw new ValueError(fn, `the first argument must be a subscripts string such as 'ij,jk->ik', got ${typeof subscripts}`);
  const s = subscripts.replace(/\s+/g, "");
  const parts = s.split("->");
  if (parts.length > 2) throw new ValueError(fn, `subscripts '${subscripts}' contain more than one '->'`);
  const terms = parts[0]!.split(",");
  if (operands.length === 0) throw new ValueError(fn, `at least one operand is required for subscripts '${subscripts}'`);
  if (terms.length !== operands.length) {
    throw new ValueError(fn, `subscripts '${subscripts}' name ${terms.length} operand(s) but ${operands.length} were given`);
  }
  const promoted = promoteArgs(fn, operands);
  const isBool = promoted[0]!.dtype === "bool";
  const arrays = isBool ? promoted.map((a) => convert(a, "int32")) : promoted;

  // Labels per operand, with the ellipsis dims right-aligned across operands.
  const parsed = terms.map((t, i) => parseTerm(fn, subscripts, t, `operand ${i}`));
  const nEll = parsed.map((p, i) => {
    const nd = arrays[i]!.ndim;
    const n = nd - p.letters.length;
    if (n < 0 || (!p.hasEllipsis && n !== 0)) {
      throw new ValueError(fn, `operand ${i} has shape ${fmtShape(arrays[i]!.shape)} (${nd} axes) but its subscripts '${terms[i]}' name ${p.letters.length}${p.hasEllipsis ? " plus '...'" : ""}`);
    }
    return n;
  });
  const maxEll = Math.max(0, ...nEll);
  const allEll = range(maxEll).map(ellipsisLabel);
  let ops: Labeled[] = parsed.map((p, i) => {
    const ell = range(nEll[i]!, maxEll - nEll[i]!).map(ellipsisLabel);
    const labels = p.hasEllipsis ? [...p.letters.slice(0, p.ellipsisAt), ...ell, ...p.letters.slice(p.ellipsisAt)] : p.letters;
    return { arr: arrays[i]!, labels };
  });

  // Sizes: letters must agree exactly; ellipsis dims broadcast (size 1 stretches).
  const size = new Map<string, { n: number; where: string }>();
  ops.forEach((op, i) =>
    op.labels.forEach((l, ax) => {
      const n = op.arr.shape[ax]!;
      const prev = size.get(l);
      const where = `operand ${i}, axis ${ax}`;
      if (prev === undefined || (l.startsWith(".") && prev.n === 1)) size.set(l, { n, where });
      else if (prev.n !== n && !(l.startsWith(".") && n === 1)) {
        const name = l.startsWith(".") ? "a '...' dimension" : `label '${l}'`;
        throw new ShapeError(fn, `${name} has size ${prev.n} (${prev.where}) but size ${n} (${where}) in '${subscripts}' with shapes ${ops.map((o) => fmtShape(o.arr.shape)).join(", ")}`);
      }
    }),
  );

  // Output labels.
  let output: string[];
  if (parts.length === 2) {
    const p = parseTerm(fn, subscripts, parts[1]!, "the output");
    output = p.hasEllipsis ? [...p.letters.slice(0, p.ellipsisAt), ...allEll, ...p.letters.slice(p.ellipsisAt)] : p.letters;
    for (const l of p.letters) {
      if (!size.has(l)) throw new ValueError(fn, `output label '${l}' in '${subscripts}' does not appear in any operand`);
    }
    const dup = p.letters.find((l, i) => p.letters.indexOf(l) !== i);
    if (dup !== undefined) throw new ValueError(fn, `output label '${dup}' appears more than once in '${subscripts}'`);
  } else {
    const count = new Map<string, number>();
    for (const p of parsed) for (const l of p.letters) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, c]) => c === 1).map(([l]) => l);
    output = [...allEll, ...once.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
  }

  // Per operand: stretch size-1 ellipsis dims by dropping them (they are constant along the
  // broadcast), take diagonals, and sum labels used nowhere else.
  ops = ops.map((op) => {
    const drop = op.labels.map((l, ax) => l.startsWith(".") && op.arr.shape[ax] === 1 && size.get(l)!.n !== 1);
    if (!drop.some(Boolean)) return op;
    return { arr: reshape(op.arr, op.arr.shape.filter((_, ax) => !drop[ax])), labels: op.labels.filter((_, ax) => !drop[ax]) };
  });
  ops = ops.map(diagonalize);
  const usedBy = (l: string, except: number) => output.includes(l) || ops.some((o, j) => j !== except && o.labels.includes(l));
  ops = ops.map((op, i) => {
    const axes = op.labels.flatMap((l, ax) => (usedBy(l, i) ? [] : [ax]));
    return axes.length === 0 ? op : { arr: sumAxes(op.arr, axes), labels: op.labels.filter((_, ax) => !axes.includes(ax)) };
  });

  // Contract left to right: shared labels still needed later are batch axes, the rest are summed.
  let acc = ops[0]!;
  for (let j = 1; j < ops.length; j++) {
    const rhs = ops[j]!;
    const later = new Set([...output, ...ops.slice(j + 1).flatMap((o) => o.labels)]);
    const shared = acc.labels.filter((l) => rhs.labels.includes(l));
    const batch = shared.filter((l) => later.has(l));
    const contract = shared.filter((l) => !later.has(l));
    const p: DotGeneralParams = {
      lhsContract: contract.map((l) => acc.labels.indexOf(l)),
      rhsContract: contract.map((l) => rhs.labels.indexOf(l)),
      lhsBatch: batch.map((l) => acc.labels.indexOf(l)),
      rhsBatch: batch.map((l) => rhs.labels.indexOf(l)),
    };
    const arr = dotGeneral(acc.arr, rhs.arr, p);
    const labels = [...batch, ...acc.labels.filter((l) => !shared.includes(l)), ...rhs.labels.filter((l) => !shared.includes(l))];
    acc = { arr, labels };
  }
  // Anything not in the output (only possible with one operand whose labels all repeat) is summed.
  const extra = acc.labels.flatMap((l, ax) => (output.includes(l) ? [] : [ax]));
  if (extra.length > 0) acc = { arr: sumAxes(acc.arr, extra), labels: acc.labels.filter((_, ax) => !extra.includes(ax)) };
  // Output labels missing from acc are size-1 ellipsis dims that every operand had as size 1 and
  // were therefore not dropped; they are always present, so a permutation suffices.
  const out = transpose(acc.arr, output.map((l) => acc.labels.indexOf(l)));
  return isBool ? ne(out, 0) : out;
}

// ---------------------------------------------------------------------------------------------
// norm

/** Order of {@link linalg}`.norm`: a number (including ±Infinity) or `"fro"`/`"nuc"`. */
export type NormOrd = number | "fro" | "nuc" | null;

/** Options of {@link linalg}`.norm`. */
export interface NormOptions {
  /** Keep the reduced axes as size-1 dimensions. */
  keepdims?: boolean;
}

function vectorNorm(fn: string, a: Array, ord: NormOrd, ax: number): Array {
  const abs = () => bind1(absP, [a], {});
  const axes = [ax];
  if (ord === null || ord === 2) return sqrt(sumAxes(mul(a, a), axes));
  if (ord === Infinity) return bind1(reduceMaxP, [abs()], { axes });
  if (ord === -Infinity) return bind1(reduceMinP, [abs()], { axes });
  if (ord === 0) return sumAxes(convert(ne(a, 0), a.dtype), axes);
  if (ord === 1) return sumAxes(abs(), axes);
  if (typeof ord === "number" && !Number.isNaN(ord)) return pow(sumAxes(pow(abs(), ord), axes), 1 / ord);
  throw new ValueError(fn, `invalid norm order ${JSON.stringify(ord)} for vectors; valid: null, a number, Infinity or -Infinity`);
}

function matrixNorm(fn: string, a: Array, ord: NormOrd, r: number, c: number): Array {
  // Reduce `first`, then `second` (renumbered if it came after `first`).
  const twoStep = (first: number, second: number, prim: typeof reduceMaxP) => {
    const s = sumAxes(bind1(absP, [a], {}), [first]);
    return bind1(prim, [s], { axes: [second > first ? second - 1 : second] });
  };
  if (ord === null || ord === "fro") return sqrt(sumAxes(mul(a, a), [r, c]));
  if (ord === 1) return twoStep(r, c, reduceMaxP);
  if (ord === -1) return twoStep(r, c, reduceMinP);
  if (ord === Infinity) return twoStep(c, r, reduceMaxP);
  if (ord === -Infinity) return twoStep(c, r, reduceMinP);
  if (ord === 2 || ord === -2 || ord === "nuc") {
    throw new ValueError(fn, `matrix norm ord=${JSON.stringify(ord)} needs singular values (SVD), which are not implemented; valid: null, 'fro', 1, -1, Infinity, -Infinity`);
  }
  throw new ValueError(fn, `invalid norm order ${JSON.stringify(ord)} for matrices; valid: null, 'fro', 1, -1, Infinity, -Infinity`);
}

/**
 * `np.linalg.norm`. Without `axis`: the 2-norm of the flattened array when `ord` is null, else a
 * vector norm (1-D input) or matrix norm (2-D input). With one axis: a vector norm along it
 * (`ord`: null/2 Euclidean, 1, Infinity = max |x|, -Infinity = min |x|, 0 = count of nonzeros,
 * other p = (Σ|x|^p)^(1/p)). With two axes: a matrix norm over them (`ord`: null/"fro", 1 = max
 * column sum, -1, Infinity = max row sum, -Infinity). Integer inputs are promoted to float32.
 *
 * @example
 * ```ts
 * linalg.norm(np.array([3, 4]));                       // 5
 * linalg.norm(np.array([[1, -2], [3, 4]]), 1);         // 6 (max column sum)
 * linalg.norm(np.array([[3, 4], [6, 8]]), null, 1);    // [5, 10]
 * ```
 */
function norm(x: Array, ord: NormOrd = null, axis: number | readonly number[] | null = null, opts: NormOptions = {}): Array {
  const fn = "linalg.norm";
  const [a] = promoteArgs(fn, [x], { minFloat: true });
  let out: Array;
  let reduced: number[];
  if (axis === null || axis === undefined) {
    if (ord === null || ord === undefined) {
      reduced = range(a!.ndim);
      out = sqrt(sumAxes(mul(a!, a!), reduced));
    } else if (a!.ndim === 1) {
      reduced = [0];
      out = vectorNorm(fn, a!, ord, 0);
    } else if (a!.ndim === 2) {
      reduced = [0, 1];
      out = matrixNorm(fn, a!, ord, 0, 1);
    } else {
      throw new ValueError(fn, `ord=${JSON.stringify(ord)} needs a 1-D or 2-D array or an explicit axis, got shape ${fmtShape(a!.shape)}`);
    }
  } else {
    const list = typeof axis === "number" ? [axis] : [...axis];
    const axes = list.map((v) => normalizeAxis(fn, v, a!.ndim));
    if (axes.length === 1) {
      reduced = axes;
      out = vectorNorm(fn, a!, ord ?? null, axes[0]!);
    } else if (axes.length === 2) {
      if (axes[0] === axes[1]) throw new ValueError(fn, `duplicate axes ${JSON.stringify(list)}`);
      reduced = axes;
      out = matrixNorm(fn, a!, ord ?? null, axes[0]!, axes[1]!);
    } else {
      throw new ValueError(fn, `axis must be a number or a pair of numbers, got ${JSON.stringify(axis)}`);
    }
  }
  if (opts.keepdims) out = reshape(out, a!.shape.map((d, i) => (reduced.includes(i) ? 1 : d)));
  return out;
}

/**
 * `np.linalg`: `norm(x, ord?, axis?, { keepdims })`. See the function's own documentation above.
 *
 * @example
 * ```ts
 * linalg.norm(np.array([3, 4])); // 5
 * ```
 */
export const linalg = { norm } as const;

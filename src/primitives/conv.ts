/**
 * @file `conv_general_dilated`: N-dimensional convolution with strides, (possibly negative)
 * padding, input ("lhs", fractional stride) and kernel ("rhs", atrous) dilation, feature groups
 * and batch groups, in any memory layout named by dimension numbers, as XLA's `Conv` and
 * `lax.conv_general_dilated`.
 *
 * The eager kernel is the direct Wasm SIMD convolution of `backend/conv/` (an implicit GEMM that
 * reads the windows straight from a padded channels-last copy of the input, on both cores for
 * large problems), for every layout and option. Where Wasm SIMD is missing, or the matmul backend
 * is forced to JS, it is im2col + GEMM: for each group, the input windows are unrolled into a
 * `[I·K, n·P]` column matrix (I input features per group, K kernel positions, n batch elements,
 * P output positions) and multiplied by the packed `[O/groups, I·K]` kernel in one batched
 * {@link gemm} call. Window geometry is precomputed into per-axis offset tables, which keeps the
 * unrolling loop free of per-element closures and of index arithmetic beyond one table lookup.
 *
 * The rules follow JAX's: the JVP is bilinear; the transpose with respect to the lhs is a
 * convolution of the cotangent with the spatially flipped kernel (window strides become lhs
 * dilation); the transpose with respect to the rhs is a convolution of the lhs with the
 * cotangent (batch and feature axes swapped; feature groups become batch groups and back);
 * batching folds the vmapped axis into the batch axis, the feature groups or the batch groups.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, isFloat, type TypedArray } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { definePrimitive, pyTuple, UndefPrimal, type Primitive } from "../core/primitive.js";
import { sizeOf, stridesOf, type Shape } from "../core/shape.js";
import { bind1 } from "../core/trace.js";
import { wasmConv } from "../backend/conv/conv-wasm.js";
import { gemm } from "../backend/gemm.js";
import { getMatmulBackend } from "../backend/matmul.js";
import { add } from "./elementwise.js";
import { revP } from "./movement.js";
import { reshape, transpose, zerosLikeAval } from "./util.js";

/**
 * Which axis of each operand plays which role (as JAX's `ConvDimensionNumbers`). Each spec is a
 * permutation of the operand's axes: `[batch, feature, ...spatial]` for the lhs and the output,
 * `[outFeature, inFeature, ...spatial]` for the rhs; spatial axes correspond in order.
 * The default (`NCHW`, `OIHW`, `NCHW`) is the identity permutation for all three.
 */
export interface ConvDimensionNumbers {
  /** lhs axes: `[batch, feature, ...spatial]`. */
  readonly lhsSpec: readonly number[];
  /** rhs axes: `[outFeature, inFeature, ...spatial]`. */
  readonly rhsSpec: readonly number[];
  /** Output axes: `[batch, feature, ...spatial]`. */
  readonly outSpec: readonly number[];
}

/** Parameters of `conv_general_dilated` (one entry per spatial dimension where a list). */
export interface ConvParams {
  /** Step between windows (>= 1). */
  readonly windowStrides: readonly number[];
  /** `[lo, hi]` padding of the (lhs-dilated) input; negative values crop. */
  readonly padding: readonly (readonly [number, number])[];
  /** Input dilation: `d - 1` zeros between input elements (transposed / fractionally strided convolution). */
  readonly lhsDilation: readonly number[];
  /** Kernel dilation: `d - 1` holes between kernel taps (atrous convolution). */
  readonly rhsDilation: readonly number[];
  /** Axis roles of lhs, rhs and output. */
  readonly dimensionNumbers: ConvDimensionNumbers;
  /** Input features split into this many groups, each convolved with its own slice of output features. */
  readonly featureGroupCount: number;
  /** Input batch split into this many groups, each convolved with its own slice of output features (used by weight gradients of grouped convolutions). */
  readonly batchGroupCount: number;
}

/** The default dimension numbers for operands of rank `ndim`: identity (`NC...`, `OI...`, `NC...`). */
export function defaultDimensionNumbers(ndim: number): ConvDimensionNumbers {
  const id = Array_range(ndim);
  return { lhsSpec: id, rhsSpec: id, outSpec: id };
}

function Array_range(n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => i);
}

/** Size of an axis of `n` elements after inserting `d - 1` holes between neighbours. @internal */
export function dilateDim(n: number, d: number): number {
  return n === 0 ? 0 : 1 + d * (n - 1);
}

const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isPerm = (spec: readonly number[], n: number) => spec.length === n && new Set(spec).size === n && spec.every((a) => Number.isInteger(a) && a >= 0 && a < n);

/** Letters naming the axes of an operand from its spec (`N`, `C`, `O`, `I`, spatial `0 1 2`). */
function layoutName(spec: readonly number[], first: string, second: string): string {
  const letters = new globalThis.Array<string>(spec.length);
  spec.forEach((axis, role) => (letters[axis] = role === 0 ? first : role === 1 ? second : String(role - 2)));
  return letters.join("");
}

/**
 * Validate the operands of a convolution and return the output shape. Errors name `fn` (the
 * primitive, or the public wrapper that called this first) and print both shapes with their
 * layouts.
 * @internal
 */
export function convOutputShape(fn: string, lhs: Shape, rhs: Shape, p: ConvParams): number[] {
  const nd = lhs.length;
  const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
  const shapes = () => `lhs shape ${fmtShape(lhs)} and rhs shape ${fmtShape(rhs)}`;
  if (nd < 2 || rhs.length !== nd) {
    throw new ShapeError(fn, `lhs and rhs must have the same rank (>= 2: batch, feature and 0 or more spatial axes), got ${shapes()}`);
  }
  if (!isPerm(lhsSpec, nd) || !isPerm(rhsSpec, nd) || !isPerm(outSpec, nd)) {
    throw new ValueError(fn, `dimension numbers must be permutations of the ${nd} axes, got lhs ${JSON.stringify(lhsSpec)}, rhs ${JSON.stringify(rhsSpec)}, out ${JSON.stringify(outSpec)}`);
  }
  const ns = nd - 2;
  const lname = layoutName(lhsSpec, "N", "C");
  const rname = layoutName(rhsSpec, "O", "I");
  const both = () => `lhs shape ${fmtShape(lhs)} (${lname}) and rhs shape ${fmtShape(rhs)} (${rname})`;
  const listOk = (xs: readonly number[]) => globalThis.Array.isArray(xs) && xs.length === ns && xs.every(isPosInt);
  if (!listOk(p.windowStrides)) throw new ValueError(fn, `windowStrides must be ${ns} positive integers (one per spatial dimension), got ${JSON.stringify(p.windowStrides)} for ${both()}`);
  if (!listOk(p.lhsDilation)) throw new ValueError(fn, `lhsDilation must be ${ns} positive integers, got ${JSON.stringify(p.lhsDilation)}`);
  if (!listOk(p.rhsDilation)) throw new ValueError(fn, `rhsDilation must be ${ns} positive integers, got ${JSON.stringify(p.rhsDilation)}`);
  if (!globalThis.Array.isArray(p.padding) || p.padding.length !== ns || !p.padding.every((q) => globalThis.Array.isArray(q) && q.length === 2 && Number.isInteger(q[0]) && Number.isInteger(q[1]))) {
    throw new ValueError(fn, `padding must be ${ns} integer pairs [lo, hi] (one per spatial dimension), got ${JSON.stringify(p.padding)} for ${both()}`);
  }
  const G = p.featureGroupCount;
  const B = p.batchGroupCount;
  if (!isPosInt(G) || !isPosInt(B)) throw new ValueError(fn, `featureGroupCount and batchGroupCount must be positive integers, got ${G} and ${B}`);
  if (G > 1 && B > 1) throw new ValueError(fn, `at most one of featureGroupCount (${G}) and batchGroupCount (${B}) may exceed 1`);
  const N = lhs[lhsSpec[0]!]!;
  const C = lhs[lhsSpec[1]!]!;
  const O = rhs[rhsSpec[0]!]!;
  const I = rhs[rhsSpec[1]!]!;
  if (C !== I * G) {
    throw new ShapeError(
      fn,
      `lhs feature dimension (C = ${C}) must equal rhs input feature dimension (I = ${I}) times featureGroupCount (${G}), got ${both()}` +
        (G === 1 && C % I === 0 && C !== I ? `; for a grouped convolution pass featureGroupCount: ${C / I}` : ""),
    );
  }
  if (O % G !== 0) throw new ShapeError(fn, `rhs output feature dimension (O = ${O}) must be a multiple of featureGroupCount (${G}), got ${both()}`);
  if (O % B !== 0) throw new ShapeError(fn, `rhs output feature dimension (O = ${O}) must be a multiple of batchGroupCount (${B}), got ${both()}`);
  if (N % B !== 0) throw new ShapeError(fn, `lhs batch dimension (N = ${N}) must be a multiple of batchGroupCount (${B}), got ${both()}`);
  const out = new globalThis.Array<number>(nd);
  out[outSpec[0]!] = N / B;
  out[outSpec[1]!] = O;
  for (let i = 0; i < ns; i++) {
    const n = lhs[lhsSpec[2 + i]!]!;
    const k = rhs[rhsSpec[2 + i]!]!;
    const padded = dilateDim(n, p.lhsDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const keff = dilateDim(k, p.rhsDilation[i]!);
    // No window fits: an empty axis, as in XLA/JAX.
    out[outSpec[2 + i]!] = padded < keff ? 0 : Math.floor((padded - keff) / p.windowStrides[i]!) + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Window geometry tables (shared with reduce_window)

/**
 * For one axis: the memory offset of the input element under window tap `k` of output position
 * `y` (table index `k * outSize + y`), or -1 where that tap falls on padding or a dilation hole.
 * @internal
 */
export function axisTable(inSize: number, baseDilation: number, lo: number, stride: number, taps: number, tapDilation: number, outSize: number, memStride: number): Int32Array {
  const t = new Int32Array(taps * outSize);
  for (let k = 0; k < taps; k++) {
    for (let y = 0; y < outSize; y++) {
      const x = y * stride + k * tapDilation - lo;
      const ok = x >= 0 && x % baseDilation === 0 && x / baseDilation < inSize;
      t[k * outSize + y] = ok ? (x / baseDilation) * memStride : -1;
    }
  }
  return t;
}

/**
 * Combine per-axis tables into one over the product of the axes: entry
 * `kIndex * prod(outs) + pIndex` (row-major multi-indices) is the summed offset, or -1 when any
 * axis is invalid there.
 * @internal
 */
export function combineTables(tables: readonly Int32Array[], taps: readonly number[], outs: readonly number[]): Int32Array {
  let cur = Int32Array.of(0);
  let K = 1;
  let P = 1;
  for (let d = 0; d < tables.length; d++) {
    const t = tables[d]!;
    const k = taps[d]!;
    const o = outs[d]!;
    const next = new Int32Array(K * k * P * o);
    const PO = P * o;
    for (let kp = 0; kp < K; kp++) {
      for (let kk = 0; kk < k; kk++) {
        const row = (kp * k + kk) * PO;
        for (let pp = 0; pp < P; pp++) {
          const a = cur[kp * P + pp]!;
          const at = row + pp * o;
          for (let y = 0; y < o; y++) {
            const b = t[kk * o + y]!;
            next[at + y] = a < 0 || b < 0 ? -1 : a + b;
          }
        }
      }
    }
    cur = next;
    K *= k;
    P *= o;
  }
  return cur;
}

/** Geometry of windows over a set of axes, split into the outer axes (combined) and the last axis. @internal */
export interface WindowGeometry {
  /** Offsets for (outer taps, outer positions), `Ko * Po` entries (-1 = no element). */
  readonly outer: Int32Array;
  /** Offsets for (last tap, last position), `kl * ol` entries. */
  readonly last: Int32Array;
  /** Number of outer taps (product of the window over all axes but the last). */
  readonly Ko: number;
  /** Number of outer output positions. */
  readonly Po: number;
  /** Taps on the last axis. */
  readonly kl: number;
  /** Output positions on the last axis. */
  readonly ol: number;
}

/**
 * Build the geometry of windows over axes with the given input sizes, memory strides and window
 * parameters (all lists of equal length, possibly empty).
 * @internal
 */
export function windowGeometry(
  inSizes: readonly number[],
  memStrides: readonly number[],
  baseDilation: readonly number[],
  padLo: readonly number[],
  strides: readonly number[],
  taps: readonly number[],
  tapDilation: readonly number[],
  outSizes: readonly number[],
): WindowGeometry {
  const D = inSizes.length;
  const tables = inSizes.map((n, d) => axisTable(n, baseDilation[d]!, padLo[d]!, strides[d]!, taps[d]!, tapDilation[d]!, outSizes[d]!, memStrides[d]!));
  if (D === 0) return { outer: Int32Array.of(0), last: Int32Array.of(0), Ko: 1, Po: 1, kl: 1, ol: 1 };
  const outer = combineTables(tables.slice(0, D - 1), taps.slice(0, D - 1), outSizes.slice(0, D - 1));
  return { outer, last: tables[D - 1]!, Ko: sizeOf(taps.slice(0, D - 1)), Po: sizeOf(outSizes.slice(0, D - 1)), kl: taps[D - 1]!, ol: outSizes[D - 1]! };
}

/** Offsets of every row-major multi-index of `sizes` for the given memory strides. */
function offsetTable(sizes: readonly number[], memStrides: readonly number[]): Int32Array {
  return combineTables(
    sizes.map((n, d) => {
      const t = new Int32Array(n);
      for (let i = 0; i < n; i++) t[i] = i * memStrides[d]!;
      return t;
    }),
    sizes.map(() => 1),
    sizes,
  );
}

/** Upper bound on the elements of one im2col buffer; larger problems are processed in batch chunks. */
const COLS_LIMIT = 1 << 22;

/** The eager convolution kernel: the direct Wasm kernel, else im2col + one batched GEMM per batch chunk. */
function convKernel(x: ConcreteArray, w: ConcreteArray, p: ConvParams, outShape: number[]): TypedArray {
  const dtype = x.dtype;
  const total = sizeOf(outShape);
  const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
  const xs = x.shape;
  const ws = w.shape;
  const G = p.featureGroupCount;
  const B = p.batchGroupCount;
  const GG = G * B;
  const O = ws[rhsSpec[0]!]!;
  const I = ws[rhsSpec[1]!]!;
  const Nout = outShape[outSpec[0]!]!;
  const Og = O / GG;
  const inSp = lhsSpec.slice(2).map((a) => xs[a]!);
  const kSp = rhsSpec.slice(2).map((a) => ws[a]!);
  const oSp = outSpec.slice(2).map((a) => outShape[a]!);
  const Kp = sizeOf(kSp);
  const P = sizeOf(oSp);
  const KK = I * Kp;
  if (total === 0 || KK === 0) return allocate(dtype, total); // empty output, or an empty sum (zeros)

  const xd = ConcreteArray.dataOf(x);
  const wd = ConcreteArray.dataOf(w);
  if (getMatmulBackend() === "wasm") {
    // The direct Wasm kernel handles every layout and option; it declines only problems too big for its memory.
    const y = wasmConv().run({ ...p, dtype: dtype as "float32" | "float64", x: xd as Float32Array | Float64Array, xShape: xs, w: wd as Float32Array | Float64Array, wShape: ws, outShape });
    if (y !== undefined) return y;
  }
  const out = allocate(dtype, total);
  const xst = stridesOf(xs);
  const wst = stridesOf(ws);
  const ost = stridesOf(outShape);

  // Kernel packed as [O, I, Kp] (= [GG, Og, I·Kp] per group).
  const wp = allocate(dtype, O * KK);
  const kOff = offsetTable(kSp, rhsSpec.slice(2).map((a) => wst[a]!));
  const sO = wst[rhsSpec[0]!]!;
  const sI = wst[rhsSpec[1]!]!;
  for (let o = 0, q = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const base = o * sO + i * sI;
      for (let k = 0; k < Kp; k++) wp[q++] = wd[base + kOff[k]!]!;
    }
  }

  const geo = windowGeometry(
    inSp,
    lhsSpec.slice(2).map((a) => xst[a]!),
    p.lhsDilation,
    p.padding.map((q) => q[0]),
    p.windowStrides,
    kSp,
    p.rhsDilation,
    oSp,
  );
  const { outer, last, Ko, Po, kl, ol } = geo;
  const pOff = offsetTable(oSp, outSpec.slice(2).map((a) => ost[a]!));
  const sN = xst[lhsSpec[0]!]!;
  const sC = xst[lhsSpec[1]!]!;
  const soN = ost[outSpec[0]!]!;
  const soC = ost[outSpec[1]!]!;

  const chunk = Math.max(1, Math.min(Nout, Math.floor(COLS_LIMIT / Math.max(1, GG * KK * P))));
  const colsAll = allocate(dtype, GG * KK * chunk * P);
  for (let n0 = 0; n0 < Nout; n0 += chunk) {
    const nc = Math.min(chunk, Nout - n0);
    const colsN = nc * P;
    const cols = colsAll.subarray(0, GG * KK * colsN);
    // im2col: row (t, i, tap), column (n, position).
    for (let t = 0; t < GG; t++) {
      const nBase = B > 1 ? t * Nout : 0;
      for (let i = 0; i < I; i++) {
        const cOff = (G > 1 ? t * I + i : i) * sC;
        for (let ko = 0; ko < Ko; ko++) {
          for (let kli = 0; kli < kl; kli++) {
            let dst = ((t * I + i) * Kp + ko * kl + kli) * colsN;
            const lb = kli * ol;
            for (let n = 0; n < nc; n++) {
              const nOff = (nBase + n0 + n) * sN + cOff;
              for (let po = 0; po < Po; po++) {
                const ob = outer[ko * Po + po]!;
                if (ob < 0) {
                  cols.fill(0, dst, dst + ol);
                  dst += ol;
                  continue;
                }
                const base = nOff + ob;
                for (let yl = 0; yl < ol; yl++) {
                  const off = last[lb + yl]!;
                  cols[dst++] = off < 0 ? 0 : xd[base + off]!;
                }
              }
            }
          }
        }
      }
    }
    const res = gemm(dtype, GG, Og, KK, colsN, wp, false, cols, false);
    // Scatter [GG, Og, nc, P] into the output layout.
    for (let t = 0; t < GG; t++) {
      for (let oo = 0; oo < Og; oo++) {
        const o = t * Og + oo;
        for (let n = 0; n < nc; n++) {
          const src = ((t * Og + oo) * nc + n) * P;
          const dstBase = (n0 + n) * soN + o * soC;
          for (let q = 0; q < P; q++) out[dstBase + pOff[q]!] = res[src + q]!;
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reshape helpers for the transpose and batching rules

/** Split axis `src` of `x` into `[size1, rest]` (size1 major). */
function reshapeAxisOutOf(src: number, size1: number, x: Array): Array {
  const shape = [...x.shape];
  shape.splice(src, 1, size1, shape[src]! / size1);
  return reshape(x, shape);
}

/**
 * Merge axis `src` of `x` into axis `dst`, as its major part. `dst` is numbered as if `src` had
 * been removed (so it names an axis of the operand without the extra axis).
 */
function reshapeAxisInto(src: number, dst: number, x: Array): Array {
  const perm = Array_range(x.ndim).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const moved = transpose(x, perm);
  const shape = perm.map((i) => x.shape[i]!);
  shape.splice(dst, 2, shape[dst]! * shape[dst + 1]!);
  return reshape(moved, shape);
}

const swap01 = (s: readonly number[]) => [s[1]!, s[0]!, ...s.slice(2)];

/** Apply the primitive. */
function conv(lhs: Array, rhs: Array, p: ConvParams): Array {
  return bind1(convGeneralDilatedP, [lhs, rhs], p);
}

/** Cotangent of the lhs: the cotangent convolved with the flipped kernel, strides turned into lhs dilation. */
function transposeLhs(g: Array, rhs: Array, lhsShape: Shape, p: ConvParams): Array {
  const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
  const aval = { shape: lhsShape, dtype: g.dtype, weakType: false };
  if (sizeOf(g.shape) === 0 || sizeOf(lhsShape) === 0) return zerosLikeAval(aval);
  const B = p.batchGroupCount;
  let G = p.featureGroupCount;
  let w = rhs;
  if (G > 1 || B > 1) {
    // Move the group factor of the rhs output features into its input features.
    w = reshapeAxisOutOf(rhsSpec[0]!, G * B, w);
    w = reshapeAxisInto(rhsSpec[0]!, rhsSpec[1]!, w);
    G = G * B;
  }
  const ns = lhsShape.length - 2;
  const padding: [number, number][] = [];
  for (let i = 0; i < ns; i++) {
    const ldil = dilateDim(lhsShape[lhsSpec[2 + i]!]!, p.lhsDilation[i]!);
    const kdil = dilateDim(w.shape[rhsSpec[2 + i]!]!, p.rhsDilation[i]!);
    const odil = dilateDim(g.shape[outSpec[2 + i]!]!, p.windowStrides[i]!);
    const before = kdil - p.padding[i]![0] - 1;
    padding.push([before, ldil + kdil - 1 - odil - before]);
  }
  const spatial = rhsSpec.slice(2).filter((a) => w.shape[a]! > 1);
  const flipped = spatial.length > 0 ? bind1(revP, [w], { axes: spatial }) : w;
  let out = conv(g, flipped, {
    windowStrides: p.lhsDilation,
    padding,
    lhsDilation: p.windowStrides,
    rhsDilation: p.rhsDilation,
    dimensionNumbers: { lhsSpec: outSpec, rhsSpec: swap01(rhsSpec), outSpec: lhsSpec },
    featureGroupCount: G,
    batchGroupCount: 1,
  });
  if (B > 1) {
    out = reshapeAxisOutOf(lhsSpec[1]!, B, out);
    out = reshapeAxisInto(lhsSpec[1]!, lhsSpec[0]!, out);
  }
  return out;
}

/** Cotangent of the rhs: the lhs convolved with the cotangent (batch and feature roles swapped). */
function transposeRhs(g: Array, lhs: Array, rhsShape: Shape, p: ConvParams): Array {
  const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
  const aval = { shape: rhsShape, dtype: g.dtype, weakType: false };
  if (sizeOf(g.shape) === 0 || sizeOf(rhsShape) === 0) return zerosLikeAval(aval);
  // Feature groups of the forward convolution become batch groups here, and vice versa.
  const featureGroupCount = p.batchGroupCount;
  const batchGroupCount = p.featureGroupCount;
  const ns = rhsShape.length - 2;
  const padding: [number, number][] = [];
  for (let i = 0; i < ns; i++) {
    const ldil = dilateDim(lhs.shape[lhsSpec[2 + i]!]!, p.lhsDilation[i]!);
    const kdil = dilateDim(rhsShape[rhsSpec[2 + i]!]!, p.rhsDilation[i]!);
    const odil = dilateDim(g.shape[outSpec[2 + i]!]!, p.windowStrides[i]!);
    const lo = p.padding[i]![0];
    padding.push([lo, odil - ldil + kdil - lo - 1]);
  }
  return conv(lhs, g, {
    windowStrides: p.rhsDilation,
    padding,
    lhsDilation: p.lhsDilation,
    rhsDilation: p.windowStrides,
    dimensionNumbers: { lhsSpec: swap01(lhsSpec), rhsSpec: swap01(outSpec), outSpec: swap01(rhsSpec) },
    featureGroupCount,
    batchGroupCount,
  });
}

const fmtPairs = (ps: readonly (readonly [number, number])[]) => (ps.length === 1 ? `((${ps[0]![0]}, ${ps[0]![1]}),)` : `(${ps.map((q) => `(${q[0]}, ${q[1]})`).join(", ")})`);

/**
 * `conv_general_dilated(lhs, rhs)`: general N-d convolution (as XLA's `Conv`). Output feature
 * `o` of group `g = floor(o / (O / groups))` sees input features `g·I ... (g+1)·I - 1`
 * (feature groups) or input batch elements `g·N/B ... (g+1)·N/B - 1` (batch groups).
 * A kernel larger than the padded input gives an empty spatial axis, as in JAX.
 */
export const convGeneralDilatedP: Primitive<ConvParams> = definePrimitive<ConvParams>({
  name: "conv_general_dilated",
  impl: ([x, w], p) => {
    const shape = convOutputShape("conv_general_dilated", x!.shape, w!.shape, p);
    return [new ConcreteArray(convKernel(x!, w!, p, shape), shape, x!.dtype, x!.weakType && w!.weakType)];
  },
  abstractEval: ([x, w], p) => {
    if (x!.dtype !== w!.dtype) throw new DTypeError("conv_general_dilated", `lhs and rhs must have the same dtype, got ${x!.dtype} and ${w!.dtype}; convert one of them first`);
    if (!isFloat(x!.dtype)) throw new DTypeError("conv_general_dilated", `operands must be float32 or float64, got ${x!.dtype}`);
    return [{ shape: convOutputShape("conv_general_dilated", x!.shape, w!.shape, p), dtype: x!.dtype, weakType: x!.weakType && w!.weakType }];
  },
  jvp: ([x, w], [tx, tw], p) => {
    const y = conv(x!, w!, p);
    const a = tx === null ? null : conv(tx, w!, p);
    const b = tw === null ? null : conv(x!, tw, p);
    return [[y], [a === null ? b : b === null ? a : add(a, b)]];
  },
  transpose: ([ct], [x, w], p) => {
    if (ct === null) return [null, null];
    return [
      x instanceof UndefPrimal ? transposeLhs(ct, w as Array, x.aval.shape, p) : null,
      w instanceof UndefPrimal ? transposeRhs(ct, x as Array, w.aval.shape, p) : null,
    ];
  },
  batch: ([x, w], [dx, dw], p) => {
    const { lhsSpec, rhsSpec, outSpec } = p.dimensionNumbers;
    const G = p.featureGroupCount;
    const B = p.batchGroupCount;
    if (dx !== null && dw !== null) {
      // Both batched: the vmapped axis becomes extra feature groups (or batch groups).
      const V = x!.shape[dx]!;
      const q: ConvParams = B > 1 ? { ...p, batchGroupCount: B * V } : { ...p, featureGroupCount: G * V };
      const nx = reshapeAxisInto(dx, B > 1 ? lhsSpec[0]! : lhsSpec[1]!, x!);
      const nw = reshapeAxisInto(dw, rhsSpec[0]!, w!);
      return [[reshapeAxisOutOf(outSpec[1]!, V, conv(nx, nw, q))], [outSpec[1]!]];
    }
    if (dx !== null) {
      // Only the lhs: fold the vmapped axis into the batch axis (inside each batch group).
      const V = x!.shape[dx]!;
      let nx: Array;
      if (B === 1) nx = reshapeAxisInto(dx, lhsSpec[0]!, x!);
      else {
        nx = reshapeAxisOutOf(lhsSpec[0]! + (dx <= lhsSpec[0]! ? 1 : 0), B, x!);
        nx = reshapeAxisInto(dx + (lhsSpec[0]! < dx ? 1 : 0), lhsSpec[0]! + 1, nx);
        nx = reshapeAxisInto(lhsSpec[0]!, lhsSpec[0]!, nx);
      }
      return [[reshapeAxisOutOf(outSpec[0]!, V, conv(nx, w!, p))], [outSpec[0]!]];
    }
    // Only the rhs: fold the vmapped axis into the output features (inside each group).
    const V = w!.shape[dw!]!;
    if (G === 1 && B === 1) {
      const nw = reshapeAxisInto(dw!, rhsSpec[0]!, w!);
      return [[reshapeAxisOutOf(outSpec[1]!, V, conv(x!, nw, p))], [outSpec[1]!]];
    }
    const GC = G * B;
    let nw = reshapeAxisOutOf(rhsSpec[0]! + (dw! <= rhsSpec[0]! ? 1 : 0), GC, w!);
    nw = reshapeAxisInto(dw! + (rhsSpec[0]! < dw! ? 1 : 0), rhsSpec[0]! + 1, nw);
    nw = reshapeAxisInto(rhsSpec[0]!, rhsSpec[0]!, nw);
    let out = conv(x!, nw, p);
    out = reshapeAxisOutOf(outSpec[1]!, GC, out);
    out = reshapeAxisOutOf(outSpec[1]! + 1, V, out);
    out = reshapeAxisInto(outSpec[1]!, outSpec[1]! + 1, out);
    return [[out], [outSpec[1]!]];
  },
  printParams: (p) =>
    `window_strides=${pyTuple(p.windowStrides)} padding=${fmtPairs(p.padding)} lhs_dilation=${pyTuple(p.lhsDilation)} rhs_dilation=${pyTuple(p.rhsDilation)} ` +
    `dimension_numbers=ConvDimensionNumbers(lhs_spec=${pyTuple(p.dimensionNumbers.lhsSpec)}, rhs_spec=${pyTuple(p.dimensionNumbers.rhsSpec)}, out_spec=${pyTuple(p.dimensionNumbers.outSpec)}) ` +
    `feature_group_count=${p.featureGroupCount} batch_group_count=${p.batchGroupCount}`,
});

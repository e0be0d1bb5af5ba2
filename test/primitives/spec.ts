/**
 * @file The primitive spec table (as JAX's `lax_autodiff_test` / `lax_vmap_test` op records): one
 * or more entries per registered primitive, each with
 *  - `cases`: random argument shapes and static parameters (sides <= 3, so properties stay fast),
 *  - `args`: an input-domain arbitrary per argument (log on positives, arcsin in (-1, 1), floor
 *    away from integers, max/min away from ties, sort on distinct values, in-range indices, ...),
 *  - `fn`: the function exercising the primitive for a case's parameters,
 *  - `grad`: how its derivative is tested (`check`: `checkGrads` against finite differences;
 *    `zero`: the tangent is zero, as JAX gives for comparisons, argmax, integer ops, sort indices;
 *    `unsupported`: differentiation throws a clear error),
 *  - `linear`: the primitive is linear in some inputs, so it must carry a transpose rule.
 *
 * `grads.test.ts`, `vmap.test.ts` and `jit.test.ts` iterate over this table; `registry.test.ts`
 * checks that every registered primitive appears in it (so a new primitive without tests fails CI).
 * A second table, `NP_SPECS` (at the end), gives every differentiable `np.*` function a gradient
 * property through the public API.
 *
 * Primitives are applied through `bind1` (and the lax-level wrappers), not the NumPy layer, so that
 * each entry tests exactly one primitive's rules.
 */
import fc from "fast-check";
import type { Array } from "../../src/core/array.js";
import type { DType } from "../../src/core/dtype.js";
import type { Primitive } from "../../src/core/primitive.js";
import { sizeOf } from "../../src/core/shape.js";
import { bind, bind1 } from "../../src/core/trace.js";
import { stopGradientP } from "../../src/primitives/call.js";
import { dotGeneralP } from "../../src/primitives/contraction.js";
import * as E from "../../src/primitives/elementwise.js";
import { gather, scatter, type ScatterMode } from "../../src/primitives/indexing.js";
import * as M from "../../src/primitives/movement.js";
import * as R from "../../src/primitives/reduce.js";
import { argsort, sortP } from "../../src/primitives/sort.js";
import { arrays, shapes, type ArrayOptions } from "../../src/testing/arbitraries.js";
import { checkpoint, customJvp, customVjp, jvp, vjp } from "../../src/transforms/autodiff.js";
import { jit } from "../../src/transforms/jit.js";
import { np, stopGradient } from "../../src/index.js";
import { cond as laxCond, scan as laxScan, switch_ as laxSwitch, whileLoop as laxWhile } from "../../src/lax/control.js";
import { threefry2x32Words } from "../../src/primitives/random.js";
import { convGeneralDilatedP, convOutputShape, type ConvParams } from "../../src/primitives/conv.js";
import {
  reduceWindowMaxP,
  reduceWindowMinP,
  reduceWindowShape,
  reduceWindowSumP,
  selectAndGatherAddP,
  selectAndScatterAddP,
  type ReduceWindowParams,
} from "../../src/primitives/reduceWindow.js";
import { fromFlat } from "../helpers/close.js";

/** Argument shapes plus static parameters of one generated case. */
export interface Case {
  shapes: number[][];
  params: any;
}

/** How an entry's derivative is tested. */
export type GradSpec =
  | {
      kind: "check";
      /** Default both; custom_vjp functions are reverse-mode only (as in JAX). */
      modes?: ("fwd" | "rev")[];
      /** Default 2. */
      order?: number;
      eps?: number;
      atol?: number;
      rtol?: number;
    }
  | { kind: "zero" }
  | { kind: "unsupported"; error: RegExp };

/** One row of the table. */
export interface OpSpec {
  /** Unique entry name (the primitive name, or `prim:variant`). */
  name: string;
  /** The registered primitive this entry exercises. */
  prim: string;
  /** The primitive is linear in some of its inputs (it must have a transpose rule). */
  linear?: boolean;
  /** Shapes and static params. */
  cases: fc.Arbitrary<Case>;
  /** One arbitrary per array argument of `fn`, for a case. */
  args: (c: Case) => fc.Arbitrary<Array>[];
  /** The function under test, for a case's params. */
  fn: (params: any) => (...xs: Array[]) => Array | Array[];
  grad: GradSpec;
}

// ---------------------------------------------------------------------------------------------
// Shape and value arbitraries

const side = fc.integer({ min: 1, max: 3 });
const range = (n: number) => globalThis.Array.from({ length: n }, (_, i) => i);

/** Shapes with sides 1..3. */
export const shp = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => shapes({ minRank, maxRank, minSide: 1, maxSide: 3 });

/** `n` shapes that broadcast together (NumPy rules): some axes set to 1, leading axes dropped. */
export function bcastShapes(n: number): fc.Arbitrary<number[][]> {
  return shp(0, 3).chain((base) =>
    fc.tuple(
      ...range(n).map(() =>
        fc
          .tuple(fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }), fc.integer({ min: 0, max: base.length }))
          .map(([ones, drop]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop)),
      ),
    ),
  );
}

const noParams = (sh: fc.Arbitrary<number[][]>): fc.Arbitrary<Case> => sh.map((shapes) => ({ shapes, params: {} }));
const unaryCases = noParams(shp(0, 3).map((s) => [s]));
const sameShapeCases = (n: number) => noParams(shp(0, 3).map((s) => range(n).map(() => s)));

type ArgGen = (shape: number[]) => fc.Arbitrary<Array>;

/** Floats (default float64 in [-3, 3]) with the given domain. */
const F =
  (o: Omit<ArrayOptions, "shape"> = {}): ArgGen =>
  (shape) =>
    arrays({ ...o, shape });

/** Values drawn elementwise from `elem`. */
const fromElems =
  (elem: fc.Arbitrary<number>, dtype: DType = "float64"): ArgGen =>
  (shape) => {
    const n = sizeOf(shape);
    return fc.array(elem, { minLength: n, maxLength: n }).map((v) => fromFlat(v, shape, dtype));
  };

/** Pairwise-distinct values at least 0.1 apart (sort, reduce_max, argmax away from ties). */
const distinct: ArgGen = (shape) => {
  const n = sizeOf(shape);
  return fc
    .tuple(fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }), fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: n, maxLength: n }))
    .map(([ks, us]) => fromFlat(ks.map((k, i) => k * 0.15 + us[i]!), shape, "float64"));
};

/** `k/2 + offset + u`, u in [0, 0.1]: two grids with offsets 0 and 0.25 never come within 0.15 (max/min off ties). */
const grid = (offset: number): ArgGen => fromElems(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.double({ min: 0, max: 0.1, noNaN: true })).map(([k, u]) => k / 2 + offset + u));

/** Pairwise distinct `k/2 + 0.25 + u`, u in [0, 0.1]: at least 0.15 from every `grid(0)` value and 0.4 from each other. */
const distinctOffGrid: ArgGen = (shape) => {
  const n = sizeOf(shape);
  return fc
    .tuple(fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: n, maxLength: n }), fc.array(fc.double({ min: 0, max: 0.1, noNaN: true }), { minLength: n, maxLength: n }))
    .map(([ks, us]) => fromFlat(ks.map((k, i) => k / 2 + 0.25 + us[i]!), shape, "float64"));
};

/** ±(0.3 + k/2 + offset + u): away from 0, and |x| from |y| when their offsets differ by 0.25. */
const offZero = (offset: number): ArgGen =>
  fromElems(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 0.1, noNaN: true }), fc.boolean()).map(([k, u, neg]) => (neg ? -1 : 1) * (0.3 + k / 2 + offset + u)));

/** Integer-valued floats in [-2, 2]: comparisons then see ties. */
const smallInts: ArgGen = fromElems(fc.integer({ min: -2, max: 2 }));

/** Floats including NaN and infinities. */
const special: ArgGen = fromElems(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity)));

const ints = (min = -50, max = 50, dtype: DType = "int32"): ArgGen => (shape) => arrays({ shape, dtype, min, max });
const boolArr: ArgGen = (shape) => arrays({ shape, dtype: "bool" });

const all = (g: ArgGen) => (c: Case) => c.shapes.map(g);
const per =
  (...gs: ArgGen[]) =>
  (c: Case) =>
    c.shapes.map((s, i) => gs[i]!(s));

/** Index rows `[...B, k]` (int32) into the first k axes of `xShape`, in range. */
function indexRows(xShape: number[], idxShape: number[]): fc.Arbitrary<Array> {
  const k = idxShape[idxShape.length - 1]!;
  const rows = sizeOf(idxShape.slice(0, -1));
  return fc
    .array(fc.tuple(...xShape.slice(0, k).map((d) => fc.integer({ min: 0, max: d - 1 }))), { minLength: rows, maxLength: rows })
    .map((rs) => fromFlat(rs.flat(), idxShape, "int32"));
}

/** Distinct index rows (scatter `set` is only differentiable when no two updates hit one slot). */
function uniqueIndexRows(xShape: number[], idxShape: number[]): fc.Arbitrary<Array> {
  const k = idxShape[idxShape.length - 1]!;
  const rows = sizeOf(idxShape.slice(0, -1));
  const dims = xShape.slice(0, k);
  return fc.uniqueArray(fc.integer({ min: 0, max: sizeOf(dims) - 1 }), { minLength: rows, maxLength: rows }).map((offs) => {
    const flat: number[] = [];
    for (let o of offs) {
      const row = new globalThis.Array<number>(k);
      for (let j = k - 1; j >= 0; j--) {
        row[j] = o % dims[j]!;
        o = Math.floor(o / dims[j]!);
      }
      flat.push(...row);
    }
    return fromFlat(flat, idxShape, "int32");
  });
}

// ---------------------------------------------------------------------------------------------
// Small lax-level helpers for writing entries

const ap =
  (p: Primitive, params: any = {}) =>
  (...xs: Array[]): Array =>
    bind1(p, xs, params);
const u = (p: Primitive) => (x: Array) => bind1(p, [x], {});
const sumAll = (x: Array): Array => bind1(R.reduceSumP, [x], { axes: range(x.ndim) });
const check = (o: Omit<Extract<GradSpec, { kind: "check" }>, "kind"> = {}): GradSpec => ({ kind: "check", ...o });
const zero: GradSpec = { kind: "zero" };

const unary = (p: Primitive, grad: GradSpec, dom: ArgGen = F(), name = p.name, linear = false): OpSpec => ({
  name,
  prim: p.name,
  linear,
  cases: unaryCases,
  args: all(dom),
  fn: () => u(p),
  grad,
});

const binary = (p: Primitive, grad: GradSpec, doms: [ArgGen, ArgGen] = [F(), F()], name = p.name, linear = false): OpSpec => ({
  name,
  prim: p.name,
  linear,
  cases: noParams(bcastShapes(2)),
  args: per(...doms),
  fn: () => ap(p),
  grad,
});

const integers = [-3, -2, -1, 0, 1, 2, 3];
const halfIntegers = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5];

// ---------------------------------------------------------------------------------------------
// Elementwise

// Domains stay a little inside singularities (log, rsqrt at 0; atanh, erf_inv at ±1): the error of
// second-order central differences grows with the fourth derivative, which blows up there.
const elementwise: OpSpec[] = [
  unary(E.negP, check(), F(), "neg", true),
  unary(E.sinP, check()),
  unary(E.cosP, check()),
  unary(E.tanP, check(), F({ min: -1.2, max: 1.2 })),
  unary(E.asinP, check(), F({ min: -0.8, max: 0.8 })),
  unary(E.acosP, check(), F({ min: -0.8, max: 0.8 })),
  unary(E.atanP, check()),
  unary(E.sinhP, check()),
  unary(E.coshP, check()),
  unary(E.tanhP, check()),
  unary(E.asinhP, check()),
  unary(E.acoshP, check(), F({ min: 1.2, max: 3 })),
  unary(E.atanhP, check(), F({ min: -0.8, max: 0.8 })),
  unary(E.expP, check()),
  unary(E.exp2P, check()),
  unary(E.expm1P, check()),
  unary(E.logP, check(), F({ min: 0.3, max: 3 })),
  unary(E.log1pP, check(), F({ min: -0.8, max: 3 })),
  unary(E.sqrtP, check(), F({ min: 0.3, max: 3 })),
  unary(E.rsqrtP, check(), F({ min: 0.3, max: 3 })),
  unary(E.cbrtP, check(), F({ avoid: [0], margin: 0.3 })),
  unary(E.logisticP, check()),
  unary(E.erfP, check()),
  unary(E.erfInvP, check(), F({ min: -0.8, max: 0.8 })),
  unary(E.absP, check(), F({ avoid: [0], margin: 0.1 })),
  // Piecewise constant: derivative 0 away from the jumps, which finite differences confirm.
  unary(E.signP, check(), F({ avoid: [0], margin: 0.1 })),
  unary(E.floorP, check(), F({ avoid: integers, margin: 0.05 })),
  unary(E.ceilP, check(), F({ avoid: integers, margin: 0.05 })),
  unary(E.roundP, check(), F({ avoid: halfIntegers, margin: 0.05 })),
  unary(E.truncP, check(), F({ avoid: integers, margin: 0.05 })),
  unary(E.isFiniteP, zero, special),
  unary(E.isNanP, zero, special),
  unary(E.notP, zero, ints(), "not"),
  unary(E.notP, zero, boolArr, "not:bool"),

  binary(E.addP, check(), [F(), F()], "add", true),
  binary(E.subP, check(), [F(), F()], "sub", true),
  binary(E.mulP, check(), [F(), F()], "mul", true),
  binary(E.divP, check(), [F(), F({ avoid: [0], margin: 0.4 })], "div", true),
  // x / y stays >= 1/16 away from an integer: x has fractional part in [0.25, 0.75], y is ±1, ±2 or ±4.
  binary(E.remP, check(), [
    fromElems(fc.tuple(fc.integer({ min: -4, max: 3 }), fc.double({ min: 0.25, max: 0.75, noNaN: true })).map(([k, f]) => k + f)),
    fromElems(fc.constantFrom(1, -1, 2, -2, 4, -4)),
  ]),
  binary(E.powP, check(), [F({ min: 0.3, max: 3 }), F({ min: -2, max: 2 })]),
  binary(E.maxP, check(), [grid(0), grid(0.25)]),
  binary(E.minP, check(), [grid(0.25), grid(0)]),
  // atan2(a, b) jumps by 2π across a = 0 when b < 0: keep a away from 0 (this also bounds a² + b² below).
  binary(E.atan2P, check(), [F({ avoid: [0], margin: 0.4 }), F()]),
  binary(E.nextafterP, check()),
  ...[E.eqP, E.neP, E.ltP, E.leP, E.gtP, E.geP].flatMap((p) => [binary(p, zero, [smallInts, smallInts]), binary(p, zero, [ints(-2, 2), ints(-2, 2)], `${p.name}:int32`)]),
  binary(E.andP, zero, [ints(), ints()]),
  binary(E.andP, zero, [boolArr, boolArr], "and:bool"),
  binary(E.orP, zero, [ints(), ints()]),
  binary(E.orP, zero, [boolArr, boolArr], "or:bool"),
  binary(E.xorP, zero, [ints(), ints()]),
  binary(E.xorP, zero, [boolArr, boolArr], "xor:bool"),
  binary(E.shiftLeftP, zero, [ints(-1000, 1000), ints(0, 31)]),
  binary(E.shiftRightLogicalP, zero, [ints(-1000, 1000), ints(0, 31)]),
  binary(E.shiftRightLogicalP, zero, [ints(0, 100000, "uint32"), ints(0, 31, "uint32")], "shift_right_logical:uint32"),
  binary(E.shiftRightArithmeticP, zero, [ints(-1000, 1000), ints(0, 31)]),
  {
    name: "select",
    prim: "select",
    linear: true,
    cases: noParams(bcastShapes(3)),
    args: per(boolArr, F(), F()),
    fn: () => ap(E.selectP),
    grad: check(),
  },
  {
    // float64 -> float32 -> float64: linear, so a large step is exact; it keeps float32 rounding
    // (~2e-7 relative) from dominating the finite differences.
    name: "convert_element_type",
    prim: "convert_element_type",
    linear: true,
    cases: unaryCases,
    args: all(F()),
    fn: () => (x: Array) => E.convert(E.convert(x, "float32"), "float64"),
    grad: check({ eps: 0.1 }),
  },
  {
    name: "convert_element_type:to_int",
    prim: "convert_element_type",
    linear: true,
    cases: unaryCases,
    args: all(F()),
    fn: () => (x: Array) => E.convert(x, "int32"),
    grad: zero,
  },
  {
    name: "convert_element_type:from_int",
    prim: "convert_element_type",
    linear: true,
    cases: unaryCases,
    args: all(ints()),
    fn: () => (x: Array) => E.convert(x, "float64"),
    grad: zero,
  },
  {
    name: "bitcast_convert_type",
    prim: "bitcast_convert_type",
    cases: unaryCases,
    args: all(F({ dtype: "float32" })),
    fn: () => ap(E.bitcastP, { dtype: "int32" }),
    grad: zero,
  },
];

// ---------------------------------------------------------------------------------------------
// Reductions

const axesCases = shp(1, 3).chain((s) => fc.subarray(range(s.length)).map((axes) => ({ shapes: [s], params: { axes } })));
const axisCases = shp(1, 3).chain((s) => fc.record({ axis: fc.integer({ min: 0, max: s.length - 1 }), reverse: fc.boolean() }).map((params) => ({ shapes: [s], params })));
const reduceEntry = (p: Primitive, grad: GradSpec, dom: ArgGen, name = p.name, linear = false): OpSpec => ({
  name,
  prim: p.name,
  linear,
  cases: axesCases,
  args: all(dom),
  fn: (params) => ap(p, params),
  grad,
});
// Values in ±[0.5, 1.5]: products stay O(1) and never cross zero.
const awayFromZero = fromElems(fc.tuple(fc.double({ min: 0.5, max: 1.5, noNaN: true }), fc.boolean()).map(([v, s]) => (s ? v : -v)));

const reductions: OpSpec[] = [
  reduceEntry(R.reduceSumP, check(), F(), "reduce_sum", true),
  reduceEntry(R.reduceMaxP, check(), distinct),
  reduceEntry(R.reduceMinP, check(), distinct),
  reduceEntry(R.reduceProdP, check(), awayFromZero),
  reduceEntry(R.reduceAndP, zero, boolArr),
  reduceEntry(R.reduceOrP, zero, boolArr),
  { name: "argmax", prim: "argmax", cases: axisCases, args: all(smallInts), fn: ({ axis }) => ap(R.argmaxP, { axis }), grad: zero },
  { name: "argmin", prim: "argmin", cases: axisCases, args: all(smallInts), fn: ({ axis }) => ap(R.argminP, { axis }), grad: zero },
  { name: "cumsum", prim: "cumsum", linear: true, cases: axisCases, args: all(F()), fn: (p) => ap(R.cumsumP, p), grad: check() },
  { name: "cumprod", prim: "cumprod", cases: axisCases, args: all(awayFromZero), fn: (p) => ap(R.cumprodP, p), grad: check() },
];

// ---------------------------------------------------------------------------------------------
// Movement

const reshapeCases = shp(0, 3).chain((s) =>
  fc
    .constantFrom<(s: number[]) => number[]>(
      (t) => [sizeOf(t)],
      (t) => [...t].reverse(),
      (t) => [1, ...t, 1],
      (t) => t.filter((d) => d !== 1),
      (t) => (t.length >= 2 ? [t[0]! * t[1]!, ...t.slice(2)] : [...t, 1]),
    )
    .map((to) => ({ shapes: [s], params: { shape: to(s) } })),
);

const transposeCases = shp(0, 3).chain((s) => fc.shuffledSubarray(range(s.length), { minLength: s.length, maxLength: s.length }).map((perm) => ({ shapes: [s], params: { perm } })));

const broadcastCases = shp(0, 3).chain((out) =>
  fc.subarray(range(out.length)).chain((dims) =>
    fc.array(fc.boolean(), { minLength: dims.length, maxLength: dims.length }).map((ones) => ({
      shapes: [dims.map((d, i) => (ones[i] ? 1 : out[d]!))],
      params: { shape: out, broadcastDimensions: dims },
    })),
  ),
);

const sliceCases = shp(1, 3).chain((s) =>
  fc
    .tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((st) => fc.tuple(fc.constant(st), fc.integer({ min: st + 1, max: d }), fc.integer({ min: 1, max: 2 })))))
    .map((ax) => ({ shapes: [s], params: { start: ax.map((a) => a[0]), limit: ax.map((a) => a[1]), strides: ax.map((a) => a[2]) } })),
);

const padCases = shp(0, 3).chain((s) =>
  fc
    .record({
      lo: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }),
      hi: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }),
      interior: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: s.length, maxLength: s.length }),
      value: fc.constantFrom(0, 1.5),
    })
    .map((params) => ({ shapes: [s], params })),
);

const concatCases = shp(1, 3).chain((s) =>
  fc.integer({ min: 0, max: s.length - 1 }).chain((axis) =>
    fc.array(side, { minLength: 1, maxLength: 3 }).map((sizes) => ({
      shapes: sizes.map((n) => s.map((d, i) => (i === axis ? n : d))),
      params: { axis },
    })),
  ),
);

const revCases = shp(0, 3).chain((s) => fc.subarray(range(s.length)).map((axes) => ({ shapes: [s], params: { axes } })));

const iotaCases = shp(1, 3).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((dimension) => ({ shapes: [s], params: { dimension } })));

const movement: OpSpec[] = [
  { name: "reshape", prim: "reshape", linear: true, cases: reshapeCases, args: all(F()), fn: (p) => ap(M.reshapeP, p), grad: check() },
  { name: "transpose", prim: "transpose", linear: true, cases: transposeCases, args: all(F()), fn: (p) => ap(M.transposeP, p), grad: check() },
  { name: "broadcast_in_dim", prim: "broadcast_in_dim", linear: true, cases: broadcastCases, args: all(F()), fn: (p) => ap(M.broadcastInDimP, p), grad: check() },
  { name: "slice", prim: "slice", linear: true, cases: sliceCases, args: all(F()), fn: (p) => ap(M.sliceP, p), grad: check() },
  { name: "pad", prim: "pad", linear: true, cases: padCases, args: all(F()), fn: (p) => ap(M.padP, p), grad: check() },
  { name: "concatenate", prim: "concatenate", linear: true, cases: concatCases, args: all(F()), fn: (p) => ap(M.concatenateP, p), grad: check() },
  { name: "rev", prim: "rev", linear: true, cases: revCases, args: all(F()), fn: (p) => ap(M.revP, p), grad: check() },
  {
    // iota has no operands: exercise it inside a differentiable function of x.
    name: "iota",
    prim: "iota",
    cases: iotaCases,
    args: all(F()),
    fn:
      ({ dimension }) =>
      (x: Array) =>
        E.mul(x, E.convert(bind1(M.iotaP, [], { shape: [...x.shape], dtype: "int32", dimension }), x.dtype)),
    grad: check(),
  },
];

// ---------------------------------------------------------------------------------------------
// Contraction

/** Random dot_general dimension numbers: up to 1 batch, 2 contracting and 1 free axis per side, axes in random positions. */
const dotCases = fc
  .record({
    b: fc.array(side, { maxLength: 1 }),
    c: fc.array(side, { maxLength: 2 }),
    l: fc.array(side, { maxLength: 1 }),
    r: fc.array(side, { maxLength: 1 }),
  })
  .chain(({ b, c, l, r }) => {
    const nl = b.length + c.length + l.length;
    const nr = b.length + c.length + r.length;
    return fc
      .record({
        pl: fc.shuffledSubarray(range(nl), { minLength: nl, maxLength: nl }),
        pr: fc.shuffledSubarray(range(nr), { minLength: nr, maxLength: nr }),
      })
      .map(({ pl, pr }) => {
        // Physical axis j holds logical axis p[j]; logical order is [batch, contract, free].
        const lsizes = [...b, ...c, ...l];
        const rsizes = [...b, ...c, ...r];
        return {
          shapes: [pl.map((q) => lsizes[q]!), pr.map((q) => rsizes[q]!)],
          params: {
            lhsBatch: b.map((_, k) => pl.indexOf(k)),
            rhsBatch: b.map((_, k) => pr.indexOf(k)),
            lhsContract: c.map((_, k) => pl.indexOf(b.length + k)),
            rhsContract: c.map((_, k) => pr.indexOf(b.length + k)),
          },
        };
      });
  });

const contraction: OpSpec[] = [{ name: "dot_general", prim: "dot_general", linear: true, cases: dotCases, args: all(F()), fn: (p) => ap(dotGeneralP, p), grad: check() }];

// ---------------------------------------------------------------------------------------------
// Indexing

const gatherCases = shp(1, 3).chain((s) =>
  fc.record({ k: fc.integer({ min: 0, max: s.length }), B: shp(0, 2) }).map(({ k, B }) => ({ shapes: [s, [...B, k]], params: {} })),
);

/** Scatter shapes: operand, indices `[...B, k]`, updates `[...B, ...operand[k:]]`; `unique` limits rows to distinct slots. */
const scatterCases = (mode: ScatterMode, unique: boolean) =>
  shp(1, 3).chain((s) =>
    fc.integer({ min: 0, max: s.length }).chain((k) => {
      const slots = sizeOf(s.slice(0, k));
      const B: fc.Arbitrary<number[]> = unique
        ? fc.integer({ min: 1, max: Math.min(slots, 3) }).chain((n) => (n === 1 ? fc.constantFrom<number[]>([], [1]) : fc.constant([n])))
        : shp(0, 2);
      return B.map((b) => ({ shapes: [s, [...b, k], [...b, ...s.slice(k)]], params: { mode } }));
    }),
  );

const scatterMulCases = scatterCases("mul", false).chain((c) => arrays({ shape: c.shapes[2]!, min: 0.5, max: 1.5 }).map((upd) => ({ shapes: c.shapes.slice(0, 2), params: { mode: "mul", upd } })));

const indexing: OpSpec[] = [
  { name: "gather", prim: "gather", linear: true, cases: gatherCases, args: (c) => [F()(c.shapes[0]!), indexRows(c.shapes[0]!, c.shapes[1]!)], fn: () => gather, grad: check() },
  {
    name: "scatter:set",
    prim: "scatter",
    linear: true,
    cases: scatterCases("set", true),
    args: (c) => [F()(c.shapes[0]!), uniqueIndexRows(c.shapes[0]!, c.shapes[1]!), F()(c.shapes[2]!)],
    fn: () => (x: Array, i: Array, v: Array) => scatter(x, i, v, "set"),
    grad: check(),
  },
  {
    name: "scatter:add",
    prim: "scatter",
    linear: true,
    cases: scatterCases("add", false),
    args: (c) => [F()(c.shapes[0]!), indexRows(c.shapes[0]!, c.shapes[1]!), F()(c.shapes[2]!)],
    fn: () => (x: Array, i: Array, v: Array) => scatter(x, i, v, "add"),
    grad: check(),
  },
  {
    // Differentiable in the operand only (as implemented); the updates are a constant of the case.
    name: "scatter:mul",
    prim: "scatter",
    linear: true,
    cases: scatterMulCases,
    args: (c) => [F()(c.shapes[0]!), indexRows(c.shapes[0]!, c.shapes[1]!)],
    fn:
      ({ upd }) =>
      (x: Array, i: Array) =>
        scatter(x, i, upd, "mul"),
    grad: check(),
  },
  ...(["min", "max"] as const).map(
    (mode): OpSpec => ({
      name: `scatter:${mode}`,
      prim: "scatter",
      linear: true,
      cases: scatterCases(mode, false),
      // No ties within the finite-difference step: updates pairwise distinct and off the
      // operand's grid (ties are averaged, as in JAX, which central differences match only for two).
      args: (c) => [grid(0)(c.shapes[0]!), indexRows(c.shapes[0]!, c.shapes[1]!), distinctOffGrid(c.shapes[2]!)],
      fn: () => (x: Array, i: Array, v: Array) => scatter(x, i, v, mode),
      grad: check(),
    }),
  ),
];

// ---------------------------------------------------------------------------------------------
// Sort

const sortCases = (n: number) => shp(1, 3).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((axis) => ({ shapes: range(n).map(() => s), params: { axis } })));

const sorting: OpSpec[] = [
  { name: "sort", prim: "sort", cases: sortCases(1), args: all(distinct), fn: ({ axis }) => (x: Array) => bind(sortP, [x], { axis })[0]!, grad: check() },
  { name: "sort:keys_and_values", prim: "sort", cases: sortCases(2), args: per(distinct, F()), fn: ({ axis }) => (k: Array, v: Array) => bind(sortP, [k, v], { axis }), grad: check() },
  { name: "sort:argsort", prim: "sort", cases: sortCases(1), args: all(F()), fn: ({ axis }) => (x: Array) => argsort(x, axis), grad: zero },
];

// ---------------------------------------------------------------------------------------------
// Higher-order (call) primitives

// pjit: `jit` of a small broadcasting function; a fresh jitted function per case.
const jitInner = (x: Array, y: Array) => E.add(E.mul(E.sin(x), y), E.cos(E.mul(x, y)));

// A stable softplus log(1 + e^x) with its derivative logistic(x) given by hand.
const softplus = (x: Array) => E.add(E.max(x, E.mul(x, 0)), bind1(E.log1pP, [E.exp(E.neg(bind1(E.absP, [x], {})))], {}));
const softplusCustom = customJvp(softplus, ([x], [t]) => [softplus(x), E.mul(t, bind1(E.logisticP, [x], {}))]);

// sin(x) * y with a hand-written VJP.
const sinTimes = (x: Array, y: Array) => E.mul(E.sin(x), y);
const sinTimesCustom = customVjp(
  sinTimes,
  (x: Array, y: Array) => [sinTimes(x, y), [E.cos(x), E.sin(x), y]] as [Array, Array[]],
  ([c, s, y]: Array[], ct: Array) => [E.mul(ct, E.mul(c!, y!)), E.mul(ct, s!)],
);

const remat = checkpoint((x: Array) => E.mul(E.sin(x), E.exp(E.cos(x))));

const calls: OpSpec[] = [
  {
    name: "pjit",
    prim: "pjit",
    cases: noParams(bcastShapes(2)),
    args: all(F()),
    fn: () => jit(jitInner),
    grad: check(),
  },
  { name: "custom_jvp_call", prim: "custom_jvp_call", cases: unaryCases, args: all(F()), fn: () => softplusCustom, grad: check() },
  {
    // Reverse mode only: forward mode of a customVjp function is an error, as in JAX.
    name: "custom_vjp_call",
    prim: "custom_vjp_call",
    cases: sameShapeCases(2),
    args: all(F()),
    fn: () => sinTimesCustom,
    grad: check({ modes: ["rev"] }),
  },
  {
    // The linear half of custom_vjp_call, whose transpose is the user's bwd: exercised by the pullback.
    name: "custom_lin",
    prim: "custom_lin",
    linear: true,
    cases: sameShapeCases(3),
    args: all(F()),
    fn: () => (x: Array, y: Array, ct: Array) => vjp(sinTimesCustom, x, y)[1](ct) as unknown as Array[],
    grad: check({ modes: ["rev"], order: 1 }),
  },
  { name: "checkpoint", prim: "checkpoint", cases: unaryCases, args: all(F()), fn: () => remat, grad: check() },
  {
    // The linear half of checkpoint under forward mode: the JVP of a checkpointed function.
    name: "remat_lin",
    prim: "remat_lin",
    linear: true,
    cases: sameShapeCases(2),
    args: all(F()),
    fn: () => (x: Array, t: Array) => jvp(remat, [x], [t])[1],
    grad: check(),
  },
  { name: "stop_gradient", prim: "stop_gradient", cases: unaryCases, args: all(F()), fn: () => u(stopGradientP), grad: zero },
];

// ---------------------------------------------------------------------------------------------
// Control flow (jaxpr-carrying primitives)

const scalarInt = (min: number, max: number): ArgGen => ints(min, max);

const condCases = noParams(shp(0, 3).map((s) => [[], s, s]));
const switchCases = noParams(shp(0, 3).map((s) => [[], s]));
const scanCases = shp(0, 2).chain((s) =>
  fc.record({ length: fc.integer({ min: 1, max: 3 }), reverse: fc.boolean() }).map(({ length, reverse }) => ({ shapes: [s, [length, ...s]], params: { reverse } })),
);
const whileCases = noParams(shp(0, 3).map((s) => [[], s]));

// `n` iterations of v -> 1.5 sin(v): the trip count is an (int, possibly batched) argument, so under
// vmap the predicate is batched; the derivative in v is smooth.
const whileFn = (n: Array, x: Array): Array =>
  (laxWhile(
    ([i]: Array[]) => E.lt(i!, n),
    ([i, v]: Array[]) => [E.add(i!, 1), E.mul(E.sin(v!), 1.5)],
    [fromFlat([0], [], "int32"), x],
  ) as Array[])[1]!;

const control: OpSpec[] = [
  {
    name: "cond",
    prim: "cond",
    linear: true,
    cases: condCases,
    args: per(boolArr, F(), F()),
    fn: () => (p: Array, x: Array, y: Array) => laxCond(p, (a: Array, b: Array) => E.mul(E.sin(a), b), (a: Array, b: Array) => E.add(E.cos(a), b), x, y),
    grad: check(),
  },
  {
    // lax.switch binds cond with an int32 index; out-of-range indices clamp (also when batched).
    name: "cond:switch",
    prim: "cond",
    linear: true,
    cases: switchCases,
    args: per(scalarInt(-1, 3), F()),
    fn: () => (i: Array, x: Array) => laxSwitch(i, [(a: Array) => E.sin(a), (a: Array) => E.mul(a, a), (a: Array) => E.exp(E.cos(a))], x),
    grad: check(),
  },
  {
    name: "scan",
    prim: "scan",
    linear: true,
    cases: scanCases,
    args: all(F()),
    fn:
      ({ reverse }) =>
      (c0: Array, xs: Array) =>
        laxScan(
          (c: Array, x: Array) => {
            const nc = E.add(E.mul(E.sin(c), x), E.cos(x));
            return [nc, E.mul(nc, c)];
          },
          c0,
          xs,
          { reverse },
        ) as Array[],
    grad: check(),
  },
  // Forward mode only: reverse mode of whileLoop is an error, as in JAX.
  { name: "while", prim: "while", cases: whileCases, args: per(scalarInt(0, 3), F()), fn: () => whileFn, grad: check({ modes: ["fwd"] }) },
  {
    name: "while:reverse_mode",
    prim: "while",
    cases: whileCases,
    args: per(scalarInt(1, 3), F()),
    fn: () => whileFn,
    grad: { kind: "unsupported", error: /reverse-mode differentiation \(grad\/vjp\) of whileLoop is not supported/ },
  },
];

// ---------------------------------------------------------------------------------------------
// Convolution and windowed reductions

const perm = (n: number) => fc.shuffledSubarray(range(n), { minLength: n, maxLength: n });
const valid = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

/** Random convolutions: 1 or 2 spatial axes, strides, both dilations, padding (negative crops), groups, and axis layouts. */
const convCases: fc.Arbitrary<Case> = fc
  .integer({ min: 1, max: 2 })
  .chain((ns) => {
    const list = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: ns, maxLength: ns });
    return fc.record({
      ns: fc.constant(ns),
      n: fc.integer({ min: 1, max: 2 }),
      cin: fc.integer({ min: 1, max: 2 }),
      cout: fc.integer({ min: 1, max: 2 }),
      groups: fc.constantFrom(1, 2),
      batchGroups: fc.boolean(),
      spatial: list(1, 4),
      kernel: list(1, 2),
      strides: list(1, 2),
      lhsDil: list(1, 2),
      rhsDil: list(1, 2),
      padding: fc.array(fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 })), { minLength: ns, maxLength: ns }),
      specs: fc.tuple(perm(ns + 2), perm(ns + 2), perm(ns + 2)),
    });
  })
  .map((r) => {
    const B = r.batchGroups ? r.groups : 1;
    const G = r.batchGroups ? 1 : r.groups;
    const lhsLogical = [r.n * B, r.cin * G, ...r.spatial];
    const rhsLogical = [r.cout * r.groups, r.cin, ...r.kernel];
    const [lhsSpec, rhsSpec, outSpec] = r.specs;
    const physical = (logical: number[], spec: number[]) => {
      const out = new globalThis.Array<number>(logical.length);
      spec.forEach((axis, role) => (out[axis] = logical[role]!));
      return out;
    };
    const params: ConvParams = {
      windowStrides: r.strides,
      padding: r.padding,
      lhsDilation: r.lhsDil,
      rhsDilation: r.rhsDil,
      dimensionNumbers: { lhsSpec, rhsSpec, outSpec },
      featureGroupCount: G,
      batchGroupCount: B,
    };
    return { shapes: [physical(lhsLogical, lhsSpec), physical(rhsLogical, rhsSpec)], params };
  })
  .filter((c) => valid(() => convOutputShape("test", c.shapes[0]!, c.shapes[1]!, c.params)));

/**
 * Random windows. `full` allows padding and base dilation; max/min and the select primitives use
 * windows whose taps all land on operand elements, so every window has a unique extremum.
 */
const windowCases = (full: boolean): fc.Arbitrary<Case> =>
  shp(1, 3)
    .chain((s) => {
      const list = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: s.length, maxLength: s.length });
      return fc.record({
        s: fc.constant(s),
        windowDimensions: list(1, 2),
        windowStrides: list(1, 2),
        windowDilation: list(1, 2),
        baseDilation: full ? list(1, 2) : list(1, 1),
        padding: fc.array(full ? fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: 0, max: 1 })) : fc.constant<[number, number]>([0, 0]), { minLength: s.length, maxLength: s.length }),
      });
    })
    .map(({ s, ...params }) => ({ shapes: [s], params: params as ReduceWindowParams }))
    .filter((c) => valid(() => reduceWindowShape("test", c.shapes[0]!, c.params)));

const selectCases = (scatter: boolean): fc.Arbitrary<Case> =>
  fc.tuple(windowCases(false), fc.constantFrom<"max" | "min">("max", "min")).map(([c, select]) => {
    const x = c.shapes[0]!;
    const first = scatter ? reduceWindowShape("test", x, c.params) : x;
    return { shapes: [first, x], params: { ...c.params, select } };
  });

const windows: OpSpec[] = [
  { name: "conv_general_dilated", prim: "conv_general_dilated", linear: true, cases: convCases, args: all(F()), fn: (p) => ap(convGeneralDilatedP, p), grad: check() },
  { name: "reduce_window_sum", prim: "reduce_window_sum", linear: true, cases: windowCases(true), args: all(F()), fn: (p) => ap(reduceWindowSumP, p), grad: check() },
  { name: "reduce_window_max", prim: "reduce_window_max", cases: windowCases(false), args: all(distinct), fn: (p) => ap(reduceWindowMaxP, p), grad: check() },
  { name: "reduce_window_min", prim: "reduce_window_min", cases: windowCases(false), args: all(distinct), fn: (p) => ap(reduceWindowMinP, p), grad: check() },
  // Linear in the first operand; the operand only picks positions (distinct values keep the picks stable).
  { name: "select_and_gather_add", prim: "select_and_gather_add", linear: true, cases: selectCases(false), args: per(F(), distinct), fn: (p) => ap(selectAndGatherAddP, p), grad: check() },
  { name: "select_and_scatter_add", prim: "select_and_scatter_add", linear: true, cases: selectCases(true), args: per(F(), distinct), fn: (p) => ap(selectAndScatterAddP, p), grad: check() },
];

// ---------------------------------------------------------------------------------------------
// Random bits

const random: OpSpec[] = [
  {
    name: "threefry2x32",
    prim: "threefry2x32",
    cases: noParams(bcastShapes(4)),
    args: all(ints(0, 4294967295, "uint32")),
    fn: () => (k0: Array, k1: Array, x0: Array, x1: Array) => threefry2x32Words(k0, k1, x0, x1),
    grad: zero,
  },
];

/** The whole table. */
export const SPECS: readonly OpSpec[] = [...elementwise, ...reductions, ...movement, ...contraction, ...indexing, ...sorting, ...calls, ...control, ...windows, ...random];

/** A generated case together with one set of argument values. */
export interface Sample {
  c: Case;
  xs: Array[];
}

/** Cases with argument values. */
export function samples(spec: OpSpec): fc.Arbitrary<Sample> {
  return spec.cases.chain((c) => fc.tuple(...spec.args(c)).map((xs) => ({ c, xs })));
}

/** Cases with `B` (1..3) argument sets sharing the case's shapes, for vmap. */
export function batches(spec: OpSpec): fc.Arbitrary<{ c: Case; examples: Array[][] }> {
  return spec.cases.chain((c) => fc.integer({ min: 1, max: 3 }).chain((b) => fc.array(fc.tuple(...spec.args(c)), { minLength: b, maxLength: b }).map((examples) => ({ c, examples }))));
}

/**
 * fast-check parameters: few runs (the suite must stay fast) and a fixed seed per test, so CI is
 * reproducible. To explore, set `FC_SEED=random` (or a number) and `FC_RUNS=<multiplier>`.
 */
export function fcParams(name: string, numRuns: number): fc.Parameters<unknown> {
  const env = process.env.FC_SEED;
  const scale = Number(process.env.FC_RUNS ?? 1);
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const seed = env === undefined ? h | 0 : env === "random" ? (Date.now() ^ h) | 0 : (Number(env) ^ h) | 0;
  return { numRuns: Math.max(1, Math.round(numRuns * scale)), seed };
}

/** The outputs of an entry's function as a list. */
export function outList(y: Array | Array[]): Array[] {
  return globalThis.Array.isArray(y) ? y : [y];
}

/** Sum of every output, as float64 (for zero-gradient checks). */
export function sumOutputs(y: Array | Array[]): Array {
  return outList(y)
    .map((o) => sumAll(E.convert(o, "float64")))
    .reduce((a, b) => E.add(a, b));
}

// =============================================================================================
// The NumPy layer: every differentiable `np.*` function, through the public API. These entries
// are for gradient checks (they are compositions of the primitives above, whose vmap/jit rules
// are covered by the primitive table).

/** `np.*` entries: `prim` is the function's public name. */
export const NP_SPECS: readonly OpSpec[] = makeNpSpecs();

function makeNpSpecs(): OpSpec[] {
  type U = (x: Array) => Array;
  type B = (x: Array, y: Array) => Array;
  const un = (name: string, f: U, dom: ArgGen = F()): OpSpec => ({ name: `np.${name}`, prim: `np.${name}`, cases: unaryCases, args: all(dom), fn: () => f, grad: check() });
  const bin = (name: string, f: B, doms: [ArgGen, ArgGen] = [F(), F()]): OpSpec => ({
    name: `np.${name}`,
    prim: `np.${name}`,
    cases: noParams(bcastShapes(2)),
    args: per(...doms),
    fn: () => f,
    grad: check(),
  });
  // Reductions: axis null, a (possibly negative) number, or a list; keepdims random.
  const redCases = (minReduced = 1) =>
    shp(1, 3)
      .chain((s) =>
        fc.record({
          s: fc.constant(s),
          axis: fc.oneof(fc.constant(null), fc.integer({ min: -s.length, max: s.length - 1 }), fc.subarray(range(s.length), { minLength: 1 })),
          keepdims: fc.boolean(),
        }),
      )
      .filter(({ s, axis }) => {
        const axes = axis === null ? range(s.length) : typeof axis === "number" ? [(axis + s.length) % s.length] : axis;
        return sizeOf(axes.map((a) => s[a]!)) >= minReduced;
      })
      .map(({ s, axis, keepdims }) => ({ shapes: [s], params: { axis, keepdims } }));
  const red = (name: string, f: (x: Array, axis: any, opts: { keepdims: boolean }) => Array, dom: ArgGen = F(), minReduced = 1): OpSpec => ({
    name: `np.${name}`,
    prim: `np.${name}`,
    cases: redCases(minReduced),
    args: all(dom),
    fn:
      ({ axis, keepdims }) =>
      (x: Array) =>
        f(x, axis, { keepdims }),
    grad: check(),
  });
  const axisCase = (minRank = 1) => shp(minRank, 3).chain((s) => fc.integer({ min: -s.length, max: s.length - 1 }).map((axis) => ({ shapes: [s], params: { axis } })));
  const withAxis = (name: string, f: (x: Array, axis: number) => Array | Array[], dom: ArgGen = F(), minRank = 1): OpSpec => ({
    name: `np.${name}`,
    prim: `np.${name}`,
    cases: axisCase(minRank),
    args: all(dom),
    fn:
      ({ axis }) =>
      (x: Array) =>
        f(x, axis),
    grad: check(),
  });
  const custom = (name: string, cases: fc.Arbitrary<Case>, args: (c: Case) => fc.Arbitrary<Array>[], fn: (p: any) => (...xs: Array[]) => Array | Array[], grad: GradSpec = check()): OpSpec => ({
    name: `np.${name}`,
    prim: `np.${name}`,
    cases,
    args,
    fn,
    grad,
  });
  // Away from the jumps of floor(x / y): as the rem primitive's domain.
  const remDoms: [ArgGen, ArgGen] = [
    fromElems(fc.tuple(fc.integer({ min: -4, max: 3 }), fc.double({ min: 0.25, max: 0.75, noNaN: true })).map(([k, f]) => k + f)),
    fromElems(fc.constantFrom(1, -1, 2, -2, 4, -4)),
  ];
  // Distinct values spread out (var/std stay well away from 0, where sqrt is not smooth).
  const spread: ArgGen = (shape) => distinct(shape).map((x) => np.multiply(x, 3));
  const matmulCases = fc
    .record({ batch: bcastShapes(2).map(([a, b]) => [a.slice(-1), b.slice(-1)]), m: side, k: side, n: side, vecA: fc.boolean(), vecB: fc.boolean() })
    .map(({ batch: [ba, bb], m, k, n, vecA, vecB }) => ({
      shapes: [vecA ? [k] : [...ba!, m, k], vecB ? [k] : [...bb!, k, n]],
      params: {},
    }));
  const perm = (n: number) => fc.shuffledSubarray(range(n), { minLength: n, maxLength: n });
  const idxSpec = (s: number[]) =>
    fc.tuple(
      ...s.map((d) =>
        fc.oneof(
          fc.integer({ min: -d, max: d - 1 }),
          fc.tuple(fc.integer({ min: 0, max: d - 1 }), fc.integer({ min: 0, max: d }), fc.constantFrom(1, 2)).map(([a, b, st]) => [a, Math.max(a + 1, b), st] as const),
          fc.constant([null, null, -1] as const),
          fc.constant([null] as const),
        ),
      ),
    );
  return [
    // ---- elementwise math
    un("negative", (x) => np.negative(x)),
    un("positive", (x) => np.positive(x)),
    un("abs", (x) => np.abs(x), F({ avoid: [0], margin: 0.1 })),
    un("square", (x) => np.square(x)),
    un("reciprocal", (x) => np.reciprocal(x), F({ avoid: [0], margin: 0.4 })),
    un("exp", (x) => np.exp(x)),
    un("exp2", (x) => np.exp2(x)),
    un("expm1", (x) => np.expm1(x)),
    un("log", (x) => np.log(x), F({ min: 0.3, max: 3 })),
    un("log2", (x) => np.log2(x), F({ min: 0.3, max: 3 })),
    un("log10", (x) => np.log10(x), F({ min: 0.3, max: 3 })),
    un("log1p", (x) => np.log1p(x), F({ min: -0.7, max: 3 })),
    un("sqrt", (x) => np.sqrt(x), F({ min: 0.3, max: 3 })),
    un("cbrt", (x) => np.cbrt(x), F({ avoid: [0], margin: 0.3 })),
    un("deg2rad", (x) => np.deg2rad(x)),
    un("rad2deg", (x) => np.rad2deg(x)),
    un("radians", (x) => np.radians(x)),
    un("degrees", (x) => np.degrees(x)),
    un("sin", (x) => np.sin(x)),
    un("cos", (x) => np.cos(x)),
    un("tan", (x) => np.tan(x), F({ min: -1.2, max: 1.2 })),
    un("arcsin", (x) => np.arcsin(x), F({ min: -0.8, max: 0.8 })),
    un("arccos", (x) => np.arccos(x), F({ min: -0.8, max: 0.8 })),
    un("arctan", (x) => np.arctan(x)),
    un("sinh", (x) => np.sinh(x)),
    un("cosh", (x) => np.cosh(x)),
    un("tanh", (x) => np.tanh(x)),
    un("arcsinh", (x) => np.arcsinh(x)),
    un("arccosh", (x) => np.arccosh(x), F({ min: 1.2, max: 3 })),
    un("arctanh", (x) => np.arctanh(x), F({ min: -0.8, max: 0.8 })),
    un("sign", (x) => np.sign(x), F({ avoid: [0], margin: 0.1 })),
    un("floor", (x) => np.floor(x), F({ avoid: integers, margin: 0.05 })),
    un("ceil", (x) => np.ceil(x), F({ avoid: integers, margin: 0.05 })),
    un("trunc", (x) => np.trunc(x), F({ avoid: integers, margin: 0.05 })),
    un("rint", (x) => np.rint(x), F({ avoid: halfIntegers, margin: 0.05 })),
    un("round", (x) => np.round(x), F({ avoid: halfIntegers, margin: 0.05 })),
    un("nanToNum", (x) => np.nanToNum(x)),
    un("clip", (x) => np.clip(x, -1, 1.5), F({ avoid: [-1, 1.5], margin: 0.05 })),
    un("astype", (x) => np.astype(x, "float64")),
    bin("add", (x, y) => np.add(x, y)),
    bin("subtract", (x, y) => np.subtract(x, y)),
    bin("multiply", (x, y) => np.multiply(x, y)),
    bin("divide", (x, y) => np.divide(x, y), [F(), F({ avoid: [0], margin: 0.4 })]),
    bin("trueDivide", (x, y) => np.trueDivide(x, y), [F(), F({ avoid: [0], margin: 0.4 })]),
    bin("floorDivide", (x, y) => np.floorDivide(x, y), remDoms),
    bin("mod", (x, y) => np.mod(x, y), remDoms),
    bin("remainder", (x, y) => np.remainder(x, y), remDoms),
    bin("fmod", (x, y) => np.fmod(x, y), remDoms),
    bin("power", (x, y) => np.power(x, y), [F({ min: 0.3, max: 3 }), F({ min: -2, max: 2 })]),
    bin("maximum", (x, y) => np.maximum(x, y), [grid(0), grid(0.25)]),
    bin("minimum", (x, y) => np.minimum(x, y), [grid(0), grid(0.25)]),
    // Both have custom JVPs (their max/min/abs formulations have no curvature at ties); the
    // domains include the ties x == y (logaddexp) and y == 0, |x| == |y| (hypot, not both 0).
    bin("logaddexp", (x, y) => np.logaddexp(x, y), [smallInts, smallInts]),
    bin("logaddexp:random", (x, y) => np.logaddexp(x, y)),
    bin("hypot", (x, y) => np.hypot(x, y), [offZero(0), fromElems(fc.constantFrom(0, 0.3, -0.3, 0.8, -0.8))]),
    bin("hypot:random", (x, y) => np.hypot(x, y), [offZero(0), offZero(0.25)]),
    bin("arctan2", (x, y) => np.arctan2(x, y), [F({ avoid: [0], margin: 0.4 }), F()]),
    bin("nextafter", (x, y) => np.nextafter(x, y)),
    custom("where", noParams(bcastShapes(3)), per(boolArr, F(), F()), () => (c: Array, x: Array, y: Array) => np.where(c, x, y)),
    // ---- reductions
    red("sum", (x, a, o) => np.sum(x, a, o)),
    red("prod", (x, a, o) => np.prod(x, a, o), awayFromZero),
    red("mean", (x, a, o) => np.mean(x, a, o)),
    red("var", (x, a, o) => np.var(x, a, o), spread, 2),
    red("std", (x, a, o) => np.std(x, a, o), spread, 2),
    red("max", (x, a, o) => np.max(x, a, o), distinct),
    red("min", (x, a, o) => np.min(x, a, o), distinct),
    red("amax", (x, a, o) => np.amax(x, a, o), distinct),
    red("amin", (x, a, o) => np.amin(x, a, o), distinct),
    red("ptp", (x, a, o) => np.ptp(x, a, o), distinct),
    red("nansum", (x, a, o) => np.nansum(x, a, o)),
    red("nanmean", (x, a, o) => np.nanmean(x, a, o)),
    red("logsumexp", (x, a, o) => np.logsumexp(x, a, o)),
    red("median", (x, a, o) => np.median(x, a, o), distinct),
    withAxis("cumsum", (x, a) => np.cumsum(x, a)),
    withAxis("cumprod", (x, a) => np.cumprod(x, a), awayFromZero),
    withAxis("sort", (x, a) => np.sort(x, a), distinct),
    // ---- shape
    custom("reshape", reshapeCases, all(F()), ({ shape }) => (x: Array) => np.reshape(x, shape)),
    un("ravel", (x) => np.ravel(x)),
    custom("transpose", shp(0, 3).chain((s) => perm(s.length).map((p) => ({ shapes: [s], params: { p } }))), all(F()), ({ p }) => (x: Array) => np.transpose(x, p)),
    custom(
      "swapaxes",
      shp(1, 3).chain((s) => fc.tuple(fc.integer({ min: -s.length, max: s.length - 1 }), fc.integer({ min: 0, max: s.length - 1 })).map(([a, b]) => ({ shapes: [s], params: { a, b } }))),
      all(F()),
      ({ a, b }) =>
        (x: Array) =>
          np.swapaxes(x, a, b),
    ),
    custom(
      "moveaxis",
      shp(1, 3).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: -s.length, max: s.length - 1 })).map(([a, b]) => ({ shapes: [s], params: { a, b } }))),
      all(F()),
      ({ a, b }) =>
        (x: Array) =>
          np.moveaxis(x, a, b),
    ),
    custom("expandDims", shp(0, 2).chain((s) => fc.integer({ min: -(s.length + 1), max: s.length }).map((a) => ({ shapes: [s], params: { a } }))), all(F()), ({ a }) => (x: Array) => np.expandDims(x, a)),
    custom("squeeze", shp(0, 3).map((s) => ({ shapes: [[1, ...s, 1]], params: {} })), all(F()), () => (x: Array) => np.squeeze(x)),
    custom("broadcastTo", bcastShapes(2).map(([a, b]) => ({ shapes: [b!], params: { to: broadcastPair(a!, b!) } })), all(F()), ({ to }) => (x: Array) => np.broadcastTo(x, to)),
    custom("concatenate", concatCases, all(F()), ({ axis }) => (...xs: Array[]) => np.concatenate(xs, axis)),
    custom("stack", shp(0, 2).chain((s) => fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: s.length })).map(([n, axis]) => ({ shapes: range(n).map(() => s), params: { axis } }))), all(F()), ({ axis }) => (...xs: Array[]) => np.stack(xs, axis)),
    custom("hstack", sameShapeCases(2), all(F()), () => (...xs: Array[]) => np.hstack(xs)),
    custom("vstack", sameShapeCases(2), all(F()), () => (...xs: Array[]) => np.vstack(xs)),
    custom("dstack", sameShapeCases(2), all(F()), () => (...xs: Array[]) => np.dstack(xs)),
    un("atleast1d", (x) => np.atleast1d(x)),
    un("atleast2d", (x) => np.atleast2d(x)),
    un("atleast3d", (x) => np.atleast3d(x)),
    withAxis("split", (x, a) => np.split(x, [1], a)),
    withAxis("arraySplit", (x, a) => np.arraySplit(x, 2, a)),
    custom("tile", shp(0, 2).chain((s) => fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 3 }).map((reps) => ({ shapes: [s], params: { reps } }))), all(F()), ({ reps }) => (x: Array) => np.tile(x, reps)),
    withAxis("repeat", (x, a) => np.repeat(x, 2, a)),
    custom("flip", revCases, all(F()), ({ axes }) => (x: Array) => np.flip(x, axes)),
    un("fliplr", (x) => (x.ndim >= 2 ? np.fliplr(x) : np.fliplr(np.atleast2d(x)))),
    un("flipud", (x) => (x.ndim >= 1 ? np.flipud(x) : np.flipud(np.atleast1d(x)))),
    withAxis("roll", (x, a) => np.roll(x, 2, a)),
    ...(["constant", "edge", "reflect", "symmetric", "wrap"] as const).map((mode) =>
      custom(`pad:${mode}`, shp(1, 2).map((s) => ({ shapes: [s.map((d) => d + 1)], params: {} })), all(F()), () => (x: Array) => np.pad(x, 1, mode)),
    ),
    // ---- linear algebra
    custom("matmul", matmulCases, all(F()), () => (a: Array, b: Array) => np.matmul(a, b)),
    custom("dot", fc.tuple(side, side, side, fc.constantFrom(0, 1, 2)).map(([m, k, n, kind]) => ({ shapes: kind === 0 ? [[k], [k]] : kind === 1 ? [[m, k], [k]] : [[m, k], [k, n]], params: {} })), all(F()), () => (a: Array, b: Array) => np.dot(a, b)),
    custom("vdot", sameShapeCases(2), all(F()), () => (a: Array, b: Array) => np.vdot(a, b)),
    custom("inner", fc.tuple(shp(0, 1), shp(0, 1), side).map(([a, b, k]) => ({ shapes: [[...a, k], [...b, k]], params: {} })), all(F()), () => (a: Array, b: Array) => np.inner(a, b)),
    custom("outer", fc.tuple(shp(1, 2), shp(1, 2)).map(([a, b]) => ({ shapes: [a, b], params: {} })), all(F()), () => (a: Array, b: Array) => np.outer(a, b)),
    custom("tensordot", fc.tuple(side, side, side, side).map(([a, b, c, d]) => ({ shapes: [[a, b, c], [b, c, d]], params: {} })), all(F()), () => (a: Array, b: Array) => np.tensordot(a, b, 2)),
    ...["ij,jk->ik", "bij,bjk->bik", "ii->i", "ij->", "i,i->", "ij,kj->ikj"].map((sub) =>
      custom(`einsum:${sub}`, einsumCases(sub), all(F()), () => (...xs: Array[]) => np.einsum(sub, ...xs)),
    ),
    custom("linalg.norm", shp(1, 2).map((s) => ({ shapes: [s], params: {} })), all(F({ avoid: [0], margin: 0.3 })), () => (x: Array) => np.linalg.norm(x)),
    custom("linalg.norm:ord1", shp(1, 1).map((s) => ({ shapes: [s], params: {} })), all(F({ avoid: [0], margin: 0.1 })), () => (x: Array) => np.linalg.norm(x, 1)),
    custom("linalg.norm:ord3", shp(1, 1).map((s) => ({ shapes: [s], params: {} })), all(F({ avoid: [0], margin: 0.3 })), () => (x: Array) => np.linalg.norm(x, 3)),
    // ---- indexing
    custom(
      "slice",
      shp(1, 3).chain((s) => idxSpec(s).map((idx) => ({ shapes: [s], params: { idx } }))),
      all(F()),
      ({ idx }) =>
        (x: Array) =>
          x.slice(...idx),
    ),
    custom(
      "slice:integer_array",
      shp(1, 3).chain((s) => fc.array(fc.integer({ min: -s[0]!, max: s[0]! - 1 }), { minLength: 1, maxLength: 4 }).map((rows) => ({ shapes: [s], params: { rows } }))),
      all(F()),
      ({ rows }) =>
        (x: Array) =>
          x.slice(fromFlat(rows, [rows.length], "int32")),
    ),
    custom(
      "slice:boolean_mask",
      shp(1, 2).chain((s) => fc.array(fc.boolean(), { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((m) => ({ shapes: [s], params: { mask: fromFlat(m.map(Number), s, "bool") } }))),
      all(F()),
      ({ mask }) =>
        (x: Array) =>
          x.slice(mask),
    ),
    custom(
      "at.set",
      shp(1, 2).chain((s) => fc.uniqueArray(fc.integer({ min: 0, max: s[0]! - 1 }), { minLength: 1, maxLength: s[0]! }).map((rows) => ({ shapes: [s, [rows.length, ...s.slice(1)]], params: { rows } }))),
      all(F()),
      ({ rows }) =>
        (x: Array, v: Array) =>
          x.at(fromFlat(rows, [rows.length], "int32")).set(v),
    ),
    custom(
      "at.add",
      shp(1, 2).chain((s) => fc.array(fc.integer({ min: 0, max: s[0]! - 1 }), { minLength: 1, maxLength: 4 }).map((rows) => ({ shapes: [s, [rows.length, ...s.slice(1)]], params: { rows } }))),
      all(F()),
      ({ rows }) =>
        (x: Array, v: Array) =>
          x.at(fromFlat(rows, [rows.length], "int32")).add(v),
    ),
    custom(
      "at.mul",
      shp(1, 2).chain((s) => fc.array(fc.integer({ min: 0, max: s[0]! - 1 }), { minLength: 1, maxLength: 4 }).map((rows) => ({ shapes: [s], params: { rows } }))),
      all(F()),
      ({ rows }) =>
        (x: Array) =>
          x.at(fromFlat(rows, [rows.length], "int32")).mul(1.5),
    ),
    custom(
      "take",
      shp(1, 3).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 })).map(([axis, raw]) => ({ shapes: [s], params: { axis, idx: raw.map((r) => r % s[axis]!) } }))),
      all(F()),
      ({ axis, idx }) =>
        (x: Array) =>
          np.take(x, idx, axis),
    ),
    custom(
      "takeAlongAxis",
      shp(1, 3).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((axis) => ({ shapes: [s], params: { axis } }))),
      (c) => [distinct(c.shapes[0]!)],
      ({ axis }) =>
        (x: Array) =>
          np.takeAlongAxis(x, np.argsort(stopGradient(x), axis), axis),
    ),
  ];
}

/** The shape `a` and `b` broadcast to (for broadcastTo: b is the operand). */
function broadcastPair(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const pa = [...new globalThis.Array<number>(n - a.length).fill(1), ...a];
  const pb = [...new globalThis.Array<number>(n - b.length).fill(1), ...b];
  return pa.map((d, i) => Math.max(d, pb[i]!));
}

/** Operand shapes for an einsum subscript string, with sides 1..3 per letter. */
function einsumCases(sub: string): fc.Arbitrary<Case> {
  const [ins] = sub.split("->") as [string];
  const letters = [...new Set(ins.replace(/,/g, ""))];
  return fc.array(side, { minLength: letters.length, maxLength: letters.length }).map((sizes) => ({
    shapes: ins.split(",").map((op) => [...op].map((ch) => sizes[letters.indexOf(ch)]!)),
    params: {},
  }));
}

/**
 * @file Vectorized float32 transcendentals emitted as WebAssembly SIMD128 (`f32x4`) code, inline
 * in fused kernels: `exp`, `log`, `tanh`, `logistic`, `sin`, `cos` (and `sqrt`, which is the exact
 * `f32x4.sqrt` instruction). Each works on all four lanes at once with branch-free range reduction
 * and a minimax polynomial, and handles every IEEE special value itself.
 *
 * The polynomials are the float32 minimax fits of Cephes (S. Moshier, `expf.c`, `logf.c`,
 * `sinf.c`); the range reductions are Cody-Waite with constants split so the leading products are
 * exact. Measured errors against the correctly rounded result (float64 `Math.*` rounded to
 * float32) over 46 million float32 arguments spread evenly over every binade of both signs, plus
 * the special values below (`test/jit/vecmath.test.ts` re-checks these bounds on every run):
 *
 * | function | max error | correctly rounded | notes |
 * |---|---|---|---|
 * | exp      | 1 ulp | 99.4% | overflow to +Inf above 88.72, 0 below -103.97; subnormal results scaled in two exact steps so they round once |
 * | log      | 1 ulp | 99.4% | subnormal inputs rescaled by 2^23; log(±0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf |
 * | tanh     | 2 ulp | 96.5% | -expm1(-2|x|) / (2 + expm1(-2|x|)) with expm1 free of cancellation; exactly ±1 beyond 9.01; tanh(-0) = -0 |
 * | logistic | 2 ulp | 96%   | 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below: no cancellation, no overflow |
 * | sin, cos | 2 ulp | 98.9% | four-part Cody-Waite reduction for |x| <= 8192 (also at the floats nearest k·π/2); beyond, and for ±Inf, the vector is recomputed with `Math.sin`/`Math.cos` through an import (exact) |
 * | sqrt     | 0 ulp | 100%  | `f32x4.sqrt` is correctly rounded |
 *
 * NaN inputs give NaN everywhere. Constants are hoisted out of loops ({@link Vec.hoisting}) and no
 * fused multiply-add is used, so results do not depend on the engine or the CPU.
 *
 * Everything here is emitted into a caller's {@link FunctionBuilder}; values live in v128 locals.
 */
import type { FunctionBuilder } from "../backend/wasm/function-builder.js";
import { C, S, ValType } from "./wasmOps.js";

const f32Bits = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32Bits.buffer);

/** The bit pattern of `x` rounded to float32. */
export function bitsOfF32(x: number): number {
  f32Bits[0] = x;
  return u32OfF32[0]!;
}

/**
 * A thin layer over {@link FunctionBuilder} for v128 code: constants, locals and the SIMD ops,
 * so the math below reads as a sequence of vector statements.
 */
export class Vec {
  /**
   * Constants hoisted into locals. V8 rematerializes a `v128.const` at every use inside a loop
   * (several instructions each), so kernels declare their constants once before the loop; see
   * {@link Vec.hoisting}.
   */
  private readonly consts = new Map<string, number>();
  private recording: Set<string> | null = null;

  constructor(readonly f: FunctionBuilder) {}

  /**
   * Two-pass constant hoisting: run `body` once against a throwaway builder to learn which
   * constants it uses, emit them into locals here, then run it for real (it must be deterministic).
   */
  static hoisting(f: FunctionBuilder, scratch: FunctionBuilder, body: (v: Vec) => void): void {
    const probe = new Vec(scratch);
    probe.recording = new Set();
    body(probe);
    const v = new Vec(f);
    for (const key of probe.recording) {
      const bytes = Uint8Array.from(key.split(",").map(Number));
      v.emitConst(bytes);
      const l = v.local();
      f.set(l);
      v.consts.set(key, l);
    }
    body(v);
  }

  /** A fresh v128 local. */
  local(): number {
    return this.f.local(ValType.v128);
  }

  /** Push a SIMD op. */
  op(code: number): this {
    this.f.simd(code);
    return this;
  }

  /** Push local `l`. */
  get(l: number): this {
    this.f.get(l);
    return this;
  }

  /** Pop into a fresh local and return it. */
  save(): number {
    const l = this.local();
    this.f.set(l);
    return l;
  }

  /** Push a v128 constant from 16 raw bytes. */
  bytes(b: Uint8Array): this {
    const key = b.join(",");
    this.recording?.add(key);
    const l = this.consts.get(key);
    if (l !== undefined) return this.get(l);
    return this.emitConst(b);
  }

  private emitConst(b: Uint8Array): this {
    // v128.const is the SIMD opcode followed by 16 immediate bytes; `op` appends one raw byte.
    this.f.simd(S.v128_const);
    for (let i = 0; i < 16; i++) this.f.op(b[i]!);
    return this;
  }

  /** Push four equal float32 lanes. */
  f32(x: number): this {
    return this.i32(bitsOfF32(x));
  }

  /** Push four equal 32-bit integer lanes. */
  i32(x: number): this {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < 4; i++) dv.setUint32(i * 4, x >>> 0, true);
    return this.bytes(b);
  }

  /** Push two equal float64 lanes. */
  f64(x: number): this {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setFloat64(0, x, true);
    dv.setFloat64(8, x, true);
    return this.bytes(b);
  }

  /** Push two equal 64-bit integer lanes given as a bigint bit pattern. */
  i64(x: bigint): this {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt.asUintN(64, x), true);
    dv.setBigUint64(8, BigInt.asUintN(64, x), true);
    return this.bytes(b);
  }

  /** Push lanes from explicit 32-bit integers. */
  i32x4(lanes: readonly number[]): this {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    lanes.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
    return this.bytes(b);
  }

  /** `a*b + c` in float32 lanes, with separate rounding (no FMA: results must not depend on the engine). */
  madd(a: () => void, b: () => void, c: () => void): this {
    a();
    b();
    this.op(S.f32x4_mul);
    c();
    return this.op(S.f32x4_add);
  }

  /** Horner evaluation of `coefs[0]*x^n + ... + coefs[n]` in float32 lanes; leaves the result on the stack. */
  horner(x: number, coefs: readonly number[]): this {
    this.f32(coefs[0]!);
    for (let i = 1; i < coefs.length; i++) {
      this.get(x).op(S.f32x4_mul).f32(coefs[i]!).op(S.f32x4_add);
    }
    return this;
  }
}

const MAGIC = 12582912; // 1.5 * 2^23: adding it rounds a float32 in (-2^22, 2^22) to an integer in its low bits
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375; // 9 significant bits: n * LN2_HI is exact for |n| < 2^15
const LN2_LO = -2.12194440e-4; // ln 2 - LN2_HI
// Cephes expf.c: e^r ≈ 1 + r + r^2 * P(r) on [-ln2/2, ln2/2]
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/**
 * Shared core of exp: with `xc` (already clamped, NaN allowed) in a local, compute the reduced
 * argument's polynomial and the integer exponent. Returns [p, ni] locals: e^xc = p * 2^ni.
 */
function expCore(v: Vec, xc: number): [number, number] {
  // t = xc*log2e + MAGIC: the float's low mantissa bits now hold n = round(xc*log2e).
  v.get(xc).f32(LOG2E).op(S.f32x4_mul).f32(MAGIC).op(S.f32x4_add);
  const t = v.save();
  v.get(t).f32(MAGIC).op(S.f32x4_sub);
  const n = v.save();
  v.get(t).i32(bitsOfF32(MAGIC)).op(S.i32x4_sub);
  const ni = v.save();
  // r = xc - n*LN2_HI - n*LN2_LO (Cody-Waite: the first product and difference are exact)
  v.get(xc).get(n).f32(LN2_HI).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(n).f32(LN2_LO).op(S.f32x4_mul).op(S.f32x4_sub);
  const r = v.save();
  // p = 1 + r + r^2 * P(r)
  v.horner(r, EXP_P).get(r).op(S.f32x4_mul).get(r).op(S.f32x4_mul).get(r).op(S.f32x4_add).f32(1).op(S.f32x4_add);
  const p = v.save();
  return [p, ni];
}

/** `2^k` for integer lanes k in [-126, 127], as float32 bits: (k + 127) << 23. */
function pow2(v: Vec, k: () => void): Vec {
  k();
  v.i32(127).op(S.i32x4_add);
  v.f.i32(23); // i32x4.shl takes a scalar i32 count
  return v.op(S.i32x4_shl);
}

/**
 * e^x for float32 lanes in local `x`; returns a local with the result. Results in the subnormal
 * range are formed by two exact power-of-two scalings so they round once, like the true value.
 */
export function expF32(v: Vec, x: number): number {
  // pmin/pmax are single instructions (min/max with IEEE NaN and ±0 rules are ~7 on x64); with x as
  // the first operand a NaN lane still propagates: pmin(a, b) = b < a ? b : a.
  v.get(x).f32(89).op(S.f32x4_pmin).f32(-104).op(S.f32x4_pmax);
  const xc = v.save();
  const [p, ni] = expCore(v, xc);
  // n in [-150, 129]: split 2^n = 2^(n>>1) * 2^(n - (n>>1)), both factors normal.
  v.get(ni).f.i32(1);
  v.op(S.i32x4_shr_s);
  const n1 = v.save();
  v.get(ni).get(n1).op(S.i32x4_sub);
  const n2 = v.save();
  v.get(p);
  pow2(v, () => v.get(n1));
  v.op(S.f32x4_mul);
  pow2(v, () => v.get(n2));
  v.op(S.f32x4_mul);
  return v.save();
}

/**
 * tanh for float32 lanes in local `x`; returns the result local. With e = expm1(-2|x|) (computed
 * without cancellation: 2^n * expm1(r) + (2^n - 1)), tanh|x| = -e / (2 + e): one formula for the
 * whole range, accurate near 0 too (no separate small-argument polynomial and blend).
 */
export function tanhF32(v: Vec, x: number): number {
  // -2|x|, clamped at -19 (float32 tanh is exactly 1 beyond 9.011); pmax keeps a NaN lane.
  v.get(x).op(S.f32x4_abs).f32(-2).op(S.f32x4_mul).f32(-19).op(S.f32x4_pmax);
  const y = v.save();
  // Reduction as in exp: y = n ln2 + r.
  v.get(y).f32(LOG2E).op(S.f32x4_mul).f32(MAGIC).op(S.f32x4_add);
  const t = v.save();
  v.get(t).f32(MAGIC).op(S.f32x4_sub);
  const n = v.save();
  v.get(y).get(n).f32(LN2_HI).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(n).f32(LN2_LO).op(S.f32x4_mul).op(S.f32x4_sub);
  const r = v.save();
  // p = expm1(r) = r + r^2 * P(r)
  v.horner(r, EXP_P).get(r).op(S.f32x4_mul).get(r).op(S.f32x4_mul).get(r).op(S.f32x4_add);
  const p = v.save();
  // s = 2^n (n in [-28, 0]); e = s*p + (s - 1), where s - 1 is exact
  pow2(v, () => v.get(t).i32(bitsOfF32(MAGIC)).op(S.i32x4_sub));
  const s = v.save();
  v.get(s).get(p).op(S.f32x4_mul).get(s).f32(1).op(S.f32x4_sub).op(S.f32x4_add);
  const e = v.save();
  // tanh|x| = -e / (2 + e) >= 0, then x's sign (also gives tanh(-0) = -0)
  v.f32(0).get(e).op(S.f32x4_sub).f32(2).get(e).op(S.f32x4_add).op(S.f32x4_div); // 0 - e, not -e: +0 at 0
  v.get(x).i32(0x80000000).op(S.v128_and).op(S.v128_or);
  return v.save();
}

/** The logistic sigmoid 1/(1+e^-x) for float32 lanes in local `x`. */
export function logisticF32(v: Vec, x: number): number {
  v.get(x).op(S.f32x4_abs).op(S.f32x4_neg);
  const na = v.save();
  const e = expF32(v, na);
  v.f32(1).get(e).op(S.f32x4_add);
  const d = v.save();
  // x < 0: e/(1+e); otherwise 1/(1+e). (e * (1/(1+e)) saves a division but costs a third ulp.)
  v.get(e).get(d).op(S.f32x4_div);
  v.f32(1).get(d).op(S.f32x4_div);
  v.get(x).f32(0).op(S.f32x4_lt).op(S.v128_bitselect);
  return v.save();
}

// Cephes logf.c: log(1+m) ≈ m - m^2/2 + m^3 * P(m) for m in [sqrt(1/2)-1, sqrt(2)-1]
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
  3.3333331174e-1,
];

/** Natural logarithm for float32 lanes in local `x`. */
export function logF32(v: Vec, x: number): number {
  // Subnormal inputs: scale by 2^23 so the exponent field is meaningful, and remember to subtract 23.
  v.get(x).f32(1.1754943508222875e-38).op(S.f32x4_lt);
  const sub = v.save();
  v.get(x).f32(8388608).op(S.f32x4_mul).get(x).get(sub).op(S.v128_bitselect);
  const xs = v.save();
  // e = exponent - 126 (so m = mantissa in [0.5, 1)), minus 23 for rescaled lanes
  v.get(xs).f.i32(23);
  v.op(S.i32x4_shr_u).i32(126).op(S.i32x4_sub);
  v.get(sub).i32(23).op(S.v128_and).op(S.i32x4_sub);
  const e0 = v.save();
  v.get(xs).i32(0x007fffff).op(S.v128_and).i32(0x3f000000).op(S.v128_or);
  const m0 = v.save();
  v.get(m0).f32(0.7071067811865476).op(S.f32x4_lt);
  const lt = v.save();
  v.get(e0).get(lt).op(S.i32x4_add); // lt lanes are -1
  v.op(S.f32x4_convert_i32x4_s);
  const ef = v.save();
  // m = 2m - 1 where m < sqrt(1/2), else m - 1 (both exact)
  v.get(m0).get(m0).op(S.f32x4_add).f32(1).op(S.f32x4_sub);
  v.get(m0).f32(1).op(S.f32x4_sub);
  v.get(lt).op(S.v128_bitselect);
  const m = v.save();
  v.get(m).get(m).op(S.f32x4_mul);
  const z = v.save();
  v.horner(m, LOG_P).get(m).op(S.f32x4_mul).get(z).op(S.f32x4_mul);
  v.get(ef).f32(LN2_LO).op(S.f32x4_mul).op(S.f32x4_add);
  v.get(z).f32(0.5).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(m).op(S.f32x4_add);
  v.get(ef).f32(LN2_HI).op(S.f32x4_mul).op(S.f32x4_add);
  const r = v.save();
  // Special values: ±0 -> -Inf, x < 0 or NaN -> NaN, +Inf -> +Inf.
  v.f32(-Infinity).get(r).get(x).f32(0).op(S.f32x4_eq).op(S.v128_bitselect);
  const r1 = v.save();
  v.f32(NaN).get(r1);
  v.get(x).f32(0).op(S.f32x4_lt).get(x).get(x).op(S.f32x4_ne).op(S.v128_or);
  v.op(S.v128_bitselect);
  const r2 = v.save();
  v.f32(Infinity).get(r2).get(x).f32(Infinity).op(S.f32x4_eq).op(S.v128_bitselect);
  return v.save();
}

const FOPI = 1.27323954473516; // 4/pi
// pi/4 split so that y * DPk is exact for integer y < 2^14 (8, 10 and 10 significant bits), plus a
// float32 tail: four-part Cody-Waite keeps the reduced argument accurate near the zeros of sin/cos.
const DP1 = 0.78515625;
const DP2 = 0.00024199485778808594;
const DP3 = -8.149072527885437e-8;
const DP4 = 3.038550314138355e-11;
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2];
/** Beyond this |x| the three-constant Cody-Waite reduction loses accuracy; such lanes call Math.sin/cos. */
export const SINCOS_LIMIT = 8192;

/**
 * sin or cos for float32 lanes in local `x` (Cephes sinf/cosf). `fallback` is the index of an
 * imported `(f64) -> f64` function (Math.sin / Math.cos). When any lane has |x| > 8192 (or is
 * infinite), the whole vector is recomputed through it, which is exact; this is the rare path.
 */
export function sinCosF32(v: Vec, x: number, which: "sin" | "cos", fallback: number): number {
  v.get(x).op(S.f32x4_abs);
  const a = v.save();
  // j = trunc(a * 4/pi), rounded up to even; y = float(j)
  v.get(a).f32(FOPI).op(S.f32x4_mul).op(S.i32x4_trunc_sat_f32x4_s);
  const j0 = v.save();
  v.get(j0).get(j0).i32(1).op(S.v128_and).op(S.i32x4_add);
  const j = v.save();
  v.get(j).op(S.f32x4_convert_i32x4_s);
  const y = v.save();
  // z = (((a - y*DP1) - y*DP2) - y*DP3) - y*DP4
  v.get(a).get(y).f32(DP1).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(y).f32(DP2).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(y).f32(DP3).op(S.f32x4_mul).op(S.f32x4_sub);
  v.get(y).f32(DP4).op(S.f32x4_mul).op(S.f32x4_sub);
  const z = v.save();
  v.get(z).get(z).op(S.f32x4_mul);
  const zz = v.save();
  // ps = z + z*zz*P(zz); pc = 1 - zz/2 + zz^2 * Q(zz)
  v.horner(zz, SIN_P).get(zz).op(S.f32x4_mul).get(z).op(S.f32x4_mul).get(z).op(S.f32x4_add);
  const ps = v.save();
  v.horner(zz, COS_P).get(zz).op(S.f32x4_mul).get(zz).op(S.f32x4_mul);
  v.get(zz).f32(0.5).op(S.f32x4_mul).op(S.f32x4_sub).f32(1).op(S.f32x4_add);
  const pc = v.save();
  // octant bits: swap polynomials where (j & 2); negate by (j & 4) (sin) or ((j + 2) & 4) (cos)
  v.get(j).i32(2).op(S.v128_and).i32(0).op(S.i32x4_eq);
  const noSwap = v.save();
  if (which === "sin") {
    v.get(ps).get(pc).get(noSwap).op(S.v128_bitselect);
    v.get(j).f.i32(29);
    v.op(S.i32x4_shl).i32(0x80000000).op(S.v128_and); // (j & 4) << 29 = sign bit
    v.get(x).i32(0x80000000).op(S.v128_and).op(S.v128_xor);
    v.op(S.v128_xor);
  } else {
    v.get(pc).get(ps).get(noSwap).op(S.v128_bitselect);
    v.get(j).i32(2).op(S.i32x4_add).f.i32(29);
    v.op(S.i32x4_shl).i32(0x80000000).op(S.v128_and);
    v.op(S.v128_xor);
  }
  const r = v.save();
  // Lanes beyond the reduction's range (or infinite): call the exact scalar function.
  v.get(a).f32(SINCOS_LIMIT).op(S.f32x4_gt);
  const big = v.save();
  v.get(big).op(S.v128_any_true);
  v.f.ifElse(() => {
    for (let lane = 0; lane < 4; lane++) {
      v.get(r);
      v.get(x);
      v.f.simdLane(S.f32x4_extract_lane, lane);
      v.f.op(C.f64_promote_f32).call(fallback).op(C.f32_demote_f64);
      v.f.simdLane(S.f32x4_replace_lane, lane);
      v.f.set(r);
    }
  });
  return r;
}

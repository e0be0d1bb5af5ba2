/**
 * @file Scalar math that `Math` lacks, used inside generated kernels as `M.name(...)`:
 * NumPy's round-half-to-even, erf/erfinv accurate to float64, and 32-bit shifts with JAX's
 * semantics for shift counts >= 32.
 */

/** Round half to even (NumPy's `round`), unlike `Math.round`'s half-up. */
function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** erf(x) to about 1e-15: Taylor series near 0, Lentz continued fraction for erfc in the tails. */
function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf x = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated by modified Lentz.
  const tiny = 1e-300;
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? tiny : D;
    C = ax + an / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/** Inverse of erf on (-1, 1): Giles' approximation refined by two Newton steps (float64-accurate). */
function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return x;
}

const f64 = new Float64Array(1);
const u64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The next float64 after `a` toward `b` (C's nextafter). */
function nextafter64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (a === 0) return b > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  f64[0] = a;
  u64[0] += (b > a) === (a > 0) ? 1n : -1n;
  return f64[0];
}

/** The next float32 after `a` toward `b`. */
function nextafter32(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  f32[0] = a;
  const fa = f32[0];
  if (fa === b) return b;
  if (fa === 0) {
    i32[0] = 1;
    return b > 0 ? f32[0] : -f32[0];
  }
  i32[0] += (b > fa) === (fa > 0) ? 1 : -1;
  return f32[0];
}

/** The helper object generated kernels receive as `M`. */
export const mathHelpers = {
  roundHalfEven,
  nextafter32,
  nextafter64,
  erf,
  erfinv,
  /** 1 / (1 + e^-x) without overflow for large |x|. */
  logistic(x: number): number {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  },
  shl(a: number, b: number): number {
    return b >= 32 || b < 0 ? 0 : a << b;
  },
  shrl(a: number, b: number): number {
    return b >= 32 || b < 0 ? 0 : a >>> b;
  },
  shra(a: number, b: number): number {
    return a >> (b >= 32 || b < 0 ? 31 : b);
  },
  /** Integer power by squaring, wrapping to int32. */
  ipow(a: number, b: number): number {
    if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
    let r = 1;
    let base = a | 0;
    let e = b;
    while (e > 0) {
      if (e & 1) r = Math.imul(r, base);
      base = Math.imul(base, base);
      e >>>= 1;
    }
    return r;
  },
};

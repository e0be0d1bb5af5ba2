/**
 * @file Bit-exact reference of JAX's default PRNG (partitionable Threefry) over plain typed arrays.
 *
 * JAX's default key is two uint32 words and every random draw is Threefry-2x32 of the key applied to
 * a counter. Since JAX 0.5 the default (`jax_threefry_partitionable=True`) derives the counter of
 * every output element from its own flat index, so any slice of the output can be computed alone:
 *
 * - `random_bits(key, shape)`: element `i` (row-major) encrypts the 64-bit counter `i`, split into
 *   words `(hi, lo) = (floor(i / 2^32), i mod 2^32)`, and the two output words are XORed.
 * - `split(key, n)`: new key `i` is the *pair* of output words for counter `i` (no XOR).
 * - `fold_in(key, d)`: the new key is the pair of output words for the counter `(0, d)`.
 *
 * The float samplers replay JAX's float32 arithmetic step by step (`Math.fround` after every
 * operation), because "bit-exact with JAX" is the contract the Array-level `random` module is
 * tested against. Shapes are `readonly number[]`; results are flat row-major typed arrays.
 */

import { threefry2x32Into } from "./threefry.js";

/** A raw Threefry key: a `Uint32Array` of length 2 (JAX's `key_data` layout), or a batch of them flattened. */
export type KeyData = Uint32Array;

const TWO_32 = 4294967296;

/** How many counters are encrypted per pass; bounds the scratch memory of large draws. */
const CHUNK = 4096;

/**
 * Makes a key from an integer seed, as `jax.random.key(seed)` / `jax.random.PRNGKey(seed)`.
 *
 * The seed is read as a 64-bit two's-complement integer and the key is `[seed_hi, seed_lo]`, so a
 * seed in `[0, 2^32)` gives `[0, seed]` (exactly JAX's key in every mode). For seeds outside that
 * range this is what JAX computes with `jax_enable_x64`; JAX's default 32-bit mode first wraps such
 * seeds to int32 (giving `[0, seed mod 2^32]`), which is not reproduced here.
 *
 * @param seed - an integer: a safe-integer `number` or a `bigint` in the int64/uint64 range.
 * @returns a new key `Uint32Array [hi, lo]`.
 * @throws TypeError if `seed` is not an integer, RangeError if it does not fit in 64 bits.
 */
export function key(seed: number | bigint): KeyData {
  let s: bigint;
  if (typeof seed === "bigint") {
    s = seed;
  } else {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`key: the seed must be a safe integer (|seed| < 2^53) or a bigint, got ${seed}`);
    }
    s = BigInt(seed);
  }
  if (s < -(1n << 63n) || s >= 1n << 64n) {
    throw new RangeError(`key: the seed must fit in 64 bits (int64 or uint64), got ${s}`);
  }
  const u = BigInt.asUintN(64, s);
  return Uint32Array.of(Number(u >> 32n), Number(u & 0xffffffffn));
}

/**
 * Number of elements of `shape`, after checking it is a list of non-negative integers.
 * @internal
 */
function sizeOf(fn: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${fn}: shape must be a list of non-negative integers, got [${shape.join(", ")}]`);
    }
    n *= d;
  }
  return n;
}

/** Checks that `k` is a single raw key. @internal */
function checkKey(fn: string, k: KeyData): void {
  if (!(k instanceof Uint32Array) || k.length !== 2) {
    const got = k instanceof Uint32Array ? `a Uint32Array of length ${k.length}` : String(k);
    throw new TypeError(`${fn}: key must be a Uint32Array of length 2 ([hi, lo], as random.key makes), got ${got}`);
  }
}

/**
 * Encrypts the counters `start, start + 1, ..., start + count - 1` (each as the word pair
 * `(floor(i / 2^32), i mod 2^32)`, JAX's `iota_2x32_shape`) and hands each chunk of output word
 * pairs to `sink`. Chunking keeps scratch memory constant however large the draw is.
 * @internal
 */
function encryptCounters(
  k: KeyData,
  count: number,
  sink: (offset: number, y0: Uint32Array, y1: Uint32Array, len: number) => void,
): void {
  const m = Math.min(count, CHUNK);
  const hi = new Uint32Array(m);
  const lo = new Uint32Array(m);
  const y0 = new Uint32Array(m);
  const y1 = new Uint32Array(m);
  for (let offset = 0; offset < count; offset += m) {
    const len = Math.min(m, count - offset);
    const cHi = len < m ? hi.subarray(0, len) : hi;
    const cLo = len < m ? lo.subarray(0, len) : lo;
    for (let j = 0; j < len; j++) {
      const i = offset + j;
      cHi[j] = Math.floor(i / TWO_32);
      cLo[j] = i >>> 0;
    }
    threefry2x32Into(k[0]!, k[1]!, cHi, cLo, y0, y1);
    sink(offset, y0, y1, len);
  }
}

/**
 * Uniform random uint32 bits, as `jax.random.bits(key, shape)` (dtype uint32).
 *
 * Element `i` is `y0 ^ y1` where `(y0, y1) = threefry2x32(key, (hi(i), lo(i)))`.
 * `randomBits(key(0), [])` is `[4070199207]`.
 *
 * @param k - the key `[hi, lo]`.
 * @param shape - the output shape (`[]` for a scalar).
 * @returns the bits, flat in row-major order (length = product of `shape`).
 */
export function randomBits(k: KeyData, shape: readonly number[]): Uint32Array {
  checkKey("randomBits", k);
  const n = sizeOf("randomBits", shape);
  const out = new Uint32Array(n);
  encryptCounters(k, n, (offset, y0, y1, len) => {
    for (let j = 0; j < len; j++) out[offset + j] = y0[j]! ^ y1[j]!;
  });
  return out;
}

/**
 * Splits a key into `num` new keys, as `jax.random.split(key, num)` (then `key_data`).
 *
 * New key `i` is the pair of Threefry output words for counter `i`: the partitionable scheme's
 * "fold-like" split, which is also what `fold_in(key, i)` would give for small `i`.
 *
 * @param k - the key to split.
 * @param num - how many keys to make (default 2, as JAX).
 * @returns a `Uint32Array` of length `2 * num`: the keys of shape `[num, 2]`, row-major.
 */
export function split(k: KeyData, num = 2): Uint32Array {
  checkKey("split", k);
  if (!Number.isInteger(num) || num < 0) {
    throw new RangeError(`split: num must be a non-negative integer, got ${num}`);
  }
  const out = new Uint32Array(2 * num);
  encryptCounters(k, num, (offset, y0, y1, len) => {
    for (let j = 0; j < len; j++) {
      out[2 * (offset + j)] = y0[j]!;
      out[2 * (offset + j) + 1] = y1[j]!;
    }
  });
  return out;
}

/**
 * Folds an integer into a key, as `jax.random.fold_in(key, data)`.
 *
 * JAX turns `data` into the key-shaped counter `[0, data]` (its `threefry_seed` of a uint32) and
 * encrypts it, keeping both output words: the new key is `threefry2x32(key, (0, data))`.
 *
 * @param k - the key.
 * @param data - an integer in `[-2^31, 2^32)`; negative values wrap to uint32 as `jnp.uint32` does.
 * @returns the new key `[hi, lo]`.
 */
export function foldIn(k: KeyData, data: number): KeyData {
  checkKey("foldIn", k);
  if (!Number.isInteger(data) || data < -0x80000000 || data >= TWO_32) {
    throw new RangeError(`foldIn: data must be an integer in [-2^31, 2^32) (it is cast to uint32), got ${data}`);
  }
  const y0 = new Uint32Array(1);
  const y1 = new Uint32Array(1);
  threefry2x32Into(k[0]!, k[1]!, Uint32Array.of(0), Uint32Array.of(data >>> 0), y0, y1);
  return Uint32Array.of(y0[0]!, y1[0]!);
}

// Reinterpretation buffer for uint32 bits <-> float32 (little or big endian does not matter: the
// two views share one element).
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * The float32 in `[0, 1)` that JAX's `uniform` makes from 32 random bits: the top 23 bits become
 * the mantissa of a float in `[1, 2)` (exponent bits of 1.0 = `0x3F800000`), then 1 is subtracted.
 * The subtraction is exact in float32. Every result is a multiple of 2^-23.
 *
 * @param bits - 32 random bits (only the top 23 are used).
 * @returns the float32 value (as a JS number) in `[0, 1)`.
 */
export function bitsToUnitF32(bits: number): number {
  u32Scratch[0] = (bits >>> 9) | 0x3f800000;
  return f32Scratch[0]! - 1;
}

/**
 * Uniform float32 samples in `[minval, maxval)`, as `jax.random.uniform(key, shape, float32, minval, maxval)`.
 *
 * Replays JAX's float32 steps: `u` from {@link bitsToUnitF32}, then `u * (maxval - minval) + minval`
 * with each operation rounded to float32 (the bounds too), then `max(minval, ...)` so rounding can
 * never fall below `minval`.
 *
 * @param k - the key.
 * @param shape - output shape.
 * @param minval - lower bound (inclusive), default 0.
 * @param maxval - upper bound (exclusive), default 1.
 * @returns the samples, flat in row-major order.
 */
export function uniformF32(k: KeyData, shape: readonly number[], minval = 0, maxval = 1): Float32Array {
  checkKey("uniformF32", k);
  const bits = randomBits(k, shape);
  const lo = Math.fround(minval);
  const span = Math.fround(Math.fround(maxval) - lo);
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const v = Math.fround(Math.fround(bitsToUnitF32(bits[i]!) * span) + lo);
    // lax.max: NaN-propagating, like JAX's maximum.
    out[i] = v !== v || lo !== lo ? NaN : v > lo ? v : lo;
  }
  return out;
}

// Giles' single-precision erfinv coefficients (M. Giles, "Approximating the erfinv function", GPU
// Computing Gems Jade Edition, 2011), highest degree first, exactly as XLA's ErfInv32 uses them.
const ERFINV_CENTRAL: readonly number[] = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(Math.fround);
const ERFINV_TAIL: readonly number[] = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(Math.fround);

/**
 * Inverse error function in float32, with Giles' single-precision polynomial as XLA computes `erf_inv`.
 *
 * `w = -log1p(-x*x)`; for `w < 5` the central polynomial in `w - 2.5`, otherwise the tail polynomial
 * in `sqrt(w) - 3`; the result is `x * p(w)`, and `erfinv(±1) = ±Infinity`. Every step is rounded
 * to float32. `log1p` and `sqrt` are correctly rounded here (double precision, then rounded), while
 * XLA's CPU `log1p` is its own polynomial approximation, so a result may differ from JAX's in the
 * last bit for some inputs (see the tests for the published values it does reproduce).
 *
 * @param x - a float32 value (any JS number is first rounded to float32).
 * @returns `erfinv(x)` as a float32 value; NaN outside `[-1, 1]`.
 */
export function erfinvF32(x: number): number {
  const xf = Math.fround(x);
  if (Math.abs(xf) === 1) return xf * Infinity;
  let w = -Math.fround(Math.log1p(-Math.fround(xf * xf)));
  let coeffs: readonly number[];
  if (w < 5) {
    w = Math.fround(w - 2.5);
    coeffs = ERFINV_CENTRAL;
  } else {
    w = Math.fround(Math.fround(Math.sqrt(w)) - 3);
    coeffs = ERFINV_TAIL;
  }
  let p = coeffs[0]!;
  for (let i = 1; i < coeffs.length; i++) p = Math.fround(coeffs[i]! + Math.fround(p * w));
  return Math.fround(p * xf);
}

/** `nextafter(-1, 0)` in float32: the open lower end JAX's `normal` samples its uniform from. */
const NORMAL_LO = Math.fround(-1 + 2 ** -24);
/** `sqrt(2)` rounded to float32, the factor JAX's `normal` multiplies `erfinv(u)` by. */
const SQRT2_F32 = Math.fround(Math.SQRT2);

/**
 * Standard normal float32 samples, as `jax.random.normal(key, shape)` (float32).
 *
 * JAX draws `u = uniform(key, shape, minval=nextafter(-1, 0), maxval=1)`, an open interval so that
 * `erfinv` stays finite, and returns `sqrt(2) * erfinv(u)`, all in float32.
 *
 * @param k - the key.
 * @param shape - output shape.
 * @returns the samples, flat in row-major order.
 */
export function normalF32(k: KeyData, shape: readonly number[]): Float32Array {
  checkKey("normalF32", k);
  const u = uniformF32(k, shape, NORMAL_LO, 1);
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = Math.fround(SQRT2_F32 * erfinvF32(u[i]!));
  return out;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** Unsigned 32-bit remainder with XLA's convention `a % 0 = a`. @internal */
function remU32(a: number, b: number): number {
  return b === 0 ? a : a % b;
}

/**
 * Uniform int32 samples in `[minval, maxval)`, as `jax.random.randint(key, shape, minval, maxval)`.
 *
 * Replays JAX's algorithm: split the key in two, draw 32 bits from each (`higher`, `lower`), and
 * combine them modulo the span with uint32 wrap-around arithmetic,
 * `((higher % span) * (2^32 % span) + lower % span) % span`, where `2^32 % span` is computed as
 * `((2^16 % span)^2) % span`. The wrap-arounds make it slightly biased for spans that are not
 * powers of two, exactly as JAX is. Bounds outside int32 are clipped as JAX clips them; when
 * `maxval <= minval` every sample is `minval`.
 *
 * @param k - the key.
 * @param shape - output shape.
 * @param minval - lower bound (inclusive), an integer.
 * @param maxval - upper bound (exclusive), an integer.
 * @returns the samples, flat in row-major order.
 */
export function randintI32(k: KeyData, shape: readonly number[], minval: number, maxval: number): Int32Array {
  checkKey("randintI32", k);
  if (!Number.isSafeInteger(minval) || !Number.isSafeInteger(maxval)) {
    throw new TypeError(`randintI32: minval and maxval must be integers, got minval=${minval}, maxval=${maxval}`);
  }
  const maxOutOfRange = maxval > INT32_MAX;
  const lo = Math.min(Math.max(minval, INT32_MIN), INT32_MAX);
  const hi = Math.min(Math.max(maxval, INT32_MIN), INT32_MAX);
  const keys = split(k, 2);
  const higher = randomBits(keys.subarray(0, 2), shape);
  const lower = randomBits(keys.subarray(2, 4), shape);

  let span = (hi - lo) >>> 0;
  if (hi <= lo) span = 1;
  // A maxval past int32's top means the caller wanted INT32_MAX included, so the span grows by one
  // (wrapping to 0 for the full range, where the remainders below then do nothing).
  if (maxOutOfRange && hi > lo) span = (span + 1) >>> 0;
  let multiplier = remU32(65536, span);
  multiplier = remU32(Math.imul(multiplier, multiplier) >>> 0, span);

  const out = new Int32Array(higher.length);
  for (let i = 0; i < out.length; i++) {
    const a = Math.imul(remU32(higher[i]!, span), multiplier) >>> 0;
    const offset = remU32((a + remU32(lower[i]!, span)) >>> 0, span);
    out[i] = (lo + offset) | 0;
  }
  return out;
}

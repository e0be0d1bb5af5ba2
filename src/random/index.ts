/**
 * @file The public `random` namespace: JAX-style splittable PRNG keys (Threefry-2x32) and samplers.
 *
 * A key is a plain uint32 {@link Array} of shape `[2]` (JAX's raw key layout, `key_data`). Nothing
 * is hidden or global: the same key always gives the same numbers, and fresh randomness comes from
 * {@link split}ting or {@link foldIn}-ing a key. Every function here is built only from primitives
 * (the `threefry2x32` cipher of `primitives/random.ts` plus ordinary elementwise, movement, sort and
 * reduction primitives), so keys may be traced values: random code runs under `jit` and `vmap`
 * (e.g. `vmap(k => random.normal(k, [3]))(random.split(key, 8))`) and inside `grad`.
 *
 * Compatibility with JAX (default `jax_threefry_partitionable=True`, JAX >= 0.5):
 * - bit-exact: `key` (seeds in [0, 2^32)), `split`, `foldIn`, `bits`, `threefry2x32`, float32
 *   `uniform`, float32 `normal` (XLA's float32 `erf_inv` polynomial is replayed op by op),
 *   `randint`, `permutation` and `choice` without `p`;
 * - same formulas on bit-exact uniforms: `gumbel`, `categorical`, `exponential`, `bernoulli`
 *   (`log`/`log1p` are correctly rounded here, XLA's CPU versions are approximations, so a
 *   last-bit difference is possible);
 * - float64 samplers draw 64 bits per element exactly as JAX does with `jax_enable_x64`, so float64
 *   `uniform` is bit-exact with JAX x64; `normal`/`truncatedNormal` in float64 use a float64-accurate
 *   `erf_inv`, which may differ from XLA's float64 polynomial in the last bits;
 * - `truncatedNormal` uses a correctly rounded `erf` (XLA: a float32 polynomial), and `choice` with
 *   `p` a sequential cumulative sum: both agree with JAX to rounding, not bit for bit.
 */
import { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { isFloat, isInteger, type DType } from "../core/dtype.js";
import { ConcretizationError, DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { broadcastShapes, checkShape, normalizeAxis, shapeEqual, sizeOf, type Shape } from "../core/shape.js";
import { bind, bind1 } from "../core/trace.js";
import { customJvpCallP } from "../primitives/call.js";
import {
  absP,
  add,
  andP,
  bitcastP,
  convert,
  div,
  eq,
  erfInvP,
  erfP,
  exp,
  gt,
  le,
  log,
  log1pP,
  lt,
  max,
  min,
  mul,
  neg,
  nextafterP,
  orP,
  rem,
  select,
  shiftRightLogicalP,
  sqrt,
  sub,
  xorP,
} from "../primitives/elementwise.js";
import { gather } from "../primitives/indexing.js";
import { concatenateP, iotaP, sliceP } from "../primitives/movement.js";
import { threefry2x32Words } from "../primitives/random.js";
import { argmaxP, cumsumP, reduceSumP } from "../primitives/reduce.js";
import { argsort, sortP } from "../primitives/sort.js";
import { broadcastTo, moveAxis, reshape, scalar, transpose } from "../primitives/util.js";

/** Floating-point dtypes the samplers produce. */
export type FloatDType = "float32" | "float64";

/** Integer dtypes `randint` produces. */
export type IntDType = "int32" | "uint32";

/** A shape argument: a list of non-negative integers (a single number is read as a 1-D shape). */
export type ShapeLike = number | readonly number[];

/** Options of the float samplers ({@link normal}, {@link gumbel}, {@link exponential}, {@link truncatedNormal}). */
export interface FloatOptions {
  /** Output dtype (default `"float32"`). */
  dtype?: FloatDType;
}

/** Options of {@link uniform}. */
export interface UniformOptions extends FloatOptions {
  /** Lower bound (inclusive), broadcast to the shape; default 0. */
  minval?: number | Array;
  /** Upper bound (exclusive), broadcast to the shape; default 1. */
  maxval?: number | Array;
}

/** Options of {@link randint}. */
export interface RandintOptions {
  /** Output dtype (default `"int32"`). */
  dtype?: IntDType;
}

/** Options of {@link categorical}. */
export interface CategoricalOptions {
  /** The axis of `logits` holding the categories (default -1). */
  axis?: number;
  /** Output shape; must end with the batch shape of `logits` (its shape without `axis`). */
  shape?: readonly number[];
}

/** Options of {@link permutation}. */
export interface PermutationOptions {
  /** The axis to permute (default 0). */
  axis?: number;
  /** Permute each slice along `axis` independently instead of whole slices (default false). */
  independent?: boolean;
}

/** Options of {@link choice}. */
export interface ChoiceOptions {
  /** Draw with replacement (default true). */
  replace?: boolean;
  /** Probabilities of the entries (1-D, one per entry along `axis`); uniform when omitted. */
  p?: Array | readonly number[];
  /** The axis of `a` to choose along (default 0). */
  axis?: number;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

const TWO_32 = 4294967296;

function describe(x: unknown): string {
  if (x instanceof Array) return `${x.dtype} ${fmtShape(x.shape)}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} (wrap raw key words with random.wrapKeyData)`;
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return globalThis.Array.isArray(x) ? `a JS array of length ${x.length}` : "an object";
  return `${typeof x} ${String(x)}`;
}

/** Check that `key` is a single raw key: a uint32 Array of shape [2]. */
function checkKey(fn: string, key: unknown): Array {
  const msg = `key must be a uint32 array of shape [2] (from random.key or random.split), got ${describe(key)}`;
  if (!(key instanceof Array)) throw new ValueError(fn, msg);
  if (key.dtype !== "uint32") throw new DTypeError(fn, msg);
  if (key.ndim !== 1 || key.shape[0] !== 2) {
    const batch =
      key.ndim >= 2 && key.shape[key.ndim - 1] === 2
        ? `; this looks like a batch of keys: take one (random.split(key, n) gives shape [n, 2]; keys.slice(i) is key i) or map over them with vmap`
        : "";
    throw new ShapeError(fn, msg + batch);
  }
  return key;
}

function checkFloatDtype(fn: string, dtype: unknown): FloatDType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new DTypeError(fn, `dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
}

function checkIntDtype(fn: string, dtype: unknown): IntDType {
  if (dtype === "int32" || dtype === "uint32") return dtype;
  throw new DTypeError(fn, `dtype must be "int32" or "uint32", got ${JSON.stringify(dtype)}`);
}

/** Validate a shape and the counter range of the partitionable scheme (one 32-bit counter word here). */
function checkDrawShape(fn: string, shape: unknown): number[] {
  const s = checkShape(fn, shape);
  if (sizeOf(s) >= TWO_32) throw new ValueError(fn, `at most 2^32 - 1 values per call, got shape ${fmtShape(s)} (${sizeOf(s)} values)`);
  return s;
}

/** Check that a parameter of shape `got` broadcasts to the requested `shape` (JAX's `_check_shape`). */
function checkBroadcastsTo(fn: string, what: string, got: Shape, shape: Shape): void {
  let ok = got.length <= shape.length;
  if (ok) {
    try {
      ok = shapeEqual(broadcastShapes(fn, shape, got), shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new ShapeError(fn, `${what} of shape ${fmtShape(got)} does not broadcast to the requested shape ${fmtShape(shape)}`);
}

/** A float parameter (JS number or array) as a strong array of `dtype`. */
function floatParam(fn: string, what: string, v: unknown, dtype: FloatDType): Array {
  if (typeof v === "number") return scalar(v, dtype);
  if (v instanceof Array) {
    if (v.dtype === "bool") throw new DTypeError(fn, `${what} must be numeric, got bool`);
    return convert(v, dtype);
  }
  throw new ValueError(fn, `${what} must be a number or an Array, got ${describe(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Building blocks (all primitives)

const u32 = (v: number): Array => scalar(v >>> 0, "uint32");

/** The two key words of a key of shape [2], as uint32 scalars. */
function keyWords(key: Array): [Array, Array] {
  const word = (i: number) => reshape(bind1(sliceP, [key], { start: [i], limit: [i + 1], strides: [1] }), []);
  return [word(0), word(1)];
}

/** Row `i` of a stack of keys of shape [n, 2]. */
function keyAt(keys: Array, i: number): Array {
  return reshape(bind1(sliceP, [keys], { start: [i, 0], limit: [i + 1, 2], strides: [1, 1] }), [2]);
}

/**
 * The cipher blocks of the counters `0, 1, ..., size - 1` laid out in `shape` (JAX's
 * `iota_2x32_shape`: the high counter word is 0 below 2^32 elements, the low one the flat index).
 */
function counterBlocks(key: Array, shape: Shape): [Array, Array] {
  const [k0, k1] = keyWords(key);
  const lo = reshape(bind1(iotaP, [], { shape: [sizeOf(shape)], dtype: "uint32" as DType, dimension: 0 }), shape);
  return threefry2x32Words(k0, k1, u32(0), lo);
}

/** 32 random bits per element: the XOR of the two block words (JAX's partitionable `random_bits`). */
function bits32(key: Array, shape: Shape): Array {
  const [y0, y1] = counterBlocks(key, shape);
  return bind1(xorP, [y0, y1], {});
}

/** Uniform floats in [0, 1) from random mantissa bits with the exponent of 1.0, minus 1 (exact). */
function unitFloats(key: Array, shape: Shape, dtype: FloatDType): Array {
  if (dtype === "float32") {
    // 23 mantissa bits: (bits >> 9) | bits(1.0f), reinterpreted as float32 in [1, 2), minus 1.
    const mant = bind1(shiftRightLogicalP, [bits32(key, shape), u32(9)], {});
    const oneToTwo = bind1(bitcastP, [bind1(orP, [mant, u32(0x3f800000)], {})], { dtype: "float32" });
    return sub(oneToTwo, 1);
  }
  // float64 as JAX x64: the 64 random bits are (y0 << 32) | y1 and the 52 mantissa bits are their
  // top 52, i.e. y0 * 2^20 + (y1 >>> 12); `1.mantissa - 1` is exactly y0 * 2^-32 + (y1 >>> 12) * 2^-52.
  // Each product and the sum are exact in float64, so this equals JAX's bitcast construction.
  const [y0, y1] = counterBlocks(key, shape);
  const hi = mul(convert(y0, "float64"), 2 ** -32);
  const lo = mul(convert(bind1(shiftRightLogicalP, [y1, u32(12)], {}), "float64"), 2 ** -52);
  return add(hi, lo);
}

/** JAX's `_uniform` after validation: `max(minval, u * (maxval - minval) + minval)` in `dtype`. */
function uniformIn(key: Array, shape: Shape, dtype: FloatDType, minval: Array, maxval: Array): Array {
  const u = unitFloats(key, shape, dtype);
  return max(minval, add(mul(u, sub(maxval, minval)), minval));
}

// Giles' single-precision erfinv coefficients, highest degree first, as XLA's ErfInv32 uses them
// (M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition, 2011).
const ERFINV_CENTRAL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
  1.50140941,
];
const ERFINV_TAIL = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
  2.83297682,
];

/**
 * XLA's float32 `erf_inv`, op by op in float32 (each primitive rounds its result to float32):
 * `w = -log1p(-x*x)`; central polynomial in `w - 2.5` for `w < 5`, else tail polynomial in
 * `sqrt(w) - 3`; `x * p(w)`, with `erfinv(±1) = ±inf`. Replaying it is what makes `normal` bit-exact
 * with JAX (a correctly rounded erfinv differs from XLA's in the last bit for most inputs).
 */
function erfInvF32Poly(x: Array): Array {
  const w0 = neg(bind1(log1pP, [neg(mul(x, x))], {}));
  const central = lt(w0, 5);
  const w = select(central, sub(w0, 2.5), sub(sqrt(w0), 3));
  const coef = (i: number) => select(central, scalar(ERFINV_CENTRAL[i]!, "float32"), scalar(ERFINV_TAIL[i]!, "float32"));
  let p = coef(0);
  for (let i = 1; i < ERFINV_CENTRAL.length; i++) p = add(coef(i), mul(p, w));
  return select(eq(bind1(absP, [x], {}), 1), mul(x, Infinity), mul(p, x));
}

/**
 * `erf_inv` in the sampler's dtype. float32 replays XLA's polynomial and carries the exact
 * derivative `sqrt(pi)/2 * exp(y^2)` as a custom JVP (the derivative of the polynomial would only
 * approximate it); float64 uses the `erf_inv` primitive (float64-accurate).
 */
function erfInv(x: Array): Array {
  if (x.dtype === "float64") return bind1(erfInvP, [x], {});
  return bind(customJvpCallP, [x], {
    fun: (a: Array) => [erfInvF32Poly(a)],
    jvp: ([a]: Array[], [t]: Array[]): [Array[], Array[]] => {
      const y = erfInvF32Poly(a!);
      return [[y], [mul(t!, mul(exp(mul(y, y)), Math.sqrt(Math.PI) / 2))]];
    },
    name: "erf_inv",
  })[0]!;
}

/** `jnp.take(x, ind, axis)` for in-range int32 indices: x.shape[:axis] + ind.shape + x.shape[axis+1:]. */
function take(x: Array, ind: Array, axis: number): Array {
  const g = gather(moveAxis(x, axis, 0), reshape(ind, [...ind.shape, 1]));
  const m = ind.ndim;
  const perm: number[] = [];
  for (let i = 0; i < axis; i++) perm.push(m + i);
  for (let i = 0; i < m; i++) perm.push(i);
  for (let i = m + axis; i < g.ndim; i++) perm.push(i);
  return transpose(g, perm);
}

/** `0, 1, ..., n - 1` as int32. */
function arange(n: number): Array {
  return bind1(iotaP, [], { shape: [n], dtype: "int32" as DType, dimension: 0 });
}

/** Unsigned remainder with XLA's convention `a % 0 = a` (the primitive gives 0 there). */
function remU32(a: Array, b: Array): Array {
  return select(eq(b, 0), a, rem(a, b));
}

/**
 * JAX's `_shuffle`: `ceil(3 ln(size) / ln(2^32 - 1))` rounds of "split the key, draw 32-bit sort
 * keys, stable-sort `x` by them along `axis`" (sorting is cheaper than Fisher-Yates on parallel
 * hardware, and three times the bits make collisions harmless).
 */
function shuffle(key: Array, x: Array, axis: number): Array {
  const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(TWO_32 - 1));
  let k = key;
  let out = x;
  for (let r = 0; r < rounds; r++) {
    const keys = split(k);
    k = keyAt(keys, 0);
    const sortKeys = bits32(keyAt(keys, 1), out.shape);
    out = bind(sortP, [sortKeys, out], { axis })[1]!;
  }
  return out;
}

/** A concrete non-negative integer from a JS number or a concrete integer scalar Array. */
function concreteCount(fn: string, what: string, v: number | Array): number {
  let n: number;
  if (typeof v === "number") n = v;
  else {
    if (!isInteger(v.dtype) || v.ndim !== 0) throw new ValueError(fn, `${what} must be an integer or an array with at least one dimension, got ${describe(v)}`);
    try {
      n = v.item() as number;
    } catch (e) {
      if (e instanceof ConcretizationError) {
        throw new ConcretizationError(fn, `${what} must be a concrete integer (it sets the output size), but a traced value was given; pass a JS number or mark the argument static`);
      }
      throw e;
    }
  }
  if (!Number.isInteger(n) || n < 0) throw new ValueError(fn, `${what} must be a non-negative integer, got ${n}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Keys

/**
 * Makes a key from an integer seed, as `jax.random.key(seed)` / `jax.random.PRNGKey(seed)` (raw layout).
 *
 * The key is the uint32 pair `[seed_hi, seed_lo]` of the seed read as a 64-bit integer, so a seed in
 * `[0, 2^32)` gives `[0, seed]`, exactly JAX's key. A JS number outside that range (negative, or
 * up to 2^53) or a `bigint` keeps all 64 bits, as JAX does with `jax_enable_x64` (JAX's default
 * 32-bit mode wraps such seeds to int32 first). An int32/uint32 scalar Array seed (possibly traced)
 * gives `[0, uint32(seed)]`, as JAX does for a 32-bit integer seed.
 *
 * @param seed - an integer: a safe-integer number, a bigint in the int64/uint64 range, or an
 *   integer scalar Array.
 * @returns a new key: a uint32 Array of shape [2].
 * @throws ValueError if the seed is not an integer or does not fit in 64 bits.
 * @example
 * const k = random.key(0);      // uint32 [0, 0]
 * random.key(42).tolist();      // [0, 42]
 */
export function key(seed: number | bigint | Array): Array {
  const fn = "random.key";
  if (seed instanceof Array) {
    if (!isInteger(seed.dtype) || seed.ndim !== 0) throw new ValueError(fn, `an Array seed must be an int32 or uint32 scalar, got ${describe(seed)}`);
    const lo = reshape(convert(seed, "uint32"), [1]);
    return bind1(concatenateP, [reshape(u32(0), [1]), lo], { axis: 0 });
  }
  let s: bigint;
  if (typeof seed === "bigint") s = seed;
  else if (typeof seed === "number" && Number.isSafeInteger(seed)) s = BigInt(seed);
  else throw new ValueError(fn, `the seed must be an integer (a safe-integer number, a bigint or an integer scalar Array), got ${describe(seed)}`);
  if (s < -(1n << 63n) || s >= 1n << 64n) throw new ValueError(fn, `the seed must fit in 64 bits (int64 or uint64), got ${s}`);
  const u = BigInt.asUintN(64, s);
  return new ConcreteArray(Uint32Array.of(Number(u >> 32n), Number(u & 0xffffffffn)), [2], "uint32");
}

/** Alias of {@link key}, JAX's older name (`jax.random.PRNGKey`). @example const k = random.PRNGKey(0); */
export const PRNGKey = key;

/**
 * Wraps raw key words (e.g. saved with `key.dataSync()`) back into a key, as `jax.random.wrap_key_data`.
 *
 * @param data - two uint32 words `[hi, lo]`, a `Uint32Array` of length 2 (or a longer one with a
 *   multiple of 2 for a stack of keys), or a list of integers in `[0, 2^32)`.
 * @returns a uint32 Array of shape [2] (or [n, 2]).
 * @example
 * const k = random.key(7);
 * random.wrapKeyData(k.dataSync() as Uint32Array); // the same key
 */
export function wrapKeyData(data: Uint32Array | readonly number[]): Array {
  const fn = "random.wrapKeyData";
  if (!(data instanceof Uint32Array) && !(globalThis.Array.isArray(data) && data.every((v) => Number.isInteger(v) && v >= 0 && v < TWO_32))) {
    throw new ValueError(fn, `data must be a Uint32Array or a list of integers in [0, 2^32), got ${describe(data)}`);
  }
  const words = Uint32Array.from(data);
  if (words.length === 0 || words.length % 2 !== 0) throw new ShapeError(fn, `a key has 2 words, got ${words.length}`);
  return new ConcreteArray(words, words.length === 2 ? [2] : [words.length / 2, 2], "uint32");
}

/**
 * Splits a key into `num` new independent keys, as `jax.random.split(key, num)`.
 *
 * New key `i` is the pair of Threefry output words for counter `i` (the partitionable scheme's
 * "fold-like" split). Use one of the new keys for each random call and never reuse the parent.
 *
 * @param key - the key to split (uint32, shape [2]).
 * @param num - how many keys (default 2), or a shape of keys.
 * @returns the keys, a uint32 Array of shape `[num, 2]` (or `[...num, 2]`).
 * @example
 * const keys = random.split(random.key(0), 3);       // shape [3, 2]
 * const [k1, k2] = [keys.slice(0), keys.slice(1)];
 */
export function split(key: Array, num: number | readonly number[] = 2): Array {
  const fn = "random.split";
  checkKey(fn, key);
  const shape = checkDrawShape(fn, num);
  const [y0, y1] = counterBlocks(key, shape);
  return bind1(concatenateP, [reshape(y0, [...shape, 1]), reshape(y1, [...shape, 1])], { axis: shape.length });
}

/**
 * Folds an integer into a key, giving a new key, as `jax.random.fold_in(key, data)`.
 *
 * The new key is the Threefry block of the counter `(0, uint32(data))`. Handy for per-step or
 * per-example keys: `foldIn(key, step)`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param data - an integer in `[-2^31, 2^32)` (negative values wrap to uint32), or an int32/uint32
 *   scalar Array (may be traced, e.g. a loop counter).
 * @returns the new key (uint32, shape [2]).
 * @example
 * const stepKey = random.foldIn(random.key(0), 17);
 */
export function foldIn(key: Array, data: number | Array): Array {
  const fn = "random.foldIn";
  checkKey(fn, key);
  let d: Array;
  if (typeof data === "number") {
    if (!Number.isInteger(data) || data < -0x80000000 || data >= TWO_32) {
      throw new ValueError(fn, `data must be an integer in [-2^31, 2^32) (it is cast to uint32), got ${data}`);
    }
    d = u32(data);
  } else if (data instanceof Array && isInteger(data.dtype) && data.ndim === 0) {
    d = convert(data, "uint32");
  } else {
    throw new ValueError(fn, `data must be an integer or an int32/uint32 scalar Array, got ${describe(data)}`);
  }
  const [k0, k1] = keyWords(key);
  const [y0, y1] = threefry2x32Words(k0, k1, u32(0), d);
  return bind1(concatenateP, [reshape(y0, [1]), reshape(y1, [1])], { axis: 0 });
}

/**
 * The raw Threefry-2x32 hash, as `jax.random.threefry_2x32(keypair, count)`.
 *
 * The counts are flattened (padded with one 0 if their number is odd), cut into two halves that act
 * as the two counter words, encrypted under the key, and the two output halves are joined back
 * into the shape of `counts`.
 *
 * @param key - the key pair (uint32, shape [2]).
 * @param counts - uint32 counters, any shape.
 * @returns uint32 hashes, the shape of `counts`.
 * @example
 * const counts = random.bits(random.key(1), [4]);  // any uint32 array
 * random.threefry2x32(random.key(0), counts);      // uint32 [4]
 */
export function threefry2x32(key: Array, counts: Array): Array {
  const fn = "random.threefry2x32";
  checkKey(fn, key);
  if (!(counts instanceof Array) || counts.dtype !== "uint32") throw new DTypeError(fn, `counts must be a uint32 Array, got ${describe(counts)}`);
  const n = counts.size;
  const odd = n % 2;
  let flat = reshape(counts, [n]);
  if (odd) flat = bind1(concatenateP, [flat, reshape(u32(0), [1])], { axis: 0 });
  const half = (n + odd) / 2;
  const part = (s: number) => bind1(sliceP, [flat], { start: [s], limit: [s + half], strides: [1] });
  const [k0, k1] = keyWords(key);
  const [y0, y1] = threefry2x32Words(k0, k1, part(0), part(half));
  let out = bind1(concatenateP, [y0, y1], { axis: 0 });
  if (odd) out = bind1(sliceP, [out], { start: [0], limit: [n], strides: [1] });
  return reshape(out, counts.shape);
}

// ---------------------------------------------------------------------------------------------
// Samplers

/**
 * Uniform random bits, as `jax.random.bits(key, shape)` (uint32).
 *
 * Element `i` (row-major) is `y0 ^ y1` for the Threefry block of counter `i`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape (default `[]`, a scalar).
 * @returns uint32 bits of that shape.
 * @example
 * random.bits(random.key(0)).item(); // 4070199207, as JAX
 */
export function bits(key: Array, shape: ShapeLike = []): Array {
  const fn = "random.bits";
  checkKey(fn, key);
  return bits32(key, checkDrawShape(fn, shape));
}

/**
 * Uniform samples in `[minval, maxval)`, as `jax.random.uniform(key, shape, dtype, minval, maxval)`.
 *
 * Random mantissa bits under the exponent of 1.0 give a float in `[1, 2)`; subtracting 1 gives
 * `u` in `[0, 1)` (a multiple of 2^-23 in float32); the result is `max(minval, u * (maxval -
 * minval) + minval)` in `dtype`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape (default `[]`).
 * @param opts - `dtype` (default float32), `minval` (default 0), `maxval` (default 1); the bounds
 *   may be Arrays that broadcast to `shape`.
 * @returns samples of `shape` and `dtype`.
 * @example
 * random.uniform(random.key(51), [4]).tolist(); // [0.471269, 0.12344253, 0.17550635, 0.5663593]
 * random.uniform(key, [2, 3], { minval: -1, maxval: 1 });
 */
export function uniform(key: Array, shape: ShapeLike = [], opts: UniformOptions = {}): Array {
  const fn = "random.uniform";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const dtype = checkFloatDtype(fn, opts.dtype ?? "float32");
  const lo = floatParam(fn, "minval", opts.minval ?? 0, dtype);
  const hi = floatParam(fn, "maxval", opts.maxval ?? 1, dtype);
  checkBroadcastsTo(fn, "minval", lo.shape, s);
  checkBroadcastsTo(fn, "maxval", hi.shape, s);
  return uniformIn(key, s, dtype, lo, hi);
}

/**
 * Standard normal samples, as `jax.random.normal(key, shape, dtype)`.
 *
 * As JAX: `u = uniform(key, shape, minval=nextafter(-1, 0), maxval=1)` (open at -1 so the result
 * stays finite) and `sqrt(2) * erf_inv(u)`. In float32 the `erf_inv` is XLA's polynomial replayed
 * op by op, so the samples equal JAX's bit for bit.
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape (default `[]`).
 * @param opts - `dtype` (default float32).
 * @returns samples of `shape` and `dtype`.
 * @example
 * random.normal(random.key(123), [3]).tolist(); // [1.6359469, 0.8408094, 0.02212393]
 */
export function normal(key: Array, shape: ShapeLike = [], opts: FloatOptions = {}): Array {
  const fn = "random.normal";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const dtype = checkFloatDtype(fn, opts.dtype ?? "float32");
  const lo = dtype === "float32" ? -1 + 2 ** -24 : -1 + 2 ** -53;
  const u = uniformIn(key, s, dtype, scalar(lo, dtype), scalar(1, dtype));
  return mul(scalar(Math.SQRT2, dtype), erfInv(u));
}

/**
 * Samples of a standard normal truncated to `(lower, upper)`, as `jax.random.truncated_normal`.
 *
 * Inverse-CDF sampling as JAX: `u` uniform in `[erf(lower/√2), erf(upper/√2))`, then
 * `√2 · erf_inv(u)`, clipped into the open interval so rounding never reaches a bound. Bounds may
 * be infinite and may be Arrays (broadcast to `shape`); gradients flow to them.
 *
 * @param key - the key (uint32, shape [2]).
 * @param lower - lower bound(s), a number or an Array.
 * @param upper - upper bound(s), a number or an Array.
 * @param shape - output shape; defaults to the broadcast shape of `lower` and `upper`.
 * @param opts - `dtype` (default float32).
 * @returns samples in `(lower, upper)`.
 * @example
 * random.truncatedNormal(random.key(0), -2, 2, [1000]); // within (-2, 2)
 */
export function truncatedNormal(key: Array, lower: number | Array, upper: number | Array, shape?: ShapeLike, opts: FloatOptions = {}): Array {
  const fn = "random.truncatedNormal";
  checkKey(fn, key);
  const dtype = checkFloatDtype(fn, opts.dtype ?? "float32");
  const lo = floatParam(fn, "lower", lower, dtype);
  const hi = floatParam(fn, "upper", upper, dtype);
  let s: number[];
  if (shape === undefined) s = [...broadcastShapes(fn, lo.shape, hi.shape)];
  else {
    s = checkDrawShape(fn, shape);
    checkBroadcastsTo(fn, "lower", lo.shape, s);
    checkBroadcastsTo(fn, "upper", hi.shape, s);
  }
  const sqrt2 = scalar(Math.SQRT2, dtype);
  const a = bind1(erfP, [div(lo, sqrt2)], {});
  const b = bind1(erfP, [div(hi, sqrt2)], {});
  const out = mul(sqrt2, erfInv(uniformIn(key, s, dtype, a, b)));
  const above = bind1(nextafterP, [lo, scalar(Infinity, dtype)], {});
  const below = bind1(nextafterP, [hi, scalar(-Infinity, dtype)], {});
  return min(max(out, above), below);
}

/**
 * Bernoulli samples: `true` with probability `p`, as `jax.random.bernoulli(key, p, shape)`.
 *
 * Computed as `uniform(key, shape, dtype(p)) < p`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param p - the probability (default 0.5): a number, or a float Array broadcasting to `shape`.
 * @param shape - output shape; defaults to the shape of `p`.
 * @returns bool samples.
 * @example
 * const mask = random.bernoulli(random.key(0), 0.9, [128]); // dropout keep-mask
 */
export function bernoulli(key: Array, p: number | Array = 0.5, shape?: ShapeLike): Array {
  const fn = "random.bernoulli";
  checkKey(fn, key);
  let pa: Array;
  if (typeof p === "number") pa = scalar(p, "float32");
  else if (p instanceof Array && isFloat(p.dtype)) pa = p;
  else throw new DTypeError(fn, `the probability p must be a number or a float Array, got ${describe(p)}`);
  let s: number[];
  if (shape === undefined) s = [...pa.shape];
  else {
    s = checkDrawShape(fn, shape);
    checkBroadcastsTo(fn, "p", pa.shape, s);
  }
  const dtype = pa.dtype as FloatDType;
  return lt(uniformIn(key, s, dtype, scalar(0, dtype), scalar(1, dtype)), pa);
}

/**
 * Standard Gumbel samples, as `jax.random.gumbel(key, shape, dtype)`: `-log(-log(u))` with `u`
 * uniform in `[tiny, 1)` (the smallest normal float, so both logs stay finite).
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape (default `[]`).
 * @param opts - `dtype` (default float32).
 * @returns samples of `shape` and `dtype`.
 * @example
 * const g = random.gumbel(random.key(0), [10]);
 */
export function gumbel(key: Array, shape: ShapeLike = [], opts: FloatOptions = {}): Array {
  const fn = "random.gumbel";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const dtype = checkFloatDtype(fn, opts.dtype ?? "float32");
  return gumbelIn(key, s, dtype);
}

function gumbelIn(key: Array, shape: Shape, dtype: FloatDType): Array {
  const tiny = dtype === "float32" ? 2 ** -126 : 2 ** -1022;
  return neg(log(neg(log(uniformIn(key, shape, dtype, scalar(tiny, dtype), scalar(1, dtype))))));
}

/**
 * Standard exponential samples (rate 1), as `jax.random.exponential(key, shape, dtype)`:
 * `-log1p(-u)` with `u` uniform in `[0, 1)`. Divide by a rate for other rates.
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape (default `[]`).
 * @param opts - `dtype` (default float32).
 * @returns non-negative samples of `shape` and `dtype`.
 * @example
 * const waits = random.exponential(random.key(0), [100]); // mean ≈ 1
 */
export function exponential(key: Array, shape: ShapeLike = [], opts: FloatOptions = {}): Array {
  const fn = "random.exponential";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const dtype = checkFloatDtype(fn, opts.dtype ?? "float32");
  const u = uniformIn(key, s, dtype, scalar(0, dtype), scalar(1, dtype));
  return neg(bind1(log1pP, [neg(u)], {}));
}

/**
 * Samples category indices from unnormalized log-probabilities, as `jax.random.categorical`.
 *
 * Gumbel-max trick: `argmax(logits + gumbel noise)` along `axis` draws index `i` with probability
 * `softmax(logits)[i]`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param logits - float Array of log-probabilities (up to a constant) with the categories on `axis`.
 * @param opts - `axis` (default -1) and `shape` (default: the batch shape, `logits.shape` without
 *   `axis`; it may add leading dimensions for several draws per distribution).
 * @returns int32 indices of shape `shape`.
 * @example
 * const logits = np.log(np.array([0.1, 0.2, 0.7]));
 * random.categorical(random.key(0), logits, { shape: [1000] }); // ≈ 10% 0s, 20% 1s, 70% 2s
 */
export function categorical(key: Array, logits: Array, opts: CategoricalOptions = {}): Array {
  const fn = "random.categorical";
  checkKey(fn, key);
  if (!(logits instanceof Array) || !isFloat(logits.dtype)) throw new DTypeError(fn, `logits must be a float Array, got ${describe(logits)}`);
  if (logits.ndim === 0) throw new ShapeError(fn, "logits must have at least one dimension (the categories)");
  const axis = normalizeAxis(fn, opts.axis ?? -1, logits.ndim);
  if (logits.shape[axis] === 0) throw new ShapeError(fn, `logits has no categories along axis ${axis} (shape ${fmtShape(logits.shape)})`);
  const batch = logits.shape.filter((_, i) => i !== axis);
  let s: number[];
  if (opts.shape === undefined) s = batch;
  else {
    s = checkDrawShape(fn, opts.shape);
    if (s.length < batch.length) throw new ShapeError(fn, `shape ${fmtShape(s)} must end with the batch shape ${fmtShape(batch)} of logits ${fmtShape(logits.shape)} (axis ${axis} removed)`);
    checkBroadcastsTo(fn, "the batch shape of logits", batch, s);
  }
  const prefix = s.slice(0, s.length - batch.length);
  const noiseShape = [...prefix, ...s.slice(s.length - batch.length)];
  noiseShape.splice(prefix.length + axis, 0, logits.shape[axis]!);
  const z = add(gumbelIn(key, noiseShape, logits.dtype as FloatDType), reshape(logits, [...prefix.map(() => 1), ...logits.shape]));
  return bind1(argmaxP, [z], { axis: prefix.length + axis });
}

/** Clip a JS integer bound into the dtype's range; `above` says whether it exceeded the top. */
function intBound(fn: string, what: string, v: number | Array, dtype: IntDType): { val: Array; above: Array } {
  const [lo, hi] = dtype === "int32" ? [-0x80000000, 0x7fffffff] : [0, 0xffffffff];
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new ValueError(fn, `${what} must be an integer, got ${v}`);
    return { val: scalar(Math.min(Math.max(v, lo), hi), dtype), above: scalar(v > hi ? 1 : 0, "bool") };
  }
  if (!(v instanceof Array) || v.dtype === "bool") throw new DTypeError(fn, `${what} must be an integer or a numeric Array, got ${describe(v)}`);
  // JAX casts float bounds to int first; every int32/uint32 value is exact in float64, where the
  // clipping against the dtype's range happens.
  const asInt = isFloat(v.dtype) ? convert(v, "int32") : v;
  const wide = convert(asInt, "float64");
  return { val: convert(min(max(wide, lo), hi), dtype), above: gt(wide, hi) };
}

/**
 * Uniform integers in `[minval, maxval)`, as `jax.random.randint(key, shape, minval, maxval, dtype)`.
 *
 * JAX's algorithm, step for step: split the key, draw 32 bits from each half (`higher`, `lower`),
 * and combine them modulo the span with uint32 wrap-around,
 * `((higher % span) * (2^32 % span) + lower % span) % span`. Using 64 bits keeps the bias small
 * for spans that are not powers of two. Bounds are clipped to the dtype's range (a `maxval` past
 * its top includes the top value); if `maxval <= minval` every sample is `minval`.
 *
 * @param key - the key (uint32, shape [2]).
 * @param shape - output shape.
 * @param minval - lower bound (inclusive): an integer or an integer Array broadcasting to `shape`.
 * @param maxval - upper bound (exclusive).
 * @param opts - `dtype`: `"int32"` (default) or `"uint32"`.
 * @returns integers of `shape`.
 * @example
 * const dice = random.randint(random.key(0), [10], 1, 7); // int32 in 1..6
 */
export function randint(key: Array, shape: ShapeLike, minval: number | Array, maxval: number | Array, opts: RandintOptions = {}): Array {
  const fn = "random.randint";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const dtype = checkIntDtype(fn, opts.dtype ?? "int32");
  const lo = intBound(fn, "minval", minval, dtype);
  const hi = intBound(fn, "maxval", maxval, dtype);
  checkBroadcastsTo(fn, "minval", lo.val.shape, s);
  checkBroadcastsTo(fn, "maxval", hi.val.shape, s);
  return randintIn(key, s, lo.val, hi.val, hi.above, dtype);
}

function randintIn(key: Array, shape: Shape, lo: Array, hi: Array, hiAbove: Array, dtype: IntDType): Array {
  const keys = split(key);
  const higher = bits32(keyAt(keys, 0), shape);
  const lower = bits32(keyAt(keys, 1), shape);
  let span = convert(sub(hi, lo), "uint32");
  // maxval <= minval: span 1, so minval is always returned (jax#222).
  span = select(le(hi, lo), u32(1), span);
  // A maxval past the dtype's top asks for the top value too: one more (wrapping to 0 for the full range).
  span = select(bind1(andP, [hiAbove, gt(hi, lo)], {}), add(span, 1), span);
  let multiplier = remU32(u32(65536), span);
  multiplier = remU32(mul(multiplier, multiplier), span);
  const offset = remU32(add(mul(remU32(higher, span), multiplier), remU32(lower, span)), span);
  return add(lo, convert(offset, dtype));
}

/**
 * A random permutation, as `jax.random.permutation(key, x, axis, independent)`.
 *
 * Given a number `n`: a shuffled `arange(n)` (int32). Given an Array: its slices along `axis` in a
 * random order (or, with `independent`, each 1-D lane along `axis` shuffled separately). As JAX, it
 * sorts by random 32-bit keys (repeated for very large sizes), so results match JAX's.
 *
 * @param key - the key (uint32, shape [2]).
 * @param x - a non-negative integer `n`, or an Array to permute.
 * @param opts - `axis` (default 0), `independent` (default false).
 * @returns the permuted values.
 * @example
 * random.permutation(random.key(0), 5);      // int32, a shuffle of [0, 1, 2, 3, 4]
 * random.permutation(random.key(0), rows);   // the rows of `rows` in a random order
 */
export function permutation(key: Array, x: number | Array, opts: PermutationOptions = {}): Array {
  const fn = "random.permutation";
  checkKey(fn, key);
  if (typeof x === "number" || (x instanceof Array && x.ndim === 0)) {
    return shuffle(key, arange(concreteCount(fn, "x", x)), 0);
  }
  if (!(x instanceof Array)) throw new ValueError(fn, `x must be a non-negative integer or an Array, got ${describe(x)}`);
  const axis = normalizeAxis(fn, opts.axis ?? 0, x.ndim);
  if (opts.independent === true || x.ndim === 1) return shuffle(key, x, axis);
  return take(x, shuffle(key, arange(x.shape[axis]!), 0), axis);
}

/**
 * Random samples from the entries of `a`, as `jax.random.choice(key, a, shape, replace, p, axis)`.
 *
 * With replacement and no `p`: uniform indices from {@link randint}. Without replacement and no
 * `p`: the first entries of a {@link permutation}. With `p` and replacement: inverse-CDF sampling
 * on `cumsum(p)`. With `p` and without replacement: the Gumbel top-k trick.
 *
 * @param key - the key (uint32, shape [2]).
 * @param a - a number `n` (choose from `arange(n)`) or an Array (choose entries along `axis`).
 * @param shape - how many samples, as a shape (default `[]`: one).
 * @param opts - `replace` (default true), `p` (probabilities, one per entry; need not be
 *   normalized), `axis` (default 0).
 * @returns the samples: shape `shape` for a number `a`, else `a.shape` with `axis` replaced by `shape`.
 * @example
 * random.choice(random.key(0), 10, [3], { replace: false }); // 3 distinct ints in 0..9
 * random.choice(random.key(1), 3, [5], { p: [0.1, 0.1, 0.8] });
 */
export function choice(key: Array, a: number | Array, shape: ShapeLike = [], opts: ChoiceOptions = {}): Array {
  const fn = "random.choice";
  checkKey(fn, key);
  const s = checkDrawShape(fn, shape);
  const replace = opts.replace ?? true;
  const scalarA = typeof a === "number" || (a instanceof Array && a.ndim === 0);
  let nInputs: number;
  let axis = 0;
  if (scalarA) nInputs = concreteCount(fn, "a", a);
  else if (a instanceof Array) {
    axis = normalizeAxis(fn, opts.axis ?? 0, a.ndim);
    nInputs = a.shape[axis]!;
  } else throw new ValueError(fn, `a must be a non-negative integer or an Array, got ${describe(a)}`);
  const arr = scalarA ? null : (a as Array);
  const nDraws = sizeOf(s);
  if (nDraws === 0) return broadcastTo(scalar(0, arr?.dtype ?? "int32"), s); // as JAX: zeros of `shape`
  if (nInputs <= 0) throw new ValueError(fn, "a must be greater than 0 (or have entries along axis) unless no samples are taken");
  if (!replace && nDraws > nInputs) throw new ValueError(fn, `cannot take a larger sample (${nDraws}) than the population (${nInputs}) when replace is false`);

  let ind: Array;
  if (opts.p === undefined) {
    if (replace) ind = randintIn(key, s, scalar(0, "int32"), scalar(nInputs, "int32"), scalar(0, "bool"), "int32");
    else {
      const perm = shuffle(key, arange(nInputs), 0);
      ind = reshape(bind1(sliceP, [perm], { start: [0], limit: [nDraws], strides: [1] }), s);
    }
  } else {
    let p: Array;
    if (opts.p instanceof Array) p = isFloat(opts.p.dtype) ? opts.p : convert(opts.p, "float32");
    else if (globalThis.Array.isArray(opts.p)) p = new ConcreteArray(Float32Array.from(opts.p), [opts.p.length], "float32");
    else throw new ValueError(fn, `p must be an Array or a list of numbers, got ${describe(opts.p)}`);
    if (p.ndim !== 1 || p.shape[0] !== nInputs) throw new ShapeError(fn, `p must have shape [${nInputs}] (one probability per entry), got ${fmtShape(p.shape)}`);
    const dtype = p.dtype as FloatDType;
    if (replace) {
      const cdf = bind1(cumsumP, [p], { axis: 0, reverse: false });
      const total = reshape(bind1(sliceP, [cdf], { start: [nInputs - 1], limit: [nInputs], strides: [1] }), []);
      const r = mul(total, sub(scalar(1, dtype), uniformIn(key, s, dtype, scalar(0, dtype), scalar(1, dtype))));
      // searchsorted(cdf, r, side="left") = how many cdf entries are < r.
      const below = convert(lt(cdf, reshape(r, [...s, 1])), "int32");
      ind = bind1(reduceSumP, [below], { axes: [s.length] });
    } else {
      const g = add(gumbelIn(key, [nInputs], dtype), log(p));
      const top = bind1(sliceP, [argsort(neg(g), 0)], { start: [0], limit: [nDraws], strides: [1] });
      ind = reshape(top, s);
    }
  }
  return arr === null ? ind : take(arr, ind, axis);
}

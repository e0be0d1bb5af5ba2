/**
 * @file `nn.initializers`: parameter initializers with the semantics of `jax.nn.initializers`.
 *
 * An {@link Initializer} is a pure function `(key, shape, dtype?) => Array`: the same key gives the
 * same array, and it is traceable (it runs under `jit`/`vmap`). As in JAX, `zeros` and `ones` are
 * initializers themselves, while `constant`, `uniform`, `normal`, `truncatedNormal`,
 * `varianceScaling`, the Glorot/He/LeCun families and `orthogonal` are factories that return one.
 *
 * Fan rules (JAX's `_compute_fans`): for a shape of rank >= 2 the receptive field is the product of
 * every axis except `inAxis` (default -2), `outAxis` (default -1) and the `batchAxis` axes, and
 * `fanIn = shape[inAxis] · receptiveField`, `fanOut = shape[outAxis] · receptiveField`. So a dense
 * kernel `[in, out]` has `fanIn = in`, and a conv kernel `[kh, kw, in, out]` (HWIO, as Tessera's
 * conv layers store them) has `fanIn = kh·kw·in`. Rank 1 uses `fanIn = fanOut = shape[0]`, rank 0
 * uses 1.
 *
 * Reference: https://jax.readthedocs.io/en/latest/jax.nn.initializers.html
 */
import type { Array } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import * as np from "../numpy/index.js";
import * as random from "../random/index.js";

/**
 * A parameter initializer: `(key, shape, dtype = "float32") => Array`.
 * @category Initializers
 */
export type Initializer = (key: Array, shape: readonly number[], dtype?: DType) => Array;

const DEFAULT_DTYPE: DType = "float32";

function checkArgs(fn: string, shape: readonly number[], dtype: DType): asserts dtype is "float32" | "float64" {
  if (!globalThis.Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(fn, `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(fn, `initializers produce floating-point parameters; dtype must be float32 or float64, got ${dtype}`);
  }
}

/**
 * All zeros (an initializer, not a factory, as `jax.nn.initializers.zeros`).
 * @example
 * ```ts
 * nn.initializers.zeros(random.key(0), [2, 3]).tolist(); // [[0, 0, 0], [0, 0, 0]]
 * ```
 * @category Initializers
 */
export const zeros: Initializer = (_key, shape, dtype = DEFAULT_DTYPE) => {
  checkArgs("initializers.zeros", shape, dtype);
  return np.zeros(shape, { dtype });
};

/**
 * All ones (an initializer, as `jax.nn.initializers.ones`).
 * @example
 * ```ts
 * nn.initializers.ones(random.key(0), [2]).tolist(); // [1, 1]
 * ```
 * @category Initializers
 */
export const ones: Initializer = (_key, shape, dtype = DEFAULT_DTYPE) => {
  checkArgs("initializers.ones", shape, dtype);
  return np.ones(shape, { dtype });
};

/**
 * Every element equal to `value`.
 * @example
 * ```ts
 * nn.initializers.constant(0.1)(random.key(0), [2]).tolist(); // [0.1, 0.1]
 * ```
 * @category Initializers
 */
export function constant(value: number): Initializer {
  return (_key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.constant", shape, dtype);
    return np.full(shape, value, { dtype });
  };
}

/**
 * Uniform on `[0, scale)` (JAX's convention: not symmetric around 0).
 * @param scale - upper bound (default 1e-2).
 * @example
 * ```ts
 * const w = nn.initializers.uniform(0.1)(random.key(0), [3, 4]);
 * ```
 * @category Initializers
 */
export function uniform(scale = 1e-2): Initializer {
  return (key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.uniform", shape, dtype);
    return random.uniform(key, shape, { dtype }).mul(scale);
  };
}

/**
 * Normal with mean 0 and standard deviation `stddev`.
 * @param stddev - default 1e-2.
 * @example
 * ```ts
 * const w = nn.initializers.normal(0.02)(random.key(0), [768, 768]);
 * ```
 * @category Initializers
 */
export function normal(stddev = 1e-2): Initializer {
  return (key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.normal", shape, dtype);
    return random.normal(key, shape, { dtype }).mul(stddev);
  };
}

/** Options of {@link truncatedNormal}. */
export interface TruncatedNormalOptions {
  /** Lower truncation bound in standard deviations (default -2). */
  lower?: number;
  /** Upper truncation bound in standard deviations (default 2). */
  upper?: number;
}

/**
 * `stddev ·` a standard normal truncated to `[lower, upper]` (default ±2). As in JAX the result is
 * not rescaled, so its standard deviation is about `0.88 · stddev`.
 * @example
 * ```ts
 * const w = nn.initializers.truncatedNormal(0.02)(random.key(0), [16, 16]);
 * ```
 * @category Initializers
 */
export function truncatedNormal(stddev = 1e-2, opts: TruncatedNormalOptions = {}): Initializer {
  const lower = opts.lower ?? -2;
  const upper = opts.upper ?? 2;
  return (key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.truncatedNormal", shape, dtype);
    return random.truncatedNormal(key, lower, upper, shape, { dtype }).mul(stddev);
  };
}

/** Axes used to compute fans (see the module header). */
export interface FanOptions {
  /** Input axis (default -2). */
  inAxis?: number;
  /** Output axis (default -1). */
  outAxis?: number;
  /** Batch axes, excluded from the receptive field (default none). */
  batchAxis?: readonly number[];
}

/**
 * `[fanIn, fanOut]` of a parameter shape, by JAX's rule (see the module header).
 * @example
 * ```ts
 * nn.initializers.computeFans([3, 3, 16, 32]); // [144, 288]
 * ```
 * @category Initializers
 */
export function computeFans(shape: readonly number[], opts: FanOptions = {}): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const norm = (a: number) => (a < 0 ? a + shape.length : a);
  const inAxis = norm(opts.inAxis ?? -2);
  const outAxis = norm(opts.outAxis ?? -1);
  const batch = (opts.batchAxis ?? []).map(norm);
  for (const a of [inAxis, outAxis, ...batch]) {
    if (a < 0 || a >= shape.length) throw new ValueError("initializers.computeFans", `axis out of range for shape [${shape.join(", ")}]`);
  }
  let receptive = 1;
  shape.forEach((d, i) => {
    if (i !== inAxis && i !== outAxis && !batch.includes(i)) receptive *= d;
  });
  return [shape[inAxis]! * receptive, shape[outAxis]! * receptive];
}

/** How {@link varianceScaling} picks the denominator. */
export type FanMode = "fanIn" | "fanOut" | "fanAvg";
/** The distribution {@link varianceScaling} draws from. */
export type VarianceDistribution = "truncatedNormal" | "normal" | "uniform";

// The standard deviation of a standard normal truncated to [-2, 2] (JAX's constant).
const TRUNC_STD = 0.87962566103423978;

/**
 * Variance scaling (`jax.nn.initializers.variance_scaling`): target variance
 * `scale / n` with `n` = fanIn, fanOut or their average; draws from a truncated normal (±2σ,
 * rescaled to the target variance), a normal, or a uniform on `±√(3·variance)`.
 * @example
 * ```ts
 * const init = nn.initializers.varianceScaling(2, "fanIn", "normal");
 * const w = init(random.key(0), [256, 128]); // variance ≈ 2 / 256
 * ```
 * @category Initializers
 */
export function varianceScaling(scale: number, mode: FanMode, distribution: VarianceDistribution, fans: FanOptions = {}): Initializer {
  if (!(scale > 0)) throw new ValueError("initializers.varianceScaling", `scale must be positive, got ${scale}`);
  if (!["fanIn", "fanOut", "fanAvg"].includes(mode)) throw new ValueError("initializers.varianceScaling", `mode must be "fanIn", "fanOut" or "fanAvg", got ${JSON.stringify(mode)}`);
  if (!["truncatedNormal", "normal", "uniform"].includes(distribution)) {
    throw new ValueError("initializers.varianceScaling", `distribution must be "truncatedNormal", "normal" or "uniform", got ${JSON.stringify(distribution)}`);
  }
  return (key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.varianceScaling", shape, dtype);
    const [fanIn, fanOut] = computeFans(shape, fans);
    const denom = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(denom, 1);
    if (distribution === "truncatedNormal") {
      return random.truncatedNormal(key, -2, 2, shape, { dtype }).mul(Math.sqrt(variance) / TRUNC_STD);
    }
    if (distribution === "normal") return random.normal(key, shape, { dtype }).mul(Math.sqrt(variance));
    return random.uniform(key, shape, { dtype, minval: -1, maxval: 1 }).mul(Math.sqrt(3 * variance));
  };
}

/**
 * Glorot (Xavier) uniform: variance `2 / (fanIn + fanOut)`, uniform. Keras's default kernel
 * initializer.
 * @example
 * ```ts
 * const w = nn.initializers.glorotUniform()(random.key(0), [784, 128]);
 * ```
 * @category Initializers
 */
export function glorotUniform(fans: FanOptions = {}): Initializer {
  return varianceScaling(1, "fanAvg", "uniform", fans);
}

/**
 * Glorot (Xavier) normal: variance `2 / (fanIn + fanOut)`, truncated normal.
 * @example
 * ```ts
 * const w = nn.initializers.glorotNormal()(random.key(0), [784, 128]);
 * ```
 * @category Initializers
 */
export function glorotNormal(fans: FanOptions = {}): Initializer {
  return varianceScaling(1, "fanAvg", "truncatedNormal", fans);
}

/**
 * LeCun uniform: variance `1 / fanIn`, uniform.
 * @example
 * ```ts
 * const w = nn.initializers.lecunUniform()(random.key(0), [64, 64]);
 * ```
 * @category Initializers
 */
export function lecunUniform(fans: FanOptions = {}): Initializer {
  return varianceScaling(1, "fanIn", "uniform", fans);
}

/**
 * LeCun normal: variance `1 / fanIn`, truncated normal (flax's default kernel initializer).
 * @example
 * ```ts
 * const w = nn.initializers.lecunNormal()(random.key(0), [64, 64]);
 * ```
 * @category Initializers
 */
export function lecunNormal(fans: FanOptions = {}): Initializer {
  return varianceScaling(1, "fanIn", "truncatedNormal", fans);
}

/**
 * He (Kaiming) uniform: variance `2 / fanIn`, uniform (for ReLU networks).
 * @example
 * ```ts
 * const w = nn.initializers.heUniform()(random.key(0), [3, 3, 16, 32]);
 * ```
 * @category Initializers
 */
export function heUniform(fans: FanOptions = {}): Initializer {
  return varianceScaling(2, "fanIn", "uniform", fans);
}

/**
 * He (Kaiming) normal: variance `2 / fanIn`, truncated normal.
 * @example
 * ```ts
 * const w = nn.initializers.heNormal()(random.key(0), [3, 3, 16, 32]);
 * ```
 * @category Initializers
 */
export function heNormal(fans: FanOptions = {}): Initializer {
  return varianceScaling(2, "fanIn", "truncatedNormal", fans);
}

/** Alias of {@link glorotUniform}. @category Initializers */
export const xavierUniform = glorotUniform;
/** Alias of {@link glorotNormal}. @category Initializers */
export const xavierNormal = glorotNormal;
/** Alias of {@link heUniform}. @category Initializers */
export const kaimingUniform = heUniform;
/** Alias of {@link heNormal}. @category Initializers */
export const kaimingNormal = heNormal;

/** Options of {@link orthogonal}. */
export interface OrthogonalOptions {
  /** The axis whose slices are the orthonormal columns (default -1). */
  columnAxis?: number;
}

/**
 * Q of the QR decomposition of `a` ([m, n], m >= n) with R's diagonal positive, by classical
 * Gram–Schmidt applied twice per column ("CGS2", numerically as orthogonal as Householder QR).
 * Built from array operations so it traces; the sign convention equals JAX's `Q · sign(diag R)`.
 */
function orthonormalColumns(a: Array): Array {
  const [m, n] = a.shape as [number, number];
  let q = np.zeros([m, n], { dtype: a.dtype });
  const col = np.arange(n).reshape([1, n]);
  for (let j = 0; j < n; j++) {
    let v = a.slice("...", [j, j + 1]);
    for (let pass = 0; pass < 2; pass++) v = v.sub(q.matmul(q.T.matmul(v)));
    v = v.div(np.sqrt(v.square().sum()));
    q = np.where(col.eq(j), v, q);
  }
  return q;
}

/**
 * Orthogonal initializer (Saxe et al. 2014), as `jax.nn.initializers.orthogonal`: the array,
 * viewed as a matrix with `shape[columnAxis]` columns, has orthonormal columns (or rows, when there
 * are more columns than rows), times `scale`. A standard normal matrix is orthonormalized with the
 * signs fixed so that R's diagonal is positive, which makes the result Haar-distributed.
 * @param scale - multiplier (default 1).
 * @example
 * ```ts
 * const q = nn.initializers.orthogonal()(random.key(0), [4, 4]);
 * q.T.matmul(q); // ≈ identity
 * ```
 * @category Initializers
 */
export function orthogonal(scale = 1.0, opts: OrthogonalOptions = {}): Initializer {
  return (key, shape, dtype = DEFAULT_DTYPE) => {
    checkArgs("initializers.orthogonal", shape, dtype);
    if (shape.length < 2) {
      throw new ValueError("initializers.orthogonal", `the shape must have rank >= 2, got [${shape.join(", ")}]`);
    }
    const rank = shape.length;
    const colAxis = (opts.columnAxis ?? -1) < 0 ? (opts.columnAxis ?? -1) + rank : opts.columnAxis!;
    if (colAxis < 0 || colAxis >= rank) throw new ValueError("initializers.orthogonal", `columnAxis ${opts.columnAxis} is out of range for rank ${rank}`);
    const nCols = shape[colAxis]!;
    const total = shape.reduce((p, d) => p * d, 1);
    const nRows = nCols === 0 ? 0 : total / nCols;
    const wide = nRows < nCols;
    const matShape = wide ? [nCols, nRows] : [nRows, nCols];
    const a = random.normal(key, matShape, { dtype });
    let q = orthonormalColumns(a);
    if (wide) q = q.T;
    const rest = shape.filter((_, i) => i !== colAxis);
    q = q.reshape([...rest, nCols]);
    q = np.moveaxis(q, -1, colAxis);
    return q.mul(scale);
  };
}

/**
 * Resolve an initializer given by Keras-style name (`"glorotUniform"`, `"zeros"`, ...) or as a
 * function. Names give the factory's defaults.
 * @example
 * ```ts
 * nn.initializers.get("heNormal")(random.key(0), [3, 3]);
 * ```
 * @category Initializers
 */
export function get(init: InitializerName | Initializer): Initializer {
  if (typeof init === "function") return init;
  const table: Record<InitializerName, () => Initializer> = {
    zeros: () => zeros,
    ones: () => ones,
    uniform: () => uniform(),
    normal: () => normal(),
    truncatedNormal: () => truncatedNormal(),
    glorotUniform: () => glorotUniform(),
    glorotNormal: () => glorotNormal(),
    lecunUniform: () => lecunUniform(),
    lecunNormal: () => lecunNormal(),
    heUniform: () => heUniform(),
    heNormal: () => heNormal(),
    orthogonal: () => orthogonal(),
  };
  const make = Object.prototype.hasOwnProperty.call(table, init) ? table[init] : undefined;
  if (make === undefined) throw new ValueError("initializers.get", `unknown initializer ${JSON.stringify(init)}; valid names: ${Object.keys(table).join(", ")}`);
  return make();
}

/** Names accepted by {@link get} (and by layers' `*Initializer` options). */
export type InitializerName =
  | "zeros"
  | "ones"
  | "uniform"
  | "normal"
  | "truncatedNormal"
  | "glorotUniform"
  | "glorotNormal"
  | "lecunUniform"
  | "lecunNormal"
  | "heUniform"
  | "heNormal"
  | "orthogonal";

/**
 * @file Activation functions of `jax.nn`, camelCased: `relu`, `gelu`, `softmax`, `logSoftmax`, ...
 *
 * Every function is built from traceable primitives (no `.item()`, no JS branching on values), so
 * it runs unchanged under `grad`, `vmap` and `jit`. The formulations are the numerically stable ones
 * JAX uses: `softplus` never exponentiates a positive number, `logSigmoid` is `-softplus(-x)`, `softmax` and
 * `logSoftmax` subtract the (gradient-stopped) maximum first. `relu`, `relu6` and `softmax` carry a
 * custom JVP as in JAX (relu's derivative at 0 is 0; softmax's tangent is `y ⊙ (t − Σ y t)`).
 *
 * Reference: https://jax.readthedocs.io/en/latest/jax.nn.html
 */
import type { Array, ArrayLike, Axis } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { bind1 } from "../core/trace.js";
import * as np from "../numpy/index.js";
import { erfP, logisticP } from "../primitives/elementwise.js";
import { customJvp, stopGradient } from "../transforms/autodiff.js";

const asFloat = (x: ArrayLike): Array => {
  const a = np.asarray(x);
  return a.dtype === "float32" || a.dtype === "float64" ? a : a.astype("float32");
};

const reluImpl = customJvp(
  function relu(x: Array): Array {
    return np.maximum(x, 0);
  },
  ([x], [t]) => [np.maximum(x, 0), np.where(x.gt(0), t, np.zerosLike(t))],
);

/**
 * Rectified linear unit, `max(x, 0)`. The derivative at 0 is taken to be 0 (as `jax.nn.relu`).
 * @param x - input array (or JS number).
 * @returns an array of the same shape.
 * @example
 * ```ts
 * nn.relu(np.array([-1, 0, 2])).tolist(); // [0, 0, 2]
 * ```
 * @category Activations
 */
export function relu(x: ArrayLike): Array {
  return reluImpl(np.asarray(x));
}

const relu6Impl = customJvp(
  function relu6(x: Array): Array {
    return np.minimum(np.maximum(x, 0), 6);
  },
  ([x], [t]) => [np.minimum(np.maximum(x, 0), 6), np.where(np.logicalAnd(x.gt(0), x.lt(6)), t, np.zerosLike(t))],
);

/**
 * `min(max(x, 0), 6)`. The derivative is 0 at both kinks (as `jax.nn.relu6`).
 * @example
 * ```ts
 * nn.relu6(np.array([-1, 3, 9])).tolist(); // [0, 3, 6]
 * ```
 * @category Activations
 */
export function relu6(x: ArrayLike): Array {
  return relu6Impl(np.asarray(x));
}

/**
 * Leaky ReLU: `x` where `x >= 0`, else `negativeSlope * x`.
 * @param negativeSlope - slope for negative inputs (default 0.01, as JAX).
 * @example
 * ```ts
 * nn.leakyRelu(np.array([-2, 3]), 0.1).tolist(); // [-0.2, 3]
 * ```
 * @category Activations
 */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): Array {
  const a = asFloat(x);
  return np.where(a.ge(0), a, a.mul(negativeSlope));
}

/**
 * Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)` (computed with `expm1`;
 * the exponential only ever sees non-positive values, so large inputs cannot overflow).
 * @example
 * ```ts
 * nn.elu(np.array([-1, 2])).tolist(); // [-0.6321, 2]
 * ```
 * @category Activations
 */
export function elu(x: ArrayLike, alpha = 1.0): Array {
  const a = asFloat(x);
  const safe = np.where(a.gt(0), np.zerosLike(a), a);
  return np.where(a.gt(0), a, np.expm1(safe).mul(alpha));
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Scaled ELU (Klambauer et al. 2017): `scale * elu(x, alpha)` with `alpha ≈ 1.6733`, `scale ≈ 1.0507`.
 * @example
 * ```ts
 * nn.selu(np.array([1])).tolist(); // [1.0507]
 * ```
 * @category Activations
 */
export function selu(x: ArrayLike): Array {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}

/**
 * Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.
 * @example
 * ```ts
 * nn.celu(np.array([-1, 1]), 1).tolist(); // [-0.6321, 1]
 * ```
 * @category Activations
 */
export function celu(x: ArrayLike, alpha = 1.0): Array {
  const a = asFloat(x);
  return np.maximum(a, 0).add(np.expm1(np.minimum(a, 0).div(alpha)).mul(alpha));
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** Use the tanh approximation (default true, as JAX); false gives the exact `x Φ(x)` via `erf`. */
  approximate?: boolean;
}

/**
 * Gaussian error linear unit. With `approximate: true` (the default, as `jax.nn.gelu`):
 * `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`; with `approximate: false`: `x (1 + erf(x/√2)) / 2`.
 * @example
 * ```ts
 * nn.gelu(np.array([1])).tolist();                         // [0.8412]
 * nn.gelu(np.array([1]), { approximate: false }).tolist(); // [0.8413]
 * ```
 * @category Activations
 */
export function gelu(x: ArrayLike, opts: GeluOptions = {}): Array {
  const a = asFloat(x);
  if (opts.approximate ?? true) {
    const inner = a.add(a.mul(a).mul(a).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return a.mul(0.5).mul(np.tanh(inner).add(1));
  }
  return a.mul(bind1(erfP, [a.mul(Math.SQRT1_2)], {}).add(1)).mul(0.5);
}

/**
 * Logistic sigmoid `1 / (1 + exp(-x))`, evaluated without overflow for large `|x|`.
 * @example
 * ```ts
 * nn.sigmoid(np.array([0, 1000, -1000])).tolist(); // [0.5, 1, 0]
 * ```
 * @category Activations
 */
export function sigmoid(x: ArrayLike): Array {
  return bind1(logisticP, [asFloat(x)], {});
}

/**
 * Sigmoid-weighted linear unit (swish): `x * sigmoid(x)`.
 * @example
 * ```ts
 * nn.silu(np.array([1])).tolist(); // [0.7311]
 * ```
 * @category Activations
 */
export function silu(x: ArrayLike): Array {
  const a = asFloat(x);
  return a.mul(sigmoid(a));
}

/** Alias of {@link silu}. @category Activations */
export const swish = silu;

/**
 * `log(1 + exp(x))`, stable: `softplus(1000) = 1000`, `softplus(-1000) ≈ 0`.
 * @example
 * ```ts
 * nn.softplus(np.array([0, 1000])).tolist(); // [0.6931, 1000]
 * ```
 * @category Activations
 */
export function softplus(x: ArrayLike): Array {
  // Two smooth branches, each fed only inputs where it cannot overflow (so no inf * 0 in the
  // backward pass): x + log1p(exp(-x)) for x > 0, log1p(exp(x)) otherwise. Unlike
  // max(x, 0) + log1p(exp(-|x|)), every derivative is exact at x = 0 too.
  const a = asFloat(x);
  const pos = a.gt(0);
  const zero = np.zerosLike(a);
  const xp = np.where(pos, a, zero);
  const xn = np.where(pos, zero, a);
  return np.where(pos, xp.add(np.log1p(np.exp(xp.neg()))), np.log1p(np.exp(xn)));
}

/**
 * `log(sigmoid(x))` as `-softplus(-x)`: finite for `x = -1000` (gives -1000).
 * @example
 * ```ts
 * nn.logSigmoid(np.array([-1000, 0])).tolist(); // [-1000, -0.6931]
 * ```
 * @category Activations
 */
export function logSigmoid(x: ArrayLike): Array {
  return softplus(asFloat(x).neg()).neg();
}

/**
 * Hard sigmoid `relu6(x + 3) / 6` (as `jax.nn.hard_sigmoid`).
 * @example
 * ```ts
 * nn.hardSigmoid(np.array([-4, 0, 4])).tolist(); // [0, 0.5, 1]
 * ```
 * @category Activations
 */
export function hardSigmoid(x: ArrayLike): Array {
  return relu6(asFloat(x).add(3)).div(6);
}

/**
 * Hard SiLU / hard swish: `x * hardSigmoid(x)`.
 * @example
 * ```ts
 * nn.hardSilu(np.array([1])).tolist(); // [0.6667]
 * ```
 * @category Activations
 */
export function hardSilu(x: ArrayLike): Array {
  const a = asFloat(x);
  return a.mul(hardSigmoid(a));
}

/**
 * Hard tanh: `x` clipped to `[-1, 1]`.
 * @example
 * ```ts
 * nn.hardTanh(np.array([-3, 0.5, 3])).tolist(); // [-1, 0.5, 1]
 * ```
 * @category Activations
 */
export function hardTanh(x: ArrayLike): Array {
  const a = asFloat(x);
  return np.where(a.gt(1), np.onesLike(a), np.where(a.lt(-1), np.onesLike(a).neg(), a));
}

/**
 * Soft sign `x / (|x| + 1)`.
 * @example
 * ```ts
 * nn.softsign(np.array([1, -3])).tolist(); // [0.5, -0.75]
 * ```
 * @category Activations
 */
export function softsign(x: ArrayLike): Array {
  const a = asFloat(x);
  return a.div(np.abs(a).add(1));
}

/**
 * Hyperbolic tangent (`np.tanh`), re-exported so every Keras activation name exists in `nn`.
 * @category Activations
 */
export function tanh(x: ArrayLike): Array {
  return np.tanh(asFloat(x));
}

function softmaxRaw(x: Array, axis: Axis): Array {
  const shifted = x.sub(stopGradient(np.max(x, axis, { keepdims: true })));
  const e = np.exp(shifted);
  return e.div(np.sum(e, axis, { keepdims: true }));
}

/**
 * Softmax along `axis` (default -1): `exp(x − max) / Σ exp(x − max)`, so `softmax([1000, 1000])`
 * is `[0.5, 0.5]`. Like `jax.nn.softmax` it has a custom JVP, `y ⊙ (t − Σ y t)`.
 * @param axis - axis or axes to normalize over (default -1).
 * @example
 * ```ts
 * nn.softmax(np.array([1000, 1000])).tolist(); // [0.5, 0.5]
 * ```
 * @category Activations
 */
export function softmax(x: ArrayLike, axis: Axis = -1): Array {
  const a = asFloat(x);
  const f = customJvp(
    function softmax(v: Array): Array {
      return softmaxRaw(v, axis);
    },
    ([v], [t]) => {
      const y = softmaxRaw(v, axis);
      return [y, y.mul(t.sub(np.sum(y.mul(t), axis, { keepdims: true })))];
    },
  );
  return f(a);
}

/**
 * Log-softmax along `axis` (default -1): `(x − max) − log Σ exp(x − max)`; finite where the naive
 * `log(softmax(x))` underflows to `-inf`.
 * @example
 * ```ts
 * nn.logSoftmax(np.array([0, 1000])).tolist(); // [-1000, 0]
 * ```
 * @category Activations
 */
export function logSoftmax(x: ArrayLike, axis: Axis = -1): Array {
  const a = asFloat(x);
  const shifted = a.sub(stopGradient(np.max(a, axis, { keepdims: true })));
  return shifted.sub(np.log(np.sum(np.exp(shifted), axis, { keepdims: true })));
}

/** Options of {@link logsumexp}. */
export interface LogsumexpOptions {
  /** Keep the reduced axes as size-1 dimensions. */
  keepdims?: boolean;
}

/**
 * `log Σ exp(x)` over `axis` (all axes by default), computed stably (`np.logsumexp`).
 * @example
 * ```ts
 * nn.logsumexp(np.array([1000, 1000])).item(); // 1000.6931
 * ```
 * @category Activations
 */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: LogsumexpOptions = {}): Array {
  return np.logsumexp(asFloat(x), axis, opts);
}

/** Options of {@link oneHot}. */
export interface OneHotOptions {
  /** Output dtype (default float32). */
  dtype?: DType;
  /** Where the new class axis goes (default -1, the end). */
  axis?: number;
}

/**
 * One-hot encoding: `oneHot(x, n)[..., c] = (x[...] == c)`. Out-of-range labels (negative or
 * `>= numClasses`) give an all-zero row, as in JAX.
 * @param x - integer class labels, any shape.
 * @param numClasses - number of classes (static).
 * @example
 * ```ts
 * nn.oneHot(np.array([0, 2], { dtype: "int32" }), 3).tolist(); // [[1, 0, 0], [0, 0, 1]]
 * ```
 * @category Activations
 */
export function oneHot(x: ArrayLike, numClasses: number, opts: OneHotOptions = {}): Array {
  if (!Number.isInteger(numClasses) || numClasses < 0) {
    throw new ValueError("nn.oneHot", `numClasses must be a non-negative integer, got ${numClasses}`);
  }
  const a = np.asarray(x);
  const axis = opts.axis ?? -1;
  const pos = axis < 0 ? a.ndim + 1 + axis : axis;
  if (pos < 0 || pos > a.ndim) {
    throw new ValueError("nn.oneHot", `axis ${axis} is out of range for a result of rank ${a.ndim + 1}`);
  }
  const classes = np.arange(numClasses).reshape([numClasses, ...new globalThis.Array(a.ndim - pos).fill(1)]);
  const labels = np.expandDims(a, pos);
  return np.equal(labels, classes).astype(opts.dtype ?? "float32");
}

/** Options of {@link standardize}. */
export interface StandardizeOptions {
  /** Precomputed mean (default: the mean of `x` over `axis`). */
  mean?: ArrayLike;
  /** Precomputed variance (default: the variance of `x` over `axis`). */
  variance?: ArrayLike;
  /** Added to the variance before the square root (default 1e-5). */
  epsilon?: number;
}

/**
 * Standardize along `axis` (default -1): `(x − mean) / √(variance + epsilon)`.
 * @example
 * ```ts
 * nn.standardize(np.array([1, 2, 3])).tolist(); // [-1.2247, 0, 1.2247]
 * ```
 * @category Activations
 */
export function standardize(x: ArrayLike, axis: Axis = -1, opts: StandardizeOptions = {}): Array {
  const a = asFloat(x);
  const mean = opts.mean !== undefined ? np.asarray(opts.mean) : np.mean(a, axis, { keepdims: true });
  const centered = a.sub(mean);
  const variance = opts.variance !== undefined ? np.asarray(opts.variance) : np.mean(centered.square(), axis, { keepdims: true });
  return centered.div(np.sqrt(variance.add(opts.epsilon ?? 1e-5)));
}

/** Names accepted wherever an activation can be given as a string (Keras-style shorthand). */
export type ActivationName =
  | "linear"
  | "relu"
  | "relu6"
  | "leakyRelu"
  | "elu"
  | "selu"
  | "celu"
  | "gelu"
  | "silu"
  | "swish"
  | "sigmoid"
  | "logSigmoid"
  | "hardSigmoid"
  | "hardSilu"
  | "hardTanh"
  | "softplus"
  | "softsign"
  | "softmax"
  | "logSoftmax"
  | "tanh";

/** An activation given by name or as a function of one array. */
export type ActivationLike = ActivationName | ((x: Array) => Array);

const ACTIVATIONS: Record<ActivationName, (x: Array) => Array> = {
  linear: (x) => x,
  relu,
  relu6,
  leakyRelu: (x) => leakyRelu(x),
  elu: (x) => elu(x),
  selu,
  celu: (x) => celu(x),
  gelu: (x) => gelu(x),
  silu,
  swish: silu,
  sigmoid,
  logSigmoid,
  hardSigmoid,
  hardSilu,
  hardTanh,
  softplus,
  softsign,
  softmax: (x) => softmax(x),
  logSoftmax: (x) => logSoftmax(x),
  tanh,
};

/**
 * Resolve an activation given by name (`"relu"`, `"softmax"`, ...) or as a function; `undefined`
 * and `"linear"` give the identity.
 * @throws ValueError naming the valid names when the string is unknown.
 * @example
 * ```ts
 * nn.getActivation("relu")(np.array([-1, 1])).tolist(); // [0, 1]
 * ```
 * @category Activations
 */
export function getActivation(activation: ActivationLike | undefined | null): (x: Array) => Array {
  if (activation === undefined || activation === null) return ACTIVATIONS.linear;
  if (typeof activation === "function") return activation;
  const f = Object.prototype.hasOwnProperty.call(ACTIVATIONS, activation) ? ACTIVATIONS[activation] : undefined;
  if (f === undefined) {
    throw new ValueError("nn.getActivation", `unknown activation ${JSON.stringify(activation)}; valid names: ${Object.keys(ACTIVATIONS).join(", ")}`);
  }
  return f;
}

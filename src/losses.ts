/**
 * @file `losses`: loss functions `(predictions, targets, { reduction })`, Keras/optax semantics.
 *
 * Conventions (so every loss agrees):
 * - Arguments are `(predictions, targets)` (optax's order; Keras's is the reverse).
 * - A **per-example** loss is computed first.
 *   - Elementwise losses (`meanSquaredError`, `meanAbsoluteError`, `huber`, `binaryCrossentropy`,
 *     `sigmoidBinaryCrossEntropy`, `hinge`): for rank >= 2 the last axis holds the features and is
 *     averaged (as Keras); a rank-1 input is a batch of scalars (one loss per element).
 *   - Distribution losses (`categoricalCrossentropy`, `softmaxCrossEntropy`,
 *     `softmaxCrossEntropyWithIntegerLabels`, `klDivergence`, `cosineSimilarity`): the last axis
 *     holds the classes (or vector) and is summed; a rank-1 input is a single example.
 * - `reduction` then combines the per-example losses: `"mean"` (default, the batch mean), `"sum"`,
 *   or `"none"` (the per-example array).
 * - Everything is traceable and stable: cross-entropies from logits use `logSoftmax` /
 *   `logSigmoid`; those from probabilities clip to `[ε, 1 − ε]` with Keras's `ε = 1e-7`, so a
 *   confident wrong prediction gives a large finite loss, never `Infinity` or `NaN`.
 */
import type { Array, ArrayLike } from "./core/array.js";
import { ShapeError, ValueError } from "./core/errors.js";
import * as np from "./numpy/index.js";
import { logSigmoid, logSoftmax, oneHot } from "./nn/activations.js";

/** How per-example losses are combined. @category Losses */
export type Reduction = "mean" | "sum" | "none";

/** Options every loss accepts. @category Losses */
export interface LossOptions {
  /** `"mean"` (default), `"sum"` or `"none"` (per-example losses). */
  reduction?: Reduction;
}

/** Keras's fuzz factor for losses on probabilities. */
const EPSILON = 1e-7;

function asFloat(fn: string, x: ArrayLike): Array {
  const a = np.asarray(x);
  if (a.dtype === "float32" || a.dtype === "float64") return a;
  return a.astype("float32");
}

function pair(fn: string, predictions: ArrayLike, targets: ArrayLike): [Array, Array] {
  const p = asFloat(fn, predictions);
  const t = asFloat(fn, targets);
  if (p.ndim !== t.ndim || p.shape.some((d, i) => d !== t.shape[i])) {
    throw new ShapeError(`losses.${fn}`, `predictions and targets must have the same shape, got [${p.shape.join(", ")}] and [${t.shape.join(", ")}]`);
  }
  const dtype = p.dtype === "float64" || t.dtype === "float64" ? "float64" : "float32";
  return [p.astype(dtype), t.astype(dtype)];
}

function reduce(fn: string, perExample: Array, opts: LossOptions): Array {
  const r = opts.reduction ?? "mean";
  if (r === "none") return perExample;
  if (r === "sum") return perExample.sum();
  if (r === "mean") return perExample.mean();
  throw new ValueError(`losses.${fn}`, `reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
}

/** Mean over the feature (last) axis for rank >= 2; elementwise for rank <= 1. */
const featureMean = (x: Array): Array => (x.ndim >= 2 ? x.mean(-1) : x);
/** Sum over the class (last) axis. */
const classSum = (x: Array): Array => x.sum(-1);

function classAxisCheck(fn: string, x: Array): void {
  if (x.ndim < 1) throw new ShapeError(`losses.${fn}`, "expected at least one axis (the classes), got a scalar");
}

/**
 * Mean squared error: per example `mean((p − t)², axis=-1)`.
 * @example
 * ```ts
 * losses.meanSquaredError(np.array([[1, 2]]), np.array([[1, 4]])).item(); // 2
 * ```
 * @category Losses
 */
export function meanSquaredError(predictions: ArrayLike, targets: ArrayLike, opts: LossOptions = {}): Array {
  const [p, t] = pair("meanSquaredError", predictions, targets);
  return reduce("meanSquaredError", featureMean(p.sub(t).square()), opts);
}

/**
 * Mean absolute error: per example `mean(|p − t|, axis=-1)`.
 * @example
 * ```ts
 * losses.meanAbsoluteError(np.array([[1, 2]]), np.array([[1, 4]])).item(); // 1
 * ```
 * @category Losses
 */
export function meanAbsoluteError(predictions: ArrayLike, targets: ArrayLike, opts: LossOptions = {}): Array {
  const [p, t] = pair("meanAbsoluteError", predictions, targets);
  return reduce("meanAbsoluteError", featureMean(np.abs(p.sub(t))), opts);
}

/** Options of {@link huber}. @category Losses */
export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * Huber loss: `½ d²` for `|d| ≤ δ`, `δ (|d| − ½ δ)` beyond, with `d = p − t`; mean over the last axis.
 * @example
 * ```ts
 * losses.huber(np.array([0, 3]), np.array([0.5, 0])).tolist(); // mean of [0.125, 2.5] = 1.3125
 * ```
 * @category Losses
 */
export function huber(predictions: ArrayLike, targets: ArrayLike, opts: HuberOptions = {}): Array {
  const delta = opts.delta ?? 1.0;
  if (!(delta > 0)) throw new ValueError("losses.huber", `delta must be positive, got ${delta}`);
  const [p, t] = pair("huber", predictions, targets);
  const d = p.sub(t);
  // ½ clip(d)² + δ (|d| − |clip(d)|): the quadratic part is a polynomial in d (second derivative 1
  // at d = 0), the linear part is zero inside [−δ, δ].
  const c = np.clip(d, -delta, delta);
  return reduce("huber", featureMean(c.square().mul(0.5).add(np.abs(d).sub(np.abs(c)).mul(delta))), opts);
}

/** Options of {@link binaryCrossentropy}. @category Losses */
export interface BinaryCrossentropyOptions extends LossOptions {
  /** Predictions are logits: use {@link sigmoidBinaryCrossEntropy} (default false). */
  fromLogits?: boolean;
  /** Clipping fuzz: probabilities are clipped to `[ε, 1 − ε]` (default 1e-7, as Keras). */
  epsilon?: number;
}

/**
 * Binary cross-entropy from probabilities (Keras): `p` is clipped to `[ε, 1 − ε]`, then
 * `−(t log p + (1 − t) log(1 − p))`, mean over the last axis. Finite for `p ∈ {0, 1}`; the
 * gradient is zero where clipping is active, as in Keras.
 * @example
 * ```ts
 * losses.binaryCrossentropy(np.array([0.9, 0.2]), np.array([1, 0])).item(); // 0.1643
 * losses.binaryCrossentropy(np.array([0]), np.array([1])).item();          // 16.118 (finite)
 * ```
 * @category Losses
 */
export function binaryCrossentropy(predictions: ArrayLike, targets: ArrayLike, opts: BinaryCrossentropyOptions = {}): Array {
  if (opts.fromLogits) return sigmoidBinaryCrossEntropy(predictions, targets, opts);
  const eps = opts.epsilon ?? EPSILON;
  const [p0, t] = pair("binaryCrossentropy", predictions, targets);
  const p = np.clip(p0, eps, 1 - eps);
  const ll = t.mul(np.log(p)).add(t.neg().add(1).mul(np.log(p.neg().add(1))));
  return reduce("binaryCrossentropy", featureMean(ll.neg()), opts);
}

/**
 * Binary cross-entropy from logits (optax's `sigmoid_binary_cross_entropy`), stable for any
 * logit: `−t log σ(x) − (1 − t) log σ(−x)`; mean over the last axis for rank >= 2.
 * @example
 * ```ts
 * losses.sigmoidBinaryCrossEntropy(np.array([1000]), np.array([0])).item(); // 1000 (finite)
 * ```
 * @category Losses
 */
export function sigmoidBinaryCrossEntropy(logits: ArrayLike, labels: ArrayLike, opts: LossOptions = {}): Array {
  const [x, t] = pair("sigmoidBinaryCrossEntropy", logits, labels);
  const loss = t.mul(logSigmoid(x)).add(t.neg().add(1).mul(logSigmoid(x.neg()))).neg();
  return reduce("sigmoidBinaryCrossEntropy", featureMean(loss), opts);
}

/** Options of {@link categoricalCrossentropy}. @category Losses */
export interface CategoricalCrossentropyOptions extends LossOptions {
  /** Predictions are logits: use {@link softmaxCrossEntropy} (default false). */
  fromLogits?: boolean;
  /** Clipping fuzz (default 1e-7, as Keras). */
  epsilon?: number;
}

/**
 * Categorical cross-entropy from probabilities and one-hot (or soft) targets, with Keras's
 * treatment: predictions are renormalized to sum to 1 over the last axis, clipped to
 * `[ε, 1 − ε]`, then `−Σ t log p` over the last axis.
 * @example
 * ```ts
 * losses.categoricalCrossentropy(np.array([[0.1, 0.9]]), np.array([[0, 1]])).item(); // 0.1054
 * losses.categoricalCrossentropy(np.array([[1, 0]]), np.array([[0, 1]])).item();     // 16.118 (finite)
 * ```
 * @category Losses
 */
export function categoricalCrossentropy(predictions: ArrayLike, targets: ArrayLike, opts: CategoricalCrossentropyOptions = {}): Array {
  if (opts.fromLogits) return softmaxCrossEntropy(predictions, targets, opts);
  const eps = opts.epsilon ?? EPSILON;
  const [p0, t] = pair("categoricalCrossentropy", predictions, targets);
  classAxisCheck("categoricalCrossentropy", p0);
  const p = np.clip(p0.div(p0.sum(-1, { keepdims: true })), eps, 1 - eps);
  return reduce("categoricalCrossentropy", classSum(t.mul(np.log(p))).neg(), opts);
}

/**
 * Softmax cross-entropy from logits and a target distribution (one-hot or soft labels):
 * `−Σ t · logSoftmax(x)` over the last axis. Stable for any logits.
 * @example
 * ```ts
 * losses.softmaxCrossEntropy(np.array([[0, 1000]]), np.array([[1, 0]])).item(); // 1000 (finite)
 * ```
 * @category Losses
 */
export function softmaxCrossEntropy(logits: ArrayLike, labels: ArrayLike, opts: LossOptions = {}): Array {
  const [x, t] = pair("softmaxCrossEntropy", logits, labels);
  classAxisCheck("softmaxCrossEntropy", x);
  return reduce("softmaxCrossEntropy", classSum(t.mul(logSoftmax(x))).neg(), opts);
}

/**
 * Softmax cross-entropy from logits `[..., classes]` and integer labels `[...]`:
 * `logsumexp(x) − x[label]`.
 * @example
 * ```ts
 * losses.softmaxCrossEntropyWithIntegerLabels(np.array([[2, 0]]), np.array([0], { dtype: "int32" })).item(); // 0.1269
 * ```
 * @category Losses
 */
export function softmaxCrossEntropyWithIntegerLabels(logits: ArrayLike, labels: ArrayLike, opts: LossOptions = {}): Array {
  const x = asFloat("softmaxCrossEntropyWithIntegerLabels", logits);
  const l = np.asarray(labels);
  classAxisCheck("softmaxCrossEntropyWithIntegerLabels", x);
  if (l.dtype !== "int32" && l.dtype !== "uint32") {
    throw new ValueError("losses.softmaxCrossEntropyWithIntegerLabels", `labels must be int32 or uint32, got ${l.dtype}; convert with labels.astype("int32") or use softmaxCrossEntropy for one-hot labels`);
  }
  if (l.ndim !== x.ndim - 1 || l.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(
      "losses.softmaxCrossEntropyWithIntegerLabels",
      `labels must have the logits' shape without the class axis: logits [${x.shape.join(", ")}] need labels [${x.shape.slice(0, -1).join(", ")}], got [${l.shape.join(", ")}]`,
    );
  }
  const t = oneHot(l, x.shape[x.ndim - 1]!, { dtype: x.dtype });
  return reduce("softmaxCrossEntropyWithIntegerLabels", classSum(t.mul(logSoftmax(x))).neg(), opts);
}

/** Options of {@link klDivergence}. @category Losses */
export interface KlDivergenceOptions extends LossOptions {
  /** Both distributions are clipped to `[ε, 1]` (default 1e-7, as Keras). */
  epsilon?: number;
}

/**
 * Kullback–Leibler divergence `KL(targets ‖ predictions) = Σ t log(t / p)` over the last axis,
 * both clipped to `[ε, 1]` (Keras). Predictions and targets are probabilities.
 * @example
 * ```ts
 * losses.klDivergence(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]])).item(); // 0.3681
 * ```
 * @category Losses
 */
export function klDivergence(predictions: ArrayLike, targets: ArrayLike, opts: KlDivergenceOptions = {}): Array {
  const eps = opts.epsilon ?? EPSILON;
  const [p0, t0] = pair("klDivergence", predictions, targets);
  classAxisCheck("klDivergence", p0);
  const p = np.clip(p0, eps, 1);
  const t = np.clip(t0, eps, 1);
  return reduce("klDivergence", classSum(t.mul(np.log(t.div(p)))), opts);
}

/**
 * Hinge loss `mean(max(1 − t·p, 0), axis=-1)`. Targets are ±1; targets given as {0, 1} are mapped
 * to {−1, 1} (as Keras does, decided inside the computation so it stays traceable).
 * @example
 * ```ts
 * losses.hinge(np.array([0.3, -2]), np.array([1, 0])).item(); // mean of [0.7, 0] = 0.35
 * ```
 * @category Losses
 */
export function hinge(predictions: ArrayLike, targets: ArrayLike, opts: LossOptions = {}): Array {
  const [p, t0] = pair("hinge", predictions, targets);
  const isBinary = np.all(np.logicalOr(t0.eq(0), t0.eq(1)));
  const t = np.where(isBinary, t0.mul(2).sub(1), t0);
  return reduce("hinge", featureMean(np.maximum(t.mul(p).neg().add(1), 0)), opts);
}

/** Options of {@link cosineSimilarity}. @category Losses */
export interface CosineSimilarityOptions extends LossOptions {
  /** Axis holding the vectors (default -1). */
  axis?: number;
}

function l2Normalize(x: Array, axis: number): Array {
  // Keras: x / sqrt(max(Σx², 1e-12)), so a zero vector stays zero instead of NaN.
  return x.div(np.sqrt(np.maximum(x.square().sum(axis, { keepdims: true }), 1e-12)));
}

/**
 * Cosine-similarity loss as Keras defines it: the **negative** cosine similarity
 * `−Σ normalize(p) · normalize(t)` over `axis`, in `[−1, 1]`; minimizing it aligns the vectors
 * (−1 means identical directions). Zero vectors give 0.
 * @example
 * ```ts
 * losses.cosineSimilarity(np.array([[1, 1]]), np.array([[2, 2]])).item(); // -1
 * ```
 * @category Losses
 */
export function cosineSimilarity(predictions: ArrayLike, targets: ArrayLike, opts: CosineSimilarityOptions = {}): Array {
  const [p, t] = pair("cosineSimilarity", predictions, targets);
  classAxisCheck("cosineSimilarity", p);
  const axis = opts.axis ?? -1;
  return reduce("cosineSimilarity", l2Normalize(p, axis).mul(l2Normalize(t, axis)).sum(axis).neg(), opts);
}

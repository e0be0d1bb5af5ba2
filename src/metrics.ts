/**
 * @file `metrics`: evaluation metrics `(predictions, targets, options)` returning Arrays (scalars
 * unless stated), traceable so they can run inside a jitted evaluation step.
 *
 * How predictions and targets are read (shared by the classification metrics):
 * - **scores + integer labels**: predictions `[..., classes]` (logits or probabilities: argmax is the
 *   same) and int32 targets `[...]`;
 * - **scores + one-hot / soft targets**: both `[..., classes]` with `classes > 1` (argmax of both);
 * - **integer labels for both**: int32 predictions and targets of the same shape;
 * - **binary**: float predictions `[...]` or `[..., 1]` thresholded at `threshold` (default 0.5 for
 *   probabilities; pass `threshold: 0` for logits) against targets in {0, 1}.
 *
 * Classification metrics follow scikit-learn: the confusion matrix has true classes as rows and
 * predicted classes as columns, and precision/recall/F1 are 0 where their denominator is 0.
 */
import type { Array, ArrayLike } from "./core/array.js";
import { ShapeError, ValueError } from "./core/errors.js";
import * as np from "./numpy/index.js";
import { oneHot } from "./nn/activations.js";

/** Options of the classification metrics. @category Metrics */
export interface ClassificationOptions {
  /** Decision threshold for binary predictions (default 0.5; use 0 for logits). */
  threshold?: number;
}

interface Labels {
  pred: Array;
  truth: Array;
  /** Number of classes known from the shapes (null for integer labels). */
  numClasses: number | null;
  binary: boolean;
}

const isInt = (x: Array) => x.dtype === "int32" || x.dtype === "uint32" || x.dtype === "bool";
const fmt = (x: { shape: readonly number[] }) => `[${x.shape.join(", ")}]`;

function labelsOf(fn: string, predictions: ArrayLike, targets: ArrayLike, threshold: number): Labels {
  let p = np.asarray(predictions);
  const t = np.asarray(targets);
  if (p.ndim === t.ndim + 1 && p.shape[p.ndim - 1] === 1) p = p.reshape(p.shape.slice(0, -1));
  const sameLead = (n: number) => t.shape.slice(0, n).every((d, i) => d === p.shape[i]);
  if (p.ndim === t.ndim + 1 && sameLead(t.ndim)) {
    return { pred: np.argmax(p, -1), truth: t.astype("int32"), numClasses: p.shape[p.ndim - 1]!, binary: false };
  }
  if (p.ndim === t.ndim && sameLead(t.ndim)) {
    if (isInt(p)) return { pred: p.astype("int32"), truth: t.astype("int32"), numClasses: null, binary: false };
    const c = p.shape[p.ndim - 1];
    if (p.ndim >= 2 && c !== undefined && c > 1) return { pred: np.argmax(p, -1), truth: np.argmax(t, -1), numClasses: c, binary: false };
    return { pred: p.gt(threshold).astype("int32"), truth: t.gt(0.5).astype("int32"), numClasses: 2, binary: true };
  }
  throw new ShapeError(
    `metrics.${fn}`,
    `cannot pair predictions ${fmt(p)} with targets ${fmt(t)}: expected scores [..., classes] with integer targets [...], ` +
      "scores with one-hot targets of the same shape, integer labels of the same shape, or binary predictions [...] / [..., 1]",
  );
}

/**
 * Fraction of correct predictions (see the module header for accepted forms).
 * @example
 * ```ts
 * metrics.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1], { dtype: "int32" })).item(); // 0.5
 * metrics.accuracy(np.array([0.7, 0.2]), np.array([1, 0])).item();                                  // 1 (binary)
 * ```
 * @category Metrics
 */
export function accuracy(predictions: ArrayLike, targets: ArrayLike, opts: ClassificationOptions = {}): Array {
  const { pred, truth } = labelsOf("accuracy", predictions, targets, opts.threshold ?? 0.5);
  return pred.eq(truth).astype("float32").mean();
}

/**
 * Top-k accuracy: the target class is among the `k` highest scores (ties count in its favour, as
 * `tf.math.in_top_k`). Targets are integer labels or one-hot.
 * @param k - default 5.
 * @example
 * ```ts
 * metrics.topKAccuracy(np.array([[0.5, 0.3, 0.2]]), np.array([1], { dtype: "int32" }), 2).item(); // 1
 * ```
 * @category Metrics
 */
export function topKAccuracy(predictions: ArrayLike, targets: ArrayLike, k = 5): Array {
  const p = np.asarray(predictions);
  let t = np.asarray(targets);
  if (!Number.isInteger(k) || k < 1) throw new ValueError("metrics.topKAccuracy", `k must be a positive integer, got ${k}`);
  if (p.ndim < 1) throw new ShapeError("metrics.topKAccuracy", "predictions need a class axis, got a scalar");
  const c = p.shape[p.ndim - 1]!;
  if (p.ndim === t.ndim && !isInt(t)) t = np.argmax(t, -1);
  if (t.ndim !== p.ndim - 1 || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError("metrics.topKAccuracy", `targets must be integer labels ${fmt({ shape: p.shape.slice(0, -1) })} or one-hot ${fmt(p)}, got ${fmt(np.asarray(targets))}`);
  }
  const fp = p.astype(p.dtype === "float64" ? "float64" : "float32");
  const targetScore = fp.mul(oneHot(t, c, { dtype: fp.dtype })).sum(-1, { keepdims: true });
  const above = fp.gt(targetScore).astype("int32").sum(-1);
  return above.lt(k).astype("float32").mean();
}

/** Options of {@link confusionMatrix}. @category Metrics */
export interface ConfusionMatrixOptions extends ClassificationOptions {
  /** Number of classes (default: from the scores' class axis; 2 for binary; else max label + 1, which needs concrete values). */
  numClasses?: number;
}

function classCount(fn: string, l: Labels, given: number | undefined): number {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 1) throw new ValueError(`metrics.${fn}`, `numClasses must be a positive integer, got ${given}`);
    return given;
  }
  if (l.numClasses !== null) return l.numClasses;
  // Integer labels without numClasses: infer from the data (eager only; pass numClasses under jit).
  const m = Math.max(np.max(l.pred).item() as number, np.max(l.truth).item() as number);
  return m + 1;
}

function confusion(l: Labels, c: number): Array {
  const truth = oneHot(l.truth.reshape([-1]), c);
  const pred = oneHot(l.pred.reshape([-1]), c);
  return truth.T.matmul(pred);
}

/**
 * Confusion matrix `C[i, j]` = number of examples of true class `i` predicted as `j` (int32,
 * `[numClasses, numClasses]`). Labels outside `[0, numClasses)` are not counted.
 * @example
 * ```ts
 * const yPred = np.array([0, 1, 1], { dtype: "int32" });
 * const yTrue = np.array([0, 1, 0], { dtype: "int32" });
 * metrics.confusionMatrix(yPred, yTrue, { numClasses: 2 }).tolist(); // [[1, 1], [0, 1]]
 * ```
 * @category Metrics
 */
export function confusionMatrix(predictions: ArrayLike, targets: ArrayLike, opts: ConfusionMatrixOptions = {}): Array {
  const l = labelsOf("confusionMatrix", predictions, targets, opts.threshold ?? 0.5);
  return confusion(l, classCount("confusionMatrix", l, opts.numClasses)).astype("int32");
}

/** Averaging of {@link precision}, {@link recall} and {@link f1}. @category Metrics */
export type Average = "binary" | "macro" | "micro" | "none";

/** Options of {@link precision}, {@link recall} and {@link f1}. @category Metrics */
export interface PrecisionRecallOptions extends ConfusionMatrixOptions {
  /**
   * `"binary"`: the positive class 1 only (default for binary inputs); `"macro"`: the unweighted
   * mean over classes (default otherwise); `"micro"`: from global counts; `"none"`: one value per class.
   */
  average?: Average;
}

const safeDiv = (a: Array, b: Array): Array => np.where(b.gt(0), a.div(np.where(b.gt(0), b, np.onesLike(b))), np.zerosLike(a));

function prf(fn: string, predictions: ArrayLike, targets: ArrayLike, opts: PrecisionRecallOptions, which: "precision" | "recall" | "f1"): Array {
  const l = labelsOf(fn, predictions, targets, opts.threshold ?? 0.5);
  const c = classCount(fn, l, opts.numClasses);
  const average = opts.average ?? (l.binary ? "binary" : "macro");
  if (!["binary", "macro", "micro", "none"].includes(average)) {
    throw new ValueError(`metrics.${fn}`, `average must be "binary", "macro", "micro" or "none", got ${JSON.stringify(average)}`);
  }
  if (average === "binary" && c !== 2) {
    throw new ValueError(`metrics.${fn}`, `average "binary" needs two classes, got ${c}; use "macro", "micro" or "none"`);
  }
  const cm = confusion(l, c);
  const tp = cm.mul(np.eye(c)).sum(-1);
  const predicted = cm.sum(0); // tp + fp per class
  const actual = cm.sum(1); // tp + fn per class
  const per = (t: Array, pr: Array, ac: Array): Array =>
    which === "precision" ? safeDiv(t, pr) : which === "recall" ? safeDiv(t, ac) : safeDiv(t.mul(2), pr.add(ac));
  if (average === "micro") return per(tp.sum(), predicted.sum(), actual.sum());
  const perClass = per(tp, predicted, actual);
  if (average === "none") return perClass;
  if (average === "binary") return perClass.slice(1);
  return perClass.mean();
}

/**
 * Precision `tp / (tp + fp)`.
 * @example
 * ```ts
 * metrics.precision(np.array([0.9, 0.8, 0.1]), np.array([1, 0, 0])).item(); // 0.5
 * ```
 * @category Metrics
 */
export function precision(predictions: ArrayLike, targets: ArrayLike, opts: PrecisionRecallOptions = {}): Array {
  return prf("precision", predictions, targets, opts, "precision");
}

/**
 * Recall `tp / (tp + fn)`.
 * @example
 * ```ts
 * metrics.recall(np.array([0.9, 0.8, 0.1]), np.array([1, 0, 1])).item(); // 0.5
 * ```
 * @category Metrics
 */
export function recall(predictions: ArrayLike, targets: ArrayLike, opts: PrecisionRecallOptions = {}): Array {
  return prf("recall", predictions, targets, opts, "recall");
}

/**
 * F1 score `2 tp / (2 tp + fp + fn)` (the harmonic mean of precision and recall); `"macro"` averages
 * the per-class F1 scores, `"micro"` uses the global counts.
 * @example
 * ```ts
 * const p = np.array([0, 1, 2, 2], { dtype: "int32" });
 * const t = np.array([0, 1, 1, 2], { dtype: "int32" });
 * metrics.f1(p, t, { numClasses: 3, average: "macro" }).item(); // 0.7778
 * ```
 * @category Metrics
 */
export function f1(predictions: ArrayLike, targets: ArrayLike, opts: PrecisionRecallOptions = {}): Array {
  return prf("f1", predictions, targets, opts, "f1");
}

function regressionPair(fn: string, predictions: ArrayLike, targets: ArrayLike): [Array, Array] {
  const p = np.asarray(predictions);
  const t = np.asarray(targets);
  if (p.ndim !== t.ndim || p.shape.some((d, i) => d !== t.shape[i])) {
    throw new ShapeError(`metrics.${fn}`, `predictions and targets must have the same shape, got ${fmt(p)} and ${fmt(t)}`);
  }
  const dt = p.dtype === "float64" || t.dtype === "float64" ? "float64" : "float32";
  return [p.astype(dt), t.astype(dt)];
}

/**
 * Mean absolute error over all elements.
 * @example
 * ```ts
 * metrics.meanAbsoluteError(np.array([1, 2]), np.array([2, 4])).item(); // 1.5
 * ```
 * @category Metrics
 */
export function meanAbsoluteError(predictions: ArrayLike, targets: ArrayLike): Array {
  const [p, t] = regressionPair("meanAbsoluteError", predictions, targets);
  return np.abs(p.sub(t)).mean();
}

/**
 * Mean squared error over all elements.
 * @example
 * ```ts
 * metrics.meanSquaredError(np.array([1, 2]), np.array([2, 4])).item(); // 2.5
 * ```
 * @category Metrics
 */
export function meanSquaredError(predictions: ArrayLike, targets: ArrayLike): Array {
  const [p, t] = regressionPair("meanSquaredError", predictions, targets);
  return p.sub(t).square().mean();
}

/**
 * Coefficient of determination `1 − SS_res / SS_tot` (scikit-learn's `r2_score`). For `[n, outputs]`
 * inputs each column is scored and the scores are averaged. A constant target gives 1 when predicted
 * exactly and 0 otherwise (scikit-learn's `force_finite`).
 * @example
 * ```ts
 * metrics.r2(np.array([2.5, 0, 2, 8]), np.array([3, -0.5, 2, 7])).item(); // 0.9486
 * ```
 * @category Metrics
 */
export function r2(predictions: ArrayLike, targets: ArrayLike): Array {
  const [p, t] = regressionPair("r2", predictions, targets);
  if (p.ndim < 1 || p.ndim > 2) throw new ShapeError("metrics.r2", `expected [n] or [n, outputs], got ${fmt(p)}`);
  const ssRes = p.sub(t).square().sum(0);
  const ssTot = t.sub(t.mean(0, { keepdims: true })).square().sum(0);
  const perfect = np.where(ssRes.eq(0), np.onesLike(ssRes), np.zerosLike(ssRes));
  const score = np.where(ssTot.gt(0), np.onesLike(ssRes).sub(safeDiv(ssRes, ssTot)), perfect);
  return score.mean();
}

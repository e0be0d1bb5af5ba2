/**
 * @file Preprocessing as pure fit/transform pairs: `fit` returns an immutable fitted value whose
 * `transform`/`inverseTransform` are pure functions (traceable: they only use array operations).
 * Also one-hot encoding, missing values, outlier removal and train/test splitting.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { flatten, unflatten, type Tree } from "../core/tree.js";
import * as np from "../numpy/index.js";
import { permutation, split } from "../random/index.js";
import { numExamples } from "./batching.js";

function check2d(fn: string, x: Array): void {
  if (x.ndim !== 2) throw new ShapeError(fn, `expected a 2-D array [examples, features], got shape [${x.shape.join(",")}]`);
}

/**
 * One-hot encode integer labels: `[...]` → `[..., n]` (float32 by default); labels outside
 * `0..n-1` give all-zero rows, as `jax.nn.one_hot`.
 */
export function oneHot(labels: Array, n: number, opts: { dtype?: "float32" | "float64" } = {}): Array {
  if (!Number.isInteger(n) || n < 1) throw new ValueError("oneHot", `the number of classes must be a positive integer, got ${n}`);
  return np.equal(np.expandDims(labels, -1), np.arange(n)).astype(opts.dtype ?? "float32");
}

// ---------------------------------------------------------------------------------------------

/** A fitted scaler or encoder: immutable parameters plus pure transforms. */
export interface Fitted {
  transform(x: Array): Array;
  inverseTransform(x: Array): Array;
}

/**
 * The missing-value mask of `x` if it has any NaN, else `null`. Scalers fit on the observed values
 * (as scikit-learn's do) so that one missing cell does not turn its whole column into NaN; a column
 * with no observed value at all has no statistics and is an error.
 */
function missingMask(fn: string, x: Array): Array | null {
  if (x.dtype !== "float32" && x.dtype !== "float64") return null;
  const miss = np.isnan(x);
  // Under a transformation (jit, vmap, grad) the values are not known: use the NaN-aware
  // statistics unconditionally (they equal the plain ones when nothing is missing).
  if (!(x instanceof ConcreteArray)) return miss;
  if (!(np.any(miss).item() as boolean)) return null;
  const observed = np.sum(np.logicalNot(miss).astype("int32"), 0).dataSync();
  const j = observed.findIndex((c) => c === 0);
  if (j >= 0) throw new ValueError(fn, `column ${j} has no observed (non-NaN) values to compute its statistics from`);
  return miss;
}

/** Fitted min-max scaler. */
export interface MinMaxScaler extends Fitted {
  readonly dataMin: Array;
  readonly dataMax: Array;
}

/**
 * Scale each feature to `featureRange` (default [0, 1]) using the min and max seen in `fit`
 * (constant features map to the range's lower end). Missing values (NaN) are ignored by `fit`
 * and stay NaN through `transform`, as in scikit-learn.
 * @example
 * const s = data.minMaxScaler().fit(x); const y = s.transform(x); s.inverseTransform(y); // ≈ x
 */
export function minMaxScaler(opts: { featureRange?: [number, number] } = {}): { fit(x: Array): MinMaxScaler } {
  const [lo, hi] = opts.featureRange ?? [0, 1];
  if (!(hi > lo)) throw new ValueError("minMaxScaler", `featureRange must be increasing, got [${lo}, ${hi}]`);
  return {
    fit(x: Array): MinMaxScaler {
      check2d("minMaxScaler.fit", x);
      const miss = missingMask("minMaxScaler.fit", x);
      const dataMin = np.min(miss ? np.where(miss, Infinity, x) : x, 0);
      const dataMax = np.max(miss ? np.where(miss, -Infinity, x) : x, 0);
      const range = np.subtract(dataMax, dataMin);
      const safe = np.where(np.equal(range, 0), 1, range);
      // A spread so small that (hi − lo) / range overflows (subnormal ranges) is treated like a
      // constant column: an infinite scale would turn (x − min)·scale into 0·∞ = NaN.
      const rawScale = np.divide(hi - lo, safe);
      const scale = np.where(np.isfinite(rawScale), rawScale, hi - lo);
      return Object.freeze({
        dataMin,
        dataMax,
        transform: (v: Array) => np.add(np.multiply(np.subtract(v, dataMin), scale), lo),
        inverseTransform: (v: Array) => np.add(np.divide(np.subtract(v, lo), scale), dataMin),
      });
    },
  };
}

/** Fitted standard scaler. */
export interface StandardScaler extends Fitted {
  readonly mean: Array;
  readonly scale: Array;
}

/**
 * Standardize each feature to zero mean and unit variance (population std; constant features keep
 * scale 1). Missing values (NaN) are ignored by `fit` and stay NaN through `transform`.
 */
export function standardScaler(opts: { withMean?: boolean; withStd?: boolean } = {}): { fit(x: Array): StandardScaler } {
  const withMean = opts.withMean ?? true;
  const withStd = opts.withStd ?? true;
  return {
    fit(x: Array): StandardScaler {
      check2d("standardScaler.fit", x);
      const miss = missingMask("standardScaler.fit", x);
      const mean = withMean ? (miss ? np.nanmean(x, 0) : np.mean(x, 0)) : np.zeros([x.shape[1]!], { dtype: x.dtype });
      const std = miss ? np.sqrt(np.nanmean(np.square(np.subtract(x, np.nanmean(x, 0))), 0)) : np.std(x, 0);
      const scale = withStd ? np.where(np.equal(std, 0), 1, std) : np.onesLike(std);
      return Object.freeze({
        mean,
        scale,
        transform: (v: Array) => np.divide(np.subtract(v, mean), scale),
        inverseTransform: (v: Array) => np.add(np.multiply(v, scale), mean),
      });
    },
  };
}

/** Fitted imputer. */
export interface Imputer {
  readonly statistics: Array;
  transform(x: Array): Array;
}

/** Strategy of {@link imputer}. */
export type ImputeStrategy = "mean" | "median" | "mostFrequent" | "constant";

function columnStat(x: Array, strategy: Exclude<ImputeStrategy, "constant">): Float64Array {
  const [n, d] = x.shape as [number, number];
  const data = x.dataSync();
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j]!;
      if (!Number.isNaN(v)) vals.push(v);
    }
    if (vals.length === 0) throw new ValueError("imputer.fit", `column ${j} has no observed (non-NaN) values to compute the ${strategy} from`);
    if (strategy === "mean") out[j] = vals.reduce((a, b) => a + b, 0) / vals.length;
    else if (strategy === "median") {
      vals.sort((a, b) => a - b);
      const m = vals.length >> 1;
      out[j] = vals.length % 2 ? vals[m]! : (vals[m - 1]! + vals[m]!) / 2;
    } else {
      const counts = new Map<number, number>();
      for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
      let best = vals[0]!;
      let bc = 0;
      for (const [v, c] of counts) if (c > bc || (c === bc && v < best)) [best, bc] = [v, c];
      out[j] = best;
    }
  }
  return out;
}

/**
 * Fill missing values (NaN) per feature with the column's mean, median, most frequent value, or a
 * constant. Fitting is eager; `transform` is a pure `where`.
 */
export function imputer(opts: { strategy?: ImputeStrategy; fillValue?: number } = {}): { fit(x: Array): Imputer } {
  const strategy = opts.strategy ?? "mean";
  if (!["mean", "median", "mostFrequent", "constant"].includes(strategy)) {
    throw new ValueError("imputer", `strategy must be "mean", "median", "mostFrequent" or "constant", got ${JSON.stringify(strategy)}`);
  }
  if (strategy === "constant" && opts.fillValue === undefined) throw new ValueError("imputer", 'strategy "constant" needs a fillValue');
  return {
    fit(x: Array): Imputer {
      check2d("imputer.fit", x);
      const stats = strategy === "constant" ? new Float64Array(x.shape[1]!).fill(opts.fillValue!) : columnStat(x, strategy);
      const statistics = np.array(stats, { dtype: x.dtype });
      return Object.freeze({ statistics, transform: (v: Array) => np.where(np.isnan(v), statistics, v) });
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Keep the examples (rows) selected by a boolean mask, across every array of a data pytree. */
export function filterRows<T extends Tree>(data: T, keep: Array): T {
  const n = numExamples("filterRows", data);
  if (keep.ndim !== 1 || keep.shape[0] !== n) throw new ShapeError("filterRows", `the mask must have shape [${n}], got [${keep.shape.join(",")}]`);
  const idx = np.nonzero(keep)[0]!;
  const [leaves, def] = flatten(data);
  return unflatten(def, leaves.map((l) => np.take(l, idx, 0))) as T;
}

function rowHasNaN(x: Array): Array {
  const isn = np.isnan(x.dtype === "float32" || x.dtype === "float64" ? x : x.astype("float32"));
  return x.ndim === 1 ? isn : np.any(isn.reshape([x.shape[0]!, -1]), 1);
}

/** Drop every example that has a missing value (NaN) in any array of the data pytree. */
export function dropMissing<T extends Tree>(data: T): T {
  const [leaves] = flatten(data);
  numExamples("dropMissing", data);
  let bad = rowHasNaN(leaves[0]!);
  for (const l of leaves.slice(1)) bad = np.logicalOr(bad, rowHasNaN(l));
  return filterRows(data, np.logicalNot(bad));
}

/** Options of {@link removeOutliers}. */
export interface OutlierOptions {
  /** `"zscore"`: |x − mean| > threshold·std; `"iqr"`: outside [Q1 − threshold·IQR, Q3 + threshold·IQR]. */
  method?: "zscore" | "iqr";
  /** Default 3 for z-score, 1.5 for IQR. */
  threshold?: number;
  /** Which array of the pytree to test (a leaf path key; default: the `x` key, or the only leaf). */
  key?: string;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Drop examples whose features are outliers in any column (NaNs are ignored when computing the
 * statistics and never flagged). Returns the filtered data pytree.
 */
export function removeOutliers<T extends Tree>(data: T, opts: OutlierOptions = {}): T {
  const method = opts.method ?? "zscore";
  const threshold = opts.threshold ?? (method === "zscore" ? 3 : 1.5);
  const [leaves] = flatten(data);
  const target = opts.key !== undefined ? ((data as Record<string, unknown>)[opts.key] as Array) : leaves.length === 1 ? leaves[0]! : ((data as Record<string, unknown>)["x"] as Array);
  if (target === undefined) throw new ValueError("removeOutliers", "cannot tell which array holds the features: pass { key }");
  const x = target.ndim === 1 ? target.reshape([-1, 1]) : target;
  const [n, d] = x.shape as [number, number];
  const v = x.dataSync();
  const keep = new Uint8Array(n).fill(1);
  for (let j = 0; j < d; j++) {
    const col: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(v[i * d + j]!)) col.push(v[i * d + j]!);
    if (col.length === 0) continue;
    let lo: number;
    let hi: number;
    if (method === "zscore") {
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      lo = mean - threshold * std;
      hi = mean + threshold * std;
      if (std === 0) continue;
    } else {
      col.sort((a, b) => a - b);
      const q1 = quantile(col, 0.25);
      const q3 = quantile(col, 0.75);
      lo = q1 - threshold * (q3 - q1);
      hi = q3 + threshold * (q3 - q1);
    }
    for (let i = 0; i < n; i++) {
      const e = v[i * d + j]!;
      if (e < lo || e > hi) keep[i] = 0;
    }
  }
  return filterRows(data, new ConcreteArray(keep, [n], "bool"));
}

// ---------------------------------------------------------------------------------------------

/** A fitted label encoder: classes in sorted order, labels ↔ int32 codes. */
export interface LabelEncoder {
  readonly classes: readonly (string | number)[];
  transform(labels: readonly (string | number)[] | Array): Array;
  inverseTransform(codes: Array): (string | number)[];
}

/** Encode string or number labels as int32 codes `0..k-1` (classes sorted), with decoding. */
export function labelEncoder(): { fit(labels: readonly (string | number)[] | Array): LabelEncoder } {
  const asList = (l: readonly (string | number)[] | Array): (string | number)[] => (globalThis.Array.isArray(l) ? [...l] : ((l as Array).tolist() as number[]).flat(Infinity as 1));
  return {
    fit(labels) {
      const list = asList(labels);
      const classes = Object.freeze([...new Set(list)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)));
      const index = new Map(classes.map((c, i) => [c, i]));
      return Object.freeze({
        classes,
        transform(l: readonly (string | number)[] | Array): Array {
          const codes = asList(l).map((v) => {
            const i = index.get(v);
            if (i === undefined) throw new ValueError("labelEncoder.transform", `unknown label ${JSON.stringify(v)}; known classes: ${JSON.stringify(classes)}`);
            return i;
          });
          return np.array(codes, { dtype: "int32" });
        },
        inverseTransform(codes: Array): (string | number)[] {
          return (codes.tolist() as number[]).flat(Infinity as 1).map((c) => {
            const v = classes[c as number];
            if (v === undefined) throw new ValueError("labelEncoder.inverseTransform", `code ${c} is out of range 0..${classes.length - 1}`);
            return v;
          });
        },
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Options of {@link trainTestSplit}. */
export interface SplitOptions {
  /** Fraction (0..1) or count of test examples (default 0.25). */
  testSize?: number;
  /** Integer labels to stratify by: each class is split in the same proportion. */
  stratify?: Array;
}

/**
 * Test examples per class for a stratified split: each class gets its quota `size·nTest/n`
 * rounded down, and the slots left over go to the classes with the largest remainders (ties: the
 * lower class), so the counts add up to exactly `nTest` and each is its quota rounded down or up.
 * (Rounding each quota on its own could add up to more or fewer than `nTest`, even to zero.)
 */
function testCountsPerClass(sizes: readonly number[], nTest: number, n: number): number[] {
  // size·nTest is an exact integer, so floor and remainder are exact too.
  const takes = sizes.map((m) => Math.floor((m * nTest) / n));
  const remainders = sizes.map((m) => (m * nTest) % n);
  let left = nTest - takes.reduce((a, b) => a + b, 0);
  const byRemainder = sizes.map((_, k) => k).sort((a, b) => remainders[b]! - remainders[a]! || a - b);
  for (const k of byRemainder) {
    if (left === 0) break;
    takes[k]!++;
    left--;
  }
  return takes;
}

/**
 * Split a data pytree (arrays sharing the leading axis) into `[train, test]` after shuffling with
 * `key`. With `stratify`, each class keeps its proportion in both parts.
 */
export function trainTestSplit<T extends Tree>(key: Array, data: T, opts: SplitOptions = {}): [T, T] {
  const n = numExamples("trainTestSplit", data);
  const ts = opts.testSize ?? 0.25;
  const nTest = ts < 1 ? Math.round(n * ts) : ts;
  if (!(ts > 0) || !Number.isInteger(nTest) || nTest < 1 || nTest >= n) {
    throw new ValueError("trainTestSplit", `testSize must give between 1 and ${n - 1} test examples, got ${ts} (${nTest} of ${n})`);
  }
  let testIdx: number[];
  let trainIdx: number[];
  if (opts.stratify) {
    const labels = opts.stratify.dataSync();
    if (labels.length !== n) throw new ShapeError("trainTestSplit", `stratify labels must have ${n} entries, got ${labels.length}`);
    const byClass = new Map<number, number[]>();
    labels.forEach((c, i) => byClass.set(c, [...(byClass.get(c) ?? []), i]));
    testIdx = [];
    trainIdx = [];
    const keys = split(key, byClass.size);
    const classes = [...byClass.keys()].sort((a, b) => a - b);
    const takes = testCountsPerClass(classes.map((c) => byClass.get(c)!.length), nTest, n);
    classes.forEach((c, k) => {
      const members = byClass.get(c)!;
      const perm = permutation(keys.slice(k), members.length).dataSync();
      perm.forEach((p, j) => (j < takes[k]! ? testIdx : trainIdx).push(members[p]!));
    });
  } else {
    const perm = [...permutation(key, n).dataSync()];
    testIdx = perm.slice(0, nTest);
    trainIdx = perm.slice(nTest);
  }
  const [leaves, def] = flatten(data);
  const pick = (idx: number[]) => unflatten(def, leaves.map((l) => np.take(l, np.array(idx, { dtype: "int32" }), 0))) as T;
  return [pick(trainIdx), pick(testIdx)];
}

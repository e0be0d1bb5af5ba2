/**
 * @file `train.fit`, `train.evaluate`, `train.predict`: a Keras-style loop that is pure. Each epoch
 * runs a `jit`-compiled step (loss, gradients, optimizer update) over shuffled mini-batches and
 * returns new parameters, layer state, optimizer state and the history; nothing is mutated.
 */
import type { Array } from "../core/array.js";
import { ShapeError, ValueError } from "../core/errors.js";
import type { Tree } from "../core/tree.js";
import { batches, numExamples } from "../data/batching.js";
import * as lossesNs from "../losses.js";
import * as metricsNs from "../metrics.js";
import type { Layer } from "../nn/types.js";
import { concatenate } from "../numpy/index.js";
import { applyUpdates, type GradientTransformation } from "../optim/base.js";
import { foldIn, key as prngKey, split } from "../random/index.js";
import { valueAndGrad } from "../transforms/autodiff.js";
import { jit } from "../transforms/jit.js";
import { createProgress } from "./progress.js";
import type { Callback, Logs, LossFn, MetricFn, TrainContext } from "./types.js";

/** A loss given by name (a function of `losses`) or as a function. */
export type LossSpec = LossFn | keyof typeof lossesNs;
/** A metric given by name (a function of `metrics`) or as a function (named by `fn.name`). */
export type MetricSpec = MetricFn | keyof typeof metricsNs;

function resolveLoss(spec: LossSpec): LossFn {
  if (typeof spec === "function") return spec;
  const f = (lossesNs as Record<string, unknown>)[spec];
  if (typeof f !== "function") throw new ValueError("train.fit", `unknown loss ${JSON.stringify(spec)}; use a function or one of ${Object.keys(lossesNs).join(", ")}`);
  return f as LossFn;
}

function resolveMetrics(specs: readonly MetricSpec[]): { name: string; fn: MetricFn }[] {
  return specs.map((s) => {
    if (typeof s === "function") return { name: s.name || "metric", fn: s };
    const f = (metricsNs as Record<string, unknown>)[s];
    if (typeof f !== "function") throw new ValueError("train.fit", `unknown metric ${JSON.stringify(s)}; use a function or one of ${Object.keys(metricsNs).join(", ")}`);
    return { name: s, fn: f as MetricFn };
  });
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Loss function or its name in `losses` (e.g. `"categoricalCrossentropy"`). */
  loss: LossSpec;
  /** An optax-style optimizer (`optim.adam(1e-3)`). */
  optimizer: GradientTransformation<any>;
  /** Metrics to log (functions or names in `metrics`, e.g. `"accuracy"`). */
  metrics?: readonly MetricSpec[];
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step (default 32). */
  batchSize?: number;
  /** PRNG key for initialization, shuffling and dropout (default `random.key(0)`). */
  key?: Array;
  /** Start from these parameters instead of `model.init` (resuming or fine-tuning). */
  params?: Tree;
  /** Layer state to start from (with `params`). */
  state?: Tree;
  /** Optimizer state to resume from. */
  optState?: Tree;
  /** Data to evaluate on after each epoch. */
  validationData?: [Array, Array];
  /**
   * Fraction of the training data (taken from the end, before shuffling, as Keras) held out for
   * validation. Ignored when `validationData` is given (as Keras).
   */
  validationSplit?: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Callbacks (`train.earlyStopping`, `train.modelCheckpoint`, custom hooks). */
  callbacks?: readonly Callback[];
  /** Print nothing (default false). */
  quiet?: boolean;
  /** Where progress goes (default stdout). */
  stream?: NodeJS.WritableStream;
}

/** What {@link fit} returns. */
export interface FitResult {
  params: Tree;
  state: Tree;
  optState: Tree;
  /** Per-epoch values: `loss`, metrics, `val_loss`, `val_<metric>`. */
  history: Record<string, number[]>;
}

function checkXY(fn: string, x: Array, y: Array): void {
  if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(fn, `x and y must have the same number of examples (leading axis), got shapes [${x.shape.join(",")}] and [${y.shape.join(",")}]`);
  }
}

/**
 * Train `model` on `(x, y)`. Pure: returns `{ params, state, optState, history }`.
 * @example
 * const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
 * const { params, history } = await train.fit(model, x, yOneHot, {
 *   loss: "categoricalCrossentropy", optimizer: optim.adam(1e-3), metrics: ["accuracy"], epochs: 10, batchSize: 32,
 * });
 */
export async function fit(model: Layer, x: Array, y: Array, opts: FitOptions): Promise<FitResult> {
  checkXY("train.fit", x, y);
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError("train.fit", `epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError("train.fit", `batchSize must be a positive integer, got ${batchSize}`);
  const loss = resolveLoss(opts.loss);
  const metrics = resolveMetrics(opts.metrics ?? []);
  const keys = split(opts.key ?? prngKey(0));
  const kInit = keys.slice(0);
  const kLoop = keys.slice(1);

  let trainX = x;
  let trainY = y;
  let validation = opts.validationData;
  // Check the validation data now rather than after the first epoch's training.
  if (opts.validationData !== undefined) checkXY("train.fit (validationData)", opts.validationData[0], opts.validationData[1]);
  // As Keras: explicit validationData wins over validationSplit (then nothing is held out).
  if (opts.validationSplit !== undefined && opts.validationData === undefined) {
    const n = x.shape[0]!;
    const nVal = Math.floor(n * opts.validationSplit);
    if (!(opts.validationSplit > 0 && opts.validationSplit < 1) || nVal < 1) throw new ValueError("train.fit", `validationSplit must be in (0, 1) and leave at least one example, got ${opts.validationSplit}`);
    trainX = x.slice([0, n - nVal]);
    trainY = y.slice([0, n - nVal]);
    validation = [x.slice([n - nVal, n]), y.slice([n - nVal, n])];
  }

  let params: Tree;
  let state: Tree;
  if (opts.params !== undefined) {
    params = opts.params;
    state = opts.state ?? {};
  } else {
    const init = model.init(kInit, trainX.shape.slice(1));
    params = init.params;
    state = opts.state ?? init.state;
  }
  let optState: Tree = opts.optState ?? opts.optimizer.init(params);

  const objective = (p: Tree, s: Tree, xb: Array, yb: Array, k: Array) => {
    const [pred, newState] = model.apply(p, s, xb, { train: true, key: k });
    return [loss(pred, yb), [newState, pred]] as [Array, [Tree, Array]];
  };
  const vg = valueAndGrad(objective, { hasAux: true });
  const trainStep = (p: Tree, s: Tree, o: Tree, xb: Array, yb: Array, k: Array) => {
    const [[l, [newState, pred]], grads] = vg(p, s, xb, yb, k) as [[Array, [Tree, Array]], Tree];
    const [updates, newOpt] = opts.optimizer.update(grads as any, o as any, p as any);
    return [applyUpdates(p as any, updates), newState, newOpt, l, metrics.map((m) => m.fn(pred, yb))] as const;
  };
  const step = jit(trainStep);
  // Parameters and optimizer state that only this loop has seen are donated to the next step, so
  // its outputs reuse their memory instead of fresh pages. Anything handed out (the caller's
  // initial values, whatever callbacks received) is never donated: it must stay readable.
  const donatingStep = jit(trainStep, { donateArgnums: [0, 1, 2] });
  let handedOut = true;

  const history: Record<string, number[]> = {};
  const record = (logs: Logs) => {
    for (const [k, v] of Object.entries(logs)) (history[k] ??= []).push(v);
  };
  const ctx = (): TrainContext => {
    handedOut = true;
    return { params, state, optState, history };
  };
  for (const cb of opts.callbacks ?? []) await cb.onTrainBegin?.(ctx());

  const n = numExamples("train.fit", { x: trainX, y: trainY });
  const steps = Math.ceil(n / batchSize);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const epochKey = foldIn(kLoop, epoch);
    const progress = createProgress({ total: steps, epoch: epoch + 1, epochs, quiet: opts.quiet, stream: opts.stream, batchSize });
    let seen = 0;
    let lossSum = 0;
    const metricSums = metrics.map(() => 0);
    let i = 0;
    for (const batch of batches(opts.shuffle === false ? null : foldIn(epochKey, 0), { x: trainX, y: trainY }, { batchSize, shuffle: opts.shuffle ?? true })) {
      const b = batch.x.shape[0]!;
      const out = (handedOut ? step : donatingStep)(params, state, optState, batch.x, batch.y, foldIn(epochKey, i + 1));
      handedOut = false;
      params = out[0];
      state = out[1];
      optState = out[2];
      lossSum += (out[3].item() as number) * b;
      out[4].forEach((m, j) => (metricSums[j]! += (m.item() as number) * b));
      seen += b;
      i++;
      if (i % 20 === 0 || i === steps) progress.update(i, epochLogs(lossSum, metricSums, seen), seen);
    }
    const logs = epochLogs(lossSum, metricSums, seen);
    if (validation) {
      const v = evaluate(model, params, state, validation[0], validation[1], { loss: opts.loss, metrics: opts.metrics, batchSize: Math.max(batchSize, 256) });
      for (const [k, val] of Object.entries(v)) logs[`val_${k}`] = val;
    }
    progress.finish(logs, seen);
    record(logs);
    let stop = false;
    for (const cb of opts.callbacks ?? []) {
      const act = await cb.onEpochEnd?.(epoch, logs, ctx());
      if (act && act.stop) stop = true;
    }
    if (stop) break;
  }
  for (const cb of opts.callbacks ?? []) {
    const act = await cb.onTrainEnd?.(ctx());
    if (act?.params !== undefined) params = act.params;
    if (act?.state !== undefined) state = act.state;
  }
  return { params, state, optState, history };

  function epochLogs(lossSum: number, sums: number[], count: number): Logs {
    const logs: Logs = { loss: lossSum / count };
    metrics.forEach((m, j) => (logs[m.name] = sums[j]! / count));
    return logs;
  }
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  loss?: LossSpec;
  metrics?: readonly MetricSpec[];
  /** Examples per evaluation batch (default 256). */
  batchSize?: number;
}

const evalCache = new WeakMap<Layer, Map<string, (...a: any[]) => any>>();

// Functions are told apart by identity, never by source text or name: two closures from one
// factory print the same and share a name, yet compute different things.
const fnIds = new WeakMap<object, number>();
let nextFnId = 0;
function specId(spec: unknown): string {
  if (typeof spec !== "function") return JSON.stringify(spec) ?? "none";
  let id = fnIds.get(spec);
  if (id === undefined) fnIds.set(spec, (id = ++nextFnId));
  return `#${id}`;
}

/** Loss and metrics of `model` on `(x, y)`, averaged over examples (inference mode). */
export function evaluate(model: Layer, params: Tree, state: Tree, x: Array, y: Array, opts: EvaluateOptions = {}): Logs {
  checkXY("train.evaluate", x, y);
  const loss = opts.loss === undefined ? null : resolveLoss(opts.loss);
  const metrics = resolveMetrics(opts.metrics ?? []);
  const cacheKey = `${specId(opts.loss)}|${(opts.metrics ?? []).map(specId).join(",")}`;
  let byLayer = evalCache.get(model);
  if (!byLayer) evalCache.set(model, (byLayer = new Map()));
  let fn = byLayer.get(cacheKey);
  if (!fn) {
    fn = jit((p: Tree, s: Tree, xb: Array, yb: Array) => {
      const [pred] = model.apply(p, s, xb, { train: false });
      return [loss ? loss(pred, yb) : null, metrics.map((m) => m.fn(pred, yb))];
    });
    byLayer.set(cacheKey, fn);
  }
  let seen = 0;
  let lossSum = 0;
  const sums = metrics.map(() => 0);
  for (const batch of batches(null, { x, y }, { batchSize: opts.batchSize ?? 256, shuffle: false })) {
    const b = batch.x.shape[0]!;
    const [l, ms] = fn(params, state, batch.x, batch.y) as [Array | null, Array[]];
    if (l) lossSum += (l.item() as number) * b;
    ms.forEach((m, j) => (sums[j]! += (m.item() as number) * b));
    seen += b;
  }
  const logs: Logs = {};
  if (loss) logs["loss"] = lossSum / seen;
  metrics.forEach((m, j) => (logs[m.name] = sums[j]! / seen));
  return logs;
}

/** Predictions of `model` on `x` in inference mode, computed in batches and concatenated. */
export function predict(model: Layer, params: Tree, state: Tree, x: Array, opts: { batchSize?: number } = {}): Array {
  const apply = jit((p: Tree, s: Tree, xb: Array) => model.apply(p, s, xb, { train: false })[0]);
  const outs: Array[] = [];
  for (const batch of batches(null, { x }, { batchSize: opts.batchSize ?? 256, shuffle: false })) outs.push(apply(params, state, batch.x));
  return outs.length === 1 ? outs[0]! : concatenate(outs, 0);
}

/**
 * @file Types shared by the training loop: loss and metric functions, callbacks, logs.
 */
import type { Array } from "../core/array.js";
import type { Tree } from "../core/tree.js";

/** A loss: predictions and targets of a batch to a scalar (the batch mean, by convention). */
export type LossFn = (predictions: Array, targets: Array) => Array;

/** A metric: predictions and targets of a batch to a scalar averaged over the batch. */
export type MetricFn = (predictions: Array, targets: Array) => Array;

/** Per-epoch values: `loss`, metric names, and `val_`-prefixed validation values. */
export type Logs = Record<string, number>;

/** What callbacks see of the training run. */
export interface TrainContext {
  /** Current parameters (after the epoch). */
  params: Tree;
  /** Current layer state. */
  state: Tree;
  /** Current optimizer state. */
  optState: Tree;
  /** History so far. */
  history: Record<string, number[]>;
}

/** What a callback may ask for: stop training, or (at the end) substitute parameters. */
export interface CallbackAction {
  stop?: boolean;
  params?: Tree;
  state?: Tree;
}

/** A training callback; every hook is optional and may be async. */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  /** After each epoch (0-based) with its logs; return `{ stop: true }` to stop. */
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | CallbackAction | Promise<void | CallbackAction>;
  /** After training; may return replacement parameters (e.g. the best ones seen). */
  onTrainEnd?(ctx: TrainContext): void | CallbackAction | Promise<void | CallbackAction>;
}

/**
 * @file The `train` namespace: `fit` / `evaluate` / `predict`, callbacks, progress display and
 * the history chart.
 */
export { fit, evaluate, predict, type FitOptions, type FitResult, type EvaluateOptions, type LossSpec, type MetricSpec } from "./fit.js";
export { earlyStopping, modelCheckpoint, lambdaCallback, type EarlyStoppingOptions, type CheckpointOptions } from "./callbacks.js";
export type { Callback, CallbackAction, Logs, LossFn, MetricFn, TrainContext } from "./types.js";
export { createProgress, type Progress, type ProgressOptions } from "./progress.js";
export { renderHistorySvg, type HistoryChartOptions } from "./chart.js";

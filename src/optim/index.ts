/**
 * @file The `optim` namespace: optax-style optimizers as pure `{ init, update }` pairs over
 * pytrees (gradient transformations), their building blocks, `chain`, clipping, schedules and
 * `applyUpdates`. See `docs/optim.md` for the concepts and every optimizer's equations.
 *
 * @example
 * ```ts
 * import { np, optim, valueAndGrad, jit } from "tessera";
 * const opt = optim.adam(1e-3);
 * const step = jit((params, state, x, y) => {
 *   const [loss, grads] = valueAndGrad(lossFn)(params, x, y);
 *   const [updates, next] = opt.update(grads, state, params);
 *   return [optim.applyUpdates(params, updates), next, loss];
 * });
 * let state = opt.init(params);
 * [params, state] = step(params, state, x, y);
 * ```
 */
export {
  applyUpdates,
  identity,
  stateless,
  statelessWithTreeMap,
  setToZero,
  emptyState,
  type ArrayTree,
  type Params,
  type Updates,
  type OptState,
  type EmptyState,
  type Schedule,
  type ScalarOrSchedule,
  type GradientTransformation,
} from "./base.js";

export {
  chain,
  masked,
  multiSteps,
  type MaskTree,
  type MaskOrFn,
  type MaskedState,
  type MultiStepsState,
  type MultiStepsOptions,
} from "./combine.js";

export {
  scale,
  scaleBySchedule,
  scaleByLearningRate,
  trace,
  ema,
  scaleByAdam,
  scaleByAdamax,
  scaleByRms,
  scaleByStddev,
  scaleByRss,
  scaleByAdadelta,
  scaleByLion,
  addDecayedWeights,
  scaleByTrustRatio,
  type ScaleByScheduleState,
  type ScaleByLearningRateOptions,
  type TraceState,
  type TraceOptions,
  type EmaState,
  type EmaOptions,
  type ScaleByAdamState,
  type ScaleByAdamOptions,
  type ScaleByAdamaxOptions,
  type ScaleByRmsState,
  type ScaleByRmsOptions,
  type ScaleByStddevState,
  type ScaleByRssState,
  type ScaleByRssOptions,
  type ScaleByAdadeltaState,
  type ScaleByAdadeltaOptions,
  type ScaleByLionState,
  type ScaleByLionOptions,
  type AddDecayedWeightsOptions,
  type ScaleByTrustRatioOptions,
} from "./transform.js";

export { clip, clipByGlobalNorm, globalNorm } from "./clipping.js";

export {
  sgd,
  adam,
  adamw,
  nadam,
  adamax,
  rmsprop,
  adagrad,
  adadelta,
  lion,
  lamb,
  type Optimizer,
  type SgdOptions,
  type AdamOptions,
  type AdamwOptions,
  type NadamOptions,
  type AdamaxOptions,
  type RmspropOptions,
  type AdagradOptions,
  type AdadeltaOptions,
  type LionOptions,
  type LambOptions,
} from "./alias.js";

export {
  constantSchedule,
  linearSchedule,
  polynomialSchedule,
  exponentialDecay,
  cosineDecaySchedule,
  warmupCosineDecaySchedule,
  piecewiseConstantSchedule,
  joinSchedules,
  type ScheduleFn,
  type PolynomialScheduleOptions,
  type ExponentialDecayOptions,
  type CosineDecayScheduleOptions,
  type WarmupCosineDecayScheduleOptions,
} from "./schedules.js";

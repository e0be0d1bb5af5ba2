/**
 * @file The building blocks of optimizers (optax's `transform.py`): each `scaleBy*` turns
 * gradients into a descent *direction* (keeping its own statistics in the state), and
 * {@link scaleByLearningRate} turns a direction into a step (multiplying by `-learningRate`).
 * Optimizers in `alias.ts` are short chains of these.
 *
 * Notation in the formulas: `g` the incoming updates (gradients), `u` the outgoing updates, `t`
 * the step count after increment (1 at the first update), `θ` the parameters; operations on trees
 * are leafwise and elementwise.
 */
import { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import * as np from "../numpy/index.js";
import { emptyState, type EmptyState, type GradientTransformation, type Params, type ScalarOrSchedule, type Schedule, type Updates } from "./base.js";
import { masked, type MaskedState, type MaskOrFn } from "./combine.js";
import {
  biasCorrection,
  checkDecay,
  checkNumber,
  checkOptions,
  checkState,
  describe,
  freeze,
  fullLikeTree,
  mapTrees,
  noParamsError,
  safeIncrement,
  scalarFor,
  updateMoment,
  zeroCount,
  zerosLikeTree,
} from "./internal.js";

function checkScalar(fn: string, name: string, v: unknown): number | Array {
  if (v instanceof Array) {
    if (v.size !== 1 || v.ndim > 0) throw new ValueError(fn, `${name} must be a scalar (shape []), got shape [${v.shape.join(",")}]`);
    return v;
  }
  return checkNumber(fn, name, v);
}

// ---------------------------------------------------------------------------------------------
// scaling by constants and schedules

/**
 * Multiply the updates by a constant.
 *
 *     u = stepSize · g
 *
 * @param stepSize - a JS number or a scalar Array.
 * @example
 * ```ts
 * const descend = optim.chain(optim.scaleByAdam(), optim.scale(-1e-3)); // = optim.adam(1e-3)
 * ```
 */
export function scale(stepSize: number | Array): GradientTransformation<EmptyState> {
  const fn = "scale";
  const s = checkScalar(fn, "stepSize", stepSize);
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState): [U, EmptyState] => [
      mapTrees(fn, ["updates"], (g) => g.mul(scalarFor(s, g)), [updates]) as U,
      state,
    ],
  };
}

/** State of {@link scaleBySchedule}: the number of updates done (int32). */
export type ScaleByScheduleState = {
  /** Updates done so far (int32 scalar). */
  readonly count: Array;
};

/**
 * Multiply the updates by a schedule of the step count.
 *
 *     u = η(t₀) · g,   t₀ = updates done so far (0 at the first call)
 *
 * The schedule's value is cast to each update's dtype.
 *
 * @param stepSizeFn - `(count) => value`, e.g. one of the schedules (`optim.cosineDecaySchedule(...)`).
 * @example
 * ```ts
 * const t = optim.scaleBySchedule(optim.exponentialDecay(1, 1000, 0.5));
 * ```
 */
export function scaleBySchedule(stepSizeFn: Schedule): GradientTransformation<ScaleByScheduleState> {
  const fn = "scaleBySchedule";
  if (typeof stepSizeFn !== "function") throw new ValueError(fn, `expected a schedule (count) => value, got ${describe(stepSizeFn)}`);
  return {
    init: () => freeze({ count: zeroCount() }),
    update: <U extends Updates>(updates: U, state: ScaleByScheduleState): [U, ScaleByScheduleState] => {
      checkState(fn, state, ["count"]);
      const s = stepSizeFn(state.count);
      if (!(typeof s === "number" || s instanceof Array)) {
        throw new ValueError(fn, `the schedule must return a number or a scalar Array, got ${describe(s)}`);
      }
      checkScalar(fn, "the schedule's value", s);
      const out = mapTrees(fn, ["updates"], (g) => g.mul(scalarFor(s, g)), [updates]);
      return [out as U, freeze({ count: safeIncrement(state.count) })];
    },
  };
}

/** Options of {@link scaleByLearningRate}. */
export interface ScaleByLearningRateOptions {
  /** Multiply by `-learningRate` (default true: gradient *descent*). */
  flipSign?: boolean;
}

/**
 * Scale by the learning rate, flipping the sign so that adding the updates descends.
 *
 *     u = −η · g      (η a constant, or η(t₀) for a schedule)
 *
 * @param learningRate - a number, a scalar Array or a schedule.
 * @param opts - `flipSign` (default true).
 * @example
 * ```ts
 * const sgd = optim.scaleByLearningRate(0.1); // = optim.sgd(0.1)
 * const warm = optim.scaleByLearningRate(optim.linearSchedule(0, 1e-3, 100));
 * ```
 */
export function scaleByLearningRate(
  learningRate: ScalarOrSchedule,
  opts: ScaleByLearningRateOptions = {},
): GradientTransformation<EmptyState | ScaleByScheduleState> {
  const fn = "scaleByLearningRate";
  checkOptions(fn, opts, ["flipSign"]);
  const m = (opts.flipSign ?? true) ? -1 : 1;
  if (typeof learningRate === "function") {
    return scaleBySchedule((count) => {
      const lr = learningRate(count);
      return typeof lr === "number" ? m * lr : lr instanceof Array ? lr.mul(m) : lr;
    });
  }
  if (!(typeof learningRate === "number" || learningRate instanceof Array)) {
    throw new ValueError(fn, `learningRate must be a number or a schedule (count) => value, got ${describe(learningRate)}`);
  }
  const lr = checkScalar(fn, "learningRate", learningRate);
  return scale(typeof lr === "number" ? m * lr : lr.mul(m));
}

// ---------------------------------------------------------------------------------------------
// momentum

/** State of {@link trace}: the momentum buffer. */
export type TraceState = {
  /** The momentum buffer `m`, shaped like the params. */
  readonly trace: Updates;
};

/** Options of {@link trace}. */
export interface TraceOptions {
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * Momentum (optax's `trace`): an accumulated sum of past updates with decay.
 *
 *     m ← g + decay · m
 *     u = m                   (nesterov: u = g + decay · m)
 *
 * @param decay - the momentum coefficient, in [0, 1].
 * @param opts - `nesterov` (default false).
 * @example
 * ```ts
 * const momentumSgd = optim.chain(optim.trace(0.9), optim.scaleByLearningRate(0.01)); // = optim.sgd(0.01, { momentum: 0.9 })
 * ```
 */
export function trace(decay: number, opts: TraceOptions = {}): GradientTransformation<TraceState> {
  const fn = "trace";
  checkDecay(fn, "decay", decay);
  checkOptions(fn, opts, ["nesterov"]);
  const nesterov = opts.nesterov ?? false;
  return {
    init: (params: Params) => freeze({ trace: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: TraceState): [U, TraceState] => {
      checkState(fn, state, ["trace"]);
      const newTrace = mapTrees(fn, ["updates", "state.trace"], (g, t) => g.add(t.mul(decay)), [updates, state.trace]);
      const out = nesterov ? mapTrees(fn, ["updates", "trace"], (g, t) => g.add(t.mul(decay)), [updates, newTrace]) : newTrace;
      return [out as U, freeze({ trace: newTrace })];
    },
  };
}

/** State of {@link ema}. */
export type EmaState = {
  /** Updates done so far (int32 scalar). */
  readonly count: Array;
  /** The moving average `e`, shaped like the params. */
  readonly ema: Updates;
};

/** Options of {@link ema}. */
export interface EmaOptions {
  /** Divide by `1 − decayᵗ` to remove the bias toward the zero initialization (default true). */
  debias?: boolean;
}

/**
 * An exponential moving average of the updates.
 *
 *     e ← (1 − decay) · g + decay · e
 *     u = e / (1 − decayᵗ)     (without debias: u = e)
 *
 * @param decay - the decay rate, in [0, 1].
 * @param opts - `debias` (default true).
 * @example
 * ```ts
 * const smoothed = optim.chain(optim.ema(0.9), optim.scaleByLearningRate(0.1));
 * ```
 */
export function ema(decay: number, opts: EmaOptions = {}): GradientTransformation<EmaState> {
  const fn = "ema";
  checkDecay(fn, "decay", decay);
  checkOptions(fn, opts, ["debias"]);
  const debias = opts.debias ?? true;
  return {
    init: (params: Params) => freeze({ count: zeroCount(), ema: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: EmaState): [U, EmaState] => {
      checkState(fn, state, ["count", "ema"]);
      const e = mapTrees(fn, ["updates", "state.ema"], (g, m) => updateMoment(g, m, decay, 1), [updates, state.ema]);
      const count = safeIncrement(state.count);
      const out = debias ? mapTrees(fn, ["ema"], (m) => biasCorrection(m, decay, count), [e]) : e;
      return [out as U, freeze({ count, ema: e })];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Adam family

/** State of {@link scaleByAdam} and {@link scaleByAdamax}: step count and the two moments. */
export type ScaleByAdamState = {
  /** Updates done so far (int32 scalar). */
  readonly count: Array;
  /** First moment `m`, shaped like the params. */
  readonly mu: Updates;
  /** Second moment `v` (Adam) or infinity norm (AdaMax), shaped like the params. */
  readonly nu: Updates;
};

/** Options of {@link scaleByAdam}. */
export interface ScaleByAdamOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the second moment (default 0.999). */
  b2?: number;
  /** Added to the denominator outside the square root (default 1e-8). */
  eps?: number;
  /** Added inside the square root (default 0); make it positive to differentiate through Adam. */
  epsRoot?: number;
  /** Nesterov momentum, i.e. NAdam (default false). */
  nesterov?: boolean;
}

/**
 * Rescale by Adam's bias-corrected moment estimates (Kingma & Ba, 2014).
 *
 *     m ← b1 · m + (1 − b1) · g
 *     v ← b2 · v + (1 − b2) · g²
 *     m̂ = m / (1 − b1ᵗ),   v̂ = v / (1 − b2ᵗ)
 *     u = m̂ / (√(v̂ + epsRoot) + eps)
 *
 * With `nesterov` (NAdam, Dozat 2016): `m̂ = b1 · m / (1 − b1ᵗ⁺¹) + (1 − b1) · g / (1 − b1ᵗ)`.
 * Bias corrections are computed in the moments' dtype.
 *
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-8), `epsRoot` (0), `nesterov` (false).
 * @example
 * ```ts
 * const adam = optim.chain(optim.scaleByAdam({ b2: 0.99 }), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function scaleByAdam(opts: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const fn = "scaleByAdam";
  checkOptions(fn, opts, ["b1", "b2", "eps", "epsRoot", "nesterov"]);
  const b1 = checkDecay(fn, "b1", opts.b1 ?? 0.9);
  const b2 = checkDecay(fn, "b2", opts.b2 ?? 0.999);
  const eps = checkNumber(fn, "eps", opts.eps ?? 1e-8, { min: 0 });
  const epsRoot = checkNumber(fn, "epsRoot", opts.epsRoot ?? 0, { min: 0 });
  const nesterov = opts.nesterov ?? false;
  return {
    init: (params: Params) => freeze({ count: zeroCount(), mu: zerosLikeTree(fn, params), nu: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: ScaleByAdamState): [U, ScaleByAdamState] => {
      checkState(fn, state, ["count", "mu", "nu"]);
      const mu = mapTrees(fn, ["updates", "state.mu"], (g, m) => updateMoment(g, m, b1, 1), [updates, state.mu]);
      const nu = mapTrees(fn, ["updates", "state.nu"], (g, v) => updateMoment(g, v, b2, 2), [updates, state.nu]);
      const count = safeIncrement(state.count);
      const next = nesterov ? safeIncrement(count) : count;
      const out = mapTrees(
        fn,
        ["updates", "mu", "nu"],
        (g, m, v) => {
          const mHat = nesterov
            ? biasCorrection(m, b1, next).mul(b1).add(biasCorrection(g, b1, count).mul(1 - b1))
            : biasCorrection(m, b1, count);
          const vHat = biasCorrection(v, b2, count);
          return mHat.div(vHat.add(epsRoot).sqrt().add(eps));
        },
        [updates, mu, nu],
      );
      return [out as U, freeze({ count, mu, nu })];
    },
  };
}

/** Options of {@link scaleByAdamax}. */
export interface ScaleByAdamaxOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the infinity norm (default 0.999). */
  b2?: number;
  /** Added to |g| in the infinity norm (default 1e-8). */
  eps?: number;
}

/**
 * Rescale by AdaMax's infinity-norm estimate (Kingma & Ba, 2014, §7.1).
 *
 *     m ← b1 · m + (1 − b1) · g
 *     v ← max(b2 · v, |g| + eps)
 *     u = m / (1 − b1ᵗ) / v
 *
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-8).
 * @example
 * ```ts
 * const adamax = optim.chain(optim.scaleByAdamax(), optim.scaleByLearningRate(2e-3));
 * ```
 */
export function scaleByAdamax(opts: ScaleByAdamaxOptions = {}): GradientTransformation<ScaleByAdamState> {
  const fn = "scaleByAdamax";
  checkOptions(fn, opts, ["b1", "b2", "eps"]);
  const b1 = checkDecay(fn, "b1", opts.b1 ?? 0.9);
  const b2 = checkDecay(fn, "b2", opts.b2 ?? 0.999);
  const eps = checkNumber(fn, "eps", opts.eps ?? 1e-8, { min: 0 });
  return {
    init: (params: Params) => freeze({ count: zeroCount(), mu: zerosLikeTree(fn, params), nu: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: ScaleByAdamState): [U, ScaleByAdamState] => {
      checkState(fn, state, ["count", "mu", "nu"]);
      const count = safeIncrement(state.count);
      const mu = mapTrees(fn, ["updates", "state.mu"], (g, m) => updateMoment(g, m, b1, 1), [updates, state.mu]);
      const nu = mapTrees(fn, ["updates", "state.nu"], (g, v) => g.abs().add(eps).maximum(v.mul(b2)), [updates, state.nu]);
      const out = mapTrees(fn, ["mu", "nu"], (m, v) => biasCorrection(m, b1, count).div(v), [mu, nu]);
      return [out as U, freeze({ count, mu, nu })];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RMS family

/** State of {@link scaleByRms}: the second moment (and the count with `biasCorrection`). */
export type ScaleByRmsState = {
  /** Second moment `v`, shaped like the params. */
  readonly nu: Updates;
  /** Updates done so far (int32 scalar; only with `biasCorrection`). */
  readonly count?: Array;
};

/** Options of {@link scaleByRms} and {@link scaleByStddev}. */
export interface ScaleByRmsOptions {
  /** Decay of the moving averages (default 0.9). */
  decay?: number;
  /** Numerical-stability term (default 1e-8). */
  eps?: number;
  /** Initial value of the second-moment accumulator (default 0; TF1 used 1). */
  initialScale?: number;
  /** Add `eps` inside the square root (default true) or outside it. */
  epsInSqrt?: boolean;
  /** Divide the moments by `1 − decayᵗ` (default false). */
  biasCorrection?: boolean;
}

function rmsOptions(fn: string, opts: ScaleByRmsOptions) {
  checkOptions(fn, opts, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"]);
  return {
    decay: checkDecay(fn, "decay", opts.decay ?? 0.9),
    eps: checkNumber(fn, "eps", opts.eps ?? 1e-8, { min: 0 }),
    initialScale: checkNumber(fn, "initialScale", opts.initialScale ?? 0, { min: 0 }),
    epsInSqrt: opts.epsInSqrt ?? true,
    bias: opts.biasCorrection ?? false,
  };
}

/**
 * Rescale by the root mean square of past gradients (RMSProp, Tieleman & Hinton 2012).
 *
 *     v ← decay · v + (1 − decay) · g²          (v₀ = initialScale)
 *     v̂ = v / (1 − decayᵗ) with biasCorrection, else v
 *     u = g / √(v̂ + eps)                         (epsInSqrt: false → u = g / (√v̂ + eps))
 *
 * @param opts - `decay` (0.9), `eps` (1e-8), `initialScale` (0), `epsInSqrt` (true), `biasCorrection` (false).
 * @example
 * ```ts
 * const rms = optim.chain(optim.scaleByRms({ decay: 0.99 }), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function scaleByRms(opts: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> {
  const fn = "scaleByRms";
  const o = rmsOptions(fn, opts);
  return {
    init: (params: Params) => {
      const nu = fullLikeTree(fn, params, o.initialScale);
      return freeze(o.bias ? { count: zeroCount(), nu } : { nu });
    },
    update: <U extends Updates>(updates: U, state: ScaleByRmsState): [U, ScaleByRmsState] => {
      checkState(fn, state, o.bias ? ["count", "nu"] : ["nu"]);
      const nu = mapTrees(fn, ["updates", "state.nu"], (g, v) => updateMoment(g, v, o.decay, 2), [updates, state.nu]);
      const count = o.bias ? safeIncrement(state.count!) : undefined;
      const out = mapTrees(
        fn,
        ["updates", "nu"],
        (g, v) => {
          const vHat = count !== undefined ? biasCorrection(v, o.decay, count) : v;
          return o.epsInSqrt ? g.div(vHat.add(o.eps).sqrt()) : g.div(vHat.sqrt().add(o.eps));
        },
        [updates, nu],
      );
      return [out as U, freeze(count !== undefined ? { count, nu } : { nu })];
    },
  };
}

/** State of {@link scaleByStddev}: first and second moments (and the count with `biasCorrection`). */
export type ScaleByStddevState = {
  /** First moment `m`, shaped like the params. */
  readonly mu: Updates;
  /** Second moment `v`, shaped like the params. */
  readonly nu: Updates;
  /** Updates done so far (int32 scalar; only with `biasCorrection`). */
  readonly count?: Array;
};

/**
 * Rescale by the standard deviation of past gradients (centered RMSProp, Graves 2013).
 *
 *     m ← decay · m + (1 − decay) · g
 *     v ← decay · v + (1 − decay) · g²           (v₀ = initialScale)
 *     u = g / √(v̂ − m̂² + eps)                   (hats: bias-corrected with biasCorrection)
 *
 * @param opts - as {@link scaleByRms}.
 * @example
 * ```ts
 * const centered = optim.chain(optim.scaleByStddev(), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function scaleByStddev(opts: ScaleByRmsOptions = {}): GradientTransformation<ScaleByStddevState> {
  const fn = "scaleByStddev";
  const o = rmsOptions(fn, opts);
  return {
    init: (params: Params) => {
      const mu = zerosLikeTree(fn, params);
      const nu = fullLikeTree(fn, params, o.initialScale);
      return freeze(o.bias ? { count: zeroCount(), mu, nu } : { mu, nu });
    },
    update: <U extends Updates>(updates: U, state: ScaleByStddevState): [U, ScaleByStddevState] => {
      checkState(fn, state, o.bias ? ["count", "mu", "nu"] : ["mu", "nu"]);
      const mu = mapTrees(fn, ["updates", "state.mu"], (g, m) => updateMoment(g, m, o.decay, 1), [updates, state.mu]);
      const nu = mapTrees(fn, ["updates", "state.nu"], (g, v) => updateMoment(g, v, o.decay, 2), [updates, state.nu]);
      const count = o.bias ? safeIncrement(state.count!) : undefined;
      const out = mapTrees(
        fn,
        ["updates", "mu", "nu"],
        (g, m, v) => {
          const mHat = count !== undefined ? biasCorrection(m, o.decay, count) : m;
          const vHat = count !== undefined ? biasCorrection(v, o.decay, count) : v;
          const variance = vHat.sub(mHat.square());
          return o.epsInSqrt ? g.div(variance.add(o.eps).sqrt()) : g.div(variance.sqrt().add(o.eps));
        },
        [updates, mu, nu],
      );
      return [out as U, freeze(count !== undefined ? { count, mu, nu } : { mu, nu })];
    },
  };
}

/** State of {@link scaleByRss}: the running sum of squared gradients. */
export type ScaleByRssState = {
  /** The accumulated squared gradients `s`, shaped like the params. */
  readonly sumOfSquares: Updates;
};

/** Options of {@link scaleByRss}. */
export interface ScaleByRssOptions {
  /** Initial value of the accumulator (default 0.1). */
  initialAccumulatorValue?: number;
  /** Added inside the square root (default 1e-7). */
  eps?: number;
}

/**
 * Rescale by the root of the sum of squared past gradients (AdaGrad, Duchi et al. 2011).
 *
 *     s ← s + g²                  (s₀ = initialAccumulatorValue)
 *     u = g / √(s + eps)  where s > 0,  else 0
 *
 * @param opts - `initialAccumulatorValue` (0.1), `eps` (1e-7).
 * @example
 * ```ts
 * const adagrad = optim.chain(optim.scaleByRss(), optim.scaleByLearningRate(0.1));
 * ```
 */
export function scaleByRss(opts: ScaleByRssOptions = {}): GradientTransformation<ScaleByRssState> {
  const fn = "scaleByRss";
  checkOptions(fn, opts, ["initialAccumulatorValue", "eps"]);
  const init0 = checkNumber(fn, "initialAccumulatorValue", opts.initialAccumulatorValue ?? 0.1, { min: 0 });
  const eps = checkNumber(fn, "eps", opts.eps ?? 1e-7, { min: 0 });
  return {
    init: (params: Params) => freeze({ sumOfSquares: fullLikeTree(fn, params, init0) }),
    update: <U extends Updates>(updates: U, state: ScaleByRssState): [U, ScaleByRssState] => {
      checkState(fn, state, ["sumOfSquares"]);
      const sumOfSquares = mapTrees(fn, ["updates", "state.sumOfSquares"], (g, s) => g.square().add(s), [updates, state.sumOfSquares]);
      // 1/√(s + eps) is +∞ (never NaN) where s = 0, and `where` then selects 0.
      const out = mapTrees(
        fn,
        ["updates", "sumOfSquares"],
        (g, s) => np.where(s.gt(0), np.reciprocal(s.add(eps).sqrt()), 0).mul(g),
        [updates, sumOfSquares],
      );
      return [out as U, freeze({ sumOfSquares })];
    },
  };
}

/** State of {@link scaleByAdadelta}: running averages of squared gradients and squared updates. */
export type ScaleByAdadeltaState = {
  /** Running average of squared gradients `E[g²]`. */
  readonly eG: Updates;
  /** Running average of squared updates `E[Δx²]`. */
  readonly eX: Updates;
};

/** Options of {@link scaleByAdadelta}. */
export interface ScaleByAdadeltaOptions {
  /** Decay of both running averages (default 0.9). */
  rho?: number;
  /** Added inside both square roots (default 1e-6). */
  eps?: number;
}

/**
 * Rescale by the ratio of running RMS of updates and gradients (AdaDelta, Zeiler 2012).
 *
 *     E[g²] ← rho · E[g²] + (1 − rho) · g²
 *     u = √(E[Δx²] + eps) / √(E[g²] + eps) · g
 *     E[Δx²] ← rho · E[Δx²] + (1 − rho) · u²
 *
 * @param opts - `rho` (0.9), `eps` (1e-6).
 * @example
 * ```ts
 * const adadelta = optim.chain(optim.scaleByAdadelta(), optim.scaleByLearningRate(1));
 * ```
 */
export function scaleByAdadelta(opts: ScaleByAdadeltaOptions = {}): GradientTransformation<ScaleByAdadeltaState> {
  const fn = "scaleByAdadelta";
  checkOptions(fn, opts, ["rho", "eps"]);
  const rho = checkDecay(fn, "rho", opts.rho ?? 0.9);
  const eps = checkNumber(fn, "eps", opts.eps ?? 1e-6, { min: 0 });
  return {
    init: (params: Params) => freeze({ eG: zerosLikeTree(fn, params), eX: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: ScaleByAdadeltaState): [U, ScaleByAdadeltaState] => {
      checkState(fn, state, ["eG", "eX"]);
      const eG = mapTrees(fn, ["updates", "state.eG"], (g, e) => updateMoment(g, e, rho, 2), [updates, state.eG]);
      const out = mapTrees(
        fn,
        ["updates", "eG", "state.eX"],
        (g, eg, ex) => ex.add(eps).sqrt().div(eg.add(eps).sqrt()).mul(g),
        [updates, eG, state.eX],
      );
      const eX = mapTrees(fn, ["updates", "state.eX"], (u, e) => updateMoment(u, e, rho, 2), [out, state.eX]);
      return [out as U, freeze({ eG, eX })];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Lion

/** State of {@link scaleByLion}: step count and momentum. */
export type ScaleByLionState = {
  /** Updates done so far (int32 scalar). */
  readonly count: Array;
  /** The momentum `m`, shaped like the params. */
  readonly mu: Updates;
};

/** Options of {@link scaleByLion}. */
export interface ScaleByLionOptions {
  /** Interpolation between momentum and gradient for the update's sign (default 0.9). */
  b1?: number;
  /** Decay of the momentum (default 0.99). */
  b2?: number;
}

/**
 * The sign update of Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").
 *
 *     u = sign((1 − b1) · g + b1 · m)
 *     m ← b2 · m + (1 − b2) · g
 *
 * @param opts - `b1` (0.9), `b2` (0.99).
 * @example
 * ```ts
 * const lion = optim.chain(optim.scaleByLion(), optim.scaleByLearningRate(1e-4));
 * ```
 */
export function scaleByLion(opts: ScaleByLionOptions = {}): GradientTransformation<ScaleByLionState> {
  const fn = "scaleByLion";
  checkOptions(fn, opts, ["b1", "b2"]);
  const b1 = checkDecay(fn, "b1", opts.b1 ?? 0.9);
  const b2 = checkDecay(fn, "b2", opts.b2 ?? 0.99);
  return {
    init: (params: Params) => freeze({ count: zeroCount(), mu: zerosLikeTree(fn, params) }),
    update: <U extends Updates>(updates: U, state: ScaleByLionState): [U, ScaleByLionState] => {
      checkState(fn, state, ["count", "mu"]);
      const out = mapTrees(fn, ["updates", "state.mu"], (g, m) => np.sign(g.mul(1 - b1).add(m.mul(b1))), [updates, state.mu]);
      const mu = mapTrees(fn, ["updates", "state.mu"], (g, m) => updateMoment(g, m, b2, 1), [updates, state.mu]);
      return [out as U, freeze({ count: safeIncrement(state.count), mu })];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// parameter-dependent transformations

/** Options of {@link addDecayedWeights}. */
export interface AddDecayedWeightsOptions {
  /** Which parameters to decay (see `masked`); all by default. */
  mask?: MaskOrFn;
}

/**
 * Add decoupled weight decay: the parameters times `weightDecay` (AdamW's decay, Loshchilov &
 * Hutter 2019, when placed before the learning-rate scaling). Needs `params`.
 *
 *     u = g + weightDecay · θ
 *
 * @param weightDecay - the decay coefficient (default 0).
 * @param opts - `mask`: decay only where true (e.g. not biases).
 * @example
 * ```ts
 * const adamw = optim.chain(optim.scaleByAdam(), optim.addDecayedWeights(1e-4), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function addDecayedWeights(
  weightDecay: number | Array = 0,
  opts: AddDecayedWeightsOptions = {},
): GradientTransformation<EmptyState | MaskedState<EmptyState>> {
  const fn = "addDecayedWeights";
  checkOptions(fn, opts, ["mask"]);
  const wd = checkScalar(fn, "weightDecay", weightDecay);
  const t: GradientTransformation<EmptyState> = {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState, params?: Params): [U, EmptyState] => {
      if (params === undefined || params === null) throw noParamsError(fn);
      const out = mapTrees(fn, ["updates", "params"], (g, p) => g.add(p.mul(scalarFor(wd, p))), [updates, params]);
      return [out as U, state];
    },
  };
  return opts.mask === undefined || opts.mask === null ? t : masked(t, opts.mask);
}

/** Options of {@link scaleByTrustRatio}. */
export interface ScaleByTrustRatioOptions {
  /** Norms below this are raised to it (default 0: no clipping). */
  minNorm?: number;
  /** Multiplier of the trust ratio (default 1). */
  trustCoefficient?: number;
  /** Added to the update norm (default 0). */
  eps?: number;
}

function safeNorm(x: Array, minNorm: number): Array {
  // ‖x‖₂ raised to minNorm, computed so that its gradient is finite at x = 0.
  const norm = x.square().sum().sqrt();
  const small = norm.le(minNorm);
  const safeX = np.where(small, np.onesLike(x), x);
  return np.where(small, minNorm, safeX.square().sum().sqrt());
}

/**
 * Scale each leaf's update by the trust ratio ‖θ‖ / ‖u‖ (LARS, You et al. 2017; used by LAMB).
 * Needs `params`.
 *
 *     r = trustCoefficient · ‖θ‖ / (‖g‖ + eps)     (norms per leaf, raised to minNorm)
 *     u = g · r,  or u = g where ‖θ‖ = 0 or ‖g‖ = 0
 *
 * @param opts - `minNorm` (0), `trustCoefficient` (1), `eps` (0).
 * @example
 * ```ts
 * const lamb = optim.chain(optim.scaleByAdam({ eps: 1e-6 }), optim.scaleByTrustRatio(), optim.scaleByLearningRate(1e-3));
 * ```
 */
export function scaleByTrustRatio(opts: ScaleByTrustRatioOptions = {}): GradientTransformation<EmptyState> {
  const fn = "scaleByTrustRatio";
  checkOptions(fn, opts, ["minNorm", "trustCoefficient", "eps"]);
  const minNorm = checkNumber(fn, "minNorm", opts.minNorm ?? 0, { min: 0 });
  const coef = checkNumber(fn, "trustCoefficient", opts.trustCoefficient ?? 1);
  const eps = checkNumber(fn, "eps", opts.eps ?? 0, { min: 0 });
  return {
    init: () => emptyState(),
    update: <U extends Updates>(updates: U, state: EmptyState, params?: Params): [U, EmptyState] => {
      if (params === undefined || params === null) throw noParamsError(fn);
      const out = mapTrees(
        fn,
        ["updates", "params"],
        (g, p) => {
          const pn = safeNorm(p, minNorm);
          const un = safeNorm(g, minNorm);
          const zero = np.logicalOr(pn.eq(0), un.eq(0));
          // Divide by 1 where a norm is zero, so no 0/0 appears even in the unselected branch.
          const ratio = pn.mul(coef).div(np.where(zero, 1, un.add(eps)));
          return g.mul(np.where(zero, 1, ratio).astype(g.dtype));
        },
        [updates, params],
      );
      return [out as U, state];
    },
  };
}

/**
 * @file Ready-made optimizers (optax's `alias.py`): each is a short {@link chain} of building
 * blocks ending with {@link scaleByLearningRate}, so `update` returns the step to *add* to the
 * parameters. The learning rate is positional (a number, a scalar Array or a schedule); every
 * other hyperparameter is an option with optax's default.
 *
 * Notation: `g` gradient, `θ` parameters, `η` learning rate (`ηₜ` when scheduled), `t` the step
 * (1 at the first update).
 */
import { ValueError } from "../core/errors.js";
import { Array } from "../core/array.js";
import { identity, type GradientTransformation, type OptState, type ScalarOrSchedule } from "./base.js";
import { chain, type MaskOrFn } from "./combine.js";
import {
  addDecayedWeights,
  scaleByAdadelta,
  scaleByAdam,
  scaleByAdamax,
  scaleByLearningRate,
  scaleByLion,
  scaleByRms,
  scaleByRss,
  scaleByStddev,
  scaleByTrustRatio,
  trace,
} from "./transform.js";
import { checkOptions, describe } from "./internal.js";

/** What every optimizer in this module returns: a chain, whose state is the list of its parts' states. */
export type Optimizer = GradientTransformation<OptState>;

function checkLearningRate(fn: string, lr: unknown): ScalarOrSchedule {
  if (typeof lr === "number" || typeof lr === "function" || lr instanceof Array) return lr as ScalarOrSchedule;
  const hint =
    lr !== null && typeof lr === "object"
      ? ` — the learning rate is positional: optim.${fn}(1e-3, { ...options })`
      : lr === undefined
        ? ` — pass it first: optim.${fn}(1e-3)`
        : "";
  throw new ValueError(fn, `learningRate must be a number, a scalar Array or a schedule (count) => value, got ${describe(lr)}${hint}`);
}

/** Pick the defined entries of `o` among `keys` (to forward options to a building block). */
function pick<T extends object>(o: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Momentum coefficient; null or undefined (default) for plain SGD. */
  momentum?: number | null;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum (Sutskever et al. 2013).
 *
 *     plain:     θ ← θ − η · g
 *     momentum:  m ← g + μ · m,   θ ← θ − η · m
 *     nesterov:  m ← g + μ · m,   θ ← θ − η · (g + μ · m)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `momentum` (none), `nesterov` (false).
 * @example
 * ```ts
 * const opt = optim.sgd(0.1, { momentum: 0.9, nesterov: true });
 * ```
 */
export function sgd(learningRate: ScalarOrSchedule, opts: SgdOptions = {}): Optimizer {
  const fn = "sgd";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["momentum", "nesterov"]);
  const m = opts.momentum;
  return chain(m === undefined || m === null ? identity() : trace(m, { nesterov: opts.nesterov ?? false }), scaleByLearningRate(lr));
}

/** Options of {@link adam} (and {@link nadam} without `nesterov`). */
export interface AdamOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the second moment (default 0.999). */
  b2?: number;
  /** Added to the denominator outside the square root (default 1e-8). */
  eps?: number;
  /** Added inside the square root (default 0). */
  epsRoot?: number;
  /** Nesterov momentum: NAdam (default false). */
  nesterov?: boolean;
}

const ADAM_KEYS = ["b1", "b2", "eps", "epsRoot", "nesterov"] as const;

/**
 * Adam (Kingma & Ba, 2014).
 *
 *     m ← b1 · m + (1 − b1) · g
 *     v ← b2 · v + (1 − b2) · g²
 *     m̂ = m / (1 − b1ᵗ),   v̂ = v / (1 − b2ᵗ)
 *     θ ← θ − η · m̂ / (√(v̂ + epsRoot) + eps)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-8), `epsRoot` (0), `nesterov` (false).
 * @example
 * ```ts
 * const opt = optim.adam(1e-3);
 * let state = opt.init(params);
 * const [updates, next] = opt.update(grads, state, params);
 * ```
 */
export function adam(learningRate: ScalarOrSchedule, opts: AdamOptions = {}): Optimizer {
  const fn = "adam";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ADAM_KEYS);
  return chain(scaleByAdam(pick(opts, ADAM_KEYS)), scaleByLearningRate(lr));
}

/** Options of {@link adamw}. */
export interface AdamwOptions extends AdamOptions {
  /** Decoupled weight decay coefficient, multiplied by the learning rate (default 1e-4). */
  weightDecay?: number;
  /** Which parameters to decay (default all); see `masked`. */
  mask?: MaskOrFn;
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019). The decay is multiplied
 * by the learning rate (as in PyTorch and optax).
 *
 *     m̂, v̂ as in Adam
 *     θ ← θ − η · (m̂ / (√(v̂ + epsRoot) + eps) + weightDecay · θ)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - the {@link adam} options, `weightDecay` (1e-4), `mask` (all).
 * @example
 * ```ts
 * const opt = optim.adamw(1e-3, { weightDecay: 1e-2, mask: (p) => tree.map((x) => x.ndim > 1, p) });
 * ```
 */
export function adamw(learningRate: ScalarOrSchedule, opts: AdamwOptions = {}): Optimizer {
  const fn = "adamw";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, [...ADAM_KEYS, "weightDecay", "mask"]);
  return chain(
    scaleByAdam(pick(opts, ADAM_KEYS)),
    addDecayedWeights(opts.weightDecay ?? 1e-4, pick(opts, ["mask"])),
    scaleByLearningRate(lr),
  );
}

/** Options of {@link nadam}. */
export type NadamOptions = Omit<AdamOptions, "nesterov">;

/**
 * NAdam: Adam with Nesterov momentum (Dozat, 2016), as optax's `nadam`.
 *
 *     m ← b1 · m + (1 − b1) · g,   v ← b2 · v + (1 − b2) · g²
 *     m̂ = b1 · m / (1 − b1ᵗ⁺¹) + (1 − b1) · g / (1 − b1ᵗ),   v̂ = v / (1 − b2ᵗ)
 *     θ ← θ − η · m̂ / (√(v̂ + epsRoot) + eps)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-8), `epsRoot` (0).
 * @example
 * ```ts
 * const opt = optim.nadam(2e-3);
 * ```
 */
export function nadam(learningRate: ScalarOrSchedule, opts: NadamOptions = {}): Optimizer {
  const fn = "nadam";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["b1", "b2", "eps", "epsRoot"]);
  return chain(scaleByAdam({ ...pick(opts, ["b1", "b2", "eps", "epsRoot"]), nesterov: true }), scaleByLearningRate(lr));
}

/** Options of {@link adamax}. */
export interface AdamaxOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the infinity norm (default 0.999). */
  b2?: number;
  /** Added to |g| (default 1e-8). */
  eps?: number;
}

/**
 * AdaMax: Adam with the infinity norm (Kingma & Ba, 2014, §7.1).
 *
 *     m ← b1 · m + (1 − b1) · g
 *     v ← max(b2 · v, |g| + eps)
 *     θ ← θ − η · m / ((1 − b1ᵗ) · v)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-8).
 * @example
 * ```ts
 * const opt = optim.adamax(2e-3);
 * ```
 */
export function adamax(learningRate: ScalarOrSchedule, opts: AdamaxOptions = {}): Optimizer {
  const fn = "adamax";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["b1", "b2", "eps"]);
  return chain(scaleByAdamax(pick(opts, ["b1", "b2", "eps"])), scaleByLearningRate(lr));
}

/** Options of {@link rmsprop}. */
export interface RmspropOptions {
  /** Decay of the moving averages (default 0.9). */
  decay?: number;
  /** Numerical-stability term (default 1e-8). */
  eps?: number;
  /** Initial value of the second-moment accumulator (default 0; PyTorch 0, TF1 1). */
  initialScale?: number;
  /** `eps` inside the square root (default true). */
  epsInSqrt?: boolean;
  /** Use the variance instead of the second moment (default false). */
  centered?: boolean;
  /** Momentum applied after the learning rate (default none). */
  momentum?: number | null;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Bias-correct the moving averages (default false). */
  biasCorrection?: boolean;
}

/**
 * RMSProp (Tieleman & Hinton, 2012), optionally centered (Graves, 2013) and with momentum.
 *
 *     v ← decay · v + (1 − decay) · g²                     (v₀ = initialScale)
 *     s = η · g / √(v + eps)                                (centered: √(v − m² + eps), m the mean of g)
 *     θ ← θ − s,   or with momentum: b ← s + μ · b,  θ ← θ − b
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `decay` (0.9), `eps` (1e-8), `initialScale` (0), `epsInSqrt` (true), `centered`
 *   (false), `momentum` (none), `nesterov` (false), `biasCorrection` (false).
 * @example
 * ```ts
 * const opt = optim.rmsprop(1e-3, { decay: 0.99, momentum: 0.9 });
 * ```
 */
export function rmsprop(learningRate: ScalarOrSchedule, opts: RmspropOptions = {}): Optimizer {
  const fn = "rmsprop";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["decay", "eps", "initialScale", "epsInSqrt", "centered", "momentum", "nesterov", "biasCorrection"]);
  const rmsOpts = pick(opts, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"]);
  const m = opts.momentum;
  return chain(
    opts.centered ? scaleByStddev(rmsOpts) : scaleByRms(rmsOpts),
    scaleByLearningRate(lr),
    m === undefined || m === null ? identity() : trace(m, { nesterov: opts.nesterov ?? false }),
  );
}

/** Options of {@link adagrad}. */
export interface AdagradOptions {
  /** Initial value of the sum of squares (default 0.1). */
  initialAccumulatorValue?: number;
  /** Added inside the square root (default 1e-7). */
  eps?: number;
}

/**
 * AdaGrad (Duchi et al., 2011): per-coordinate steps shrinking with the accumulated squared
 * gradients.
 *
 *     s ← s + g²                  (s₀ = initialAccumulatorValue)
 *     θ ← θ − η · g / √(s + eps)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `initialAccumulatorValue` (0.1), `eps` (1e-7).
 * @example
 * ```ts
 * const opt = optim.adagrad(0.1);
 * ```
 */
export function adagrad(learningRate: ScalarOrSchedule, opts: AdagradOptions = {}): Optimizer {
  const fn = "adagrad";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["initialAccumulatorValue", "eps"]);
  return chain(scaleByRss(pick(opts, ["initialAccumulatorValue", "eps"])), scaleByLearningRate(lr));
}

/** Options of {@link adadelta}. */
export interface AdadeltaOptions {
  /** Decay of the running averages (default 0.9). */
  rho?: number;
  /** Added inside the square roots (default 1e-6). */
  eps?: number;
  /** Weight decay added to the gradient before the AdaDelta scaling (default 0). */
  weightDecay?: number;
  /** Which parameters to decay (default all). */
  weightDecayMask?: MaskOrFn;
}

/**
 * AdaDelta (Zeiler, 2012). `learningRate = 1` is the paper's method.
 *
 *     g' = g + weightDecay · θ
 *     E[g²] ← rho · E[g²] + (1 − rho) · g'²
 *     Δ = √(E[Δ²] + eps) / √(E[g²] + eps) · g'
 *     E[Δ²] ← rho · E[Δ²] + (1 − rho) · Δ²
 *     θ ← θ − η · Δ
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `rho` (0.9), `eps` (1e-6), `weightDecay` (0), `weightDecayMask` (all).
 * @example
 * ```ts
 * const opt = optim.adadelta(1);
 * ```
 */
export function adadelta(learningRate: ScalarOrSchedule, opts: AdadeltaOptions = {}): Optimizer {
  const fn = "adadelta";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["rho", "eps", "weightDecay", "weightDecayMask"]);
  return chain(
    addDecayedWeights(opts.weightDecay ?? 0, opts.weightDecayMask === undefined ? {} : { mask: opts.weightDecayMask }),
    scaleByAdadelta(pick(opts, ["rho", "eps"])),
    scaleByLearningRate(lr),
  );
}

/** Options of {@link lion}. */
export interface LionOptions {
  /** Interpolation for the update direction (default 0.9). */
  b1?: number;
  /** Decay of the momentum (default 0.99). */
  b2?: number;
  /** Decoupled weight decay, multiplied by the learning rate (default 1e-3). */
  weightDecay?: number;
  /** Which parameters to decay (default all). */
  mask?: MaskOrFn;
}

/**
 * Lion (Chen et al., 2023): the sign of an interpolated momentum, with decoupled weight decay.
 * Use a learning rate 3–10× smaller than Adam's.
 *
 *     c = sign((1 − b1) · g + b1 · m)
 *     m ← b2 · m + (1 − b2) · g
 *     θ ← θ − η · (c + weightDecay · θ)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `b1` (0.9), `b2` (0.99), `weightDecay` (1e-3), `mask` (all).
 * @example
 * ```ts
 * const opt = optim.lion(1e-4);
 * ```
 */
export function lion(learningRate: ScalarOrSchedule, opts: LionOptions = {}): Optimizer {
  const fn = "lion";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["b1", "b2", "weightDecay", "mask"]);
  return chain(
    scaleByLion(pick(opts, ["b1", "b2"])),
    addDecayedWeights(opts.weightDecay ?? 1e-3, pick(opts, ["mask"])),
    scaleByLearningRate(lr),
  );
}

/** Options of {@link lamb}. */
export interface LambOptions {
  /** Decay of the first moment (default 0.9). */
  b1?: number;
  /** Decay of the second moment (default 0.999). */
  b2?: number;
  /** Added outside the square root (default 1e-6). */
  eps?: number;
  /** Added inside the square root (default 0). */
  epsRoot?: number;
  /** Decoupled weight decay (default 0). */
  weightDecay?: number;
  /** Which parameters to decay (default all). */
  mask?: MaskOrFn;
}

/**
 * LAMB (You et al., 2019): Adam's direction plus weight decay, rescaled per leaf by the trust
 * ratio ‖θ‖ / ‖r‖ (for large-batch training).
 *
 *     r = m̂ / (√(v̂ + epsRoot) + eps) + weightDecay · θ         (m̂, v̂ as in Adam)
 *     θ ← θ − η · (‖θ‖ / ‖r‖) · r                              (ratio 1 where a norm is 0)
 *
 * @param learningRate - η: a number, scalar Array or schedule.
 * @param opts - `b1` (0.9), `b2` (0.999), `eps` (1e-6), `epsRoot` (0), `weightDecay` (0), `mask` (all).
 * @example
 * ```ts
 * const opt = optim.lamb(1e-3, { weightDecay: 1e-2 });
 * ```
 */
export function lamb(learningRate: ScalarOrSchedule, opts: LambOptions = {}): Optimizer {
  const fn = "lamb";
  const lr = checkLearningRate(fn, learningRate);
  checkOptions(fn, opts, ["b1", "b2", "eps", "epsRoot", "weightDecay", "mask"]);
  return chain(
    scaleByAdam({ ...pick(opts, ["b1", "b2", "epsRoot"]), eps: opts.eps ?? 1e-6 }),
    addDecayedWeights(opts.weightDecay ?? 0, pick(opts, ["mask"])),
    scaleByTrustRatio(),
    scaleByLearningRate(lr),
  );
}

/**
 * @file Learning-rate schedules with optax's names and argument meanings (optax's
 * `schedule.py`). Each constructor returns a {@link ScheduleFn}: `(count) => value`, where
 * `count` is the number of updates done so far. Called with a JS number it returns a number
 * (handy for plots and tests); called with an Array (what optimizers pass: an int32 scalar,
 * traced under `jit`) it returns a float64 Array computed with array ops, so a schedule never
 * branches on a traced value.
 *
 * NB: JAX (without x64) computes schedules in float32. We compute them in float64 and let
 * `scaleBySchedule` cast the value to each update's dtype (as optax does), so float32 training
 * sees the same rounded learning rate and float64 training keeps full precision.
 *
 * Required arguments are positional; optax's optional ones go in a trailing options object.
 */
import { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import * as np from "../numpy/index.js";
import { checkNumber, checkOptions, describe } from "./internal.js";

/**
 * A schedule: the step count (a JS number, or an int32 Array as optimizers pass it) to a value.
 * Numbers give numbers; Arrays give float64 Arrays of the same shape.
 */
export interface ScheduleFn {
  /** The value at step `count` (a JS number, computed in float64). */
  (count: number): number;
  /** The value at step `count` (an Array of counts; float64 result, traceable). */
  (count: Array): Array;
  /** Either of the above. */
  (count: number | Array): number | Array;
}

// ---------------------------------------------------------------------------------------------
// arithmetic on "a JS number or an Array": JS math when every operand is a number, np otherwise.

type Num = number | Array;
type Cond = boolean | Array;

const isNum = (x: unknown): x is number => typeof x === "number";
const add = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? a + b : np.add(a, b));
const sub = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? a - b : np.subtract(a, b));
const mul = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? a * b : np.multiply(a, b));
const div = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? a / b : np.divide(a, b));
const pow = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? Math.pow(a, b) : np.power(a, b));
const min = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? Math.min(a, b) : np.minimum(a, b));
const max = (a: Num, b: Num): Num => (isNum(a) && isNum(b) ? Math.max(a, b) : np.maximum(a, b));
const cos = (a: Num): Num => (isNum(a) ? Math.cos(a) : np.cos(a));
const floor = (a: Num): Num => (isNum(a) ? Math.floor(a) : np.floor(a));
const sign = (a: Num): Num => (isNum(a) ? Math.sign(a) : np.sign(a));
const lt = (a: Num, b: Num): Cond => (isNum(a) && isNum(b) ? a < b : np.less(a, b));
const le = (a: Num, b: Num): Cond => (isNum(a) && isNum(b) ? a <= b : np.lessEqual(a, b));
const where = (c: Cond, a: Num, b: Num): Num => (typeof c === "boolean" ? (c ? a : b) : np.where(c, a, b));
const clipNum = (x: Num, lo: number, hi: number): Num => min(max(x, lo), hi);

/**
 * Wrap an implementation on numbers-or-Arrays as a {@link ScheduleFn} with input checks. Array
 * counts are converted to float64 first (exact for any int32), so the whole computation runs in
 * float64; `castCount: false` passes the count through unchanged (for {@link joinSchedules},
 * whose parts may be user schedules expecting int32 counts).
 */
function makeSchedule(name: string, impl: (count: Num) => Num, castCount = true): ScheduleFn {
  const f = (count: unknown): Num => {
    if (typeof count === "number") {
      if (Number.isNaN(count)) throw new ValueError(name, "count must be a number or an Array, got NaN");
      return impl(count);
    }
    if (count instanceof Array) {
      const r = impl(castCount ? count.astype("float64") : count);
      if (typeof r === "number") return np.full(count.shape, r, { dtype: "float64" });
      return r.dtype === "float64" ? r : r.astype("float64");
    }
    throw new ValueError(name, `count must be a number or an int32 Array (the optimizer's step), got ${describe(count)}`);
  };
  Object.defineProperty(f, "name", { value: name });
  return f as ScheduleFn;
}

function checkSchedule(fn: string, what: string, s: unknown): (count: Num) => Num {
  if (typeof s !== "function") throw new ValueError(fn, `${what} must be a schedule (count) => value, got ${describe(s)}`);
  return s as (count: Num) => Num;
}

// ---------------------------------------------------------------------------------------------
// schedules

/**
 * A constant schedule.
 *
 *     η(t) = value
 *
 * @param value - the constant.
 * @example
 * ```ts
 * optim.constantSchedule(0.1)(1000); // 0.1
 * ```
 */
export function constantSchedule(value: number): ScheduleFn {
  const fn = "constantSchedule";
  const v = checkNumber(fn, "value", value);
  return makeSchedule(fn, () => v);
}

/** Options of {@link polynomialSchedule} and {@link linearSchedule}. */
export interface PolynomialScheduleOptions {
  /** Steps before the transition starts (default 0); the value is `initValue` until then. */
  transitionBegin?: number;
}

/**
 * A polynomial transition from `initValue` to `endValue` over `transitionSteps` steps, after
 * `transitionBegin` steps at `initValue`; constant `endValue` afterwards.
 *
 *     k = clip(t − transitionBegin, 0, transitionSteps)
 *     η(t) = (initValue − endValue) · (1 − k / transitionSteps)^power + endValue
 *
 * A non-positive `transitionSteps` gives the constant `initValue` (as optax).
 *
 * @param initValue - the value at the start.
 * @param endValue - the value at the end.
 * @param power - the exponent (1 is linear).
 * @param transitionSteps - the length of the transition.
 * @param opts - `transitionBegin` (default 0).
 * @example
 * ```ts
 * const s = optim.polynomialSchedule(1, 0, 2, 10);
 * s(0); s(5); s(10); // 1, 0.25, 0
 * ```
 */
export function polynomialSchedule(
  initValue: number,
  endValue: number,
  power: number,
  transitionSteps: number,
  opts: PolynomialScheduleOptions = {},
): ScheduleFn {
  return polynomial("polynomialSchedule", initValue, endValue, power, transitionSteps, opts);
}

function polynomial(fn: string, initValue: number, endValue: number, power: number, transitionSteps: number, opts: PolynomialScheduleOptions): ScheduleFn {
  checkOptions(fn, opts, ["transitionBegin"]);
  const a = checkNumber(fn, "initValue", initValue);
  const b = checkNumber(fn, "endValue", endValue);
  const p = checkNumber(fn, "power", power);
  const steps = checkNumber(fn, "transitionSteps", transitionSteps);
  const begin = Math.max(0, checkNumber(fn, "transitionBegin", opts.transitionBegin ?? 0));
  if (steps <= 0) return makeSchedule(fn, () => a);
  return makeSchedule(fn, (count) => {
    const k = clipNum(sub(count, begin), 0, steps);
    const frac = sub(1, div(k, steps));
    return add(mul(a - b, pow(frac, p)), b);
  });
}

/**
 * A linear transition from `initValue` to `endValue` over `transitionSteps` steps (a
 * {@link polynomialSchedule} with power 1).
 *
 *     η(t) = initValue + (endValue − initValue) · clip(t − transitionBegin, 0, transitionSteps) / transitionSteps
 *
 * @param initValue - the value at the start.
 * @param endValue - the value at the end.
 * @param transitionSteps - the length of the transition.
 * @param opts - `transitionBegin` (default 0).
 * @example
 * ```ts
 * const warmup = optim.linearSchedule(0, 1e-3, 100);
 * warmup(50); // 5e-4
 * ```
 */
export function linearSchedule(initValue: number, endValue: number, transitionSteps: number, opts: PolynomialScheduleOptions = {}): ScheduleFn {
  return polynomial("linearSchedule", initValue, endValue, 1, transitionSteps, opts);
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Steps before the decay starts (default 0). */
  transitionBegin?: number;
  /** Decay in discrete jumps every `transitionSteps` steps (default false). */
  staircase?: boolean;
  /** A bound the value never crosses: a lower bound when decaying, an upper bound when growing. */
  endValue?: number;
}

/**
 * Exponential decay: multiply by `decayRate` every `transitionSteps` steps (continuously, or in
 * jumps with `staircase`).
 *
 *     p = (t − transitionBegin) / transitionSteps      (floored with staircase)
 *     η(t) = initValue                       if t ≤ transitionBegin
 *     η(t) = initValue · decayRate^p         otherwise, then bounded by endValue
 *
 * A non-positive `transitionSteps` or a zero `decayRate` gives the constant `initValue` (as optax).
 *
 * @param initValue - the initial value.
 * @param transitionSteps - the steps per factor of `decayRate`.
 * @param decayRate - the factor (< 1 decays, > 1 grows).
 * @param opts - `transitionBegin` (0), `staircase` (false), `endValue` (none).
 * @example
 * ```ts
 * const s = optim.exponentialDecay(1, 10, 0.5);
 * s(10); s(20); // 0.5, 0.25
 * ```
 */
export function exponentialDecay(initValue: number, transitionSteps: number, decayRate: number, opts: ExponentialDecayOptions = {}): ScheduleFn {
  const fn = "exponentialDecay";
  checkOptions(fn, opts, ["transitionBegin", "staircase", "endValue"]);
  const a = checkNumber(fn, "initValue", initValue);
  const steps = checkNumber(fn, "transitionSteps", transitionSteps);
  const rate = checkNumber(fn, "decayRate", decayRate);
  const begin = Math.max(0, checkNumber(fn, "transitionBegin", opts.transitionBegin ?? 0));
  const end = opts.endValue === undefined || opts.endValue === null ? null : checkNumber(fn, "endValue", opts.endValue);
  const staircase = opts.staircase ?? false;
  if (steps <= 0 || rate === 0) return makeSchedule(fn, () => a);
  return makeSchedule(fn, (count) => {
    const decreased = sub(count, begin);
    let p = div(decreased, steps);
    if (staircase) p = floor(p);
    let v = where(le(decreased, 0), a, mul(a, pow(rate, p)));
    if (end !== null) v = rate < 1 ? max(v, end) : min(v, end);
    return v;
  });
}

/** Options of {@link cosineDecaySchedule}. */
export interface CosineDecayScheduleOptions {
  /** The final value as a fraction of `initValue` (default 0). */
  alpha?: number;
  /** Exponent of the cosine factor (default 1). */
  exponent?: number;
}

/**
 * Cosine decay from `initValue` to `alpha · initValue` over `decaySteps` steps (Loshchilov &
 * Hutter 2017, SGDR without restarts); constant afterwards.
 *
 *     c = ½ · (1 + cos(π · min(t, decaySteps) / decaySteps))
 *     η(t) = initValue · ((1 − alpha) · c^exponent + alpha)
 *
 * @param initValue - the initial value.
 * @param decaySteps - the length of the decay (> 0).
 * @param opts - `alpha` (0), `exponent` (1).
 * @example
 * ```ts
 * const s = optim.cosineDecaySchedule(1, 100);
 * s(0); s(50); s(100); // 1, 0.5, 0
 * ```
 */
export function cosineDecaySchedule(initValue: number, decaySteps: number, opts: CosineDecayScheduleOptions = {}): ScheduleFn {
  return cosine("cosineDecaySchedule", initValue, decaySteps, opts);
}

function cosine(fn: string, initValue: number, decaySteps: number, opts: CosineDecayScheduleOptions): ScheduleFn {
  checkOptions(fn, opts, ["alpha", "exponent"]);
  const a = checkNumber(fn, "initValue", initValue);
  const steps = checkNumber(fn, "decaySteps", decaySteps);
  if (!(steps > 0)) throw new ValueError(fn, `decaySteps must be positive, got ${steps}`);
  const alpha = checkNumber(fn, "alpha", opts.alpha ?? 0);
  const exponent = checkNumber(fn, "exponent", opts.exponent ?? 1);
  return makeSchedule(fn, (count) => {
    const k = min(count, steps);
    const c = mul(0.5, add(1, cos(div(mul(Math.PI, k), steps))));
    return mul(a, add(mul(1 - alpha, pow(c, exponent)), alpha));
  });
}

/** Options of {@link warmupCosineDecaySchedule}. */
export interface WarmupCosineDecayScheduleOptions {
  /** The value at the end of the decay (default 0). */
  endValue?: number;
  /** Exponent of the cosine factor (default 1). */
  exponent?: number;
}

/**
 * Linear warmup from `initValue` to `peakValue` over `warmupSteps`, then cosine decay to
 * `endValue` at step `decaySteps` (which counts the warmup).
 *
 *     η(t) = initValue + (peakValue − initValue) · t / warmupSteps            for t < warmupSteps
 *     η(t) = (peakValue − endValue) · c(t − warmupSteps)^exponent + endValue   afterwards,
 *     c(k) = ½ · (1 + cos(π · min(k, D) / D)),   D = decaySteps − warmupSteps
 *
 * @param initValue - the value at step 0.
 * @param peakValue - the value at the end of the warmup.
 * @param warmupSteps - the warmup length.
 * @param decaySteps - the total length, warmup included (> warmupSteps).
 * @param opts - `endValue` (0), `exponent` (1).
 * @example
 * ```ts
 * const s = optim.warmupCosineDecaySchedule(0, 1e-3, 100, 1000, { endValue: 1e-5 });
 * s(0); s(100); s(1000); // 0, 1e-3, 1e-5
 * ```
 */
export function warmupCosineDecaySchedule(
  initValue: number,
  peakValue: number,
  warmupSteps: number,
  decaySteps: number,
  opts: WarmupCosineDecayScheduleOptions = {},
): ScheduleFn {
  const fn = "warmupCosineDecaySchedule";
  checkOptions(fn, opts, ["endValue", "exponent"]);
  const peak = checkNumber(fn, "peakValue", peakValue);
  const warm = checkNumber(fn, "warmupSteps", warmupSteps, { min: 0 });
  const total = checkNumber(fn, "decaySteps", decaySteps);
  const end = checkNumber(fn, "endValue", opts.endValue ?? 0);
  if (!(total > warm)) {
    throw new ValueError(fn, `decaySteps (${total}) is the total length including the warmup and must be greater than warmupSteps (${warm})`);
  }
  const exponent = checkNumber(fn, "exponent", opts.exponent ?? 1);
  const steps = total - warm;
  // NB: optax builds this from cosineDecaySchedule with alpha = endValue / peakValue (and alpha = 0
  // when peakValue is 0, which ignores endValue). Writing (peak − end) · c + end is the same
  // schedule for peakValue ≠ 0 and still reaches endValue when peakValue is 0.
  const decay = makeSchedule(fn, (count) => {
    const c = mul(0.5, add(1, cos(div(mul(Math.PI, min(count, steps)), steps))));
    return add(mul(peak - end, pow(c, exponent)), end);
  });
  return join(fn, [polynomial(fn, initValue, peak, 1, warm, {}), decay], [warm]);
}

/**
 * A piecewise-constant schedule: `initValue`, multiplied by `scale` from each `boundary` on.
 *
 *     η(t) = initValue · Π { scaleᵦ : boundary b ≤ t }
 *
 * @param initValue - the value before the first boundary.
 * @param boundariesAndScales - `{ boundary: scale }` (e.g. `{ 1000: 0.1, 2000: 0.1 }`) or a
 *   list of `[boundary, scale]` pairs; scales must be non-negative.
 * @example
 * ```ts
 * const s = optim.piecewiseConstantSchedule(1, { 10: 0.1, 20: 0.5 });
 * s(9); s(10); s(20); // 1, 0.1, 0.05
 * ```
 */
export function piecewiseConstantSchedule(
  initValue: number,
  boundariesAndScales?: Readonly<Record<number, number>> | readonly (readonly [number, number])[] | null,
): ScheduleFn {
  const fn = "piecewiseConstantSchedule";
  const a = checkNumber(fn, "initValue", initValue);
  let pairs: [number, number][] = [];
  if (boundariesAndScales !== undefined && boundariesAndScales !== null) {
    const raw = globalThis.Array.isArray(boundariesAndScales)
      ? (boundariesAndScales as readonly (readonly [number, number])[]).map(([b, s]) => [b, s] as [unknown, unknown])
      : Object.entries(boundariesAndScales).map(([b, s]) => [Number(b), s] as [unknown, unknown]);
    pairs = raw.map(([b, s]) => [checkNumber(fn, "boundary", b), checkNumber(fn, `the scale at boundary ${String(b)}`, s)]);
    if (pairs.some(([, s]) => s < 0)) {
      throw new ValueError(fn, `scales must be non-negative, got ${JSON.stringify(pairs)}`);
    }
    pairs.sort((x, y) => x[0] - y[0]);
  }
  return makeSchedule(fn, (count) => {
    let v: Num = a;
    for (const [boundary, s] of pairs) {
      // 1 before the boundary, 0 from it on.
      const before = max(0, sign(sub(boundary, count)));
      v = add(mul(v, before), mul(mul(sub(1, before), s), v));
    }
    return v;
  });
}

/**
 * Join schedules end to end: `schedules[i + 1]` takes over at `boundaries[i]`, counting its steps
 * from there.
 *
 *     η(t) = sₖ(t − bₖ₋₁)   for bₖ₋₁ ≤ t < bₖ   (b₋₁ = 0)
 *
 * @param schedules - n schedules.
 * @param boundaries - n − 1 increasing step counts.
 * @example
 * ```ts
 * const s = optim.joinSchedules([optim.linearSchedule(0, 1, 10), optim.constantSchedule(1)], [10]);
 * ```
 */
export function joinSchedules(schedules: readonly ((count: any) => number | Array)[], boundaries: readonly number[]): ScheduleFn {
  return join("joinSchedules", schedules, boundaries);
}

function join(name: string, schedules: readonly ((count: any) => number | Array)[], boundaries: readonly number[]): ScheduleFn {
  if (!globalThis.Array.isArray(schedules) || schedules.length === 0) {
    throw new ValueError(name, `schedules must be a non-empty list of schedules, got ${describe(schedules)}`);
  }
  const fns = schedules.map((s, i) => checkSchedule(name, `schedules[${i}]`, s));
  if (!globalThis.Array.isArray(boundaries) || boundaries.length !== fns.length - 1) {
    throw new ValueError(name, `expected ${fns.length - 1} boundaries for ${fns.length} schedules, got ${describe(boundaries)}`);
  }
  const bs = boundaries.map((b) => checkNumber(name, "boundary", b));
  return makeSchedule(
    name,
    (count) => {
      let out = fns[0]!(count);
      bs.forEach((b, i) => {
        out = where(lt(count, b), out, fns[i + 1]!(sub(count, b)));
      });
      return out;
    },
    false,
  );
}

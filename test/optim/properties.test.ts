/**
 * @file Property tests (fast-check): SGD descends convex quadratics, `chain` is associative,
 * `clipByGlobalNorm` bounds the norm and keeps the direction, and the schedules hit their
 * boundary values (for JS-number counts and for int32 Array counts).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { np, optim, tree, valueAndGrad, type Array } from "../../src/index.js";

const RUNS = { numRuns: 40 };
const f64 = (v: number[]) => np.array(v, { dtype: "float64" });
const vals = (x: Array) => globalThis.Array.from(x.dataSync() as Float64Array);
const leafVals = (t: unknown) => tree.leaves(t as any).flatMap((l) => vals(l as Array));

const finite = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
const vec = (n: number, lo = -5, hi = 5) => fc.array(finite(lo, hi), { minLength: n, maxLength: n });

/** A random float64 gradient tree { a: [n], b: [2, 2] }. */
const treeOf = (a: number[], b: number[]) => ({ a: f64(a), b: f64(b).reshape([2, 2]) });
const gradTree = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(vec(n), vec(4)).map(([a, b]) => treeOf(a, b)));
/** `count` random gradient trees of one shape (a sequence of steps). */
const gradSeq = (count: number) =>
  fc.integer({ min: 1, max: 4 }).chain((n) => fc.array(fc.tuple(vec(n), vec(4)).map(([a, b]) => treeOf(a, b)), { minLength: count, maxLength: count }));

describe("optim properties", () => {
  test("SGD with a small learning rate decreases a convex quadratic", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(vec(n, 0.1, 10), vec(n), vec(n))),
        finite(0.01, 0.99),
        ([k, x0, c], frac) => {
          const kk = f64(k);
          const cc = f64(c);
          const loss = (p: { x: Array }) => p.x.sub(cc).square().mul(kk).sum().mul(0.5);
          const lr = frac / Math.max(...k); // below 2 / L: guaranteed descent
          const opt = optim.sgd(lr);
          const params = { x: f64(x0) };
          const [l0, g] = valueAndGrad(loss)(params);
          const [u] = opt.update(g, opt.init(params), params);
          const l1 = loss(optim.applyUpdates(params, u)).item() as number;
          const gradNorm = optim.globalNorm(g).item() as number;
          if (gradNorm < 1e-6) return l1 <= (l0.item() as number) + 1e-12;
          return l1 < (l0.item() as number);
        },
      ),
      RUNS,
    );
  });

  test("chain is associative: chain(a, chain(b, c)) ≡ chain(chain(a, b), c)", () => {
    fc.assert(
      fc.property(gradSeq(3), finite(0.1, 3), finite(-2, 2), (gs, maxNorm, s) => {
        const make = () => [optim.scaleByAdam(), optim.clipByGlobalNorm(maxNorm), optim.trace(0.5)] as const;
        const [a1, b1, c1] = make();
        const [a2, b2, c2] = make();
        const left = optim.chain(a1, optim.chain(b1, c1));
        const right = optim.chain(optim.chain(a2, b2), c2);
        const scaleLast = optim.chain(left, optim.scale(s));
        const scaleLast2 = optim.chain(right, optim.scale(s));
        const params = gs[0]!;
        let sl = scaleLast.init(params);
        let sr = scaleLast2.init(params);
        for (const g of gs) {
          const [ul, nl] = scaleLast.update(g, sl, params);
          const [ur, nr] = scaleLast2.update(g, sr, params);
          const x = leafVals(ul);
          const y = leafVals(ur);
          if (x.some((v, i) => Math.abs(v - y[i]!) > 1e-12 * (1 + Math.abs(v)))) return false;
          // Same state leaves, nested differently.
          const xs = leafVals(nl);
          const ys = leafVals(nr);
          if (xs.length !== ys.length || xs.some((v, i) => Math.abs(v - ys[i]!) > 1e-12 * (1 + Math.abs(v)))) return false;
          sl = nl;
          sr = nr;
        }
        return true;
      }),
      RUNS,
    );
  });

  test("clipByGlobalNorm bounds the global norm and keeps the direction", () => {
    fc.assert(
      fc.property(gradTree, finite(0.01, 20), (g, maxNorm) => {
        const t = optim.clipByGlobalNorm(maxNorm);
        const [u] = t.update(g, t.init(g));
        const before = leafVals(g);
        const after = leafVals(u);
        const n0 = Math.hypot(...before);
        const n1 = Math.hypot(...after);
        if (n0 < maxNorm) return after.every((v, i) => v === before[i]); // unchanged below the bound
        if (n1 > maxNorm * (1 + 1e-12)) return false;
        // Same direction: u = α g with α = maxNorm / ‖g‖ > 0.
        const alpha = maxNorm / n0;
        return after.every((v, i) => Math.abs(v - alpha * before[i]!) <= 1e-12 * (1 + Math.abs(v)));
      }),
      RUNS,
    );
  });

  test("clipByGlobalNorm bounds float32 trees too", () => {
    fc.assert(
      fc.property(vec(5, -100, 100), finite(0.1, 10), (v, maxNorm) => {
        const g = { w: np.array(v) };
        const t = optim.clipByGlobalNorm(maxNorm);
        const [u] = t.update(g, t.init(g));
        expect(u.w.dtype).toBe("float32");
        return (optim.globalNorm(u).item() as number) <= maxNorm * (1 + 1e-6);
      }),
      RUNS,
    );
  });
});

describe("schedules hit their boundary values", () => {
  const int = (n: number) => np.array(n, { dtype: "int32" });
  /** The value at count `t` as a number and through the int32 Array path (float64). */
  const both = (s: optim.ScheduleFn, t: number, want: number) => {
    expect(s(t)).toBeCloseTo(want, 12);
    const a = s(int(t));
    expect(a.dtype).toBe("float64");
    expect(Math.abs((a.item() as number) - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
  };
  const value = finite(-10, 10);
  const steps = fc.integer({ min: 1, max: 1000 });
  const begin = fc.integer({ min: 0, max: 100 });

  test("linearSchedule and polynomialSchedule: initValue before/at the start, endValue at and after the end", () => {
    fc.assert(
      fc.property(value, value, steps, begin, fc.integer({ min: 1, max: 4 }), (a, b, n, t0, power) => {
        for (const s of [optim.linearSchedule(a, b, n, { transitionBegin: t0 }), optim.polynomialSchedule(a, b, power, n, { transitionBegin: t0 })]) {
          both(s, 0, a);
          both(s, t0, a);
          both(s, t0 + n, b);
          both(s, t0 + n + 17, b);
        }
        // Linear midpoint.
        expect(optim.linearSchedule(a, b, 2 * n)(n)).toBeCloseTo((a + b) / 2, 12);
      }),
      RUNS,
    );
  });

  test("cosineDecaySchedule: initValue at 0, alpha · initValue from decaySteps on", () => {
    fc.assert(
      fc.property(value, steps, finite(0, 1), (a, n, alpha) => {
        const s = optim.cosineDecaySchedule(a, n, { alpha });
        both(s, 0, a);
        both(s, n, alpha * a);
        both(s, n + 5, alpha * a);
        if (n % 2 === 0) expect(s(n / 2)).toBeCloseTo(a * ((1 - alpha) * 0.5 + alpha), 12);
      }),
      RUNS,
    );
  });

  test("warmupCosineDecaySchedule: initValue, peakValue at the end of the warmup, endValue at decaySteps", () => {
    fc.assert(
      fc.property(value, value, value, fc.integer({ min: 0, max: 50 }), steps, (init, peak, end, warm, extra) => {
        const s = optim.warmupCosineDecaySchedule(init, peak, warm, warm + extra, { endValue: end });
        both(s, 0, warm === 0 ? peak : init);
        both(s, warm, peak);
        both(s, warm + extra, end);
        both(s, warm + extra + 3, end);
      }),
      RUNS,
    );
  });

  test("exponentialDecay: initValue until transitionBegin, × decayRate per transitionSteps, bounded by endValue", () => {
    fc.assert(
      fc.property(finite(0.1, 10), fc.integer({ min: 1, max: 50 }), finite(0.1, 0.99), begin, (a, n, rate, t0) => {
        const s = optim.exponentialDecay(a, n, rate, { transitionBegin: t0 });
        both(s, 0, a);
        both(s, t0, a);
        both(s, t0 + n, a * rate);
        both(s, t0 + 2 * n, a * rate * rate);
        const stair = optim.exponentialDecay(a, n, rate, { staircase: true });
        both(stair, n - 1, a);
        both(stair, n, a * rate);
        const bounded = optim.exponentialDecay(a, n, rate, { endValue: a * rate });
        both(bounded, 10 * n, a * rate);
      }),
      RUNS,
    );
  });

  test("piecewiseConstantSchedule: the scale applies from each boundary on", () => {
    fc.assert(
      fc.property(value, fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 4 }), fc.array(finite(0, 3), { minLength: 4, maxLength: 4 }), (a, bounds, scales) => {
        const pairs = bounds.map((b, i) => [b, scales[i]!] as [number, number]);
        const s = optim.piecewiseConstantSchedule(a, Object.fromEntries(pairs));
        const sorted = [...pairs].sort((x, y) => x[0] - y[0]);
        let v = a;
        both(s, 0, a);
        for (const [b, sc] of sorted) {
          both(s, b - 1, v);
          v *= sc;
          both(s, b, v);
        }
      }),
      RUNS,
    );
  });

  test("constantSchedule is constant", () => {
    fc.assert(
      fc.property(value, fc.nat(10000), (a, t) => {
        both(optim.constantSchedule(a), t, a);
      }),
      RUNS,
    );
  });
});

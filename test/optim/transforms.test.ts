/**
 * @file Behaviour of the building blocks: state immutability, error messages that say the fix,
 * equivalences between transformations (as optax's transform_test), `masked`, `multiSteps`,
 * `applyUpdates` and the trivial transformations.
 */
import { describe, expect, test } from "vitest";

import { Array as ArrayClass, np, optim, tree, type Array } from "../../src/index.js";

const f64 = (v: np.NestedData) => np.array(v, { dtype: "float64" });
const vals = (t: unknown) => tree.leaves(t as any).map((l) => globalThis.Array.from((l as Array).dataSync()));
const close = (a: unknown, b: unknown, tol = 1e-12) => {
  const x = vals(a).flat();
  const y = vals(b).flat();
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
};

const params = () => ({ w: f64([[0.5, -1.0], [2.0, 0.25]]), b: f64([0.1, -0.3]) });
const grads = () => ({ w: f64([[0.2, 0.4], [-0.6, 0.1]]), b: f64([-0.05, 0.3]) });

const allOptimizers: [string, () => optim.GradientTransformation<any>][] = [
  ["sgd", () => optim.sgd(0.1)],
  ["sgd momentum", () => optim.sgd(0.1, { momentum: 0.9, nesterov: true })],
  ["adam", () => optim.adam(1e-2)],
  ["adamw", () => optim.adamw(1e-2, { weightDecay: 0.1 })],
  ["nadam", () => optim.nadam(1e-2)],
  ["adamax", () => optim.adamax(1e-2)],
  ["rmsprop", () => optim.rmsprop(1e-2, { centered: true, momentum: 0.5, biasCorrection: true })],
  ["adagrad", () => optim.adagrad(1e-2)],
  ["adadelta", () => optim.adadelta(1)],
  ["lion", () => optim.lion(1e-3)],
  ["lamb", () => optim.lamb(1e-3, { weightDecay: 0.01 })],
  ["adam with a schedule", () => optim.adam(optim.exponentialDecay(1e-2, 10, 0.5))],
  ["masked adam", () => optim.masked(optim.adam(1e-2), { w: true, b: false })],
  ["multiSteps", () => optim.multiSteps(optim.adam(1e-2), 2)],
  ["clip + ema", () => optim.chain(optim.clip(0.3), optim.ema(0.9), optim.scale(-0.1))],
];

describe("state is an immutable pytree", () => {
  test.each(allOptimizers)("%s: update returns a new state and leaves its inputs unchanged", (_name, make) => {
    const opt = make();
    const p = params();
    const g = grads();
    const s0 = opt.init(p);
    const before = { p: vals(p), g: vals(g), s: vals(s0) };
    const [u, s1] = opt.update(g, s0, p);
    const [, s2] = opt.update(g, s1, p);
    expect(s1).not.toBe(s0);
    expect(vals(p)).toEqual(before.p);
    expect(vals(g)).toEqual(before.g);
    expect(vals(s0)).toEqual(before.s);
    expect(tree.treedefEqual(tree.structure(s2 as any), tree.structure(s0 as any))).toBe(true);
    expect(tree.treedefEqual(tree.structure(u), tree.structure(g))).toBe(true);
    // Every leaf is an Array; step counts are int32 scalars.
    for (const leaf of tree.leaves(s1 as any)) expect(leaf).toBeInstanceOf(ArrayClass);
    // Containers are frozen all the way down: mutating a state throws instead of corrupting it.
    const containers: unknown[] = [];
    const walk = (v: unknown) => {
      if (v !== null && typeof v === "object" && !(v instanceof ArrayClass)) {
        containers.push(v);
        Object.values(v).forEach(walk);
      }
    };
    walk(s1);
    expect(containers.every((c) => Object.isFrozen(c))).toBe(true);
    expect(() => {
      (s1 as any).extra = 1;
    }).toThrow();
  });

  test("step counts are int32 scalars that increment", () => {
    const opt = optim.scaleByAdam();
    let s = opt.init(params());
    expect(s.count.dtype).toBe("int32");
    expect(s.count.shape).toEqual([]);
    for (let i = 1; i <= 3; i++) {
      s = opt.update(grads(), s)[1];
      expect(s.count.item()).toBe(i);
    }
  });

  test("counts saturate at the int32 maximum instead of wrapping", () => {
    const opt = optim.scaleBySchedule(() => 1);
    const [, s] = opt.update(grads(), { count: np.array(2147483647, { dtype: "int32" }) });
    expect(s.count.item()).toBe(2147483647);
  });
});

describe("errors say how to fix the call", () => {
  test("chain: wrong number of states", () => {
    const opt = optim.chain(optim.clip(1), optim.scaleByAdam(), optim.scale(-1));
    const bad = optim.chain(optim.clip(1), optim.scale(-1)).init(params());
    expect(() => opt.update(grads(), bad as any, params())).toThrow(
      "chain: state has 2 entries but 3 transformations — call init with the same chain",
    );
    expect(() => opt.update(grads(), {} as any)).toThrow(/chain: expected the state returned by this chain's init \(a list of 3 states\)/);
  });

  test("chain: an argument that is not a transformation (e.g. a factory not called)", () => {
    expect(() => optim.chain(optim.identity as any)).toThrow(/chain: argument 0 must be a GradientTransformation.*did you forget to call it/);
  });

  test("parameter-dependent transformations require params", () => {
    const t = optim.addDecayedWeights(1e-4);
    expect(() => t.update(grads(), t.init(params()))).toThrow("addDecayedWeights: params are required");
    const w = optim.adamw(1e-3);
    expect(() => w.update(grads(), w.init(params()))).toThrow("addDecayedWeights: params are required");
    const l = optim.scaleByTrustRatio();
    expect(() => l.update(grads(), l.init(params()))).toThrow("scaleByTrustRatio: params are required");
  });

  test("unknown options and a missing learning rate", () => {
    expect(() => optim.adam(1e-3, { beta1: 0.9 } as any)).toThrow("adam: unknown option 'beta1'; valid options: b1, b2, eps, epsRoot, nesterov");
    expect(() => (optim.adam as any)()).toThrow(/adam: learningRate must be .* got undefined — pass it first: optim.adam\(1e-3\)/);
    expect(() => optim.sgd({ learningRate: 0.1 } as any)).toThrow(/the learning rate is positional: optim.sgd\(1e-3, \{ \.\.\.options \}\)/);
    expect(() => optim.adam(1e-3, { b1: 1.5 })).toThrow("scaleByAdam: b1 must be <= 1, got 1.5");
    expect(() => optim.adam(1e-3, { eps: NaN })).toThrow("scaleByAdam: eps must be a finite number, got number NaN");
  });

  test("a state from another transformation", () => {
    const adam = optim.adam(1e-3);
    const sgdState = optim.sgd(1e-3).init(params());
    expect(() => adam.update(grads(), sgdState, params())).toThrow(
      /scaleByAdam: expected the state returned by scaleByAdam's init \(an object with keys \{count, mu, nu\}\), got an object with keys \{\}; call init\(params\)/,
    );
  });

  test("gradients whose structure differs from the params the optimizer was initialized with", () => {
    const opt = optim.adam(1e-3);
    const s = opt.init(params());
    expect(() => opt.update({ w: grads().w, c: grads().b }, s, params())).toThrow(/scaleByAdam: updates and state.mu have different structures/);
    expect(() => optim.applyUpdates(params(), { w: grads().w })).toThrow(/applyUpdates: params and updates have different structures/);
  });

  test("non-Array leaves are named by path", () => {
    expect(() => optim.sgd(0.1).update({ w: 1 } as any, optim.sgd(0.1).init({ w: f64(1) }))).toThrow(
      "scale: updates must be a pytree of Arrays, but the leaf at .w is number 1; wrap numbers with np.array(...)",
    );
  });

  test("bad schedule arguments", () => {
    expect(() => optim.cosineDecaySchedule(1, 0)).toThrow("cosineDecaySchedule: decaySteps must be positive, got 0");
    expect(() => optim.warmupCosineDecaySchedule(0, 1, 100, 100)).toThrow(/must be greater than warmupSteps \(100\)/);
    expect(() => optim.piecewiseConstantSchedule(1, { 10: -1 })).toThrow(/piecewiseConstantSchedule: scales must be non-negative/);
    expect(() => optim.linearSchedule(0, 1, 10)("3" as any)).toThrow(/linearSchedule: count must be a number or an int32 Array/);
    expect(() => optim.joinSchedules([optim.constantSchedule(1)], [5])).toThrow("joinSchedules: expected 0 boundaries for 1 schedules, got a list of 1");
  });

  test("masks that do not match the params", () => {
    const t = optim.masked(optim.scale(2), { w: true });
    expect(() => t.init(params())).toThrow(/masked: the mask does not match the params at \(root\): expected a boolean or an object with keys \{b, w\}/);
    const t2 = optim.masked(optim.scale(2), { w: [true], b: true } as any);
    expect(() => t2.init(params())).toThrow(/at \.w: expected a boolean \(true: transform this leaf, false: leave it unchanged\), got a list of 1/);
  });

  test("other argument checks", () => {
    expect(() => optim.clipByGlobalNorm(0)).toThrow(/clipByGlobalNorm: maxNorm must be positive, got 0/);
    expect(() => optim.multiSteps(optim.sgd(1), 0)).toThrow("multiSteps: everyKSchedule must be >= 1, got 0");
    expect(() => optim.scale(np.zeros([2]))).toThrow("scale: stepSize must be a scalar (shape []), got shape [2]");
    expect(() => optim.scaleBySchedule((() => np.ones([3])) as any).update(grads(), { count: np.zeros([], { dtype: "int32" }) })).toThrow(
      /scaleBySchedule: the schedule's value must be a scalar/,
    );
  });
});

describe("equivalences between transformations", () => {
  const run = (t: optim.GradientTransformation<any>, steps = 4, p = params()) => {
    let s = t.init(p);
    const out: unknown[] = [];
    for (let i = 0; i < steps; i++) {
      const g = tree.map((x: Array) => x.mul(i + 1).sin(), grads());
      const [u, n] = t.update(g, s, p);
      out.push(u);
      s = n;
    }
    return out;
  };

  test("bias-corrected RMS with eps outside the root ≡ Adam with b1 = 0", () => {
    close(run(optim.scaleByRms({ decay: 0.99, biasCorrection: true, epsInSqrt: false })), run(optim.scaleByAdam({ b1: 0, b2: 0.99 })));
  });

  test("nadam ≡ scaleByAdam({ nesterov: true }) then -lr", () => {
    close(run(optim.nadam(0.1)), run(optim.chain(optim.scaleByAdam({ nesterov: true }), optim.scale(-0.1))));
  });

  test("adamw with weightDecay 0 ≡ adam", () => {
    close(run(optim.adamw(0.1, { weightDecay: 0 })), run(optim.adam(0.1)));
  });

  test("a constant schedule ≡ a constant learning rate", () => {
    close(run(optim.adam(optim.constantSchedule(0.1))), run(optim.adam(0.1)));
  });

  test("a user schedule written with np.where is applied at the right counts", () => {
    const lrs: number[] = [];
    const t = optim.scaleByLearningRate((count) => np.where(count.lt(2), 1, 0.5));
    let s = t.init(params());
    for (let i = 0; i < 4; i++) {
      const [u, n] = t.update({ x: f64(1) }, s as any);
      lrs.push(u.x.item() as number);
      s = n;
    }
    expect(lrs).toEqual([-1, -1, -0.5, -0.5]);
  });

  test("debiased ema of a constant is that constant", () => {
    const [u] = run(optim.ema(0.9), 1);
    close(u, tree.map((x: Array) => x.sin(), grads()));
    const t = optim.ema(0.9);
    let s = t.init(params());
    for (let i = 0; i < 3; i++) {
      const [v, n] = t.update(grads(), s);
      close(v, grads());
      s = n;
    }
  });

  test("trace with decay 0 is the identity", () => {
    close(run(optim.trace(0)), run(optim.identity()));
  });
});

describe("masked", () => {
  test("applies the inner transformation only where the mask is true", () => {
    const t = optim.addDecayedWeights(0.5, { mask: { w: true, b: false } });
    const [u] = t.update(grads(), t.init(params()), params());
    close(u.w, grads().w.add(params().w.mul(0.5)));
    close(u.b, grads().b);
  });

  test("accepts a prefix mask and a mask function", () => {
    const p = { enc: { w: f64([1, 2]), b: f64([3]) }, dec: { w: f64([4]) } };
    const g = tree.map((x: Array) => x.mul(0).add(1), p);
    const prefix = optim.masked(optim.scale(10), { enc: true, dec: false });
    const [u1] = prefix.update(g, prefix.init(p));
    expect(vals(u1)).toEqual([[1], [10], [10, 10]]); // leaves: dec.w, enc.b, enc.w
    const byRank = optim.masked(optim.scale(10), (t) => tree.map((x: Array) => x.size > 1, t) as any);
    const [u2] = byRank.update(g, byRank.init(p));
    expect(vals(u2)).toEqual([[1], [1], [10, 10]]);
  });

  test("the inner state covers the masked-in leaves only", () => {
    const t = optim.masked(optim.scaleByAdam(), { w: true, b: false });
    const s = t.init(params());
    expect(s.innerState.mu).toEqual({ b: null, w: expect.anything() });
    const [u] = t.update(grads(), s, params());
    close(u.b, grads().b);
  });
});

describe("multiSteps", () => {
  test("returns zeros for k − 1 calls, then the inner update on the mean gradient", () => {
    const k = 3;
    const opt = optim.multiSteps(optim.adam(0.1), k);
    const ref = optim.adam(0.1);
    const p = params();
    let s = opt.init(p);
    let rs = ref.init(p);
    for (let round = 0; round < 2; round++) {
      const gs = [1, 2, 3].map((i) => tree.map((x: Array) => x.mul(i + round), grads()));
      for (let i = 0; i < k; i++) {
        const [u, n] = opt.update(gs[i]!, s, p);
        s = n;
        if (i < k - 1) {
          expect(vals(u).flat().every((v) => v === 0)).toBe(true);
          expect(s.miniStep.item()).toBe(i + 1);
        } else {
          const mean = tree.map((a: Array, b: Array, c: Array) => a.add(b).add(c).div(3), gs[0]!, gs[1]!, gs[2]!);
          const [ru, rn] = ref.update(mean, rs, p);
          rs = rn;
          close(u, ru);
          expect(s.miniStep.item()).toBe(0);
          expect(s.gradientStep.item()).toBe(round + 1);
        }
      }
    }
  });

  test("useGradMean: false accumulates the sum; k may be a schedule of the step", () => {
    const opt = optim.multiSteps(optim.sgd(1), (step) => np.where(step.lt(1), 2, 1), { useGradMean: false });
    let s = opt.init({ x: f64(0) });
    const outs: number[] = [];
    for (const g of [1, 2, 3, 4]) {
      const [u, n] = opt.update({ x: f64(g) }, s);
      outs.push(u.x.item() as number);
      s = n;
    }
    expect(outs).toEqual([0, -3, -3, -4]);
  });
});

describe("small pieces", () => {
  test("applyUpdates keeps each parameter's dtype", () => {
    const p = { w: np.array([1, 2]), c: np.array([1, 2], { dtype: "float64" }) };
    const out = optim.applyUpdates(p, { w: f64([0.5, 0.5]), c: np.array([1, 1]) });
    expect(out.w.dtype).toBe("float32");
    expect(out.c.dtype).toBe("float64");
    expect(out.w.tolist()).toEqual([1.5, 2.5]);
    expect(p.w.tolist()).toEqual([1, 2]);
  });

  test("identity, setToZero, stateless and statelessWithTreeMap", () => {
    const g = grads();
    expect(optim.identity().update(g, optim.identity().init(params()))[0]).toBe(g);
    expect(vals(optim.setToZero().update(g, {})[0]).flat().every((v) => v === 0)).toBe(true);
    const double = optim.stateless((u) => tree.map((x: Array) => x.mul(2), u));
    close(double.update(g, double.init(params()))[0], tree.map((x: Array) => x.mul(2), g));
    const plusParams = optim.statelessWithTreeMap((u, p) => u.add(p!));
    close(plusParams.update(g, {}, params())[0], tree.map((a: Array, b: Array) => a.add(b), g, params()));
  });

  test("scale and learning rates accept scalar Arrays", () => {
    close(optim.scale(f64(3)).update(grads(), {})[0], tree.map((x: Array) => x.mul(3), grads()));
    close(optim.sgd(f64(0.5)).update(grads(), optim.sgd(f64(0.5)).init(params()))[0], tree.map((x: Array) => x.mul(-0.5), grads()));
  });

  test("clip bounds each element", () => {
    const [u] = optim.clip(0.25).update(grads(), {});
    expect(vals(u).flat()).toEqual([-0.05, 0.25, 0.2, 0.25, -0.25, 0.1]);
  });

  test("globalNorm of a tree and of an empty tree", () => {
    expect(optim.globalNorm({ a: np.array([3]), b: [np.array([[4]])] }).item()).toBe(5);
    expect(optim.globalNorm({}).item()).toBe(0);
  });

  test("no NaN where a norm or an accumulator is zero", () => {
    const zeroP = { w: np.zeros([3], { dtype: "float64" }) };
    const zeroG = { w: np.zeros([3], { dtype: "float64" }) };
    const tr = optim.scaleByTrustRatio();
    expect(vals(tr.update({ w: f64([1, 2, 3]) }, {}, zeroP)[0]).flat()).toEqual([1, 2, 3]); // ratio 1 at ‖θ‖ = 0
    const ada = optim.adagrad(0.1, { initialAccumulatorValue: 0, eps: 0 });
    expect(vals(ada.update(zeroG, ada.init(zeroP))[0]).flat()).toEqual([-0, -0, -0]);
    const clipped = optim.clipByGlobalNorm(1).update(zeroG, {})[0];
    expect(vals(clipped).flat()).toEqual([0, 0, 0]);
  });

  test("schedules evaluate elementwise on Arrays of counts", () => {
    const s = optim.linearSchedule(1, 0, 4);
    expect(s(np.arange(6)).tolist()).toEqual([1, 0.75, 0.5, 0.25, 0, 0]);
    expect(s(2)).toBe(0.5);
  });
});

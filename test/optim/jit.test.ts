/**
 * @file A whole training step (loss gradient + optimizer update + applyUpdates) compiles under
 * `jit`, matches the eager step, and hits the trace cache from its second call on.
 */
import { describe, expect, test } from "vitest";

import { jit, np, optim, tree, valueAndGrad, type Array } from "../../src/index.js";

type P = { w1: Array; b1: Array; w2: Array; b2: Array };

function setup(dtype: "float32" | "float64") {
  const params: P = {
    w1: np.array([[0.4, -0.6, 0.25], [0.7, 0.2, -0.5]], { dtype }),
    b1: np.array([0.1, -0.2, 0.05], { dtype }),
    w2: np.array([[0.8], [-0.4], [0.6]], { dtype }),
    b2: np.array([0.3], { dtype }),
  };
  const x = np.array([[0.5, -1.2], [1.5, 0.3], [-0.7, 0.9], [0.1, 2.0]], { dtype });
  const y = np.array([[0.3], [-0.8], [0.5], [1.1]], { dtype });
  const loss = (p: P, xb: Array, yb: Array) => np.tanh(xb.matmul(p.w1).add(p.b1)).matmul(p.w2).add(p.b2).sub(yb).square().mean();
  return { params, x, y, loss };
}

function makeStep(opt: optim.GradientTransformation<any>, loss: (p: P, x: Array, y: Array) => Array) {
  return (p: P, s: any, xb: Array, yb: Array): [P, any, Array] => {
    const [l, g] = valueAndGrad(loss)(p, xb, yb);
    const [u, next] = opt.update(g, s, p);
    return [optim.applyUpdates(p, u), next, l];
  };
}

const flat = (t: unknown) => tree.leaves(t as any).flatMap((l) => globalThis.Array.from((l as Array).dataSync()));

function expectClose(a: unknown, b: unknown, tol: number) {
  const x = flat(a);
  const y = flat(b);
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

describe("jit of a full training step", () => {
  test("adam: compiles, matches the eager step, and the second call is a cache hit", () => {
    const { params, x, y, loss } = setup("float32");
    const opt = optim.adam(1e-2);
    const step = makeStep(opt, loss);
    const jitted = jit(step);

    let pe = params;
    let se = opt.init(params);
    let pj = params;
    let sj = opt.init(params);
    for (let i = 0; i < 3; i++) {
      const [pe2, se2, le] = step(pe, se, x, y);
      const [pj2, sj2, lj] = jitted(pj, sj, x, y);
      expectClose(pj2, pe2, 1e-6);
      expectClose(sj2, se2, 1e-6);
      expect(Math.abs((lj.item() as number) - (le.item() as number))).toBeLessThan(1e-6);
      [pe, se, pj, sj] = [pe2, se2, pj2, sj2];
    }
    expect(jitted.cacheInfo()).toEqual({ hits: 2, misses: 1, size: 1 });
    // The compiled program really contains the optimizer (it is one traced program, no host round trip).
    const adamState = (sj as readonly optim.OptState[])[0] as optim.ScaleByAdamState;
    expect(adamState.count.item()).toBe(3);
    expect(adamState.count.dtype).toBe("int32");
  });

  test.each([
    ["sgd with Nesterov momentum", () => optim.sgd(0.05, { momentum: 0.9, nesterov: true })],
    ["adamw with a masked decay", () => optim.adamw(1e-2, { weightDecay: 0.1, mask: (p) => tree.map((l: Array) => l.ndim > 1, p) as any })],
    ["nadam", () => optim.nadam(1e-2)],
    ["adamax", () => optim.adamax(1e-2)],
    ["centered rmsprop", () => optim.rmsprop(1e-2, { centered: true, momentum: 0.9 })],
    ["adagrad", () => optim.adagrad(0.1)],
    ["adadelta", () => optim.adadelta(1)],
    ["lion", () => optim.lion(1e-3)],
    ["lamb", () => optim.lamb(1e-2, { weightDecay: 0.01 })],
    ["clipping + warmup-cosine adam", () => optim.chain(optim.clipByGlobalNorm(0.1), optim.adam(optim.warmupCosineDecaySchedule(0, 0.05, 2, 10)))],
    ["piecewise + exponential schedules", () => optim.chain(optim.sgd(optim.piecewiseConstantSchedule(0.1, { 2: 0.5 })), optim.scaleBySchedule(optim.exponentialDecay(1, 2, 0.5, { staircase: true })))],
    ["multiSteps(adam, 2)", () => optim.multiSteps(optim.adam(1e-2), 2)],
  ])("%s: jitted steps (float64) equal eager steps", (_name, make) => {
    const { params, x, y, loss } = setup("float64");
    const opt = make();
    const step = makeStep(opt, loss);
    const jitted = jit(step);
    let pe = params;
    let se = opt.init(params);
    let pj = params;
    let sj = opt.init(params);
    for (let i = 0; i < 4; i++) {
      [pe, se] = step(pe, se, x, y);
      [pj, sj] = jitted(pj, sj, x, y);
    }
    expectClose(pj, pe, 1e-12);
    expectClose(sj, se, 1e-12);
    expect(jitted.cacheInfo().misses).toBe(1);
    expect(jitted.cacheInfo().hits).toBe(3);
  });
});

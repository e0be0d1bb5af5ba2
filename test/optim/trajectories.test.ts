/**
 * @file Optimizer trajectories against float64 references written from the published update
 * equations (`reference.ts`, plain JS, independent of Tessera): several steps on a quadratic and
 * on a 2-3-1 tanh MLP whose gradients come from `valueAndGrad`.
 */
import { describe, expect, test } from "vitest";

import { np, optim, tree, valueAndGrad, type Array } from "../../src/index.js";
import {
  mlp,
  quad,
  refAdadelta,
  refAdagrad,
  refAdam,
  refAdamax,
  refClipByGlobalNorm,
  refLamb,
  refLion,
  refMultiSteps,
  refRmsprop,
  refSgd,
  refTrajectory,
  type Leaves,
  type RefStep,
} from "./reference.js";

type DT = "float32" | "float64";
type P = Record<string, Array>;

const toLeaves = (p: P): Leaves => tree.leaves(p).map((l) => globalThis.Array.from(l.dataSync() as Float64Array));

/** The quadratic with np: params { a: [3], b: [2, 2] }. */
function quadProblem(dtype: DT) {
  const arr = (v: number[], shape: number[]) => np.array(v, { dtype }).reshape(shape);
  const params: P = { a: arr(quad.x0[0]!, [3]), b: arr(quad.x0[1]!, [2, 2]) };
  const k = { a: arr(quad.k[0]!, [3]), b: arr(quad.k[1]!, [2, 2]) };
  const c = { a: arr(quad.c[0]!, [3]), b: arr(quad.c[1]!, [2, 2]) };
  const loss = (p: P) =>
    p.a!.sub(c.a).square().mul(k.a).sum().add(p.b!.sub(c.b).square().mul(k.b).sum()).mul(0.5);
  return { params, loss, refGrad: quad.grad, refLoss: quad.loss };
}

/** The MLP with np: params { b1: [3], b2: [1], w1: [2, 3], w2: [3, 1] }. */
function mlpProblem(dtype: DT) {
  const [b1, b2, w1, w2] = mlp.p0;
  const params: P = {
    b1: np.array(b1!, { dtype }),
    b2: np.array(b2!, { dtype }),
    w1: np.array(w1!, { dtype }).reshape([2, 3]),
    w2: np.array(w2!, { dtype }).reshape([3, 1]),
  };
  const x = np.array(mlp.x, { dtype });
  const y = np.array(mlp.y, { dtype }).reshape([4, 1]);
  const loss = (p: P) => {
    const h = np.tanh(x.matmul(p.w1!).add(p.b1!));
    return h.matmul(p.w2!).add(p.b2!).sub(y).square().mean();
  };
  return { params, loss, refGrad: mlp.grad, refLoss: mlp.loss };
}

/** Run the library optimizer for `steps` steps, returning every iterate as leaves. */
function libTrajectory(opt: optim.GradientTransformation<any>, loss: (p: P) => Array, params: P, steps: number): Leaves[] {
  const out: Leaves[] = [toLeaves(params)];
  let p = params;
  let state = opt.init(p);
  const vg = valueAndGrad(loss);
  for (let s = 0; s < steps; s++) {
    const [, g] = vg(p);
    const [u, next] = opt.update(g, state, p);
    p = optim.applyUpdates(p, u);
    state = next;
    out.push(toLeaves(p));
  }
  return out;
}

function maxAbsDiff(a: Leaves[], b: Leaves[]): number {
  let m = 0;
  a.forEach((it, s) => it.forEach((l, i) => l.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[s]![i]![j]!))))));
  return m;
}

const cosine = (init: number, steps: number) => (t: number) => init * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, steps)) / steps));

interface Case {
  name: string;
  lib: () => optim.GradientTransformation<any>;
  ref: () => RefStep;
}

const cases: Case[] = [
  { name: "sgd", lib: () => optim.sgd(0.1), ref: () => refSgd(0.1) },
  { name: "sgd with momentum", lib: () => optim.sgd(0.05, { momentum: 0.9 }), ref: () => refSgd(0.05, 0.9) },
  { name: "sgd with Nesterov momentum", lib: () => optim.sgd(0.05, { momentum: 0.9, nesterov: true }), ref: () => refSgd(0.05, 0.9, true) },
  { name: "adam", lib: () => optim.adam(0.05), ref: () => refAdam(0.05) },
  {
    name: "adam with b1, b2, eps, epsRoot",
    lib: () => optim.adam(0.05, { b1: 0.8, b2: 0.99, eps: 1e-6, epsRoot: 1e-8 }),
    ref: () => refAdam(0.05, { b1: 0.8, b2: 0.99, eps: 1e-6, epsRoot: 1e-8 }),
  },
  { name: "adamw", lib: () => optim.adamw(0.05, { weightDecay: 0.1 }), ref: () => refAdam(0.05, { weightDecay: 0.1 }) },
  { name: "nadam", lib: () => optim.nadam(0.05), ref: () => refAdam(0.05, { nesterov: true }) },
  { name: "adamax", lib: () => optim.adamax(0.05), ref: () => refAdamax(0.05) },
  { name: "rmsprop", lib: () => optim.rmsprop(0.01), ref: () => refRmsprop(0.01) },
  {
    name: "rmsprop centered with momentum",
    lib: () => optim.rmsprop(0.01, { centered: true, momentum: 0.9, initialScale: 0.1 }),
    ref: () => refRmsprop(0.01, { centered: true, momentum: 0.9, initialScale: 0.1 }),
  },
  { name: "adagrad", lib: () => optim.adagrad(0.1), ref: () => refAdagrad(0.1) },
  { name: "adadelta", lib: () => optim.adadelta(1, { weightDecay: 0.01 }), ref: () => refAdadelta(1, 0.9, 1e-6, 0.01) },
  { name: "lion", lib: () => optim.lion(0.01), ref: () => refLion(0.01) },
  { name: "lamb", lib: () => optim.lamb(0.01, { weightDecay: 0.01 }), ref: () => refLamb(0.01, 0.9, 0.999, 1e-6, 0.01) },
  {
    name: "clipByGlobalNorm then sgd",
    lib: () => optim.chain(optim.clipByGlobalNorm(0.5), optim.sgd(0.1)),
    ref: () => refClipByGlobalNorm(0.5, refSgd(0.1)),
  },
  {
    name: "adam with a cosine-decay schedule",
    lib: () => optim.adam(optim.cosineDecaySchedule(0.05, 4)),
    ref: () => refAdam(cosine(0.05, 4)),
  },
  { name: "multiSteps(adam, 2)", lib: () => optim.multiSteps(optim.adam(0.05), 2), ref: () => refMultiSteps(2, refAdam(0.05)) },
];

const STEPS = 6;

describe("optim trajectories match float64 references (6 steps)", () => {
  for (const problem of [
    { name: "quadratic", make: quadProblem },
    { name: "2-3-1 tanh MLP", make: mlpProblem },
  ]) {
    describe(problem.name, () => {
      test.each(cases)("$name", ({ lib, ref }) => {
        const pr = problem.make("float64");
        const got = libTrajectory(lib(), pr.loss, pr.params, STEPS);
        const want = refTrajectory(ref(), pr.refGrad, toLeaves(pr.params), STEPS);
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-10);
        // The parameters did move.
        expect(maxAbsDiff([got[STEPS]!], [got[0]!])).toBeGreaterThan(1e-4);
      });
    });
  }

  test("the library's loss and gradients agree with the hand-written ones (sanity check of the problems)", () => {
    for (const make of [quadProblem, mlpProblem]) {
      const pr = make("float64");
      const [l, g] = valueAndGrad(pr.loss)(pr.params);
      const x = toLeaves(pr.params);
      expect(Math.abs((l.item() as number) - pr.refLoss(x))).toBeLessThan(1e-14);
      expect(maxAbsDiff([toLeaves(g)], [pr.refGrad(x)])).toBeLessThan(1e-14);
    }
  });

  test.each([
    { name: "adam", lib: () => optim.adam(0.05), ref: () => refAdam(0.05) },
    { name: "sgd with momentum", lib: () => optim.sgd(0.05, { momentum: 0.9 }), ref: () => refSgd(0.05, 0.9) },
    { name: "rmsprop", lib: () => optim.rmsprop(0.01), ref: () => refRmsprop(0.01) },
  ])("float32 $name on the MLP stays within 1e-5 of the float64 reference", ({ lib, ref }) => {
    const pr = mlpProblem("float32");
    const got = libTrajectory(lib(), pr.loss, pr.params, STEPS);
    const want = refTrajectory(ref(), pr.refGrad, toLeaves(pr.params), STEPS);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    expect(tree.leaves(pr.params).every((l) => l.dtype === "float32")).toBe(true);
  });

  test("optimizers decrease the MLP loss over 30 steps", () => {
    for (const opt of [optim.sgd(0.1, { momentum: 0.9 }), optim.adam(0.02), optim.lamb(0.02), optim.adagrad(0.2), optim.rmsprop(0.01)]) {
      const pr = mlpProblem("float64");
      const traj = libTrajectory(opt, pr.loss, pr.params, 30);
      expect(pr.refLoss(traj[30]!)).toBeLessThan(pr.refLoss(traj[0]!) * 0.8);
    }
  });
});

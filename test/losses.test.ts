/**
 * @file losses: values at hand-worked points (Keras documentation examples and formulas worked
 * here), extremes (confident wrong predictions give finite losses), reductions, errors, and
 * checkGrads properties (fast-check, float64, order 2 where smooth, away from kinks).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Array } from "../src/core/array.js";
import * as losses from "../src/losses.js";
import * as nn from "../src/nn/index.js";
import * as np from "../src/numpy/index.js";
import { arrays, checkGrads, shapes } from "../src/testing/index.js";
import { grad } from "../src/transforms/autodiff.js";
import { jit } from "../src/transforms/jit.js";
import { expectArray } from "./helpers/allclose.js";

const a64 = (v: unknown) => np.array(v as number[], { dtype: "float64" });
const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const num = (x: Array) => x.item() as number;

describe("losses: hand-worked values", () => {
  test("meanSquaredError / meanAbsoluteError: mean over the last axis, then the batch", () => {
    const p = a64([[1, 2], [3, 5]]);
    const t = a64([[1, 4], [0, 5]]);
    expectArray(losses.meanSquaredError(p, t, { reduction: "none" }), [2, 4.5]);
    expect(num(losses.meanSquaredError(p, t))).toBeCloseTo(3.25, 12);
    expect(num(losses.meanSquaredError(p, t, { reduction: "sum" }))).toBeCloseTo(6.5, 12);
    expectArray(losses.meanAbsoluteError(p, t, { reduction: "none" }), [1, 1.5]);
    // rank 1: a batch of scalars
    expectArray(losses.meanSquaredError(a64([1, 2]), a64([0, 0]), { reduction: "none" }), [1, 4]);
  });

  test("huber: quadratic inside delta, linear outside", () => {
    expectArray(losses.huber(a64([0, 3, -0.5]), a64([0.5, 0, 0]), { reduction: "none" }), [0.125, 2.5, 0.125]);
    expectArray(losses.huber(a64([3]), a64([0]), { delta: 2, reduction: "none" }), [2 * (3 - 1)]);
  });

  test("binaryCrossentropy (probabilities, Keras clipping) and from logits", () => {
    // Keras docs: y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]] → 0.815
    const bce = losses.binaryCrossentropy(a64([[0.6, 0.4], [0.4, 0.6]]), a64([[0, 1], [0, 0]]));
    expect(num(bce)).toBeCloseTo((-Math.log(0.4) - Math.log(0.4) - Math.log(0.6) - Math.log(0.4)) / 4, 10);
    // confident and wrong: clipped to ε = 1e-7 → −log(1e-7), finite
    expect(num(losses.binaryCrossentropy(a64([0]), a64([1])))).toBeCloseTo(-Math.log(1e-7), 6);
    expect(num(losses.binaryCrossentropy(a64([1]), a64([0])))).toBeCloseTo(-Math.log(1e-7), 6);
    expect(Number.isFinite(num(losses.binaryCrossentropy(np.array([1, 0]), np.array([0, 1]))))).toBe(true);
    // fromLogits delegates to the stable form
    expect(num(losses.binaryCrossentropy(a64([0]), a64([1]), { fromLogits: true }))).toBeCloseTo(Math.LN2, 12);
  });

  test("sigmoidBinaryCrossEntropy is stable for huge logits", () => {
    expectArray(losses.sigmoidBinaryCrossEntropy(np.array([1000, -1000, 1000, 0]), np.array([0, 1, 1, 1]), { reduction: "none" }), [1000, 1000, 0, Math.LN2]);
    const g = grad((x: Array) => losses.sigmoidBinaryCrossEntropy(x, np.array([0, 1]), { reduction: "sum" }))(np.array([1000, -1000]));
    expectArray(g, [1, -1]);
  });

  test("categoricalCrossentropy (probabilities + one-hot)", () => {
    // Keras docs example → 1.177
    const p = a64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);
    const t = a64([[0, 1, 0], [0, 0, 1]]);
    expect(num(losses.categoricalCrossentropy(p, t))).toBeCloseTo((-Math.log(0.95) - Math.log(0.1)) / 2, 10);
    // unnormalized predictions are renormalized first
    expect(num(losses.categoricalCrossentropy(a64([[1, 3]]), a64([[0, 1]])))).toBeCloseTo(-Math.log(0.75), 12);
    // confident wrong prediction: finite
    expect(num(losses.categoricalCrossentropy(a64([[1, 0]]), a64([[0, 1]])))).toBeCloseTo(-Math.log(1e-7), 6);
    expect(Number.isFinite(num(losses.categoricalCrossentropy(np.array([[1, 0, 0]]), np.array([[0, 0, 1]]))))).toBe(true);
  });

  test("softmaxCrossEntropy and the integer-label form agree; huge logits stay finite", () => {
    const logits = a64([[1, 2, 3], [0, 1000, 0]]);
    const want = [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, 1000];
    expectArray(losses.softmaxCrossEntropy(logits, a64([[1, 0, 0], [1, 0, 0]])), (want[0]! + want[1]!) / 2, { rtol: 1e-12 });
    expectArray(losses.softmaxCrossEntropyWithIntegerLabels(logits, i32([0, 0]), { reduction: "none" }), want, { rtol: 1e-12 });
    expectArray(losses.softmaxCrossEntropy(np.array([[0, 1000]]), np.array([[1, 0]])), 1000);
    // soft labels
    const soft = losses.softmaxCrossEntropy(a64([[0, 0]]), a64([[0.3, 0.7]]));
    expect(num(soft)).toBeCloseTo(Math.LN2, 12);
    // gradient is softmax − labels
    const g = grad((x: Array) => losses.softmaxCrossEntropy(x, a64([[0, 1, 0]]), { reduction: "sum" }))(a64([[1, 2, 3]]));
    expectArray(g, nn.softmax(a64([[1, 2, 3]])).sub(a64([[0, 1, 0]])).tolist(), { rtol: 1e-12 });
  });

  test("klDivergence, hinge, cosineSimilarity (Keras documentation examples)", () => {
    const p = a64([[0.6, 0.4], [0.4, 0.6]]);
    const t = a64([[0, 1], [0, 0]]);
    expect(num(losses.klDivergence(p, t))).toBeCloseTo(0.458, 3);
    expect(num(losses.hinge(p, t))).toBeCloseTo(1.3, 12);
    expect(num(losses.hinge(a64([0.3, -2]), a64([1, -1])))).toBeCloseTo(0.35, 12);
    expect(num(losses.cosineSimilarity(a64([[1, 0], [1, 1]]), a64([[0, 1], [1, 1]])))).toBeCloseTo(-0.5, 12);
    expect(num(losses.cosineSimilarity(a64([[0, 0]]), a64([[1, 1]])))).toBe(0);
  });
});

describe("losses: reductions and errors", () => {
  test("reduction none/sum/mean relate as expected", () => {
    const p = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]);
    const t = np.array([[0, 1], [1, 0], [1, 0]]);
    for (const f of [losses.categoricalCrossentropy, losses.meanSquaredError, losses.binaryCrossentropy, losses.klDivergence, losses.hinge]) {
      const none = f(p, t, { reduction: "none" });
      expect(none.shape).toEqual([3]);
      expect(num(f(p, t, { reduction: "sum" }))).toBeCloseTo(num(none.sum()), 5);
      expect(num(f(p, t))).toBeCloseTo(num(none.mean()), 5);
    }
  });
  test("errors name the loss and the shapes", () => {
    expect(() => losses.meanSquaredError(np.ones([2, 3]), np.ones([2, 2]))).toThrow(/losses.meanSquaredError: predictions and targets must have the same shape, got \[2, 3\] and \[2, 2\]/);
    expect(() => losses.meanSquaredError(np.ones([2]), np.ones([2]), { reduction: "avg" as never })).toThrow(/reduction must be "mean", "sum" or "none", got "avg"/);
    expect(() => losses.softmaxCrossEntropyWithIntegerLabels(np.ones([2, 3]), np.ones([2]))).toThrow(/labels must be int32 or uint32, got float32/);
    expect(() => losses.softmaxCrossEntropyWithIntegerLabels(np.ones([2, 3]), i32([0, 1, 2]))).toThrow(/need labels \[2\], got \[3\]/);
  });
  test("jit(loss) equals eager", () => {
    const x = np.array([[0.5, -1, 2], [3, 0, 0]]);
    const l = i32([2, 0]);
    expect(num(jit(losses.softmaxCrossEntropyWithIntegerLabels)(x, l))).toBeCloseTo(num(losses.softmaxCrossEntropyWithIntegerLabels(x, l)), 6);
  });
});

describe("losses: checkGrads properties (float64, with respect to the predictions)", () => {
  const shape = shapes({ minRank: 1, maxRank: 2, minSide: 2, maxSide: 4 });
  const withTargets = (predArb: fc.Arbitrary<Array>, targetOf: (p: Array) => fc.Arbitrary<Array>) => predArb.chain((p) => targetOf(p).map((t) => [p, t] as const));
  const same = (opts: Parameters<typeof arrays>[0]) => (p: Array) => arrays({ ...opts, shape: [...p.shape] });
  const probs = (p: Array) => arrays({ shape: [...p.shape], min: 0, max: 1 });
  const cases: [string, (p: Array, t: Array) => Array, fc.Arbitrary<readonly [Array, Array]>, number][] = [
    ["meanSquaredError", losses.meanSquaredError, withTargets(arrays({ shape }), same({})), 2],
    // |p − t| has a kink at p = t: targets are 0 and predictions avoid 0
    ["meanAbsoluteError", losses.meanAbsoluteError, withTargets(arrays({ shape, avoid: [0], margin: 0.1 }), same({ min: 0, max: 0 })), 2],
    ["huber", (p, t) => losses.huber(p, t, { delta: 1 }), withTargets(arrays({ shape, avoid: [-1, 1], margin: 0.1 }), same({ min: 0, max: 0 })), 2],
    ["binaryCrossentropy", losses.binaryCrossentropy, withTargets(arrays({ shape, min: 0.1, max: 0.9 }), probs), 2],
    ["sigmoidBinaryCrossEntropy", losses.sigmoidBinaryCrossEntropy, withTargets(arrays({ shape, min: -5, max: 5 }), probs), 2],
    ["categoricalCrossentropy", losses.categoricalCrossentropy, withTargets(arrays({ shape, min: 0.2, max: 1 }), probs), 2],
    ["softmaxCrossEntropy", losses.softmaxCrossEntropy, withTargets(arrays({ shape, min: -5, max: 5 }), probs), 2],
    // predictions stay inside the clipping range [1e-7, 1] with a margin, and away from 0 where the
    // third derivative (2t/p³) would swamp finite differences
    ["klDivergence", losses.klDivergence, withTargets(arrays({ shape, min: 0.2, max: 0.95 }), (p) => arrays({ shape: [...p.shape], min: 0.05, max: 1 })), 2],
    // kink where t·p = 1: targets ±1 and predictions away from ±1
    ["hinge", losses.hinge, withTargets(arrays({ shape, avoid: [-1, 1], margin: 0.1 }), (p) => arrays({ shape: [...p.shape], dtype: "int32", min: 0, max: 1 }).map((b) => b.astype("float64").mul(2).sub(1))), 2],
    ["cosineSimilarity", losses.cosineSimilarity, withTargets(arrays({ shape, avoid: [0], margin: 0.3 }), same({})), 2],
  ];
  test.each(cases)("%s", (_name, f, arb, order) => {
    fc.assert(
      fc.property(arb, ([p, t]) => {
        checkGrads((x: Array) => f(x, t), [p], { order, atol: 1e-5, rtol: 1e-4 });
      }),
      { numRuns: 12 },
    );
  });
  test("softmaxCrossEntropyWithIntegerLabels", () => {
    fc.assert(
      fc.property(arrays({ shape: [3, 4], min: -5, max: 5 }), arrays({ shape: [3], dtype: "int32", min: 0, max: 3 }), (x, l) => {
        checkGrads((v: Array) => losses.softmaxCrossEntropyWithIntegerLabels(v, l), [x], { order: 2 });
      }),
      { numRuns: 12 },
    );
  });
});

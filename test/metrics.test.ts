/**
 * @file metrics: values at hand-worked points (scikit-learn documentation examples), the accepted
 * prediction/target forms, zero-division conventions, errors, and jit equivalence.
 */
import { describe, expect, test } from "vitest";
import * as metrics from "../src/metrics.js";
import * as np from "../src/numpy/index.js";
import { jit } from "../src/transforms/jit.js";
import { expectArray } from "./helpers/allclose.js";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const num = (x: { item(): number | boolean }) => x.item() as number;

describe("metrics.accuracy", () => {
  test("scores with integer labels (logits or probabilities)", () => {
    const probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    expect(num(metrics.accuracy(probs, i32([1, 1, 1])))).toBeCloseTo(2 / 3, 6);
    expect(num(metrics.accuracy(np.array([[-3, 5], [2, -1], [0, 1]]), i32([1, 1, 1])))).toBeCloseTo(2 / 3, 6);
  });
  test("scores with one-hot targets; integer predictions", () => {
    expect(num(metrics.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([[0, 1], [0, 1]])))).toBe(0.5);
    expect(num(metrics.accuracy(i32([0, 2, 1, 1]), i32([0, 2, 2, 1])))).toBe(0.75);
  });
  test("binary: probabilities at 0.5, logits with threshold 0, [n, 1] predictions", () => {
    expect(num(metrics.accuracy(np.array([0.7, 0.2, 0.6]), np.array([1, 0, 0])))).toBeCloseTo(2 / 3, 6);
    expect(num(metrics.accuracy(np.array([2, -1, 0.3]), np.array([1, 0, 0]), { threshold: 0 }))).toBeCloseTo(2 / 3, 6);
    expect(num(metrics.accuracy(np.array([[0.7], [0.2]]), np.array([1, 0])))).toBe(1);
  });
  test("mismatched shapes give a clear error", () => {
    expect(() => metrics.accuracy(np.ones([4, 3]), i32([1, 2]))).toThrow(/metrics.accuracy: cannot pair predictions \[4, 3\] with targets \[2\]/);
  });
  test("jit(accuracy) equals eager", () => {
    const p = np.array([[0.1, 0.9], [0.8, 0.2]]);
    const t = i32([1, 1]);
    expect(num(jit(metrics.accuracy)(p, t))).toBe(num(metrics.accuracy(p, t)));
  });
});

describe("metrics.topKAccuracy", () => {
  test("target among the k best; k = 1 is accuracy; one-hot targets", () => {
    const p = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25]]);
    const t = i32([1, 0, 2]);
    expect(num(metrics.topKAccuracy(p, t, 1))).toBe(0);
    expect(num(metrics.topKAccuracy(p, t, 2))).toBeCloseTo(1 / 3, 6);
    expect(num(metrics.topKAccuracy(p, t, 3))).toBe(1);
    expect(num(metrics.topKAccuracy(p, np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]]), 2))).toBeCloseTo(1 / 3, 6);
    expect(num(metrics.topKAccuracy(p, i32([0, 2, 0]), 1))).toBe(num(metrics.accuracy(p, i32([0, 2, 0]))));
  });
});

describe("metrics.confusionMatrix", () => {
  test("rows are true classes, columns predicted (scikit-learn example)", () => {
    const yTrue = i32([2, 0, 2, 2, 0, 1]);
    const yPred = i32([0, 0, 2, 2, 0, 2]);
    expectArray(metrics.confusionMatrix(yPred, yTrue), [[2, 0, 0], [0, 0, 1], [1, 0, 2]], { dtype: "int32" });
    expectArray(metrics.confusionMatrix(yPred, yTrue, { numClasses: 4 }).slice(3), [0, 0, 0, 0]);
  });
  test("from scores (class count from the class axis) and binary probabilities", () => {
    expectArray(metrics.confusionMatrix(np.array([[0.9, 0.1, 0], [0.2, 0.3, 0.5]]), i32([0, 1])), [[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
    expectArray(metrics.confusionMatrix(np.array([0.9, 0.2, 0.6, 0.1]), np.array([1, 0, 0, 1])), [[1, 1], [1, 1]]);
  });
});

describe("metrics.precision / recall / f1", () => {
  // scikit-learn's documentation example
  const yTrue = i32([0, 1, 2, 0, 1, 2]);
  const yPred = i32([0, 2, 1, 0, 0, 1]);
  test("macro, micro and per class", () => {
    expect(num(metrics.precision(yPred, yTrue, { average: "macro" }))).toBeCloseTo(2 / 9, 6);
    expect(num(metrics.precision(yPred, yTrue, { average: "micro" }))).toBeCloseTo(1 / 3, 6);
    expectArray(metrics.precision(yPred, yTrue, { average: "none" }), [2 / 3, 0, 0]);
    expect(num(metrics.recall(yPred, yTrue))).toBeCloseTo(1 / 3, 6);
    expectArray(metrics.recall(yPred, yTrue, { average: "none" }), [1, 0, 0]);
    expect(num(metrics.f1(yPred, yTrue, { average: "macro" }))).toBeCloseTo(0.26666666, 6);
    expect(num(metrics.f1(yPred, yTrue, { average: "micro" }))).toBeCloseTo(1 / 3, 6);
    expectArray(metrics.f1(yPred, yTrue, { average: "none" }), [0.8, 0, 0]);
  });
  test("binary inputs default to the positive class", () => {
    const p = np.array([0.9, 0.8, 0.1, 0.3, 0.7]);
    const t = np.array([1, 0, 0, 1, 1]);
    // predicted positive: 0, 1, 4 → tp 2, fp 1; fn 1 (index 3)
    expect(num(metrics.precision(p, t))).toBeCloseTo(2 / 3, 6);
    expect(num(metrics.recall(p, t))).toBeCloseTo(2 / 3, 6);
    expect(num(metrics.f1(p, t))).toBeCloseTo(2 / 3, 6);
  });
  test("zero division gives 0; average binary needs two classes", () => {
    expect(num(metrics.precision(np.array([0.1, 0.2]), np.array([1, 0])))).toBe(0);
    expect(num(metrics.recall(np.array([0.9, 0.2]), np.array([0, 0])))).toBe(0);
    expect(() => metrics.f1(yPred, yTrue, { average: "binary" })).toThrow(/average "binary" needs two classes, got 3/);
  });
});

describe("regression metrics", () => {
  test("meanAbsoluteError, meanSquaredError", () => {
    expect(num(metrics.meanAbsoluteError(np.array([1, 2]), np.array([2, 4])))).toBe(1.5);
    expect(num(metrics.meanSquaredError(np.array([1, 2]), np.array([2, 4])))).toBe(2.5);
  });
  test("r2: scikit-learn examples, multi-output average, constant targets", () => {
    const f64 = { dtype: "float64" as const };
    expect(num(metrics.r2(np.array([2.5, 0, 2, 8], f64), np.array([3, -0.5, 2, 7], f64)))).toBeCloseTo(0.9486081370449679, 12);
    expect(num(metrics.r2(np.array([[0, 2], [-1, 2], [8, -5]], f64), np.array([[0.5, 1], [-1, 1], [7, -6]], f64)))).toBeCloseTo(0.9368005266622779, 12);
    expect(num(metrics.r2(np.array([2, 2]), np.array([2, 2])))).toBe(1);
    expect(num(metrics.r2(np.array([1, 2]), np.array([2, 2])))).toBe(0);
    expect(() => metrics.r2(np.ones([2]), np.ones([3]))).toThrow(/metrics.r2: predictions and targets must have the same shape/);
  });
});

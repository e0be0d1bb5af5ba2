/**
 * @file nn activations: hand-worked values (including extremes that overflow naive formulas),
 * derivatives against finite differences (fast-check + checkGrads in float64, order 2 away from
 * kinks), JAX's derivative conventions at kinks, and jit/vmap equivalence.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as nn from "../../src/nn/index.js";
import * as np from "../../src/numpy/index.js";
import { arrays, checkGrads, shapes } from "../../src/testing/index.js";
import { grad } from "../../src/transforms/autodiff.js";
import { jit } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import { expectArray } from "../helpers/allclose.js";

const f64 = (v: number[] | number[][]) => np.array(v, { dtype: "float64" });

describe("nn activations: values at hand-worked points", () => {
  const x = [-1000, -2, 0, 2, 1000];
  const cases: [string, (a: Array) => Array, number[]][] = [
    ["relu", nn.relu, [0, 0, 0, 2, 1000]],
    ["relu6", nn.relu6, [0, 0, 0, 2, 6]],
    ["leakyRelu", (a) => nn.leakyRelu(a), [-10, -0.02, 0, 2, 1000]],
    ["elu", (a) => nn.elu(a), [-1, Math.expm1(-2), 0, 2, 1000]],
    ["selu", nn.selu, [-1.7580993408473766, 1.0507009873554805 * 1.6732632423543772 * Math.expm1(-2), 0, 2.101401974710961, 1050.7009873554805]],
    ["celu", (a) => nn.celu(a, 2), [-2, 2 * Math.expm1(-1), 0, 2, 1000]],
    ["sigmoid", nn.sigmoid, [0, 1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-2)), 1]],
    ["logSigmoid", nn.logSigmoid, [-1000, -Math.log1p(Math.exp(2)), -Math.LN2, -Math.log1p(Math.exp(-2)), 0]],
    ["softplus", nn.softplus, [0, Math.log1p(Math.exp(-2)), Math.LN2, 2 + Math.log1p(Math.exp(-2)), 1000]],
    ["silu", nn.silu, [0, -2 / (1 + Math.exp(2)), 0, 2 / (1 + Math.exp(-2)), 1000]],
    ["hardSigmoid", nn.hardSigmoid, [0, 1 / 6, 0.5, 5 / 6, 1]],
    ["hardSilu", nn.hardSilu, [0, -2 / 6, 0, 10 / 6, 1000]],
    ["hardTanh", nn.hardTanh, [-1, -1, 0, 1, 1]],
    ["softsign", nn.softsign, [-1000 / 1001, -2 / 3, 0, 2 / 3, 1000 / 1001]],
    ["tanh", nn.tanh, [-1, Math.tanh(-2), 0, Math.tanh(2), 1]],
  ];
  test.each(cases)("%s", (_name, f, want) => {
    expectArray(f(f64(x)), want, { rtol: 1e-12, atol: 1e-12 });
    // float32 gives finite values too
    const y32 = f(np.array(x)).tolist() as number[];
    expect(y32.every(Number.isFinite)).toBe(true);
  });

  test("gelu: tanh approximation by default, exact with approximate: false", () => {
    const g = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    expectArray(nn.gelu(f64([-3, -1, 0, 1, 3])), [-3, -1, 0, 1, 3].map(g), { rtol: 1e-12, atol: 1e-12 });
    // x Φ(x): Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707
    expectArray(nn.gelu(f64([-1, 0, 1]), { approximate: false }), [-0.15865525393145707, 0, 0.8413447460685429], { rtol: 1e-6, atol: 1e-7 });
    expectArray(nn.gelu(np.array([1000, -1000])), [1000, 0]);
  });

  test("softmax([1000, 1000]) = [0.5, 0.5] and log-softmax stays finite", () => {
    expectArray(nn.softmax(np.array([1000, 1000])), [0.5, 0.5]);
    expectArray(nn.softmax(np.array([-1000, 0, 1000])), [0, 0, 1]);
    expectArray(nn.logSoftmax(np.array([0, 1000])), [-1000, 0]);
    expectArray(nn.softmax(f64([[1, 2, 3]])), [[0.09003057317038046, 0.24472847105479764, 0.6652409557748219]], { rtol: 1e-12 });
    expectArray(nn.softmax(f64([[1, 2], [3, 5]]), 0), [[0.11920292202211755, 0.04742587317756678], [0.8807970779778823, 0.9525741268224334]], { rtol: 1e-12 });
    expectArray(nn.logsumexp(np.array([1000, 1000])), 1000 + Math.LN2, { rtol: 1e-6 });
  });

  test("oneHot: classes on the last axis (or another), out-of-range labels give zeros", () => {
    expectArray(nn.oneHot(np.array([0, 2, 3, -1], { dtype: "int32" }), 3), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], { dtype: "float32" });
    expectArray(nn.oneHot(np.array([1, 0], { dtype: "int32" }), 2, { axis: 0, dtype: "int32" }), [[0, 1], [1, 0]], { dtype: "int32" });
  });

  test("standardize: zero mean, unit variance along the axis", () => {
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    expectArray(nn.standardize(f64([1, 2, 3])), [-s, 0, s], { rtol: 1e-12 });
    const y = nn.standardize(f64([[1, 5, 9, 2], [3, 3, 4, 0]]));
    expectArray(y.mean(-1), [0, 0], { atol: 1e-12 });
    expectArray(y.var(-1), [1, 1], { rtol: 1e-4 });
  });

  test("getActivation resolves names and rejects unknown ones with the valid list", () => {
    expectArray(nn.getActivation("relu")(np.array([-1, 1])), [0, 1]);
    expect(() => nn.getActivation("rleu" as never)).toThrow(/unknown activation "rleu"; valid names: .*relu/);
  });
});

describe("nn activations: derivative conventions at kinks (as JAX)", () => {
  test("relu'(0) = 0, relu6'(0) = relu6'(6) = 0", () => {
    expectArray(grad((x: Array) => nn.relu(x).sum())(f64([-1, 0, 1])), [0, 0, 1]);
    expectArray(grad((x: Array) => nn.relu6(x).sum())(f64([0, 3, 6, 7])), [0, 1, 0, 0]);
  });
  test("gradients stay finite at extreme inputs", () => {
    for (const f of [nn.softplus, nn.logSigmoid, nn.sigmoid, nn.elu, nn.selu, nn.silu, (a: Array) => nn.gelu(a)]) {
      const g = grad((x: Array) => (f as (a: Array) => Array)(x).sum())(np.array([-1000, 1000])).tolist() as number[];
      expect(g.every(Number.isFinite)).toBe(true);
    }
    const gs = grad((x: Array) => nn.logSoftmax(x).slice(0))(np.array([0, 1000])).tolist() as number[];
    expect(gs).toEqual([1, -1]);
  });
});

describe("nn activations: checkGrads properties (float64, fwd + rev)", () => {
  const elementwise: [string, (a: Array) => Array, number[], number, [number, number]?][] = [
    ["relu", nn.relu, [0], 2],
    ["relu6", nn.relu6, [0, 6], 2, [-3, 8]],
    ["leakyRelu", (a) => nn.leakyRelu(a, 0.1), [0], 2],
    ["elu", (a) => nn.elu(a, 1.5), [0], 2],
    ["selu", nn.selu, [0], 2],
    ["celu", (a) => nn.celu(a, 0.7), [0], 2],
    ["gelu (tanh)", (a) => nn.gelu(a), [], 2],
    ["gelu (exact)", (a) => nn.gelu(a, { approximate: false }), [], 2],
    ["silu", nn.silu, [], 2],
    ["sigmoid", nn.sigmoid, [], 2],
    ["logSigmoid", nn.logSigmoid, [], 2],
    ["hardSigmoid", nn.hardSigmoid, [-3, 3], 2, [-5, 5]],
    ["hardSilu", nn.hardSilu, [-3, 3], 2, [-5, 5]],
    ["hardTanh", nn.hardTanh, [-1, 1], 2],
    ["softplus", nn.softplus, [], 2, [-20, 20]],
    ["softsign", nn.softsign, [0], 2],
    ["tanh", nn.tanh, [], 2],
  ];
  test.each(elementwise)("%s", (_name, f, avoid, order, range = [-4, 4]) => {
    fc.assert(
      fc.property(arrays({ shape: shapes({ minRank: 0, maxRank: 2 }), min: range[0], max: range[1], avoid, margin: 0.05 }), (x) => {
        checkGrads(f, [x], { order });
      }),
      { numRuns: 15 },
    );
  });

  const vectorShapes = shapes({ minRank: 1, maxRank: 2, minSide: 2 });
  const vector: [string, (a: Array) => Array][] = [
    ["softmax", (a) => nn.softmax(a)],
    ["softmax axis 0", (a) => nn.softmax(a, 0)],
    ["logSoftmax", (a) => nn.logSoftmax(a)],
    ["logsumexp", (a) => nn.logsumexp(a, -1)],
    ["standardize", (a) => nn.standardize(a)],
  ];
  test.each(vector)("%s", (_name, f) => {
    fc.assert(
      fc.property(arrays({ shape: vectorShapes, min: -0.3, max: 0.3 }), (x0) => {
        // Spread the entries of each row (a constant row makes standardize's 1/sqrt(var + eps)
        // so curved that finite differences cannot resolve it).
        const n = x0.shape[x0.ndim - 1]!;
        const x = x0.add(np.arange(n).astype("float64"));
        checkGrads(f, [x], { order: 2, atol: 1e-4, rtol: 1e-4 });
      }),
      { numRuns: 15 },
    );
  });
});

describe("nn activations: jit and vmap agree with eager", () => {
  test("jit", () => {
    const x = np.array([[-2, 0.5, 3], [1000, -1000, 0]]);
    for (const f of [nn.relu, nn.gelu, nn.logSigmoid, (a: Array) => nn.softmax(a), (a: Array) => nn.logSoftmax(a)] as ((a: Array) => Array)[]) {
      expectArray(jit(f)(x), f(x).tolist(), { rtol: 1e-6 });
    }
  });
  test("vmap of softmax over rows equals softmax on the last axis", () => {
    const x = np.array([[1, 2, 3], [0, 0, 1000]]);
    expectArray(vmap((r: Array) => nn.softmax(r))(x), nn.softmax(x).tolist());
  });
});

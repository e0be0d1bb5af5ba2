/**
 * @file nn.sequential: init/apply shapes and the params layout (objects keyed by unique layer
 * names), state threading (batchNorm), per-layer keys (dropout), grad through a model, a few SGD
 * steps lowering the loss, jit(apply) equal to eager, vmap over examples, and a custom layer.
 */
import { describe, expect, test } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as tree from "../../src/core/tree.js";
import * as losses from "../../src/losses.js";
import * as nn from "../../src/nn/index.js";
import * as np from "../../src/numpy/index.js";
import * as random from "../../src/random/index.js";
import { checkGrads } from "../../src/testing/index.js";
import { grad, valueAndGrad } from "../../src/transforms/autodiff.js";
import { jit } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import { expectArray } from "../helpers/allclose.js";

const key = random.key(0);

describe("nn.sequential: init and apply", () => {
  test("the MNIST model: shapes, names, softmax rows", () => {
    const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
    const { params, state, outputShape } = model.init(key, [784]);
    expect(outputShape).toEqual([10]);
    expect(Object.keys(params)).toEqual(["dense", "dense_1"]);
    expect(model.names).toEqual(["dense", "dense_1"]);
    expect(params.dense.kernel.shape).toEqual([784, 128]);
    expect(params.dense_1.bias.shape).toEqual([10]);
    expect(state).toEqual({ dense: {}, dense_1: {} });
    const [y, s] = model.apply(params, state, random.uniform(key, [32, 784]));
    expect(y.shape).toEqual([32, 10]);
    expectArray(y.sum(-1), new globalThis.Array(32).fill(1), { rtol: 1e-5 });
    expect(s).toEqual({ dense: {}, dense_1: {} });
  });

  test("a CNN: conv → pool → batchNorm → dropout → flatten → dense; names deduplicated, user names kept", () => {
    const model = nn.sequential([
      nn.conv2d(8, 3, { padding: "SAME", activation: "relu" }),
      nn.maxPool(2),
      nn.conv2d(16, 3, { strides: 2 }),
      nn.batchNorm({ name: "bn" }),
      nn.dropout(0.25),
      nn.flatten(),
      nn.dense(10),
    ]);
    const { params, state, outputShape } = model.init(key, [28, 28, 1]);
    expect(model.names).toEqual(["conv2d", "maxPool", "conv2d_1", "bn", "dropout", "flatten", "dense"]);
    expect(outputShape).toEqual([10]);
    expect(params.dense.kernel.shape).toEqual([6 * 6 * 16, 10]);
    expect(Object.keys(state.bn)).toEqual(["mean", "var"]);
    const x = random.normal(key, [4, 28, 28, 1]);
    const [yTrain, newState] = model.apply(params, state, x, { train: true, key: random.key(1) });
    expect(yTrain.shape).toEqual([4, 10]);
    expect(newState.bn.mean.tolist()).not.toEqual(state.bn.mean.tolist());
    const [yEval, sameState] = model.apply(params, state, x);
    expect(yEval.shape).toEqual([4, 10]);
    expect(sameState.bn).toBe(state.bn);
  });

  test("different init keys give different params; each layer gets its own key", () => {
    const model = nn.sequential([nn.dense(4), nn.dense(4)]);
    const a = model.init(key, [4]).params;
    const b = model.init(random.key(1), [4]).params;
    expect(a.dense.kernel.tolist()).not.toEqual(b.dense.kernel.tolist());
    expect(a.dense.kernel.tolist()).not.toEqual(a.dense_1.kernel.tolist());
    const drop = nn.sequential([nn.dropout(0.5), nn.dropout(0.5)]);
    const [y] = drop.apply(drop.init(key, [1000]).params, {}, np.ones([1, 1000]), { train: true, key });
    // two independent masks: survival ≈ 1/4, survivors scaled by 4
    const kept = (y.dataSync() as Float32Array).filter((v) => v !== 0);
    expect(Math.abs(kept.length / 1000 - 0.25)).toBeLessThan(0.06);
    expect(kept.every((v) => v === 4)).toBe(true);
  });

  test("errors: empty model, missing params entry, dropout in training without a key", () => {
    expect(() => nn.sequential([])).toThrow(/sequential: expected a non-empty list of layers/);
    const model = nn.sequential([nn.dense(2), nn.dropout(0.5)]);
    const { params, state } = model.init(key, [3]);
    expect(() => model.apply({ dense: params.dense }, state, np.ones([1, 3]))).toThrow(/params has no entry "dropout"/);
    expect(() => model.apply(params, state, np.ones([1, 3]), { train: true })).toThrow(/dropout: needs a PRNG key/);
  });
});

describe("nn.sequential: transformations", () => {
  const model = nn.sequential([nn.dense(8, { activation: "tanh", dtype: "float64" }), nn.layerNorm({ dtype: "float64" }), nn.dense(3, { dtype: "float64" })]);
  const { params, state } = model.init(key, [5]);
  const x = random.normal(random.key(2), [6, 5], { dtype: "float64" });
  const labels = np.array([0, 1, 2, 0, 1, 2], { dtype: "int32" });
  const loss = (p: nn.SequentialTree, xb: Array, yb: Array) => losses.softmaxCrossEntropyWithIntegerLabels(model.apply(p, state, xb)[0], yb);

  test("grad through the model has the params' structure and matches finite differences", () => {
    const g = grad(loss)(params, x, labels);
    expect(tree.treedefToString(tree.structure(g))).toBe(tree.treedefToString(tree.structure(params)));
    checkGrads((p: nn.SequentialTree) => loss(p, x, labels), [params], { order: 1, atol: 1e-6, rtol: 1e-6 });
  });

  test("a few SGD steps lower the loss", () => {
    let p = params;
    const l0 = loss(p, x, labels).item() as number;
    const step = jit((pp: nn.SequentialTree) => {
      const [l, g] = valueAndGrad(loss)(pp, x, labels);
      return [l, tree.map((w: Array, gw: Array) => w.sub(gw.mul(0.5)), pp, g)];
    });
    for (let i = 0; i < 20; i++) p = step(p)[1] as nn.SequentialTree;
    expect(loss(p, x, labels).item() as number).toBeLessThan(l0 * 0.5);
  });

  test("jit(apply) equals eager; vmap over single examples equals the batched apply", () => {
    const eager = model.apply(params, state, x)[0];
    const jitted = jit((p: nn.SequentialTree, xb: Array) => model.apply(p, state, xb)[0]);
    expectArray(jitted(params, x), eager.tolist(), { rtol: 1e-12, atol: 1e-12 });
    const perExample = vmap((xi: Array) => model.apply(params, state, xi.reshape([1, 5]))[0].reshape([3]))(x);
    expectArray(perExample, eager.tolist(), { rtol: 1e-12, atol: 1e-12 });
  });

  test("jit of a training-mode apply (batchNorm state, dropout key) equals eager", () => {
    const m = nn.sequential([nn.dense(4), nn.batchNorm(), nn.dropout(0.3)]);
    const r = m.init(key, [3]);
    const xb = random.normal(key, [5, 3]);
    const f = (p: nn.SequentialTree, s: nn.SequentialTree, xx: Array, k: Array) => m.apply(p, s, xx, { train: true, key: k });
    const [ye, se] = f(r.params, r.state, xb, random.key(9));
    const [yj, sj] = jit(f)(r.params, r.state, xb, random.key(9));
    expectArray(yj, ye.tolist(), { rtol: 1e-5, atol: 1e-6 });
    expectArray(sj.batchNorm.var, se.batchNorm.var.tolist(), { rtol: 1e-5 });
  });
});

describe("custom layers compose with built-in ones", () => {
  /** A learnable elementwise scale, written against the Layer contract. */
  function scale(opts: nn.LayerOptions = {}): nn.Layer<{ w: Array }, Record<string, never>> {
    return {
      name: opts.name ?? "scale",
      init: (_k, inputShape) => ({ params: { w: np.ones([inputShape[inputShape.length - 1]!]) }, state: {}, outputShape: [...inputShape] }),
      apply: (p, s, x) => [x.mul(p.w), s],
    };
  }
  test("init/apply and grad", () => {
    const model = nn.sequential([nn.dense(3), scale(), scale()]);
    const { params, state } = model.init(key, [2]);
    expect(model.names).toEqual(["dense", "scale", "scale_1"]);
    const g = grad((p: nn.SequentialTree) => model.apply(p, state, np.ones([1, 2]))[0].sum())(params);
    expect(g.scale.w.shape).toEqual([3]);
  });
});

/**
 * @file nn layers: init/apply contracts, output shapes for stride/padding/dilation combinations,
 * values against references written here (naive convolution loops, explicit attention), batchNorm
 * train vs eval, dropout rate and scaling, and gradients through the layers.
 */
import { describe, expect, test } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as nn from "../../src/nn/index.js";
import * as np from "../../src/numpy/index.js";
import * as random from "../../src/random/index.js";
import { checkGrads } from "../../src/testing/index.js";
import { grad } from "../../src/transforms/autodiff.js";
import { expectArray } from "../helpers/allclose.js";

const key = random.key(0);
const f64 = { dtype: "float64" as const };
const randn = (shape: number[], seed = 1) => random.normal(random.key(seed), shape, f64);

describe("nn.dense", () => {
  test("init shapes, apply = x·kernel + bias, any leading axes", () => {
    const layer = nn.dense(3, f64);
    const { params, state, outputShape } = layer.init(key, [4]);
    expect(params.kernel.shape).toEqual([4, 3]);
    expect(params.bias!.shape).toEqual([3]);
    expect(outputShape).toEqual([3]);
    expect(state).toEqual({});
    const x = randn([2, 5, 4]);
    const [y, s] = layer.apply(params, state, x);
    expect(y.shape).toEqual([2, 5, 3]);
    expect(s).toBe(state);
    expectArray(y, x.matmul(params.kernel).add(params.bias!).tolist(), { rtol: 1e-12 });
  });
  test("activation shorthand, useBias: false, custom initializers", () => {
    const layer = nn.dense(2, { activation: "relu", useBias: false, kernelInitializer: "ones" });
    const { params } = layer.init(key, [3]);
    expect(params.bias).toBeUndefined();
    expectArray(layer.apply(params, {}, np.array([[1, 2, -9], [1, 1, 1]]))[0], [[0, 0], [3, 3]]);
  });
  test("errors name the layer and the shapes", () => {
    const layer = nn.dense(2);
    const { params } = layer.init(key, [3]);
    expect(() => layer.apply(params, {}, np.ones([2, 4]))).toThrow(/dense: expected input with last axis 3, got shape \[2, 4\]/);
    expect(() => nn.dense(0)).toThrow(/dense: units must be a positive integer, got 0/);
  });
});

/** Naive NHWC/HWIO convolution with explicit padding, strides, dilation and groups. */
function convRef(x: number[][][][], w: number[][][][], strides: number[], pads: [number, number][], dil: number[], groups: number): number[][][][] {
  const [n, h, wd, c] = [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const [kh, kw, cin, o] = [w.length, w[0]!.length, w[0]![0]!.length, w[0]![0]![0]!.length];
  const oh = Math.floor((h + pads[0]![0] + pads[0]![1] - ((kh - 1) * dil[0]! + 1)) / strides[0]!) + 1;
  const ow = Math.floor((wd + pads[1]![0] + pads[1]![1] - ((kw - 1) * dil[1]! + 1)) / strides[1]!) + 1;
  const opg = o / groups;
  expect(cin * groups).toBe(c);
  const out: number[][][][] = [];
  for (let b = 0; b < n; b++) {
    out.push([]);
    for (let i = 0; i < oh; i++) {
      out[b]!.push([]);
      for (let j = 0; j < ow; j++) {
        const row: number[] = [];
        for (let oc = 0; oc < o; oc++) {
          const g = Math.floor(oc / opg);
          let s = 0;
          for (let di = 0; di < kh; di++) {
            for (let dj = 0; dj < kw; dj++) {
              const yi = i * strides[0]! - pads[0]![0] + di * dil[0]!;
              const xj = j * strides[1]! - pads[1]![0] + dj * dil[1]!;
              if (yi < 0 || yi >= h || xj < 0 || xj >= wd) continue;
              for (let ic = 0; ic < cin; ic++) s += x[b]![yi]![xj]![g * cin + ic]! * w[di]![dj]![ic]![oc]!;
            }
          }
          row.push(s);
        }
        out[b]![i]!.push(row);
      }
    }
  }
  return out;
}

describe("nn.conv2d / conv1d / conv3d", () => {
  // [input HWC, filters, kernel, options, expected output HWC] — expected by the Keras formulas:
  // VALID: floor((in − ((k − 1)·d + 1)) / s) + 1; SAME: ceil(in / s); explicit: floor((in + lo + hi − dk) / s) + 1.
  const cases: [number[], number, number | number[], nn.ConvOptions, number[]][] = [
    [[28, 28, 1], 8, 3, {}, [26, 26, 8]],
    [[28, 28, 1], 8, 3, { padding: "SAME" }, [28, 28, 8]],
    [[28, 28, 1], 8, 3, { padding: "SAME", strides: 2 }, [14, 14, 8]],
    [[27, 27, 2], 4, 3, { padding: "SAME", strides: 2 }, [14, 14, 4]],
    [[27, 27, 2], 4, 3, { padding: "VALID", strides: 2 }, [13, 13, 4]],
    [[20, 20, 3], 6, 3, { dilation: 2 }, [16, 16, 6]],
    [[20, 20, 3], 6, 3, { dilation: 2, padding: "SAME" }, [20, 20, 6]],
    [[20, 17, 3], 6, [3, 5], { strides: [2, 3], dilation: [1, 2] }, [9, 3, 6]],
    [[10, 10, 4], 8, 3, { padding: [[1, 2], [0, 0]] }, [11, 8, 8]],
    [[10, 10, 4], 8, 3, { padding: 1, strides: 3 }, [4, 4, 8]],
    [[9, 9, 6], 6, 3, { groups: 3, padding: "SAME" }, [9, 9, 6]],
    [[9, 9, 4], 4, 2, { groups: 4, strides: 2 }, [4, 4, 4]],
  ];
  test.each(cases)("input %j, %i filters, kernel %j, %j → %j", (inShape, filters, k, opts, want) => {
    const layer = nn.conv2d(filters, k, opts);
    const { params, outputShape } = layer.init(key, inShape);
    expect(outputShape).toEqual(want);
    const [y] = layer.apply(params, {}, np.zeros([2, ...inShape]));
    expect(y.shape).toEqual([2, ...want]);
  });

  test("values equal a naive convolution (stride, padding, dilation, groups)", () => {
    const configs: [nn.ConvOptions, [number, number][]][] = [
      // SAME on 7×6 with k = 3, s = 2: out 4×3, total padding 2 and 1 → [1, 1] and [0, 1] (extra at the end)
      [{ strides: 2, padding: "SAME" }, [[1, 1], [0, 1]]],
      [{ dilation: [2, 1], padding: [[2, 0], [1, 1]] }, [[2, 0], [1, 1]]],
      [{ groups: 2, strides: [1, 2] }, [[0, 0], [0, 0]]],
    ];
    for (const [opts, pads] of configs) {
      const layer = nn.conv2d(4, 3, { ...opts, dtype: "float64" });
      const { params } = layer.init(random.key(3), [7, 6, 4]);
      const x = randn([2, 7, 6, 4], 5);
      const [y] = layer.apply(params, {}, x);
      const groups = opts.groups ?? 1;
      const st = typeof opts.strides === "number" ? [opts.strides, opts.strides] : (opts.strides ?? [1, 1]);
      const dl = typeof opts.dilation === "number" ? [opts.dilation, opts.dilation] : (opts.dilation ?? [1, 1]);
      const want = convRef(x.tolist(), params.kernel.tolist(), st as number[], pads, dl as number[], groups);
      expectArray(y, want, { rtol: 1e-10, atol: 1e-10 });
    }
  });

  test("kernel layout HWIO with in/groups channels; bias added; fans include the receptive field", () => {
    const { params } = nn.conv2d(16, [3, 5], { groups: 2 }).init(key, [8, 8, 4]);
    expect(params.kernel.shape).toEqual([3, 5, 2, 16]);
    expect(params.bias!.shape).toEqual([16]);
  });

  test("conv1d: shapes, and CAUSAL padding makes output t depend only on inputs <= t", () => {
    const layer = nn.conv1d(3, 3, { padding: "CAUSAL", dilation: 2, dtype: "float64" });
    const { params, outputShape } = layer.init(key, [10, 2]);
    expect(outputShape).toEqual([10, 3]);
    const x = randn([1, 10, 2]);
    const [y1] = layer.apply(params, {}, x);
    const x2 = x.at(0, 6).set(100);
    const [y2] = layer.apply(params, {}, x2);
    const d = np.abs(y1.sub(y2)).sum(-1).reshape([10]).tolist() as number[];
    expect(d.slice(0, 6).every((v) => v === 0)).toBe(true);
    expect(d[6]).toBeGreaterThan(0);
    expect(nn.conv1d(4, 5, { strides: 2 }).init(key, [20, 3]).outputShape).toEqual([8, 4]);
  });

  test("conv3d shape", () => {
    const layer = nn.conv3d(2, 3, { padding: "SAME", strides: [1, 2, 2] });
    const { params, outputShape } = layer.init(key, [4, 8, 8, 1]);
    expect(outputShape).toEqual([4, 4, 4, 2]);
    expect(layer.apply(params, {}, np.zeros([1, 4, 8, 8, 1]))[0].shape).toEqual([1, 4, 4, 4, 2]);
  });

  test("errors: wrong rank, too-small input, groups not dividing channels", () => {
    expect(() => nn.conv2d(4, 3).init(key, [28, 28])).toThrow(/conv2d: expected an inputShape of rank 3/);
    expect(() => nn.conv2d(4, 5).init(key, [3, 3, 1])).toThrow(/conv2d: the input \[3, 3, 1\] is too small/);
    expect(() => nn.conv2d(4, 3, { groups: 3 }).init(key, [8, 8, 4])).toThrow(/filters \(4\) must be divisible by groups \(3\)/);
    expect(() => nn.conv2d(4, 3, { padding: "CAUSAL" }).init(key, [8, 8, 4])).toThrow(/CAUSAL" is only defined for 1-D/);
  });

  test("gradient through conv2d matches finite differences", () => {
    const layer = nn.conv2d(2, 2, { strides: 2, padding: "SAME", dtype: "float64" });
    const { params } = layer.init(key, [3, 3, 2]);
    const x = randn([1, 3, 3, 2]);
    checkGrads((p: nn.ConvParams, xb: Array) => layer.apply(p, {}, xb)[0], [params, x], { order: 1 });
  });
});

describe("nn pooling", () => {
  const x = np.arange(16).astype("float64").reshape([1, 4, 4, 1]);
  test("maxPool / avgPool values (stride = pool size by default)", () => {
    expectArray(nn.maxPool(2).apply({}, {}, x)[0].reshape([2, 2]), [[5, 7], [13, 15]]);
    expectArray(nn.avgPool(2).apply({}, {}, x)[0].reshape([2, 2]), [[2.5, 4.5], [10.5, 12.5]]);
  });
  test("avgPool with SAME padding averages only real elements (Keras); countIncludePad opts in", () => {
    const y = nn.avgPool(3, { strides: 3, padding: "SAME" }).apply({}, {}, x)[0].reshape([2, 2]);
    // SAME: out = ceil(4 / 3) = 2, total padding (2 − 1)·3 + 3 − 4 = 2 → 1 before, 1 after each axis
    const pads = [1, 1];
    const ref = (r0: number, r1: number, c0: number, c1: number) => {
      let s = 0;
      let n = 0;
      for (let r = Math.max(r0, 0); r < Math.min(r1, 4); r++) {
        for (let c = Math.max(c0, 0); c < Math.min(c1, 4); c++) {
          s += r * 4 + c;
          n++;
        }
      }
      return s / n;
    };
    const want = [0, 1].map((i) => [0, 1].map((j) => ref(i * 3 - pads[0]!, i * 3 - pads[0]! + 3, j * 3 - pads[1]!, j * 3 - pads[1]! + 3)));
    expectArray(y, want);
    const yi = nn.avgPool(3, { strides: 3, padding: "SAME", countIncludePad: true }).apply({}, {}, x)[0];
    expect(yi.reshape([4]).tolist()[0]).toBeCloseTo((0 + 1 + 4 + 5) / 9, 10);
  });
  const shapes: [string, nn.Layer, number[], number[]][] = [
    ["maxPool 2", nn.maxPool(2), [28, 28, 3], [14, 14, 3]],
    ["maxPool 3 stride 2 VALID", nn.maxPool(3, { strides: 2 }), [15, 15, 1], [7, 7, 1]],
    ["maxPool 3 stride 2 SAME", nn.maxPool(3, { strides: 2, padding: "SAME" }), [15, 15, 1], [8, 8, 1]],
    ["avgPool [2, 3]", nn.avgPool([2, 3]), [8, 9, 2], [4, 3, 2]],
    ["maxPool 1-D", nn.maxPool(4), [100, 5], [25, 5]],
    ["globalAvgPool", nn.globalAvgPool(), [7, 7, 64], [64]],
    ["globalMaxPool keepdims", nn.globalMaxPool({ keepdims: true }), [5, 6, 8], [1, 1, 8]],
  ];
  test.each(shapes)("%s: shape", (_n, layer, inShape, want) => {
    const { params, state, outputShape } = layer.init(key, inShape);
    expect(outputShape).toEqual(want);
    expect(layer.apply(params, state, np.ones([2, ...inShape]))[0].shape).toEqual([2, ...want]);
  });
  test("globalAvgPool averages the spatial axes", () => {
    expectArray(nn.globalAvgPool().apply({}, {}, x)[0], [[7.5]]);
  });
});

describe("nn.flatten and nn.activation", () => {
  test("flatten keeps the batch axis", () => {
    const l = nn.flatten();
    expect(l.init(key, [28, 28, 1]).outputShape).toEqual([784]);
    expect(l.apply({}, {}, np.zeros([5, 28, 28, 1]))[0].shape).toEqual([5, 784]);
  });
  test("activation layer by name or function", () => {
    expectArray(nn.activation("relu").apply({}, {}, np.array([[-1, 2]]))[0], [[0, 2]]);
    expectArray(nn.activation((v) => v.mul(2)).apply({}, {}, np.array([[-1, 2]]))[0], [[-2, 4]]);
    expect(nn.activation("softmax").init(key, [10]).outputShape).toEqual([10]);
  });
});

describe("nn.dropout", () => {
  test("fraction zeroed ≈ rate, survivors scaled by 1/(1 − rate)", () => {
    for (const rate of [0.1, 0.5, 0.8]) {
      const layer = nn.dropout(rate);
      const x = np.ones([200, 500]);
      const [y] = layer.apply({}, {}, x, { train: true, key: random.key(11) });
      const d = y.dataSync();
      let zeros = 0;
      for (const v of d) {
        if (v === 0) zeros++;
        else expect(Math.abs(v - 1 / (1 - rate))).toBeLessThan(1e-6);
      }
      expect(Math.abs(zeros / d.length - rate)).toBeLessThan(0.01);
      // unbiased: the mean stays ≈ 1
      expect(Math.abs((y.mean().item() as number) - 1)).toBeLessThan(0.02);
    }
  });
  test("identity when not training (and rate 0); needs a key when training", () => {
    const x = randn([3, 4]);
    expect(nn.dropout(0.5).apply({}, {}, x)[0]).toBe(x);
    expect(nn.dropout(0.5).apply({}, {}, x, { train: false, key })[0]).toBe(x);
    expect(nn.dropout(0).apply({}, {}, x, { train: true, key })[0]).toBe(x);
    expect(() => nn.dropout(0.5).apply({}, {}, x, { train: true })).toThrow(/dropout: needs a PRNG key when train is true/);
    expect(() => nn.dropout(1)).toThrow(/rate must be in \[0, 1\), got 1/);
  });
  test("different keys give different masks; broadcastDims shares a mask", () => {
    const x = np.ones([4, 64]);
    const a = nn.dropout(0.5).apply({}, {}, x, { train: true, key: random.key(1) })[0].tolist();
    const b = nn.dropout(0.5).apply({}, {}, x, { train: true, key: random.key(2) })[0].tolist();
    expect(a).not.toEqual(b);
    const y = nn.dropout(0.5, { broadcastDims: [1, 2] }).apply({}, {}, np.ones([2, 5, 5, 8]), { train: true, key })[0];
    const perChannel = y.std([1, 2]).tolist() as number[][];
    expect(perChannel.flat().every((v) => v === 0)).toBe(true);
  });
});

describe("nn.batchNorm", () => {
  const x = randn([64, 3], 9).mul(np.array([1, 2, 3], f64)).add(np.array([5, -1, 0], f64));
  test("train: normalizes with batch statistics and updates the running averages", () => {
    const bn = nn.batchNorm({ dtype: "float64", momentum: 0.9 });
    const { params, state } = bn.init(key, [3]);
    expectArray(state.mean, [0, 0, 0]);
    expectArray(state.var, [1, 1, 1]);
    const [y, s1] = bn.apply(params, state, x, { train: true });
    expectArray(y.mean(0), [0, 0, 0], { atol: 1e-12 });
    const bv = x.var(0);
    expectArray(y.var(0), bv.div(bv.add(1e-5)).tolist(), { rtol: 1e-10 });
    expectArray(s1.mean, x.mean(0).mul(0.1).tolist(), { rtol: 1e-12 });
    expectArray(s1.var, bv.mul(0.1).add(0.9).tolist(), { rtol: 1e-12 });
  });
  test("eval: uses the running statistics and returns the state unchanged", () => {
    const bn = nn.batchNorm({ dtype: "float64", epsilon: 1e-3 });
    const state = { mean: np.array([5, -1, 0], f64), var: np.array([1, 4, 9], f64) };
    const p = { scale: np.array([2, 2, 2], f64), bias: np.array([1, 0, -1], f64) };
    const [y, s] = bn.apply(p, state, x);
    expect(s).toBe(state);
    const want = x.sub(state.mean).div(np.sqrt(state.var.add(1e-3))).mul(2).add(np.array([1, 0, -1], f64));
    expectArray(y, want.tolist(), { rtol: 1e-12 });
  });
  test("feature axis of NHWC images; train output differs from eval output", () => {
    const bn = nn.batchNorm();
    const { params, state } = bn.init(key, [4, 4, 2]);
    expect(state.mean.shape).toEqual([2]);
    const imgs = random.normal(key, [8, 4, 4, 2]).add(3);
    const [yt] = bn.apply(params, state, imgs, { train: true });
    const [ye] = bn.apply(params, state, imgs, { train: false });
    expect(Math.abs(yt.mean().item() as number)).toBeLessThan(1e-5);
    expect(ye.mean().item() as number).toBeGreaterThan(2.5);
  });
  test("gradients with respect to the parameters match finite differences", () => {
    const bn = nn.batchNorm({ dtype: "float64" });
    const { params, state } = bn.init(key, [3]);
    const xs = x.slice([0, 6]);
    checkGrads((p: nn.NormParams, xb: Array) => bn.apply(p, state, xb, { train: true })[0], [params, xs], { order: 1, atol: 1e-4, rtol: 1e-4 });
  });
});

describe("nn.layerNorm", () => {
  test("normalizes each example over the last axis; scale and bias apply", () => {
    const ln = nn.layerNorm({ dtype: "float64" });
    const { params, state, outputShape } = ln.init(key, [5, 4]);
    expect(outputShape).toEqual([5, 4]);
    expect(params.scale!.shape).toEqual([4]);
    const x = randn([2, 5, 4]).mul(3).add(7);
    const [y] = ln.apply(params, state, x);
    expectArray(y.mean(-1), np.zeros([2, 5]).tolist(), { atol: 1e-12 });
    expectArray(y.var(-1), np.ones([2, 5]).tolist(), { rtol: 1e-4 });
    const p2 = { scale: np.full([4], 2, f64), bias: np.full([4], 1, f64) };
    expectArray(ln.apply(p2, state, x)[0], y.mul(2).add(1).tolist(), { rtol: 1e-12 });
  });
});

describe("nn.embedding", () => {
  test("lookup and scatter-add gradient", () => {
    const emb = nn.embedding(5, 3, { dtype: "float64" });
    const { params, outputShape } = emb.init(key, [4]);
    expect(outputShape).toEqual([4, 3]);
    const ids = np.array([[0, 2, 2, 4]], { dtype: "int32" });
    const [v] = emb.apply(params, {}, ids);
    expect(v.shape).toEqual([1, 4, 3]);
    const table = params.embedding.tolist() as number[][];
    expectArray(v, [[table[0], table[2], table[2], table[4]]]);
    const g = grad((p: nn.EmbeddingParams) => emb.apply(p, {}, ids)[0].sum())(params);
    expectArray(g.embedding, [[1, 1, 1], [0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]]);
    expect(() => emb.apply(params, {}, np.array([[0.0]]))).toThrow(/embedding: ids must be int32 or uint32, got float32/);
  });
});

describe("nn.multiHeadAttention", () => {
  const mha = nn.multiHeadAttention(2, { dtype: "float64" });
  const { params } = mha.init(key, [5, 4]);
  const x = randn([2, 5, 4], 4);

  /** Attention written out head by head with the same parameters. */
  function reference(p: nn.MultiHeadAttentionParams, xs: Array, mask: boolean[][] | null): number[][][] {
    const xsl = xs.tolist() as number[][][];
    const proj = (pr: nn.Projection, v: number[], h: number) => {
      const k = pr.kernel.tolist() as number[][][];
      const b = pr.bias!.tolist() as number[][];
      return b[h]!.map((bb, d) => bb + v.reduce((s, vi, i) => s + vi * k[i]![h]![d]!, 0));
    };
    const outK = p.out.kernel.tolist() as number[][][];
    const outB = p.out.bias!.tolist() as number[];
    return xsl.map((seq) =>
      seq.map((_, qi) => {
        const out = [...outB];
        for (let h = 0; h < 2; h++) {
          const q = proj(p.query, seq[qi]!, h);
          const logits = seq.map((tok, ki) => {
            const k = proj(p.key, tok, h);
            const l = q.reduce((s, qq, d) => s + qq * k[d]!, 0) / Math.sqrt(q.length);
            return mask === null || mask[qi]![ki] ? l : -Infinity;
          });
          const m = Math.max(...logits);
          const e = logits.map((l) => Math.exp(l - m));
          const z = e.reduce((a, b) => a + b, 0);
          const att = seq.map((tok) => proj(p.value, tok, h));
          const ctx = att[0]!.map((_, d) => att.reduce((s, v, ki) => s + (e[ki]! / z) * v[d]!, 0));
          for (let o = 0; o < out.length; o++) out[o] = out[o]! + ctx.reduce((s, c, d) => s + c * outK[h]![d]![o]!, 0);
        }
        return out;
      }),
    );
  }

  test("parameter layout and output shape", () => {
    expect(params.query.kernel.shape).toEqual([4, 2, 2]);
    expect(params.out.kernel.shape).toEqual([2, 2, 4]);
    expect(mha.init(key, [5, 4]).outputShape).toEqual([5, 4]);
    expect(nn.multiHeadAttention(3, { keyDim: 8, outputDim: 6 }).init(key, [7, 4]).outputShape).toEqual([7, 6]);
  });
  test("equals attention written out head by head", () => {
    expectArray(mha.apply(params, {}, x)[0], reference(params, x, null), { rtol: 1e-10, atol: 1e-12 });
  });
  test("mask: an explicit boolean mask and the causal option agree with the reference", () => {
    const causal = [0, 1, 2, 3, 4].map((i) => [0, 1, 2, 3, 4].map((j) => j <= i));
    const want = reference(params, x, causal);
    expectArray(mha.apply(params, {}, x, { mask: np.array(causal) } as nn.AttentionApplyOptions)[0], want, { rtol: 1e-10, atol: 1e-12 });
    const cm = nn.multiHeadAttention(2, { dtype: "float64", causal: true });
    expectArray(cm.apply(params, {}, x)[0], want, { rtol: 1e-10, atol: 1e-12 });
  });
  test("errors for a wrong input shape; divisibility of features by heads", () => {
    expect(() => mha.apply(params, {}, np.ones([2, 5, 3]))).toThrow(/multiHeadAttention: expected x of shape \[batch, seq, 4\]/);
    expect(() => nn.multiHeadAttention(3).init(key, [5, 4])).toThrow(/features \(4\) must be divisible by numHeads \(3\)/);
  });
});

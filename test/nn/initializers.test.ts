/**
 * @file nn.initializers: statistics on ~10^5 draws (mean and variance by JAX's fan rules,
 * including conv receptive fields), bounds, determinism, orthogonality (QᵀQ = I) and errors.
 */
import { describe, expect, test } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as nn from "../../src/nn/index.js";
import * as np from "../../src/numpy/index.js";
import * as random from "../../src/random/index.js";
import { jit } from "../../src/transforms/jit.js";
import { expectArray } from "../helpers/allclose.js";

const init = nn.initializers;
const key = random.key(42);

function stats(w: Array): { mean: number; variance: number; min: number; max: number; n: number } {
  const d = w.dataSync();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of d) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, variance: q / d.length, min, max, n: d.length };
}

function expectMoments(w: Array, wantMean: number, wantVar: number, relTol = 0.03): void {
  const s = stats(w);
  expect(Math.abs(s.mean - wantMean), `mean ${s.mean} vs ${wantMean}`).toBeLessThan(5 * Math.sqrt(wantVar / s.n) + 1e-12);
  expect(Math.abs(s.variance / wantVar - 1), `variance ${s.variance} vs ${wantVar}`).toBeLessThan(relTol);
}

describe("nn.initializers.computeFans (JAX's rule)", () => {
  test("dense, conv (receptive field), rank 0/1, custom axes", () => {
    expect(init.computeFans([784, 128])).toEqual([784, 128]);
    expect(init.computeFans([3, 3, 16, 32])).toEqual([144, 288]);
    expect(init.computeFans([5, 8, 4])).toEqual([40, 20]);
    expect(init.computeFans([7])).toEqual([7, 7]);
    expect(init.computeFans([])).toEqual([1, 1]);
    expect(init.computeFans([10, 3, 3, 4, 6], { batchAxis: [0] })).toEqual([36, 54]);
    expect(init.computeFans([16, 8], { inAxis: -1, outAxis: -2 })).toEqual([8, 16]);
  });
});

describe("nn.initializers: statistics on 10^5 draws", () => {
  test("zeros, ones, constant (dtype respected)", () => {
    expectArray(init.zeros(key, [2, 2]), [[0, 0], [0, 0]], { dtype: "float32" });
    expectArray(init.ones(key, [3], "float64"), [1, 1, 1], { dtype: "float64" });
    expectArray(init.constant(0.25)(key, [2]), [0.25, 0.25]);
  });

  test("uniform(scale) is U[0, scale) (JAX's convention)", () => {
    const w = init.uniform(0.1)(key, [400, 250]);
    const s = stats(w);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThan(0.1);
    expectMoments(w, 0.05, 0.01 / 12);
  });

  test("normal(stddev)", () => {
    expectMoments(init.normal(0.5)(key, [400, 250]), 0, 0.25);
  });

  test("truncatedNormal(stddev): bounded by ±2σ, variance 0.7737σ² (not rescaled, as JAX)", () => {
    const w = init.truncatedNormal(2)(key, [100000]);
    const s = stats(w);
    expect(s.min).toBeGreaterThanOrEqual(-4);
    expect(s.max).toBeLessThanOrEqual(4);
    expectMoments(w, 0, 4 * 0.87962566103423978 ** 2);
  });

  const vs: [string, () => nn.Initializer, number[], number, "uniform" | "truncated" | "normal"][] = [
    ["glorotUniform dense", () => init.glorotUniform(), [400, 250], 2 / 650, "uniform"],
    ["glorotNormal dense", () => init.glorotNormal(), [400, 250], 2 / 650, "truncated"],
    ["lecunUniform dense", () => init.lecunUniform(), [1000, 100], 1 / 1000, "uniform"],
    ["lecunNormal dense", () => init.lecunNormal(), [1000, 100], 1 / 1000, "truncated"],
    ["heUniform conv", () => init.heUniform(), [3, 3, 64, 200], 2 / 576, "uniform"],
    ["heNormal conv", () => init.heNormal(), [3, 3, 64, 200], 2 / 576, "truncated"],
    ["varianceScaling fanOut normal conv", () => init.varianceScaling(3, "fanOut", "normal"), [5, 5, 40, 100], 3 / 2500, "normal"],
    ["varianceScaling fanAvg uniform conv1d", () => init.varianceScaling(0.5, "fanAvg", "uniform"), [4, 100, 250], 0.5 / 700, "uniform"],
  ];
  test.each(vs)("%s: variance scale / fan", (_name, make, shape, variance, dist) => {
    const w = make()(key, shape);
    expect(w.shape).toEqual(shape);
    expect(w.dtype).toBe("float32");
    expectMoments(w, 0, variance);
    const s = stats(w);
    const bound = dist === "uniform" ? Math.sqrt(3 * variance) : dist === "truncated" ? (2 * Math.sqrt(variance)) / 0.87962566103423978 : Infinity;
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound * (1 + 1e-6));
    if (dist === "uniform") expect(Math.max(-s.min, s.max)).toBeGreaterThan(bound * 0.99);
  });

  test("float64 parameters", () => {
    const w = init.heNormal()(key, [500, 200], "float64");
    expect(w.dtype).toBe("float64");
    expectMoments(w, 0, 2 / 500);
  });
});

describe("nn.initializers: purity and tracing", () => {
  test("same key, same array; different keys, different arrays", () => {
    const a = init.glorotUniform()(key, [3, 4]).tolist();
    expect(init.glorotUniform()(key, [3, 4]).tolist()).toEqual(a);
    expect(init.glorotUniform()(random.key(7), [3, 4]).tolist()).not.toEqual(a);
  });
  test("jit(initializer) equals eager", () => {
    for (const f of [init.glorotUniform(), init.heNormal(), init.orthogonal()]) {
      const eager = f(key, [6, 4]);
      expectArray(jit((k: Array) => f(k, [6, 4]))(key), eager.tolist(), { rtol: 1e-5, atol: 1e-6 });
    }
  });
});

describe("nn.initializers.orthogonal", () => {
  const eye = (n: number) => np.eye(n, null, 0, { dtype: "float64" }).tolist();
  test("tall matrix: QᵀQ = I", () => {
    const q = init.orthogonal()(key, [64, 32], "float64");
    expectArray(q.T.matmul(q), eye(32), { atol: 1e-12 });
  });
  test("wide matrix: rows orthonormal, QQᵀ = I", () => {
    const q = init.orthogonal()(key, [16, 48], "float64");
    expectArray(q.matmul(q.T), eye(16), { atol: 1e-12 });
  });
  test("conv kernel: the [kh·kw·in, out] view has orthonormal columns; scale multiplies", () => {
    const q = init.orthogonal(2)(key, [3, 3, 4, 16], "float64").reshape([36, 16]);
    expectArray(q.T.matmul(q), np.eye(16, null, 0, { dtype: "float64" }).mul(4).tolist(), { atol: 1e-11 });
  });
  test("columnAxis other than the last", () => {
    const q = init.orthogonal(1, { columnAxis: 0 })(key, [8, 20], "float64");
    // the 8 slices along axis 0 are orthonormal vectors of length 20
    expectArray(q.matmul(q.T), eye(8), { atol: 1e-12 });
  });
  test("float32: QᵀQ ≈ I", () => {
    const q = init.orthogonal()(key, [128, 128]);
    expectArray(q.T.matmul(q), np.eye(128).tolist(), { atol: 2e-5 });
  });
});

describe("nn.initializers: errors name the function and the fix", () => {
  test("orthogonal needs rank >= 2; dtypes must be float; names resolve", () => {
    expect(() => init.orthogonal()(key, [5])).toThrow(/initializers.orthogonal: the shape must have rank >= 2/);
    expect(() => init.normal()(key, [2], "int32")).toThrow(/dtype must be float32 or float64, got int32/);
    expect(() => init.varianceScaling(1, "fan_in" as never, "normal")).toThrow(/mode must be "fanIn", "fanOut" or "fanAvg"/);
    expect(init.get("zeros")).toBe(init.zeros);
    expect(() => init.get("glorot" as never)).toThrow(/unknown initializer "glorot"; valid names: zeros/);
  });
});

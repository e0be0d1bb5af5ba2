/**
 * @file nn.lstm / nn.gru: equal step-by-step references written here in plain JS numbers (Keras's
 * equations, float64), sequence/last outputs, reverse, gradients and jit.
 */
import { describe, expect, test } from "vitest";
import type { Array } from "../../src/core/array.js";
import * as nn from "../../src/nn/index.js";
import * as random from "../../src/random/index.js";
import { checkGrads } from "../../src/testing/index.js";
import { jit } from "../../src/transforms/jit.js";
import { expectArray } from "../helpers/allclose.js";

const f64 = { dtype: "float64" as const };
const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** out[j] = Σ_i v[i] m[i][j] */
const vecMat = (v: number[], m: number[][]) => m[0]!.map((_, j) => v.reduce((s, vi, i) => s + vi * m[i]![j]!, 0));

function lstmReference(x: number[][][], p: nn.LstmParams, units: number): { seq: number[][][]; last: number[][] } {
  const W = p.kernel.tolist() as number[][];
  const U = p.recurrentKernel.tolist() as number[][];
  const b = p.bias.tolist() as number[];
  const seq: number[][][] = [];
  const last: number[][] = [];
  for (const example of x) {
    let h = new globalThis.Array<number>(units).fill(0);
    let c = new globalThis.Array<number>(units).fill(0);
    const outs: number[][] = [];
    for (const xt of example) {
      const xw = vecMat(xt, W);
      const hu = vecMat(h, U);
      const z = xw.map((v, k) => v + hu[k]! + b[k]!);
      const i = z.slice(0, units).map(sig);
      const f = z.slice(units, 2 * units).map(sig);
      const g = z.slice(2 * units, 3 * units).map(Math.tanh);
      const o = z.slice(3 * units).map(sig);
      c = c.map((cv, k) => f[k]! * cv + i[k]! * g[k]!);
      h = c.map((cv, k) => o[k]! * Math.tanh(cv));
      outs.push(h);
    }
    seq.push(outs);
    last.push(h);
  }
  return { seq, last };
}

function gruReference(x: number[][][], p: nn.GruParams, units: number, resetAfter: boolean): number[][][] {
  const W = p.kernel.tolist() as number[][];
  const U = p.recurrentKernel.tolist() as number[][];
  const bAll = p.bias.tolist() as number[] | number[][];
  const bIn = (resetAfter ? (bAll as number[][])[0] : bAll) as number[];
  const bRec = resetAfter ? (bAll as number[][])[1]! : null;
  return x.map((example) => {
    let h = new globalThis.Array<number>(units).fill(0);
    return example.map((xt) => {
      const xw = vecMat(xt, W).map((v, k) => v + bIn[k]!);
      const hu = vecMat(h, U).map((v, k) => v + (bRec ? bRec[k]! : 0));
      const z = h.map((_, k) => sig(xw[k]! + hu[k]!));
      const r = h.map((_, k) => sig(xw[units + k]! + hu[units + k]!));
      let cand: number[];
      if (resetAfter) cand = h.map((_, k) => Math.tanh(xw[2 * units + k]! + r[k]! * hu[2 * units + k]!));
      else {
        const rh = h.map((hv, k) => r[k]! * hv);
        const Uh = U.map((row) => row.slice(2 * units));
        const ru = vecMat(rh, Uh);
        cand = h.map((_, k) => Math.tanh(xw[2 * units + k]! + ru[k]!));
      }
      h = h.map((hv, k) => z[k]! * hv + (1 - z[k]!) * cand[k]!);
      return h;
    });
  });
}

describe("nn.lstm", () => {
  const units = 4;
  const x = random.normal(random.key(1), [3, 6, 5], f64);

  test("equals the step-by-step reference (sequences and last output)", () => {
    const layer = nn.lstm(units, { returnSequences: true, dtype: "float64", biasInitializer: "normal" });
    const { params, outputShape } = layer.init(random.key(2), [6, 5]);
    expect(outputShape).toEqual([6, units]);
    expect(params.kernel.shape).toEqual([5, 16]);
    expect(params.recurrentKernel.shape).toEqual([4, 16]);
    const ref = lstmReference(x.tolist(), params, units);
    const [ys] = layer.apply(params, {}, x);
    expectArray(ys, ref.seq, { rtol: 1e-10, atol: 1e-12 });
    const lastLayer = nn.lstm(units, { dtype: "float64" });
    expect(lastLayer.init(random.key(2), [6, 5]).outputShape).toEqual([units]);
    expectArray(lastLayer.apply(params, {}, x)[0], ref.last, { rtol: 1e-10, atol: 1e-12 });
  });

  test("unitForgetBias puts ones on the forget gate; recurrent kernel is orthogonal", () => {
    const { params } = nn.lstm(3, f64).init(random.key(0), [2, 2]);
    expectArray(params.bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const u = params.recurrentKernel; // [3, 12]: rows orthonormal
    expectArray(u.matmul(u.T), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { atol: 1e-12 });
  });

  test("reverse processes the sequence backwards (outputs in input order)", () => {
    const layer = nn.lstm(units, { returnSequences: true, reverse: true, dtype: "float64" });
    const { params } = layer.init(random.key(2), [6, 5]);
    const flipped = (x.tolist() as number[][][]).map((s) => [...s].reverse());
    const ref = lstmReference(flipped, params, units).seq.map((s) => [...s].reverse());
    expectArray(layer.apply(params, {}, x)[0], ref, { rtol: 1e-10, atol: 1e-12 });
  });

  test("gradients match finite differences; jit(apply) equals eager", () => {
    const layer = nn.lstm(2, { dtype: "float64" });
    const { params } = layer.init(random.key(3), [3, 2]);
    const xs = random.normal(random.key(4), [2, 3, 2], f64);
    checkGrads((p: nn.LstmParams, xb: Array) => layer.apply(p, {}, xb)[0], [params, xs], { order: 1 });
    const eager = layer.apply(params, {}, xs)[0];
    expectArray(jit((p: nn.LstmParams, xb: Array) => layer.apply(p, {}, xb)[0])(params, xs), eager.tolist(), { rtol: 1e-12 });
  });

  test("errors name the expected input shape", () => {
    const layer = nn.lstm(2);
    const { params } = layer.init(random.key(0), [3, 2]);
    expect(() => layer.apply(params, {}, random.normal(random.key(0), [2, 3]))).toThrow(/lstm: expected input of shape \[batch, time, 2\], got \[2, 3\]/);
    expect(() => layer.init(random.key(0), [3])).toThrow(/lstm: expected an inputShape of rank 2 \(\[time, features\]\)/);
  });
});

describe("nn.gru", () => {
  const x = random.normal(random.key(5), [2, 5, 3], f64);
  test.each([true, false])("resetAfter %s equals the step-by-step reference", (resetAfter) => {
    const layer = nn.gru(4, { returnSequences: true, resetAfter, dtype: "float64", biasInitializer: "normal" });
    const { params } = layer.init(random.key(6), [5, 3]);
    expect(params.bias.shape).toEqual(resetAfter ? [2, 12] : [12]);
    const ref = gruReference(x.tolist(), params, 4, resetAfter);
    expectArray(layer.apply(params, {}, x)[0], ref, { rtol: 1e-10, atol: 1e-12 });
    const last = nn.gru(4, { resetAfter, dtype: "float64" }).apply(params, {}, x)[0];
    expectArray(last, ref.map((s) => s[s.length - 1]!), { rtol: 1e-10, atol: 1e-12 });
  });
  test("gradients match finite differences", () => {
    const layer = nn.gru(2, { dtype: "float64" });
    const { params } = layer.init(random.key(7), [3, 2]);
    const xs = random.normal(random.key(8), [2, 3, 2], f64);
    checkGrads((p: nn.GruParams, xb: Array) => layer.apply(p, {}, xb)[0], [params, xs], { order: 1 });
  });
});

/**
 * @file The direct Wasm convolution kernel (`src/backend/conv/`) against the naive reference:
 * random cases with the K blocks, run splits and call chunks shrunk so small shapes reach every
 * path; fixed cases for each copy-in, run and copy-out path (channels-last, batch-innermost and
 * channels-first inputs; merged and per-tap runs; consecutive, per-row and scattered outputs);
 * worker threads (bit-identical to the calling thread, and a worker fault); and the im2col + GEMM
 * fallback used when the matmul backend is forced to JS.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";

import { wasmConv } from "../../src/backend/conv/conv-wasm.js";
import { planConv } from "../../src/backend/conv/conv-plan.js";
import { setMatmulBackend } from "../../src/backend/matmul.js";
import { configureWorkers, warmUpWorkers, workerPool } from "../../src/backend/workers.js";
import { checkCase, convCaseArb, convCaseArbWith, DEFAULT_LIMITS, type ConvCase } from "./convReference.js";

/** A case from a few fields (2-D NCHW / OIHW / NCHW, stride 1, no padding by default). */
function mk(c: Partial<ConvCase> & Pick<ConvCase, "inSp" | "kSp">): ConvCase {
  const ns = c.inSp.length;
  const ones = c.inSp.map(() => 1);
  const id = [...globalThis.Array(ns + 2).keys()];
  return {
    ns, N: 2, G: 1, B: 1, I: 3, Og: 4,
    strides: ones, padding: c.inSp.map((): [number, number] => [0, 0]), lhsDilation: ones, rhsDilation: ones,
    lhsPerm: id, rhsPerm: id, outPerm: id, dtype: "float32", seed: 1,
    ...c,
  };
}

// Layouts as specs ([batch, feature, ...spatial] axes), for 2 spatial dims.
const NHWC = [0, 3, 1, 2];
const HWIO = [3, 2, 0, 1];
const CHWN = [3, 0, 1, 2]; // batch innermost, as the lhs of a weight gradient
const HWNC = [2, 3, 0, 1];

/** Cases, each naming the path it is there for. */
const fixedCases: [string, ConvCase][] = [
  ["NHWC, SAME, 16 outputs: rows copied whole, merged runs, one copy out", mk({ inSp: [9, 11], kSp: [3, 3], I: 5, Og: 16, padding: [[1, 1], [1, 1]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
  ["NHWC, 19 outputs (3 slivers, padded columns): per-row copy out", mk({ inSp: [7, 5], kSp: [3, 2], I: 4, Og: 19, strides: [2, 1], padding: [[1, 1], [0, 1]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC, dtype: "float64" })],
  ["NCHW, feature groups, negative padding: channels-first copy in, per-tap runs, scattered out", mk({ inSp: [8, 9], kSp: [3, 3], G: 2, I: 3, Og: 5, strides: [2, 2], padding: [[-1, 2], [1, 0]] })],
  ["batch-innermost lhs, batch groups, rhs dilation on the last axis", mk({ inSp: [6, 7], kSp: [2, 3], N: 4, B: 2, I: 3, Og: 3, rhsDilation: [1, 2], padding: [[1, 0], [2, 1]], lhsPerm: CHWN, rhsPerm: HWIO, outPerm: HWNC })],
  ["channels-last lhs with lhs dilation on the last axis: per-pixel copies", mk({ inSp: [5, 4], kSp: [2, 3], I: 6, Og: 7, lhsDilation: [2, 3], padding: [[1, 1], [2, 0]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
  ["odd sizes: 17 and 13 positions, 9 outputs", mk({ inSp: [17, 13], kSp: [3, 3], N: 3, I: 7, Og: 9, padding: [[1, 1], [1, 1]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
  ["1 spatial dim, float64, stride 3", mk({ inSp: [29], kSp: [5], I: 6, Og: 11, strides: [3], padding: [[2, 2]], dtype: "float64" })],
  ["3 spatial dims, channels-last", mk({ inSp: [4, 5, 3], kSp: [2, 3, 2], I: 3, Og: 5, padding: [[1, 0], [1, 1], [0, 1]], lhsPerm: [0, 4, 1, 2, 3], rhsPerm: [4, 3, 0, 1, 2], outPerm: [0, 4, 1, 2, 3] })],
  ["0 spatial dims (a grouped matrix product)", mk({ inSp: [], kSp: [], N: 5, G: 3, I: 4, Og: 6 })],
  ["37 input features with 1x1 taps: one long run", mk({ inSp: [3, 4], kSp: [1, 1], I: 37, Og: 10, lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
];

describe("direct Wasm convolution", () => {
  afterEach(() => {
    wasmConv().configure({});
    setMatmulBackend("auto");
  });

  test("the primitive runs on it", () => {
    const run = vi.spyOn(wasmConv(), "run");
    try {
      checkCase(fixedCases[0]![1]);
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.results[0]!.value).toBeInstanceOf(Float32Array);
    } finally {
      run.mockRestore();
    }
  });

  test.each(fixedCases)("%s (default tuning, and K blocks of 1-5 with 1-tile calls)", (_, c) => {
    const y = checkCase(c);
    for (const kc of [1, 2, 5]) {
      wasmConv().configure({ kc, maxTilesPerCall: 1, parallelThreshold: Infinity });
      expect(checkCase(c)).toEqual(y);
    }
  });

  test("the plan merges the last axis's taps with the features only without feature groups or dilation there", () => {
    const plan = (c: ConvCase) => {
      const C = c.I * c.G;
      const canon = (perm: readonly number[], shape: number[]) => perm.map((_, a) => shape[perm.indexOf(a)]!);
      const xShape = canon(c.lhsPerm, [c.N, C, ...c.inSp]);
      const wShape = canon(c.rhsPerm, [c.Og * c.G * c.B, c.I, ...c.kSp]);
      const p = {
        dtype: "float32", x: new Float32Array(0), xShape, w: new Float32Array(0), wShape, outShape: [],
        windowStrides: c.strides, padding: c.padding, lhsDilation: c.lhsDilation, rhsDilation: c.rhsDilation,
        dimensionNumbers: { lhsSpec: c.lhsPerm, rhsSpec: c.rhsPerm, outSpec: c.outPerm }, featureGroupCount: c.G, batchGroupCount: c.B,
      } as const;
      return planConv(p, 4, 8, 512, 64);
    };
    expect(plan(fixedCases[0]![1])).toMatchObject({ runLen: 15, T: 3, K: 45 });
    expect(plan(fixedCases[2]![1])).toMatchObject({ runLen: 3, T: 9, K: 27 });
    expect(plan(fixedCases[3]![1])).toMatchObject({ runLen: 3, T: 6, K: 18 });
  });

  test("matches the reference on random cases with random K blocks and call chunks", () => {
    const lim = { ...DEFAULT_LIMITS, spatial: 9, N: 3, I: 5, Og: 10 };
    fc.assert(
      fc.property(convCaseArbWith(lim), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), (c, kc, tiles) => {
        wasmConv().configure({ kc, maxTilesPerCall: tiles, parallelThreshold: Infinity });
        checkCase(c);
      }),
      { numRuns: 150 },
    );
  });
});

describe("direct Wasm convolution on worker threads", () => {
  beforeAll(async () => {
    expect(await warmUpWorkers()).toBeGreaterThan(0);
  });
  afterEach(() => {
    wasmConv().configure({});
    configureWorkers({ timeoutMs: undefined });
  });
  afterAll(() => {
    workerPool().terminate();
  });

  test("gives bit-identical results to the calling thread, splitting rows or (for large kernels) slivers, on either kernel", () => {
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    const lim = { ...DEFAULT_LIMITS, spatial: 9, I: 5, Og: 20, alwaysShuffle: true };
    try {
      fc.assert(
        fc.property(convCaseArbWith(lim), fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 1 << 20), fc.constantFrom<"auto" | "always">("auto", "always"), (c, kc, l2Bytes, channelwise) => {
          wasmConv().configure({ kc, l2Bytes, channelwise, parallelThreshold: 0 });
          const shared = checkCase(c);
          wasmConv().configure({ kc, l2Bytes, channelwise, parallelThreshold: Infinity });
          expect(checkCase(c)).toEqual(shared);
        }),
        { numRuns: 60 },
      );
      for (const [, , workers] of run.mock.calls) expect(workers.length).toBeGreaterThan(0);
      expect(run.mock.calls.length).toBeGreaterThanOrEqual(60);
      expect(run.mock.results.every((r) => r.value === true)).toBe(true);
    } finally {
      run.mockRestore();
    }
  });

  test.each([
    ["dense (GEMM-like kernel)", mk({ inSp: [20, 20], kSp: [3, 3], N: 4, I: 8, Og: 16, padding: [[1, 1], [1, 1]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
    ["depthwise (channelwise kernel)", mk({ inSp: [12, 12], kSp: [3, 3], N: 3, G: 16, I: 1, Og: 1, padding: [[1, 1], [1, 1]], lhsPerm: NHWC, rhsPerm: HWIO, outPerm: NHWC })],
  ])("a worker that throws is replaced and the convolution is still exact: %s", async (_, c) => {
    const pool = workerPool();
    const [worker] = pool.readyWorkers();
    expect(worker).toBeDefined();
    const replaced = pool.replacements;
    wasmConv().configure({ parallelThreshold: 0, maxTilesPerCall: 1 });
    configureWorkers({ timeoutMs: 300 });
    pool.injectFault(worker!, "throw");
    checkCase(c);
    pool.settle();
    expect(pool.replacements).toBe(replaced + 1);
    configureWorkers({ timeoutMs: undefined });
    expect(await warmUpWorkers()).toBeGreaterThan(0);
  });
});

describe("im2col + GEMM fallback", () => {
  afterEach(() => {
    setMatmulBackend("auto");
  });

  test("with the matmul backend forced to JS, the direct kernel is not used and results match the reference", () => {
    setMatmulBackend("js");
    const run = vi.spyOn(wasmConv(), "run");
    try {
      fc.assert(fc.property(convCaseArb, (c) => void checkCase(c)), { numRuns: 60 });
      for (const [, c] of fixedCases) checkCase(c);
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });
});

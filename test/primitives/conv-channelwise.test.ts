/**
 * @file The channelwise convolution kernel (`convLanes` in `src/backend/conv/`: SIMD lanes across
 * the output features of all groups) against the naive reference: which convolutions take it
 * (depthwise ones and their gradients, not dense or wide-group ones); depthwise and batch-grouped
 * cases in every layout, with strides, padding, dilations, channel multipliers and float64; every
 * kind of convolution forced onto it, with the K blocks and call chunks shrunk; derivatives of
 * depthwise convolutions (`checkGrads`); inputs the worker threads copy in themselves, with the
 * output streamed out meanwhile; and agreement with the GEMM-like kernel. (Worker threads in
 * general, and their faults, are tested for both kernels in `conv-direct.test.ts`.)
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi, type MockInstance } from "vitest";

import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { bind1 } from "../../src/core/trace.js";
import { wasmConv, type ConvProblem, type WasmConv } from "../../src/backend/conv/conv-wasm.js";
import { planConv } from "../../src/backend/conv/conv-plan.js";
import { warmUpWorkers, workerPool } from "../../src/backend/workers.js";
import { convGeneralDilated, type ConvGeneralDilatedOptions, type Padding } from "../../src/lax/conv.js";
import { convGeneralDilatedP, convOutputShape, type ConvParams } from "../../src/primitives/conv.js";
import { checkGrads } from "../../src/testing/checkGrads.js";
import { jit } from "../../src/transforms/jit.js";
import { vjp } from "../../src/transforms/autodiff.js";
import { channelsLast, checkCase, convCaseArbWith, DEFAULT_LIMITS, kernelLast, randomArray, randomData, type CaseLimits, type ConvCase } from "./convReference.js";

/** Spy on the channelwise entry point (and on `run`, every Wasm convolution) while `body` runs. */
function spying<T>(body: (cw: MockInstance<WasmConv["runChannelwise"]>, run: MockInstance<WasmConv["run"]>) => T): T {
  const cw = vi.spyOn(wasmConv(), "runChannelwise");
  const run = vi.spyOn(wasmConv(), "run");
  try {
    return body(cw, run);
  } finally {
    cw.mockRestore();
    run.mockRestore();
  }
}

/** The backend problem of a case (data unused by the plan and the dispatch rule). */
function problem(c: ConvCase): ConvProblem {
  const canon = (perm: readonly number[], shape: number[]) => perm.map((_, a) => shape[perm.indexOf(a)]!);
  const xShape = canon(c.lhsPerm, [c.N, c.I * c.G, ...c.inSp]);
  const wShape = canon(c.rhsPerm, [c.Og * c.G * c.B, c.I, ...c.kSp]);
  const p: ConvParams = {
    windowStrides: c.strides, padding: c.padding, lhsDilation: c.lhsDilation, rhsDilation: c.rhsDilation,
    dimensionNumbers: { lhsSpec: c.lhsPerm, rhsSpec: c.rhsPerm, outSpec: c.outPerm }, featureGroupCount: c.G, batchGroupCount: c.B,
  };
  const A = c.dtype === "float32" ? Float32Array : Float64Array;
  return { ...p, dtype: c.dtype as "float32" | "float64", x: new A(0), xShape, w: new A(0), wShape, outShape: convOutputShape("test", xShape, wShape, p) };
}

/** A 2-d case, NHWC / HWIO / NHWC unless said otherwise, stride 1, no padding. */
function mk(c: Partial<ConvCase> & Pick<ConvCase, "inSp" | "kSp">): ConvCase {
  const ns = c.inSp.length;
  const ones = c.inSp.map(() => 1);
  return {
    ns, N: 2, G: 1, B: 1, I: 1, Og: 1,
    strides: ones, padding: c.inSp.map((): [number, number] => [0, 0]), lhsDilation: ones, rhsDilation: ones,
    lhsPerm: channelsLast(ns), rhsPerm: kernelLast(ns), outPerm: channelsLast(ns), dtype: "float32", seed: 3,
    ...c,
  };
}

/** Depthwise cases: 8-20 groups of one input feature and 1-2 outputs (a channel multiplier), any layout. */
const DEPTHWISE: CaseLimits = {
  ...DEFAULT_LIMITS, spatial: 9, N: 2, I: 1, Og: 2,
  groups: fc.integer({ min: 8, max: 20 }).map((g): [number, number] => [g, 1]),
  layouts: fc.constantFrom("NHWC", "NHWC", "NCHW", "shuffled"),
};
/** Batch-grouped cases (the weight gradients of depthwise convolutions are these): 8-12 groups. */
const BATCH_GROUPED: CaseLimits = { ...DEPTHWISE, I: 4, groups: fc.integer({ min: 8, max: 12 }).map((b): [number, number] => [1, b]) };

describe("which convolutions take the channelwise kernel", () => {
  afterEach(() => wasmConv().configure({}));

  test("depthwise and narrow grouped ones do, dense and wide-group ones do not", () => {
    const prefers = (c: ConvCase) => wasmConv().prefersChannelwise(problem(c));
    const dw = { inSp: [6, 6], kSp: [3, 3], G: 16 };
    expect(prefers(mk(dw))).toBe(true);
    expect(prefers(mk({ ...dw, Og: 2 }))).toBe(true); // channel multiplier 2
    expect(prefers(mk({ ...dw, dtype: "float64" }))).toBe(true);
    expect(prefers(mk({ ...dw, G: 8, I: 8 }))).toBe(true); // 8 inputs per group
    expect(prefers(mk({ ...dw, N: 32, G: 1, B: 16, I: 64 }))).toBe(true); // a depthwise weight gradient
    expect(prefers(mk({ ...dw, G: 1, I: 16, Og: 16 }))).toBe(false); // dense
    expect(prefers(mk({ ...dw, Og: 4 }))).toBe(false); // 4 outputs per group
    expect(prefers(mk({ ...dw, G: 4, I: 16 }))).toBe(false); // 16 inputs per group
    expect(prefers(mk({ ...dw, G: 4 }))).toBe(false); // 4 outputs in all: most lanes idle
    expect(prefers(mk({ ...dw, G: 4, dtype: "float64" }))).toBe(true); // ... but a full f64 sliver
  });

  test("the primitive runs a depthwise convolution on it (and a dense one or a multiplier of 4 not), unless configured otherwise", () => {
    spying((cw, run) => {
      checkCase(mk({ inSp: [7, 6], kSp: [3, 3], G: 16, padding: [[1, 1], [1, 1]] }));
      expect(cw).toHaveBeenCalledTimes(1);
      expect(cw.mock.results[0]!.value).toBeInstanceOf(Float32Array);
      checkCase(mk({ inSp: [7, 6], kSp: [3, 3], I: 8, Og: 8 }));
      checkCase(mk({ inSp: [7, 6], kSp: [3, 3], G: 16, Og: 4 })); // channel multiplier 4: the GEMM-like kernel
      expect(run).toHaveBeenCalledTimes(3);
      expect(cw).toHaveBeenCalledTimes(1);
      wasmConv().configure({ channelwise: "never" });
      checkCase(mk({ inSp: [7, 6], kSp: [3, 3], G: 16, padding: [[1, 1], [1, 1]] }));
      expect(cw).toHaveBeenCalledTimes(1);
      expect(run).toHaveBeenCalledTimes(4);
    });
  });

  test("both gradients of a depthwise convolution run on it too", () => {
    const x = randomArray([2, 9, 8, 16], 1, "float32");
    const w = randomArray([3, 3, 1, 16], 2, "float32");
    const f = (a: Array, b: Array) => convGeneralDilated(a, b, [2, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 16 });
    spying((cw, run) => {
      const [y, back] = vjp(f, x, w);
      back(randomArray(y.shape, 3, "float32"));
      expect(run).toHaveBeenCalledTimes(3);
      expect(cw).toHaveBeenCalledTimes(3);
      const problems = cw.mock.calls.map((c) => c[0]);
      // The input gradient is depthwise with the strides turned into lhs dilation; the kernel gradient is batch-grouped.
      expect(problems.some((p) => p.featureGroupCount === 16 && p.lhsDilation.every((d) => d === 2))).toBe(true);
      expect(problems.some((p) => p.batchGroupCount === 16)).toBe(true);
    });
  });

  test("the plan keeps features outside the spatial axes when the lhs does (a weight gradient's lhs is batch-major)", () => {
    const wgrad = problem(mk({ inSp: [6, 6], kSp: [3, 3], N: 8, G: 1, B: 8, I: 4, lhsPerm: [3, 0, 1, 2], rhsPerm: [3, 0, 1, 2], outPerm: [2, 3, 0, 1] }));
    expect(planConv(wgrad, 4, 8, 512, 64, true)).toMatchObject({ featuresOuter: true, tapFeatures: 4, T: 36, runLen: 1, GG: 1, Ogp: 8 });
    const grouped = problem(mk({ inSp: [6, 6], kSp: [3, 3], G: 8, I: 2 }));
    expect(planConv(grouped, 4, 8, 512, 64, true)).toMatchObject({ featuresOuter: false, tapFeatures: 2, featureStride: 8, T: 18 });
  });
});

describe("channelwise kernel against the reference", () => {
  afterEach(() => wasmConv().configure({}));

  test.each([
    ["depthwise NHWC 3x3, SAME, stride 2", mk({ inSp: [9, 11], kSp: [3, 3], G: 12, strides: [2, 2], padding: [[1, 1], [1, 1]] })],
    ["depthwise, channel multiplier 2, float64, NCHW, lhs and rhs dilation", mk({ inSp: [7, 6], kSp: [2, 3], G: 9, Og: 2, dtype: "float64", lhsDilation: [2, 1], rhsDilation: [1, 2], padding: [[1, 0], [2, 1]], lhsPerm: [0, 1, 2, 3], rhsPerm: [0, 1, 2, 3], outPerm: [0, 1, 2, 3] })],
    ["depthwise, negative padding, 1 spatial dim, 13 groups (lanes of padding)", mk({ inSp: [17], kSp: [4], G: 13, strides: [3], padding: [[-1, 2]] })],
    ["depthwise, 3 spatial dims", mk({ inSp: [4, 5, 3], kSp: [2, 3, 2], G: 8, padding: [[1, 0], [1, 1], [0, 1]] })],
    ["grouped, 3 inputs per group, lhs dilation on the last axis (short runs, staged)", mk({ inSp: [5, 6], kSp: [3, 2], G: 8, I: 3, lhsDilation: [1, 2], padding: [[1, 1], [0, 1]] })],
    ["batch groups with a batch-major lhs (features outside)", mk({ inSp: [6, 7], kSp: [2, 3], N: 16, G: 1, B: 8, I: 2, Og: 2, lhsPerm: [3, 0, 1, 2], rhsPerm: [3, 0, 1, 2], outPerm: [2, 3, 0, 1] })],
  ])("%s (default tuning, and K blocks of 1-5 with 1-tile, 1-sliver calls)", (_, c) => {
    spying((cw) => {
      const y = checkCase(c);
      expect(cw).toHaveBeenCalledTimes(1);
      for (const kc of [1, 2, 5]) {
        wasmConv().configure({ kc, maxTilesPerCall: 1, l2Bytes: 0, parallelThreshold: Infinity });
        expect(checkCase(c)).toEqual(y);
      }
    });
  });

  test("random depthwise cases (channel multiplier 1-2, strides 1-3, padding, dilations, layouts, float32/float64) take it and match", () => {
    spying((cw, run) => {
      fc.assert(
        fc.property(convCaseArbWith(DEPTHWISE), fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 1 << 20), (c, kc, l2Bytes) => {
          // l2Bytes 0: calls cover one sliver each (sliver ranges not starting at 0).
          wasmConv().configure({ kc, l2Bytes, parallelThreshold: Infinity });
          checkCase(c);
        }),
        { numRuns: 150 },
      );
      expect(cw.mock.calls.length).toBe(run.mock.calls.length);
      expect(cw.mock.results.every((r) => r.value !== undefined)).toBe(true);
    });
  });

  test("random batch-grouped cases take it and match", () => {
    spying((cw, run) => {
      fc.assert(fc.property(convCaseArbWith(BATCH_GROUPED), (c) => void checkCase(c)), { numRuns: 60 });
      expect(cw.mock.calls.length).toBe(run.mock.calls.length);
    });
  });

  test("every kind of convolution forced onto it matches (random K blocks, call chunks and sliver ranges)", () => {
    const lim = { ...DEFAULT_LIMITS, spatial: 9, N: 3, I: 5, Og: 5 };
    spying((cw) => {
      fc.assert(
        fc.property(convCaseArbWith(lim), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1 << 20), (c, kc, tiles, l2Bytes) => {
          wasmConv().configure({ kc, maxTilesPerCall: tiles, l2Bytes, parallelThreshold: Infinity, channelwise: "always" });
          checkCase(c);
        }),
        { numRuns: 200 },
      );
      expect(cw.mock.calls.length).toBeGreaterThanOrEqual(200);
    });
  });
});

describe("derivatives of depthwise convolutions (float64, finite differences)", () => {
  const cases: [string, number[], number[], number[], Padding, ConvGeneralDilatedOptions][] = [
    ["NHWC 3x3, stride 1, SAME", [2, 5, 4, 4], [3, 3, 1, 4], [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 4 }],
    ["NHWC, stride 2, channel multiplier 2", [1, 6, 5, 4], [3, 2, 1, 8], [2, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 4 }],
    ["NCHW, stride 3, rhs and lhs dilation, asymmetric padding", [2, 5, 5, 4], [5, 1, 2, 2], [3, 1], [[1, 0], [2, 1]], { featureGroupCount: 5, rhsDilation: [2, 1], lhsDilation: [1, 2] }],
    ["1 spatial dim, negative padding", [2, 4, 9], [8, 1, 3], [2], [[-1, 1]], { featureGroupCount: 4 }],
  ];
  for (const [name, xs, ws, strides, padding, opts] of cases) {
    test(`order 1, fwd and rev, both operands, all on the channelwise kernel: ${name}`, () => {
      const x = randomArray(xs, 11);
      const w = randomArray(ws, 12);
      spying((cw, run) => {
        checkGrads((a: Array, b: Array) => convGeneralDilated(a, b, strides, padding, opts), [x, w], { order: 1, modes: ["fwd", "rev"] });
        expect(run.mock.calls.length).toBeGreaterThan(4);
        expect(cw.mock.calls.length).toBe(run.mock.calls.length);
      });
    });
  }

  test("order 2 (transposes of transposes)", () => {
    const [, xs, ws, strides, padding, opts] = cases[1]!;
    checkGrads((a: Array, b: Array) => convGeneralDilated(a, b, strides, padding, opts), [randomArray(xs, 21), randomArray(ws, 22)], { order: 2, modes: ["rev"] });
  });

  test("jit of the gradient equals the GEMM-like kernel's", () => {
    const x = randomArray([2, 7, 6, 12], 31);
    const w = randomArray([3, 3, 1, 24], 32);
    const g = randomArray([2, 4, 3, 24], 33);
    const f = (a: Array, b: Array) => convGeneralDilated(a, b, [2, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 12 });
    const step = jit((a: Array, b: Array, c: Array) => {
      const [y, back] = vjp(f, a, b);
      return [y, ...(back(c) as unknown as Array[])];
    });
    const ours = (step(x, w, g) as Array[]).map((a) => a.dataSync());
    wasmConv().configure({ channelwise: "never" });
    try {
      const theirs = (step(x, w, g) as Array[]).map((a) => a.dataSync());
      ours.forEach((o, i) => o.forEach((v, j) => expect(Math.abs(v - theirs[i]![j]!)).toBeLessThan(1e-12)));
    } finally {
      wasmConv().configure({});
    }
  });
});

describe("worker threads copying shared inputs in", () => {
  beforeAll(async () => void expect(await warmUpWorkers()).toBeGreaterThan(0));
  afterEach(() => wasmConv().configure({}));
  afterAll(() => workerPool().terminate());

  /** An NHWC convolution of `x` (shared or not) by a fixed kernel with `G` feature groups of `C / G` inputs and 24 outputs, through the primitive. */
  function convolve(xData: Float32Array, shape: number[], G: number): Float32Array {
    const C = shape[3]!;
    const x = new ConcreteArray(xData, shape, "float32");
    const w = new ConcreteArray(Float32Array.from(randomData(9 * (C / G) * 24, 5)), [3, 3, C / G, 24], "float32");
    const p: ConvParams = {
      windowStrides: [1, 2], padding: [[1, 1], [1, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1],
      dimensionNumbers: { lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] }, featureGroupCount: G, batchGroupCount: 1,
    };
    return bind1(convGeneralDilatedP, [x, w], p).dataSync() as Float32Array;
  }

  test.each([
    ["depthwise (channelwise kernel)", 24],
    ["dense (GEMM-like kernel)", 1],
  ])("an input in a SharedArrayBuffer is copied in by the threads (and by this one), with the same result: %s", (_, G) => {
    const shape = [3, 11, 12, 24]; // rows of 288 elements: long enough to be copied as runs
    const data = Float32Array.from(randomData(3 * 11 * 12 * 24, 7));
    const shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
    shared.set(data);
    wasmConv().configure({ parallelThreshold: Infinity });
    const want = convolve(data, shape, G);
    wasmConv().configure({ parallelThreshold: 0 });
    const pool = workerPool();
    const run = vi.spyOn(pool, "run");
    const cw = vi.spyOn(wasmConv(), "runChannelwise");
    try {
      expect(convolve(shared, shape, G)).toEqual(want);
      expect(cw).toHaveBeenCalledTimes(G > 1 ? 1 : 0);
      const job = run.mock.calls[0]![0];
      expect(job.arrays).toEqual([shared]);
      const copies = job.calls.filter((c) => c.fn === "nop");
      expect(copies.length).toBeGreaterThan(0);
      expect(copies.every((c) => (c.copyIn ?? []).length > 0 && job.calls.indexOf(c) < job.barrier)).toBe(true);
      // Every call on this thread: its copies are made by the runtime's own loop. (Another input
      // first, so the memory does not still hold this one.)
      run.mockImplementation((j, local) => {
        for (const c of j.calls) local(c);
        return true;
      });
      expect(convolve(new Float32Array(data.length), shape, G).every((v) => v === 0)).toBe(true);
      expect(convolve(shared, shape, G)).toEqual(want);
    } finally {
      run.mockRestore();
      cw.mockRestore();
    }
  });
});

/**
 * @file `conv_general_dilated` and the `lax` convolution wrappers: forward values against a naive
 * direct convolution (nested loops over plain arrays) over random shapes, layouts, strides,
 * padding, dilations and groups in 1-3 spatial dimensions, float32 and float64; derivatives of
 * both operands against finite differences (`checkGrads`); `vmap` against loop-and-stack;
 * `jit` against eager; and the shape errors.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { Array } from "../../src/core/array.js";
import type { ConcreteArray } from "../../src/core/concrete.js";
import { bind1 } from "../../src/core/trace.js";
import { conv, convDimensionNumbers, convGeneralDilated, convTranspose, convWithGeneralPadding, padtypeToPads, type ConvGeneralDilatedOptions, type Padding } from "../../src/lax/conv.js";
import { convGeneralDilatedP } from "../../src/primitives/conv.js";
import { mul } from "../../src/primitives/elementwise.js";
import { reduceSumP } from "../../src/primitives/reduce.js";
import { checkGrads } from "../../src/testing/checkGrads.js";
import { grad, vjp } from "../../src/transforms/autodiff.js";
import { jit, makeJaxpr } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import { arr, checkCase, convCaseArb, expectClose, permute, prod, randomArray, randomData, refConv } from "./convReference.js";

const sumAll = (y: Array) => bind1(reduceSumP, [y], { axes: y.shape.map((_, i) => i) });

describe("conv_general_dilated forward", () => {
  test("matches a direct convolution on random shapes, layouts, strides, padding, dilations and groups (1-3 spatial dims, float32/float64)", () => {
    fc.assert(fc.property(convCaseArb, (c) => void checkCase(c)), { numRuns: 150 });
  });

  test("a hand-computed 2x2 convolution", () => {
    const x = arr([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = arr([1, 0, 0, -1], [1, 1, 2, 2]);
    const y = conv(x, w, [1, 1], "VALID");
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(globalThis.Array.from(y.dataSync())).toEqual([1 - 5, 2 - 6, 4 - 8, 5 - 9]);
  });

  test("odd and larger sizes (17 and 129) against the reference", () => {
    const cases: [number[], number[], number[], Padding][] = [
      [[1, 3, 17], [5, 3, 3], [2], "SAME"],
      [[2, 1, 129], [2, 1, 5], [3], "VALID"],
      [[1, 2, 17, 9], [3, 2, 3, 1], [1, 2], [[1, 1], [0, 0]]],
    ];
    for (const [xs, ws, st, pad] of cases) {
      const x = randomArray(xs, 7);
      const w = randomArray(ws, 8);
      const y = conv(x, w, st, pad);
      const pads = typeof pad === "string" ? padtypeToPads(xs.slice(2), ws.slice(2), st, pad) : pad.map((q) => [q[0], q[1]] as [number, number]);
      const ones = st.map(() => 1);
      const want = refConv(x.dataSync(), xs, w.dataSync(), ws, { strides: st, padding: pads, lhsDilation: ones, rhsDilation: ones, G: 1, B: 1 });
      expect(y.shape).toEqual(want.shape);
      expectClose(y.dataSync(), want.data, 1e-12, 1e-12);
    }
  });

  test("NHWC / HWIO layout strings equal the default layout on transposed data", () => {
    const x = randomArray([2, 6, 5, 3], 1); // NHWC
    const w = randomArray([3, 2, 3, 4], 2); // HWIO
    const y = convGeneralDilated(x, w, [2, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
    const xc = permute(x.dataSync(), x.shape, [0, 3, 1, 2]);
    const wc = permute(w.dataSync(), w.shape, [3, 2, 0, 1]);
    const y2 = conv(arr(xc.data, xc.shape), arr(wc.data, wc.shape), [2, 1], "SAME");
    expect(y.shape).toEqual([2, 3, 5, 4]);
    expectClose(permute(y.dataSync(), y.shape, [0, 3, 1, 2]).data, y2.dataSync(), 1e-12, 1e-12);
  });

  test("convDimensionNumbers orders spatial dimensions as the rhs layout names them (as JAX)", () => {
    expect(convDimensionNumbers([8, 28, 28, 3], [3, 3, 3, 16], ["NHWC", "HWIO", "NHWC"])).toEqual({ lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] });
    expect(convDimensionNumbers([1, 2, 3, 4], [1, 2, 3, 4], ["NCHW", "OIWH", "NCHW"])).toEqual({ lhsSpec: [0, 1, 3, 2], rhsSpec: [0, 1, 2, 3], outSpec: [0, 1, 3, 2] });
    expect(convDimensionNumbers([1, 2, 3], [1, 2, 3], null)).toEqual({ lhsSpec: [0, 1, 2], rhsSpec: [0, 1, 2], outSpec: [0, 1, 2] });
  });

  test("SAME padding keeps ceil(in / stride) outputs, with the extra pad at the end (SAME_LOWER: at the start)", () => {
    expect(padtypeToPads([5, 6], [3, 4], [2, 1], "SAME")).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(padtypeToPads([6], [4], [1], "SAME_LOWER")).toEqual([[2, 1]]);
    expect(padtypeToPads([6], [4], [1], "VALID")).toEqual([[0, 0]]);
    const x = randomArray([1, 1, 9, 10], 3);
    const w = randomArray([1, 1, 3, 4], 4);
    expect(conv(x, w, [2, 3], "SAME").shape).toEqual([1, 1, 5, 4]);
  });

  test("convWithGeneralPadding applies lhs and rhs dilation", () => {
    const x = randomArray([1, 2, 4], 5);
    const w = randomArray([3, 2, 2], 6);
    const y = convWithGeneralPadding(x, w, [1], [[1, 2]], [2], [3]);
    const want = refConv(x.dataSync(), x.shape, w.dataSync(), w.shape, { strides: [1], padding: [[1, 2]], lhsDilation: [2], rhsDilation: [3], G: 1, B: 1 });
    expect(y.shape).toEqual(want.shape);
    expectClose(y.dataSync(), want.data, 1e-12, 1e-12);
  });

  test("zero spatial dimensions: a grouped matrix product", () => {
    const x = randomArray([2, 4], 1);
    const w = randomArray([6, 2], 2);
    const y = convGeneralDilated(x, w, [], [], { featureGroupCount: 2 });
    const want = refConv(x.dataSync(), x.shape, w.dataSync(), w.shape, { strides: [], padding: [], lhsDilation: [], rhsDilation: [], G: 2, B: 1 });
    expect(y.shape).toEqual([2, 6]);
    expectClose(y.dataSync(), want.data, 1e-12, 1e-12);
    checkGrads((a: Array, b: Array) => convGeneralDilated(a, b, [], [], { featureGroupCount: 2 }), [x, w], { order: 2 });
  });

  test("empty batches give empty outputs, empty kernels give zeros", () => {
    const y = conv(arr([], [0, 2, 4]), randomArray([3, 2, 2], 1), [1], "VALID");
    expect(y.shape).toEqual([0, 3, 3]);
    const z = conv(arr([], [2, 0, 4]), arr([], [3, 0, 2]), [1], "VALID");
    expect(globalThis.Array.from(z.dataSync())).toEqual(new globalThis.Array(18).fill(0));
  });
});

// ---------------------------------------------------------------------------------------------
// Derivatives

interface GradCase {
  name: string;
  x: number[];
  w: number[];
  strides: number[];
  padding: Padding;
  opts?: ConvGeneralDilatedOptions;
}

const gradCases: GradCase[] = [
  { name: "2D, SAME", x: [2, 3, 5, 4], w: [2, 3, 3, 3], strides: [1, 1], padding: "SAME" },
  { name: "2D, strides, asymmetric padding, rhs dilation", x: [1, 2, 7, 6], w: [3, 2, 2, 3], strides: [2, 3], padding: [[1, 0], [2, 1]], opts: { rhsDilation: [2, 1] } },
  { name: "2D, feature groups", x: [2, 4, 5, 4], w: [6, 2, 3, 2], strides: [1, 2], padding: "VALID", opts: { featureGroupCount: 2 } },
  { name: "2D, depthwise", x: [1, 3, 4, 4], w: [6, 1, 2, 2], strides: [2, 2], padding: "SAME", opts: { featureGroupCount: 3 } },
  { name: "2D, lhs dilation", x: [1, 2, 4, 3], w: [2, 2, 3, 2], strides: [1, 1], padding: [[2, 1], [1, 1]], opts: { lhsDilation: [2, 3] } },
  { name: "1D, batch groups", x: [4, 2, 5], w: [6, 2, 2], strides: [2], padding: [[0, 1]], opts: { batchGroupCount: 2 } },
  { name: "1D, negative padding and stride leaving a tail", x: [2, 2, 9], w: [3, 2, 3], strides: [3], padding: [[-1, 1]] },
  { name: "3D, strides and padding", x: [1, 2, 3, 4, 3], w: [2, 2, 2, 2, 2], strides: [1, 2, 1], padding: [[1, 0], [0, 1], [1, 1]] },
  { name: "NHWC / HWIO with groups", x: [2, 5, 4, 4], w: [3, 2, 2, 4], strides: [2, 1], padding: "SAME", opts: { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 2 } },
];

describe("conv_general_dilated derivatives (float64, finite differences)", () => {
  for (const c of gradCases) {
    test(`order 1, fwd and rev, both operands: ${c.name}`, () => {
      const x = randomArray(c.x, 11);
      const w = randomArray(c.w, 12);
      checkGrads((a: Array, b: Array) => convGeneralDilated(a, b, c.strides, c.padding, c.opts), [x, w], { order: 1, modes: ["fwd", "rev"] });
    });
  }
  for (const c of [gradCases[1]!, gradCases[2]!, gradCases[4]!, gradCases[5]!]) {
    test(`order 2 (transposes of transposes): ${c.name}`, () => {
      const x = randomArray(c.x, 21);
      const w = randomArray(c.w, 22);
      checkGrads((a: Array, b: Array) => convGeneralDilated(a, b, c.strides, c.padding, c.opts), [x, w], { order: 2, modes: ["fwd", "rev"] });
    });
  }

  test("the weight gradient of a grouped convolution equals per-group gradients", () => {
    const x = randomArray([2, 4, 5, 5], 31);
    const w = randomArray([4, 2, 3, 3], 32);
    const loss = (a: Array, b: Array, G: number) => sumAll(mul(convGeneralDilated(a, b, [1, 1], "SAME", { featureGroupCount: G }), convGeneralDilated(a, b, [1, 1], "SAME", { featureGroupCount: G })));
    const g = grad((b: Array) => loss(x, b, 2))(w) as Array;
    // Group 0 alone: input features 0-1, output features 0-1.
    const x0 = arr(permute(x.dataSync(), x.shape, [1, 0, 2, 3]).data.slice(0, 2 * 2 * 25), [2, 2, 5, 5]);
    const x0n = permute(x0.dataSync(), x0.shape, [1, 0, 2, 3]);
    const w0 = arr(globalThis.Array.from(w.dataSync()).slice(0, 2 * 2 * 9), [2, 2, 3, 3]);
    const g0 = grad((b: Array) => loss(arr(x0n.data, x0n.shape), b, 1))(w0) as Array;
    expectClose(globalThis.Array.from(g.dataSync()).slice(0, 36), g0.dataSync(), 1e-12, 1e-10);
  });
});

// ---------------------------------------------------------------------------------------------
// vmap and jit

/** Plain slice `x[..., i, ...]` along `axis`. */
function take(x: Array, axis: number, i: number): ConcreteArray {
  const shape = x.shape.filter((_, j) => j !== axis);
  const perm = [axis, ...x.shape.map((_, j) => j).filter((j) => j !== axis)];
  const moved = permute(x.dataSync(), x.shape, perm);
  const n = prod(shape);
  return arr(moved.data.slice(i * n, (i + 1) * n), shape, x.dtype);
}

interface VmapCase {
  name: string;
  x: number[];
  w: number[];
  strides: number[];
  padding: Padding;
  opts?: ConvGeneralDilatedOptions;
}

const vmapCases: VmapCase[] = [
  { name: "2D plain", x: [2, 3, 5, 4], w: [4, 3, 2, 3], strides: [1, 2], padding: "SAME" },
  { name: "2D feature groups", x: [2, 4, 5, 4], w: [6, 2, 3, 2], strides: [1, 1], padding: "VALID", opts: { featureGroupCount: 2 } },
  { name: "1D batch groups", x: [4, 2, 6], w: [6, 2, 2], strides: [1], padding: [[1, 0]], opts: { batchGroupCount: 2 } },
  { name: "3D", x: [1, 2, 3, 3, 4], w: [3, 2, 2, 1, 2], strides: [1, 1, 2], padding: "SAME" },
  { name: "NHWC / HWIO, dilations", x: [2, 6, 5, 3], w: [2, 2, 3, 2], strides: [1, 1], padding: "VALID", opts: { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], lhsDilation: [2, 1], rhsDilation: [1, 2] } },
];

describe("conv_general_dilated under vmap and jit", () => {
  const V = 3;
  for (const c of vmapCases) {
    for (const [ax, aw] of [
      [0, 0],
      [2, 1],
      [1, null],
      [null, 3],
    ] as [number | null, number | null][]) {
      test(`vmap ≈ loop-and-stack: ${c.name}, inAxes [${ax}, ${aw}]`, () => {
        const f = (a: Array, b: Array) => convGeneralDilated(a, b, c.strides, c.padding, c.opts);
        const xs = ax === null ? c.x : [...c.x.slice(0, ax), V, ...c.x.slice(ax)];
        const ws = aw === null ? c.w : [...c.w.slice(0, aw), V, ...c.w.slice(aw)];
        const X = randomArray(xs, 41);
        const W = randomArray(ws, 42);
        const out = vmap(f, [ax, aw])(X, W) as Array;
        for (let i = 0; i < V; i++) {
          const want = f(ax === null ? X : take(X, ax, i), aw === null ? W : take(W, aw, i));
          expect(out.shape).toEqual([V, ...want.shape]);
          expectClose(take(out, 0, i).dataSync(), want.dataSync(), 1e-12, 1e-12, `example ${i}`);
        }
      });
    }
  }

  test("vmap of the gradient with respect to both operands ≈ per-example gradients", () => {
    const c = vmapCases[1]!;
    const f = (a: Array, b: Array) => sumAll(mul(convGeneralDilated(a, b, c.strides, c.padding, c.opts), convGeneralDilated(a, b, c.strides, c.padding, c.opts)));
    const X = randomArray([V, ...c.x], 51);
    const W = randomArray([V, ...c.w], 52);
    const g = grad(f, { argnums: [0, 1] });
    const [gx, gw] = vmap(g)(X, W) as [Array, Array];
    for (let i = 0; i < V; i++) {
      const [wx, ww] = g(take(X, 0, i), take(W, 0, i)) as [Array, Array];
      expectClose(take(gx, 0, i).dataSync(), wx.dataSync(), 1e-10, 1e-10);
      expectClose(take(gw, 0, i).dataSync(), ww.dataSync(), 1e-10, 1e-10);
    }
  });

  test("jit ≈ eager, for the convolution and for its gradient", () => {
    for (const c of vmapCases) {
      const f = (a: Array, b: Array) => convGeneralDilated(a, b, c.strides, c.padding, c.opts);
      const x = randomArray(c.x, 61);
      const w = randomArray(c.w, 62);
      expectClose(jit(f)(x, w).dataSync(), f(x, w).dataSync(), 0, 0);
      const loss = (a: Array, b: Array) => sumAll(mul(f(a, b), f(a, b)));
      const g = grad(loss, { argnums: [0, 1] });
      const [jx, jw] = jit(g)(x, w) as [Array, Array];
      const [ex, ew] = g(x, w) as [Array, Array];
      expectClose(jx.dataSync(), ex.dataSync(), 1e-12, 1e-12);
      expectClose(jw.dataSync(), ew.dataSync(), 1e-12, 1e-12);
    }
  });

  test("makeJaxpr prints the primitive with JAX's parameter names", () => {
    const x = randomArray([1, 2, 5], 1);
    const w = randomArray([3, 2, 2], 2);
    const text = makeJaxpr((a: Array, b: Array) => conv(a, b, [2], "SAME"))(x, w).toString();
    expect(text).toContain("conv_general_dilated");
    expect(text).toContain("window_strides=(2,)");
    expect(text).toContain("padding=((0, 1),)");
    expect(text).toContain("feature_group_count=1 batch_group_count=1");
  });
});

// ---------------------------------------------------------------------------------------------
// convTranspose

describe("lax.convTranspose", () => {
  test("SAME gives in·stride outputs and VALID in·stride + max(k - stride, 0) (NHWC / HWIO by default, as JAX)", () => {
    const x = randomArray([2, 5, 4, 3], 1);
    const w = randomArray([3, 2, 3, 6], 2);
    expect(convTranspose(x, w, [2, 2], "SAME").shape).toEqual([2, 10, 8, 6]);
    expect(convTranspose(x, w, [2, 2], "VALID").shape).toEqual([2, 11, 8, 6]);
  });

  test("with transposeKernel and useConsistentPadding it is the input gradient of the forward convolution", () => {
    const st = [2, 3];
    const pads: [number, number][] = [
      [1, 0],
      [1, 1],
    ];
    // Shapes where the strided windows cover the input exactly: (in + lo + hi - k) % s == 0.
    const x = randomArray([2, 7, 7, 3], 3); // NHWC
    const w = randomArray([2, 3, 3, 4], 4); // HWIO
    const dn: [string, string, string] = ["NHWC", "HWIO", "NHWC"];
    const f = (a: Array) => convGeneralDilated(a, w, st, pads, { dimensionNumbers: dn });
    const [y, back] = vjp(f, x);
    const g = randomArray(y.shape, 5);
    const [gx] = back(g) as unknown as [Array];
    const t = convTranspose(g, w, st, pads, { transposeKernel: true, useConsistentPadding: true, dimensionNumbers: dn });
    expect(t.shape).toEqual(x.shape);
    expectClose(t.dataSync(), gx.dataSync(), 1e-12, 1e-12);
  });

  test("derivatives (order 1) of a strided transposed convolution", () => {
    const x = randomArray([1, 3, 2, 2], 6);
    const w = randomArray([3, 2, 2, 3], 7);
    checkGrads((a: Array, b: Array) => convTranspose(a, b, [2, 1], "SAME"), [x, w], { order: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

describe("a kernel larger than the padded input (as JAX: an empty spatial axis)", () => {
  test("gives an empty output, zero gradients, and the same under jit and vmap", () => {
    const x = randomArray([1, 3, 5, 5], 1);
    const w = randomArray([2, 3, 6, 3], 2);
    const y = conv(x, w, [1, 1], "VALID");
    expect(y.shape).toEqual([1, 2, 0, 3]);
    expect(convGeneralDilated(x, randomArray([2, 3, 3, 3], 3), [1, 1], "VALID", { rhsDilation: [3, 1] }).shape).toEqual([1, 2, 0, 3]);
    const sumAll = (a: Array) => bind1(reduceSumP, [a], { axes: a.shape.map((_, i) => i) });
    const [gx, gw] = grad((a: Array, b: Array) => sumAll(conv(a, b, [1, 1], "VALID")), { argnums: [0, 1] })(x, w) as Array[];
    expect(gx!.shape).toEqual(x.shape);
    expect(gw!.shape).toEqual(w.shape);
    expect([...(gx as ConcreteArray).dataSync(), ...(gw as ConcreteArray).dataSync()].every((v) => v === 0)).toBe(true);
    expect(jit((a: Array, b: Array) => conv(a, b, [1, 1], "VALID"))(x, w).shape).toEqual([1, 2, 0, 3]);
    expect(vmap((a: Array) => conv(a, w, [1, 1], "VALID"))(randomArray([2, 1, 3, 5, 5], 4)).shape).toEqual([2, 1, 2, 0, 3]);
  });
});

describe("convolution errors name the function and the shapes", () => {
  const x = randomArray([1, 3, 5, 5], 1);
  test("mismatched channels", () => {
    const w = randomArray([4, 2, 3, 3], 2);
    expect(() => conv(x, w, [1, 1], "VALID")).toThrow(/^lax\.conv: lhs feature dimension \(C = 3\) must equal rhs input feature dimension \(I = 2\).*\[1,3,5,5\].*\[4,2,3,3\]/);
    expect(() => bind1(convGeneralDilatedP, [x, w], { windowStrides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], dimensionNumbers: { lhsSpec: [0, 1, 2, 3], rhsSpec: [0, 1, 2, 3], outSpec: [0, 1, 2, 3] }, featureGroupCount: 1, batchGroupCount: 1 })).toThrow(
      /^conv_general_dilated: lhs feature dimension/,
    );
    const w6 = randomArray([4, 1, 3, 3], 2);
    expect(() => conv(x, w6, [1, 1], "VALID")).toThrow(/featureGroupCount: 3/);
  });
  test("bad padding strings and pairs", () => {
    const w = randomArray([4, 3, 3, 3], 2);
    expect(() => conv(x, w, [1, 1], "FULL" as Padding)).toThrow(/^lax\.conv: padding must be "SAME", "SAME_LOWER", "VALID".*got "FULL"/);
    expect(() => conv(x, w, [1, 1], [[1, 1]])).toThrow(/^lax\.conv: padding must be .*2 integer \[lo, hi\] pairs/);
    expect(() => convTranspose(x, w, [1, 1], "SAME_LOWER", { dimensionNumbers: null })).toThrow(/^lax\.convTranspose: padding must be "SAME", "VALID"/);
  });
  test("wrong ranks, strides, dtypes and layouts", () => {
    const w = randomArray([4, 3, 3, 3], 2);
    expect(() => conv(x, randomArray([4, 3, 3], 2), [1, 1], "VALID")).toThrow(/^lax\.conv: lhs and rhs must have the same rank.*\[1,3,5,5\].*\[4,3,3\]/);
    expect(() => conv(x, w, [1], "VALID")).toThrow(/^lax\.conv: windowStrides must be a list of 2 positive integers/);
    expect(() => conv(x, w, [0, 1], "VALID")).toThrow(/windowStrides/);
    expect(() => conv(x, randomArray([4, 3, 3, 3], 2, "float32"), [1, 1], "VALID")).toThrow(/^lax\.conv: lhs and rhs must have the same dtype, got float64 and float32/);
    expect(() => convGeneralDilated(x, w, [1, 1], "VALID", { dimensionNumbers: ["NCHW", "OIHW", "NCH"] })).toThrow(/^lax\.convGeneralDilated: the out layout "NCH" has 3 letters/);
    expect(() => convGeneralDilated(x, w, [1, 1], "VALID", { dimensionNumbers: ["NCHW", "OIHX", "NCHW"] })).toThrow(/same spatial letters/);
    expect(() => convGeneralDilated(x, w, [1, 1], "VALID", { featureGroupCount: 3, batchGroupCount: 2 })).toThrow(/at most one of featureGroupCount/);
  });
});

// ---------------------------------------------------------------------------------------------
// Timing (printed for the lead, not asserted)

describe("timing", () => {
  test("forward + backward conv2d on a 32x28x28x32 NHWC batch with 3x3x32x32 HWIO kernels (float32)", () => {
    const x = randomArray([32, 28, 28, 32], 1, "float32");
    const w = randomArray([3, 3, 32, 32], 2, "float32");
    const dn: [string, string, string] = ["NHWC", "HWIO", "NHWC"];
    const f = (a: Array, b: Array) => convGeneralDilated(a, b, [1, 1], "SAME", { dimensionNumbers: dn });
    const g = arr(randomData(32 * 28 * 28 * 32, 3), [32, 28, 28, 32], "float32");
    const run = () => {
      const [y, back] = vjp(f, x, w);
      const [gx, gw] = back(g) as unknown as [Array, Array];
      return [y, gx, gw] as const;
    };
    run(); // warm-up
    const times: number[] = [];
    let last: readonly [Array, Array, Array] | null = null;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      last = run();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const t0 = performance.now();
    f(x, w);
    const fwd = performance.now() - t0;
    console.log(
      `[conv timing] conv2d fwd+bwd, x [32,28,28,32] NHWC, w [3,3,32,32] HWIO, SAME, float32: best of 2 ${times[0]!.toFixed(1)} ms ` +
        `(other ${times[1]!.toFixed(1)} ms); forward alone ${fwd.toFixed(1)} ms; 3 convolutions of ${((2 * 32 * 28 * 28 * 32 * 288) / 1e9).toFixed(2)} GFLOP each`,
    );
    expect(last![1].shape).toEqual([32, 28, 28, 32]);
    expect(last![2].shape).toEqual([3, 3, 32, 32]);
  });
});

/**
 * @file Elementwise NumPy functions: values worked out by hand from NumPy's definitions (floor
 * division and mod round toward -inf, `round` is half-to-even, IEEE NaN/inf), dtype rules, and
 * fast-check broadcasting laws (commutativity, result shape = broadcast of the input shapes).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastShapes } from "../../src/core/shape.js";
import * as np from "../../src/numpy/index.js";
import { grad } from "../../src/transforms/autodiff.js";
import { jit } from "../../src/transforms/jit.js";
import { vmap } from "../../src/transforms/vmap.js";
import { expectArray, expectSameArray } from "../helpers/allclose.js";

const i32 = (v: unknown) => np.array(v as number[], { dtype: "int32" });
const f64 = (v: unknown) => np.array(v as number[], { dtype: "float64" });

describe("arithmetic", () => {
  it("add broadcasts", () => {
    expectArray(np.add(np.array([[1], [2]]), np.array([10, 20])), [[11, 21], [12, 22]], { dtype: "float32" });
    expectArray(np.add(i32([1, 2]), 1), [2, 3], { dtype: "int32" });
    expectArray(np.add(np.array([true, false]), np.array([true, true])), [true, true], { dtype: "bool" });
  });

  it("subtract, multiply", () => {
    expectArray(np.subtract(np.array([5, 3]), 1), [4, 2]);
    expectArray(np.subtract(1, np.array([5, 3])), [-4, -2]);
    expectArray(np.multiply(i32([2, -3]), i32([4, 5])), [8, -15], { dtype: "int32" });
    expectArray(np.multiply(np.array([true, true, false]), np.array([true, false, false])), [true, false, false], { dtype: "bool" });
  });

  it("divide is true division: integers give float32, division by zero follows IEEE", () => {
    expectArray(np.divide(np.arange(3), 2), [0, 0.5, 1], { dtype: "float32" });
    expectArray(np.divide(i32([1, 2]), i32([2, 4])), [0.5, 0.5], { dtype: "float32" });
    expectArray(np.trueDivide(i32([3]), 2), [1.5], { dtype: "float32" });
    expectArray(np.divide(np.array([1, -1, 0]), 0), [Infinity, -Infinity, NaN]);
  });

  it("floorDivide rounds toward -inf (NumPy), keeping int32", () => {
    expectArray(np.floorDivide(i32([7, -7, 7, -7, 6, -6]), i32([2, 2, -2, -2, 3, 3])), [3, -4, -4, 3, 2, -2], { dtype: "int32" });
    expectArray(np.floorDivide(np.array([7.5, -7.5]), 2), [3, -4], { dtype: "float32" });
    expectArray(np.floorDivide(np.array([1, -1, 0]), 0), [Infinity, -Infinity, NaN]);
    expectArray(np.floorDivide(np.array([5], { dtype: "uint32" }), 2), [2], { dtype: "uint32" });
  });

  it("mod takes the sign of the divisor; fmod the sign of the dividend", () => {
    expectArray(np.mod(i32([-7, 7, 7, -7]), i32([3, 3, -3, -3])), [2, 1, -2, -1], { dtype: "int32" });
    expectArray(np.remainder(i32([5]), i32([0])), [0], { dtype: "int32" });
    expectArray(np.mod(np.array([-7.5, 7.5]), 2), [0.5, 1.5], { dtype: "float32" });
    expectArray(np.mod(np.array([5]), -3), [-1]);
    expectArray(np.mod(np.array([1]), 0), [NaN]);
    expectArray(np.fmod(i32([-7, 7]), 3), [-1, 1], { dtype: "int32" });
    expectArray(np.array([-7, 7]).mod(3), [2, 1]);
  });

  it("power keeps integers and follows IEEE for floats", () => {
    expectArray(np.power(i32([2, 3]), i32([10, 2])), [1024, 9], { dtype: "int32" });
    expectArray(np.power(np.array([4, 9]), 0.5), [2, 3], { dtype: "float32" });
    expectArray(np.power(i32([4]), 2.5), [32], { dtype: "float32" });
    expectArray(np.power(np.array([-8]), 1 / 3), [NaN]);
    expectArray(np.power(np.array([true]), 2), [1], { dtype: "int32" });
  });

  it("maximum and minimum propagate NaN", () => {
    expectArray(np.maximum(np.array([1, NaN, 5]), np.array([2, 0, 3])), [2, NaN, 5]);
    expectArray(np.minimum(np.array([1, NaN, 5]), np.array([2, 0, 3])), [1, NaN, 3]);
    expectArray(np.maximum(i32([1, 5]), 3), [3, 5], { dtype: "int32" });
  });

  it("negative, positive, abs, sign, square, reciprocal", () => {
    expectArray(np.negative(i32([1, -2])), [-1, 2], { dtype: "int32" });
    expectArray(np.positive(np.array([1, -2])), [1, -2]);
    expectArray(np.abs(i32([-3, 3])), [3, 3], { dtype: "int32" });
    expectArray(np.absolute(np.array([-1.5, 0, 2])), [1.5, 0, 2]);
    expectArray(np.abs(np.array([true, false])), [true, false], { dtype: "bool" });
    expectArray(np.sign(np.array([-2, 0, 3, NaN])), [-1, 0, 1, NaN], { dtype: "float32" });
    expectArray(np.sign(i32([-5, 0, 5])), [-1, 0, 1], { dtype: "int32" });
    expectArray(np.square(i32([-3, 4])), [9, 16], { dtype: "int32" });
    expectArray(np.reciprocal(i32([2, 4])), [0.5, 0.25], { dtype: "float32" });
  });
});

describe("exponentials and logarithms", () => {
  it("exp, log and friends", () => {
    expectArray(np.exp(np.array([0, 1])), [1, Math.E]);
    expectArray(np.exp2(np.array([3, -1])), [8, 0.5]);
    expectArray(np.expm1(f64([1e-10])), [1.00000000005e-10], { dtype: "float64", rtol: 1e-12, atol: 0 });
    expectArray(np.log(np.array([1, Math.E, 0, -1])), [0, 1, -Infinity, NaN]);
    expectArray(np.log1p(f64([1e-10])), [9.9999999995e-11], { rtol: 1e-12, atol: 0 });
    expectArray(np.log2(np.array([8, 1, 0.5])), [3, 0, -1]);
    expectArray(np.log10(np.array([1000, 0.01])), [3, -2]);
  });

  it("sqrt(-1) is NaN; integer inputs promote to float32", () => {
    expectArray(np.sqrt(np.array([4, -1, 0])), [2, NaN, 0]);
    expectArray(np.sqrt(i32([9])), [3], { dtype: "float32" });
    expectArray(np.exp(np.array([true])), [Math.E], { dtype: "float32" });
    expectArray(np.sqrt(f64([2])), [Math.SQRT2], { dtype: "float64", rtol: 1e-15 });
  });

  it("cbrt is defined for negative numbers", () => {
    expectArray(np.cbrt(np.array([-8, 27])), [-2, 3]);
  });

  it("logaddexp is stable and handles infinities", () => {
    expectArray(np.logaddexp(f64([1000, 0, -Infinity]), f64([1000, 0, -Infinity])), [1000 + Math.LN2, Math.LN2, -Infinity], { rtol: 1e-14 });
    expectArray(np.logaddexp(np.array([Infinity]), np.array([1])), [Infinity]);
  });

  it("hypot avoids overflow", () => {
    expectArray(np.hypot(np.array([3, 0]), np.array([4, 0])), [5, 0]);
    // 1e30² overflows float32, the scaled form does not.
    expectArray(np.hypot(np.array([1e30]), np.array([1e30])), [Math.SQRT2 * 1e30], { rtol: 1e-6 });
    expectArray(np.hypot(np.array([Infinity]), np.array([NaN])), [Infinity]);
  });

  it("angle conversions and nextafter", () => {
    expectArray(np.deg2rad(np.array([180, 90])), [Math.PI, Math.PI / 2]);
    expectArray(np.radians(np.array([180])), [Math.PI]);
    expectArray(np.rad2deg(np.array([Math.PI])), [180], { rtol: 1e-6 });
    expectArray(np.degrees(np.array([Math.PI / 2])), [90], { rtol: 1e-6 });
    // The next float32 after 1 is 1 + 2^-23.
    expectArray(np.nextafter(np.array([1]), 2), [1 + 2 ** -23], { rtol: 0, atol: 0 });
  });
});

describe("trigonometry", () => {
  it("circular functions and inverses", () => {
    expectArray(np.sin(np.array([0, Math.PI / 2])), [0, 1]);
    expectArray(np.cos(np.array([0, Math.PI])), [1, -1]);
    expectArray(np.tan(np.array([Math.PI / 4])), [1]);
    expectArray(np.arcsin(np.array([1, 2])), [Math.PI / 2, NaN]);
    expectArray(np.arccos(np.array([1, -1])), [0, Math.PI]);
    expectArray(np.arctan(np.array([1])), [Math.PI / 4]);
    expectArray(np.arctan2(np.array([1, 0, -1]), np.array([-1, -1, 0])), [(3 * Math.PI) / 4, Math.PI, -Math.PI / 2]);
  });

  it("hyperbolic functions and inverses", () => {
    expectArray(np.sinh(np.array([0])), [0]);
    expectArray(np.cosh(np.array([0])), [1]);
    expectArray(np.tanh(np.array([0, 100])), [0, 1]);
    expectArray(np.arcsinh(np.array([0])), [0]);
    expectArray(np.arccosh(np.array([1, 0.5])), [0, NaN]);
    expectArray(np.arctanh(f64([0.5, 1])), [0.5493061443340549, Infinity], { rtol: 1e-14 });
  });
});

describe("rounding", () => {
  it("floor, ceil, trunc, rint on floats", () => {
    const x = np.array([-1.5, -0.5, 0.5, 1.5]);
    expectArray(np.floor(x), [-2, -1, 0, 1]);
    expectArray(np.ceil(x), [-1, -0, 1, 2]);
    expectArray(np.trunc(x), [-1, -0, 0, 1]);
    expectArray(np.rint(x), [-2, -0, 0, 2]);
  });

  it("keep integer inputs as they are", () => {
    const x = i32([3, -4]);
    for (const f of [np.floor, np.ceil, np.trunc, np.rint]) expectArray(f(x), [3, -4], { dtype: "int32" });
  });

  it("round is half-to-even and takes decimals", () => {
    expectArray(np.round(np.array([0.5, 1.5, 2.5, -0.5, -1.5])), [0, 2, 2, -0, -2]);
    expectArray(np.round(f64([1.234, -5.678]), 2), [1.23, -5.68], { rtol: 1e-14 });
    expectArray(np.around(np.array([15, 25, 14]), -1), [20, 20, 10]);
    expectArray(np.round(i32([15, 25, 14]), -1), [20, 20, 10], { dtype: "int32" });
    expectArray(np.round(i32([15]), 2), [15], { dtype: "int32" });
  });
});

describe("where, clip, NaN handling", () => {
  it("where selects with broadcasting; a non-bool condition means nonzero", () => {
    const x = np.array([-1, 2, -3]);
    expectArray(np.where(x.gt(0), x, 0), [0, 2, 0], { dtype: "float32" });
    expectArray(np.where(np.array([1, 0]), 1, 2), [1, 2]);
    expectArray(np.where(np.array([[true], [false]]), np.array([1, 2]), i32([7])), [[1, 2], [7, 7]], { dtype: "float32" });
  });

  it("clip bounds either side", () => {
    const x = np.array([-2, 0.5, 3]);
    expectArray(np.clip(x, 0, 1), [0, 0.5, 1]);
    expectArray(np.clip(x, 0, null), [0, 0.5, 3]);
    expectArray(np.clip(x, null, 1), [-2, 0.5, 1]);
    expectArray(x.clip(np.array([-1, 1, 1]), 2), [-1, 1, 2]);
    expectArray(np.clip(i32([-5, 5]), -1, 1), [-1, 1], { dtype: "int32" });
  });

  it("isnan, isinf, isfinite, isposinf, isneginf", () => {
    const x = np.array([1, NaN, Infinity, -Infinity]);
    expectArray(np.isnan(x), [false, true, false, false]);
    expectArray(np.isinf(x), [false, false, true, true]);
    expectArray(np.isfinite(x), [true, false, false, false]);
    expectArray(np.isposinf(x), [false, false, true, false]);
    expectArray(np.isneginf(x), [false, false, false, true]);
    expectArray(np.isnan(i32([1])), [false], { dtype: "bool" });
    expectArray(np.isfinite(i32([1])), [true], { dtype: "bool" });
  });

  it("nanToNum replaces NaN and infinities by the dtype's extremes", () => {
    const big = 3.4028234663852886e38;
    expectArray(np.nanToNum(np.array([NaN, Infinity, -Infinity, 1])), [0, big, -big, 1]);
    expectArray(np.nanToNum(f64([Infinity])), [Number.MAX_VALUE]);
    expectArray(np.nanToNum(np.array([NaN, Infinity, -Infinity]), { nan: -1, posinf: 9, neginf: -9 }), [-1, 9, -9]);
    expectArray(np.nanToNum(i32([3])), [3], { dtype: "int32" });
  });
});

describe("comparisons and logic", () => {
  it("comparisons promote and give bool; NaN compares unequal", () => {
    const a = np.array([1, 2, NaN]);
    const b = np.array([1, 3, NaN]);
    expectArray(np.equal(a, b), [true, false, false], { dtype: "bool" });
    expectArray(np.notEqual(a, b), [false, true, true]);
    expectArray(np.less(a, b), [false, true, false]);
    expectArray(np.lessEqual(a, b), [true, true, false]);
    expectArray(np.greater(a, b), [false, false, false]);
    expectArray(np.greaterEqual(a, b), [true, false, false]);
    expectArray(np.less(i32([1, 2]), 1.5), [true, false]);
    expectArray(np.array([1, 2]).eq(2), [false, true]);
  });

  it("logical ops work on truth values", () => {
    expectArray(np.logicalAnd(np.array([1, 0, 2]), np.array([true, true, false])), [true, false, false], { dtype: "bool" });
    expectArray(np.logicalOr(np.array([1, 0, 0]), np.array([0, 0, 3])), [true, false, true]);
    expectArray(np.logicalXor(np.array([true, true]), np.array([true, false])), [false, true]);
    expectArray(np.logicalNot(np.array([0, 3])), [true, false]);
  });

  it("bitwise ops on integers and bools", () => {
    expectArray(np.bitwiseAnd(i32([12, 10]), i32([10, 6])), [8, 2], { dtype: "int32" });
    expectArray(np.bitwiseOr(i32([12, 10]), i32([10, 6])), [14, 14]);
    expectArray(np.bitwiseXor(i32([12, 10]), i32([10, 6])), [6, 12]);
    expectArray(np.bitwiseNot(i32([0, 5])), [-1, -6], { dtype: "int32" });
    expectArray(np.invert(np.array([0], { dtype: "uint32" })), [4294967295], { dtype: "uint32" });
    expectArray(np.invert(np.array([true, false])), [false, true], { dtype: "bool" });
    expectArray(np.bitwiseAnd(np.array([true, true]), np.array([true, false])), [true, false], { dtype: "bool" });
  });

  it("shifts: arithmetic right shift for int32, logical for uint32", () => {
    expectArray(np.leftShift(i32([1, 3]), i32([4, 1])), [16, 6], { dtype: "int32" });
    expectArray(np.rightShift(i32([-16, 16]), 2), [-4, 4], { dtype: "int32" });
    expectArray(np.rightShift(np.array([4294967280], { dtype: "uint32" }), 4), [268435455], { dtype: "uint32" });
  });
});

describe("inputs are never mutated", () => {
  it("operations leave their inputs unchanged", () => {
    const x = np.array([1, -2, 3]);
    np.add(x, 1);
    np.negative(x);
    np.clip(x, 0, 1);
    expect(x.tolist()).toEqual([1, -2, 3]);
  });
});

describe("composite functions under transformations", () => {
  const rows = f64([
    [1.5, -2.5, 3],
    [4, -5, 6.5],
  ]);
  const composites: Record<string, (v: np.Array) => np.Array> = {
    floorDivide: (v) => np.floorDivide(v, 2),
    mod: (v) => np.mod(v, 2),
    hypot: (v) => np.hypot(v, 3),
    logaddexp: (v) => np.logaddexp(v, 1),
    log2: (v) => np.log2(np.abs(v)),
    round: (v) => np.round(v, 1),
    where: (v) => np.where(v.gt(0), v, v.mul(2)),
    clip: (v) => np.clip(v, -1, 2),
    nanToNum: (v) => np.nanToNum(v.div(0)),
    isinf: (v) => np.isinf(v.div(0)),
    logical: (v) => np.logicalXor(v.gt(0), v.lt(2)),
  };

  for (const [name, f] of Object.entries(composites)) {
    it(`${name}: vmap(f) and vmap(jit(f)) equal f applied row by row`, () => {
      const eager = np.stack([f(np.array(rows.tolist()[0], { dtype: "float64" })), f(np.array(rows.tolist()[1], { dtype: "float64" }))]);
      expectSameArray(vmap(f)(rows), eager);
      expectSameArray(vmap(jit(f))(rows), eager);
    });
  }

  it("gradients of composites match their derivatives", () => {
    const x = f64([1.5, -2.5, 4]);
    const g = (f: (v: np.Array) => np.Array) => grad((v: np.Array) => np.sum(f(v)))(x);
    // d/dx hypot(x, 3) = x / hypot(x, 3)
    expectArray(g((v) => np.hypot(v, 3)), [1.5 / Math.hypot(1.5, 3), -2.5 / Math.hypot(2.5, 3), 4 / 5], { rtol: 1e-12 });
    // d/dx log2|x| = 1 / (x ln 2)
    expectArray(g((v) => np.log2(np.abs(v))), [1 / (1.5 * Math.LN2), 1 / (-2.5 * Math.LN2), 1 / (4 * Math.LN2)], { rtol: 1e-12 });
    // d/dx logaddexp(x, 1) = sigmoid(x - 1)
    const sig = (t: number) => 1 / (1 + Math.exp(-t));
    expectArray(g((v) => np.logaddexp(v, 1)), [sig(0.5), sig(-3.5), sig(3)], { rtol: 1e-12 });
    expectArray(g((v) => np.mod(v, 2)), [1, 1, 1]);
    expectArray(g((v) => np.floorDivide(v, 2)), [0, 0, 0]);
    expectArray(g((v) => np.clip(v, -1, 2)), [1, 0, 0]);
    expectArray(g((v) => np.where(v.gt(0), v, v.mul(2))), [1, 2, 1]);
  });
});

// ---------------------------------------------------------------------------------------------
// Broadcasting laws

/** Two shapes that broadcast together: drop leading axes and replace sizes by 1 at random. */
const broadcastablePair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((base) =>
    fc.tuple(
      ...[0, 1].map(() =>
        fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })).map(([drop, ones]) =>
          base.map((d, i) => (ones[i] ? 1 : d)).slice(drop),
        ),
      ),
    ),
  );

function arrayOfShape(shape: number[], seed: number, dtype: "float32" | "int32" = "float32") {
  const n = shape.reduce((a, b) => a * b, 1);
  // Small integers: sums and products are exact, so commutativity holds bit for bit.
  const values = Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13) % 11) - 5);
  return np.array(values, { dtype }).reshape(shape);
}

describe("broadcasting laws (properties)", () => {
  it("add and multiply are commutative and give the broadcast shape", () => {
    fc.assert(
      fc.property(broadcastablePair, fc.integer({ min: 0, max: 100 }), ([s1, s2], seed) => {
        const a = arrayOfShape(s1, seed);
        const b = arrayOfShape(s2, seed + 1, "int32");
        const expected = broadcastShapes("test", s1, s2);
        const ab = np.add(a, b);
        expect(ab.shape).toEqual(expected);
        expect(ab.dtype).toBe("float32");
        expectSameArray(ab, np.add(b, a));
        expectSameArray(np.multiply(a, b), np.multiply(b, a));
        expect(np.maximum(a, b).shape).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("broadcasting equals explicit broadcastTo", () => {
    fc.assert(
      fc.property(broadcastablePair, fc.integer({ min: 0, max: 100 }), ([s1, s2], seed) => {
        const a = arrayOfShape(s1, seed);
        const b = arrayOfShape(s2, seed + 3);
        const shape = broadcastShapes("test", s1, s2);
        expectSameArray(np.subtract(a, b), np.subtract(np.broadcastTo(a, shape), np.broadcastTo(b, shape)));
      }),
      { numRuns: 40 },
    );
  });
});

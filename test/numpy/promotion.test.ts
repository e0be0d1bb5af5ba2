/**
 * @file The type promotion table: every pair of (strong array dtype | weak JS scalar) through the
 * binary functions, written out by hand from DESIGN.md's conventions (JAX's lattice with weak
 * types; `int32 + uint32` is int32 because 64-bit integers are off, as JAX's default), plus the
 * per-function rules (float-only functions, integer-preserving ones, reductions).
 */
import { describe, expect, it } from "vitest";
import type { Array, ArrayLike } from "../../src/core/array.js";
import type { DType } from "../../src/core/dtype.js";
import * as np from "../../src/numpy/index.js";

/** Operand kinds: strong arrays of each dtype, and weak JS scalars. */
const KINDS = ["bool", "int32", "uint32", "float32", "float64", "jsInt", "jsFloat"] as const;
type Kind = (typeof KINDS)[number];

function operand(k: Kind): ArrayLike {
  switch (k) {
    case "jsInt":
      return 2;
    case "jsFloat":
      return 2.5;
    default:
      return np.ones([2], { dtype: k });
  }
}

/** Result dtype of a binary arithmetic op (rows: left operand, columns: right operand, in KINDS order). */
const TABLE: Record<Kind, DType[]> = {
  //        bool       int32      uint32     float32    float64    jsInt      jsFloat
  bool: ["bool", "int32", "uint32", "float32", "float64", "int32", "float32"],
  int32: ["int32", "int32", "int32", "float32", "float64", "int32", "float32"],
  uint32: ["uint32", "int32", "uint32", "float32", "float64", "uint32", "float32"],
  float32: ["float32", "float32", "float32", "float32", "float64", "float32", "float32"],
  float64: ["float64", "float64", "float64", "float64", "float64", "float64", "float64"],
  jsInt: ["int32", "int32", "uint32", "float32", "float64", "int32", "float32"],
  jsFloat: ["float32", "float32", "float32", "float32", "float64", "float32", "float32"],
};

const isJs = (k: Kind) => k === "jsInt" || k === "jsFloat";

describe("the promotion table", () => {
  for (const a of KINDS) {
    for (const [j, b] of KINDS.entries()) {
      const want = TABLE[a][j]!;
      it(`${a} + ${b} -> ${want}`, () => {
        const x = operand(a);
        const y = operand(b);
        const r = np.add(x, y);
        expect(r.dtype).toBe(want);
        // Promotion is symmetric.
        expect(np.add(y, x).dtype).toBe(want);
        expect(np.multiply(x, y).dtype).toBe(want);
        expect(np.maximum(x, y).dtype).toBe(want);
        expect(np.where(true, x, y).dtype).toBe(want);
        if (want !== "bool") expect(np.subtract(x, y).dtype).toBe(want);
        // Comparisons promote the same way and give bool.
        expect(np.less(x, y).dtype).toBe("bool");
        // True division lifts integers and bool to float32.
        expect(np.divide(x, y).dtype).toBe(want === "float64" ? "float64" : "float32");
        // Two JS numbers give a weak result; so does a JS number of a higher kind than the array
        // it meets (JAX's lattice: i32 ∨ f* = f*, bool ∨ i* = i*); otherwise the strong array wins.
        const rank = (k: Kind) => (k === "bool" ? 0 : k === "jsInt" || k === "int32" || k === "uint32" ? 1 : 2);
        const weakLifts = isJs(a) !== isJs(b) && rank(isJs(a) ? a : b) > rank(isJs(a) ? b : a);
        expect(r.weakType).toBe((isJs(a) && isJs(b)) || weakLifts);
      });
    }
  }

  it("weak JS numbers never widen a float array: float32 * 2 and * 2.5 stay float32", () => {
    const x = np.array([1, 2]);
    expect(x.mul(2).dtype).toBe("float32");
    expect(x.mul(2.5).dtype).toBe("float32");
    expect(x.mul(2).weakType).toBe(false);
  });

  it("a JS number is materialized in the promoted dtype (0.1 is exact in float64)", () => {
    expect(np.multiply(np.array([1], { dtype: "float64" }), 0.1).tolist()).toEqual([0.1]);
    expect(np.multiply(np.array([1]), 0.1).tolist()).toEqual([Math.fround(0.1)]);
  });

  it("concatenate and stack promote like arithmetic", () => {
    const cases: [Kind, Kind][] = [
      ["bool", "int32"],
      ["int32", "uint32"],
      ["int32", "float32"],
      ["float32", "float64"],
    ];
    for (const [a, b] of cases) {
      const want = TABLE[a][KINDS.indexOf(b)]!;
      expect(np.concatenate([operand(a), operand(b)]).dtype).toBe(want);
      expect(np.stack([operand(a), operand(b)]).dtype).toBe(want);
    }
  });
});

/** For each strong dtype: bool, int32, uint32, float32, float64. */
const STRONG: DType[] = ["bool", "int32", "uint32", "float32", "float64"];

function resultDtypes(f: (x: Array) => Array): DType[] {
  return STRONG.map((d) => f(np.ones([2], { dtype: d })).dtype);
}

describe("per-function dtype rules", () => {
  it("float-only functions promote bool and integers to float32", () => {
    const floaty = ["float32", "float32", "float32", "float32", "float64"];
    for (const f of [np.sqrt, np.exp, np.log, np.sin, np.tanh, np.log2, np.reciprocal, np.deg2rad, np.arctan]) {
      expect(resultDtypes(f)).toEqual(floaty);
    }
    expect(resultDtypes((x) => np.arctan2(x, x))).toEqual(floaty);
    expect(resultDtypes((x) => np.hypot(x, x))).toEqual(floaty);
  });

  it("abs, sign, floor, round, square keep the dtype", () => {
    for (const f of [np.abs, np.sign, np.floor, np.ceil, np.trunc, (x: Array) => np.round(x), np.square, np.positive]) {
      expect(resultDtypes(f)).toEqual(STRONG);
    }
  });

  it("power, floorDivide and mod keep integers and lift bool to int32", () => {
    const want = ["int32", "int32", "uint32", "float32", "float64"];
    expect(resultDtypes((x) => np.power(x, x))).toEqual(want);
    expect(resultDtypes((x) => np.floorDivide(x, x))).toEqual(want);
    expect(resultDtypes((x) => np.mod(x, x))).toEqual(want);
  });

  it("comparisons, logical ops and classification give bool", () => {
    const allBool = STRONG.map(() => "bool");
    expect(resultDtypes((x) => np.equal(x, x))).toEqual(allBool);
    expect(resultDtypes((x) => np.logicalAnd(x, x))).toEqual(allBool);
    expect(resultDtypes(np.logicalNot)).toEqual(allBool);
    expect(resultDtypes(np.isnan)).toEqual(allBool);
    expect(resultDtypes(np.isfinite)).toEqual(allBool);
  });

  it("sum and prod accumulate bool as int32; mean, var and std give floats", () => {
    const ints = ["int32", "int32", "uint32", "float32", "float64"];
    const floats = ["float32", "float32", "float32", "float32", "float64"];
    expect(resultDtypes((x) => np.sum(x))).toEqual(ints);
    expect(resultDtypes((x) => np.prod(x))).toEqual(ints);
    expect(resultDtypes((x) => np.cumsum(x))).toEqual(ints);
    expect(resultDtypes((x) => np.mean(x))).toEqual(floats);
    expect(resultDtypes((x) => np.var(x))).toEqual(floats);
    expect(resultDtypes((x) => np.std(x))).toEqual(floats);
    expect(resultDtypes((x) => np.max(x))).toEqual(STRONG);
    expect(resultDtypes((x) => np.argmax(x))).toEqual(STRONG.map(() => "int32"));
  });

  it("DESIGN.md's worked examples", () => {
    const i = np.array([1, 2], { dtype: "int32" });
    expect(np.array([1, 2]).dtype).toBe("float32");
    expect(np.array([true]).dtype).toBe("bool");
    expect(np.arange(3).dtype).toBe("int32");
    expect(np.add(i, i).dtype).toBe("int32");
    expect(np.divide(i, i).dtype).toBe("float32");
    expect(np.add(np.array([true]), np.array([true])).dtype).toBe("bool");
    expect(np.multiply(i, 2.5).dtype).toBe("float32");
    expect(np.multiply(np.array([1]), 2).dtype).toBe("float32");
  });
});

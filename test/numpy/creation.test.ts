/**
 * @file np.array / asarray and the filled, range and matrix constructors: shapes, dtypes
 * (JS numbers are float32, booleans bool, integer arange int32) and values worked out by hand.
 */
import { describe, expect, it } from "vitest";
import * as np from "../../src/numpy/index.js";
import { expectArray } from "../helpers/allclose.js";

describe("np.array", () => {
  it("reads nested lists as float32 by default", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]]);
    expectArray(x, [[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
    expect(x.ndim).toBe(2);
    expect(x.size).toBe(6);
    expect(x.weakType).toBe(false);
  });

  it("gives bool for booleans and float32 for a mix of numbers and booleans", () => {
    expectArray(np.array([true, false]), [true, false], { dtype: "bool" });
    expectArray(np.array([true, 2]), [1, 2], { dtype: "float32" });
  });

  it("makes 0-d arrays from scalars", () => {
    const x = np.array(2.5);
    expect(x.shape).toEqual([]);
    expect(x.item()).toBe(2.5);
    expect(np.array(true).dtype).toBe("bool");
  });

  it("honours dtype: float to int truncates toward zero, nonzero is true", () => {
    expectArray(np.array([1.7, -1.7, 2.5], { dtype: "int32" }), [1, -1, 2], { dtype: "int32" });
    expectArray(np.array([0, 2, -0.5], { dtype: "bool" }), [false, true, true], { dtype: "bool" });
    expectArray(np.array([1, 2], { dtype: "float64" }), [1, 2], { dtype: "float64" });
    // float32 rounding of 0.1 is visible in float64 (0.1f = 0.100000001490116...).
    expect(np.array([0.1]).astype("float64").tolist()[0]).toBeCloseTo(0.10000000149011612, 15);
  });

  it("saturates out-of-range values for integer dtypes and maps NaN to 0", () => {
    expectArray(np.array([3e9, -3e9, NaN], { dtype: "int32" }), [2147483647, -2147483648, 0], { dtype: "int32" });
    expectArray(np.array([-1, 5e9], { dtype: "uint32" }), [0, 4294967295], { dtype: "uint32" });
  });

  it("reads TypedArrays with their element type, copying the data", () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const x = np.array(data, { shape: [2, 3] });
    expectArray(x, [[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    data[0] = 100;
    expect(x.tolist()[0][0]).toBe(1);
    expect(np.array(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(np.array(new Uint32Array([1, 2])).dtype).toBe("uint32");
    expect(np.array(new Float32Array([1, 2])).dtype).toBe("float32");
    expect(np.array(new Uint8Array([0, 1]), { dtype: "bool" }).tolist()).toEqual([false, true]);
  });

  it("returns an Array unchanged (arrays are immutable) unless a dtype conversion is asked", () => {
    const x = np.array([1, 2]);
    expect(np.array(x)).toBe(x);
    expect(np.asarray(x)).toBe(x);
    expectArray(np.array(x, { dtype: "int32" }), [1, 2], { dtype: "int32" });
  });

  it("stacks nested lists of Arrays, promoting their dtypes", () => {
    const a = np.array([1, 2], { dtype: "int32" });
    const b = np.array([3, 4]);
    expectArray(np.array([a, b]), [[1, 2], [3, 4]], { dtype: "float32" });
    expectArray(np.array([[a], [a]]), [[[1, 2]], [[1, 2]]], { dtype: "int32" });
    // Lists and Arrays may mix at one level, as NumPy allows.
    expectArray(np.array([[1, 2], b]), [[1, 2], [3, 4]], { dtype: "float32" });
    expectArray(np.array([np.array(1, { dtype: "int32" }), 2.5]), [1, 2.5], { dtype: "float32" });
  });

  it("handles empty lists", () => {
    const x = np.array([]);
    expect(x.shape).toEqual([0]);
    expect(x.dtype).toBe("float32");
    expect(np.array([[], []]).shape).toEqual([2, 0]);
  });

  it("reshapes flat data with the shape option", () => {
    expectArray(np.array([1, 2, 3, 4], { shape: [2, 2] }), [[1, 2], [3, 4]]);
  });

  it("returns data that cannot be written back (dataSync is a copy)", () => {
    const x = np.array([1, 2, 3]);
    const d = x.dataSync();
    d[0] = 42;
    expect(x.tolist()).toEqual([1, 2, 3]);
  });
});

describe("filled arrays", () => {
  it("zeros, ones, empty and full", () => {
    expectArray(np.zeros([2, 3]), [[0, 0, 0], [0, 0, 0]], { dtype: "float32" });
    expectArray(np.zeros(3, { dtype: "int32" }), [0, 0, 0], { dtype: "int32" });
    expectArray(np.ones([2]), [1, 1], { dtype: "float32" });
    expectArray(np.ones([], { dtype: "bool" }), true, { dtype: "bool" });
    expectArray(np.empty([2]), [0, 0], { dtype: "float32" });
    expectArray(np.full([2, 2], 7), [[7, 7], [7, 7]], { dtype: "float32" });
    expectArray(np.full([2], true), [true, true], { dtype: "bool" });
    expectArray(np.full([2], 2.9, { dtype: "int32" }), [2, 2], { dtype: "int32" });
  });

  it("full broadcasts an Array fill value", () => {
    expectArray(np.full([2, 3], np.array([1, 2, 3])), [[1, 2, 3], [1, 2, 3]], { dtype: "float32" });
  });

  it("zero-size shapes are valid", () => {
    expect(np.zeros([0, 4]).shape).toEqual([0, 4]);
    expect(np.ones([3, 0]).size).toBe(0);
  });

  it("*Like forms take the shape and dtype of their input", () => {
    const x = np.array([[1, 2], [3, 4]], { dtype: "int32" });
    expectArray(np.zerosLike(x), [[0, 0], [0, 0]], { dtype: "int32" });
    expectArray(np.onesLike(x), [[1, 1], [1, 1]], { dtype: "int32" });
    expectArray(np.emptyLike(x), [[0, 0], [0, 0]], { dtype: "int32" });
    expectArray(np.fullLike(x, 5), [[5, 5], [5, 5]], { dtype: "int32" });
    expectArray(np.zerosLike(x, { dtype: "bool" }), [[false, false], [false, false]], { dtype: "bool" });
    expectArray(np.onesLike(x, { shape: [3] }), [1, 1, 1], { dtype: "int32" });
  });
});

describe("ranges", () => {
  it("arange with integers is int32, as NumPy", () => {
    expectArray(np.arange(5), [0, 1, 2, 3, 4], { dtype: "int32" });
    expectArray(np.arange(2, 5), [2, 3, 4], { dtype: "int32" });
    expectArray(np.arange(5, 0, -2), [5, 3, 1], { dtype: "int32" });
    expectArray(np.arange(3, 1), [], { dtype: "int32" });
  });

  it("arange with a fractional argument is float32", () => {
    expectArray(np.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], { dtype: "float32" });
    expectArray(np.arange(0.5, 3), [0.5, 1.5, 2.5], { dtype: "float32" });
    expectArray(np.arange(3, null, 1, { dtype: "float64" }), [0, 1, 2], { dtype: "float64" });
    // ceil((1 - 0) / 0.3) = 4 elements: 0, 0.3, 0.6, 0.9.
    expectArray(np.arange(0, 1, 0.3), [0, 0.3, 0.6, 0.9]);
  });

  it("linspace includes the endpoint by default", () => {
    expectArray(np.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], { dtype: "float32" });
    expectArray(np.linspace(0, 1, 4, false), [0, 0.25, 0.5, 0.75]);
    expectArray(np.linspace(2, 3, 1), [2]);
    expectArray(np.linspace(0, 1, 0), []);
    expectArray(np.linspace(1, -1, 3), [1, 0, -1]);
    // Integer dtypes floor the values (NumPy >= 2): 0, 1.5, 3 -> 0, 1, 3.
    expectArray(np.linspace(0, 3, 3, true, { dtype: "int32" }), [0, 1, 3], { dtype: "int32" });
  });

  it("logspace is base ** linspace", () => {
    expectArray(np.logspace(0, 3, 4), [1, 10, 100, 1000], { dtype: "float32" });
    expectArray(np.logspace(0, 3, 4, true, 2), [1, 2, 4, 8]);
    expectArray(np.logspace(0, 2, 2, false), [1, 10]);
  });
});

describe("matrices", () => {
  it("eye and identity", () => {
    expectArray(np.eye(2), [[1, 0], [0, 1]], { dtype: "float32" });
    expectArray(np.eye(2, 3, 1), [[0, 1, 0], [0, 0, 1]]);
    expectArray(np.eye(3, 2, -1), [[0, 0], [1, 0], [0, 1]]);
    expectArray(np.identity(3, { dtype: "int32" }), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: "int32" });
  });

  it("tri is one at and below the k-th diagonal", () => {
    expectArray(np.tri(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expectArray(np.tri(2, 3, 1), [[1, 1, 0], [1, 1, 1]]);
    expectArray(np.tri(3, 3, -1), [[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
  });

  it("tril and triu keep a triangle of the last two axes", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expectArray(np.tril(x), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expectArray(np.triu(x), [[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
    expectArray(np.triu(x, 1), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expectArray(np.tril(x, -1), [[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    expectArray(np.tril(np.ones([2, 2, 2])), [[[1, 0], [1, 1]], [[1, 0], [1, 1]]]);
  });
});

describe("dtype names", () => {
  it("are the dtype strings", () => {
    expect(np.zeros([1], { dtype: np.int32 }).dtype).toBe("int32");
    expect([np.float32, np.float64, np.int32, np.uint32, np.bool]).toEqual(["float32", "float64", "int32", "uint32", "bool"]);
  });
});

/**
 * @file NumPy-style printing. The expected strings are NumPy's `repr` layout (shortest digits,
 * aligned decimal points, scientific notation for wide ranges, wrapping at 75 columns, `...`
 * summaries above 1000 elements), with the dtype always shown as JAX does.
 */
import { describe, expect, it } from "vitest";
import { vmap } from "../../src/transforms/vmap.js";
import * as np from "../../src/numpy/index.js";

const s = (x: np.Array) => x.toString();

describe("toString", () => {
  it("prints 2-D floats with aligned rows", () => {
    expect(s(np.array([[1, 2], [3, 4]]))).toBe("array([[1., 2.],\n       [3., 4.]], dtype=float32)");
  });

  it("prints integers right-aligned and bools padded", () => {
    expect(s(np.array([[1, 2], [3, 4]], { dtype: "int32" }))).toBe("array([[1, 2],\n       [3, 4]], dtype=int32)");
    expect(s(np.array([1, 10], { dtype: "int32" }))).toBe("array([ 1, 10], dtype=int32)");
    expect(s(np.array([true, false]))).toBe("array([ True, False], dtype=bool)");
  });

  it("aligns decimal points, padding fractions on the right", () => {
    expect(s(np.array([1.5, 10.25, -3]))).toBe("array([ 1.5 , 10.25, -3.  ], dtype=float32)");
    expect(s(np.array([-0, 1.5], { dtype: "float64" }))).toBe("array([-0. ,  1.5], dtype=float64)");
  });

  it("prints the shortest digits that identify a float32 (at most 8 after the point)", () => {
    expect(s(np.array([0.1, 1 / 3]))).toBe("array([0.1       , 0.33333334], dtype=float32)");
    expect(s(np.array([0.1, 1 / 3], { dtype: "float64" }))).toBe("array([0.1       , 0.33333333], dtype=float64)");
  });

  it("switches to scientific notation for wide ranges", () => {
    expect(s(np.array([1e10, 1]))).toBe("array([1.e+10, 1.e+00], dtype=float32)");
    expect(s(np.array([123456.5, 0.001], { dtype: "float64" }))).toBe("array([1.234565e+05, 1.000000e-03], dtype=float64)");
    expect(s(np.array([-1e-5, 12.5]))).toBe("array([-1.00e-05,  1.25e+01], dtype=float32)");
    expect(s(np.array([1.5e300, 1], { dtype: "float64" }))).toBe("array([1.5e+300, 1.0e+000], dtype=float64)");
  });

  it("prints nan and inf", () => {
    expect(s(np.array([NaN, Infinity], { dtype: "float64" }))).toBe("array([nan, inf], dtype=float64)");
    expect(s(np.array([1.5e-5, 1, NaN, -Infinity]))).toBe("array([1.5e-05, 1.0e+00,     nan,    -inf], dtype=float32)");
  });

  it("wraps long rows at 75 columns", () => {
    expect(s(np.arange(30))).toBe(
      "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n" +
        "       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], dtype=int32)",
    );
  });

  it("separates blocks of 3-D arrays with a blank line", () => {
    expect(s(np.arange(24).reshape(2, 3, 4).astype("float32"))).toBe(
      "array([[[ 0.,  1.,  2.,  3.],\n" +
        "        [ 4.,  5.,  6.,  7.],\n" +
        "        [ 8.,  9., 10., 11.]],\n" +
        "\n" +
        "       [[12., 13., 14., 15.],\n" +
        "        [16., 17., 18., 19.],\n" +
        "        [20., 21., 22., 23.]]], dtype=float32)",
    );
  });

  it("summarizes arrays above 1000 elements", () => {
    expect(s(np.arange(2000).astype("float32"))).toBe(
      "array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n" + "       1.999e+03], shape=(2000,), dtype=float32)",
    );
    const big = s(np.arange(2000).reshape(40, 50));
    expect(big.split("\n")).toHaveLength(8);
    expect(big).toContain("[   0,    1,    2, ...,   47,   48,   49],");
    expect(big).toContain("       ...,\n");
    expect(big.endsWith("[1950, 1951, 1952, ..., 1997, 1998, 1999]],\n      shape=(40, 50), dtype=int32)")).toBe(true);
  });

  it("prints empty arrays and 0-d arrays", () => {
    expect(s(np.zeros([0]))).toBe("array([], dtype=float32)");
    expect(s(np.zeros([3, 0, 2]))).toBe("array([], shape=(3, 0, 2), dtype=float32)");
    expect(s(np.array(0.1))).toBe("array(0.1, dtype=float32)");
    expect(s(np.array(true))).toBe("array(True, dtype=bool)");
  });

  it("marks weakly typed values, as JAX does", () => {
    expect(s(np.add(1, 2))).toBe("array(3, dtype=int32, weak_type=True)");
  });

  it("takes print options", () => {
    expect(np.toString(np.array([1 / 3]), { precision: 3 })).toBe("array([0.333], dtype=float32)");
    expect(np.arrayRepr(np.arange(10), { threshold: 5, edgeitems: 2 })).toBe("array([0, 1, ..., 8, 9], shape=(10,), dtype=int32)");
  });

  it("arrayStr prints the elements only, as NumPy's str", () => {
    expect(np.arrayStr(np.array([1, 2.5]))).toBe("[1.  2.5]");
    expect(np.arrayStr(np.array([[1, 2], [3, 4]], { dtype: "int32" }))).toBe("[[1 2]\n [3 4]]");
    expect(np.arrayRepr(np.array([1]))).toBe("array([1.], dtype=float32)");
    expect(np.arrayRepr(np.array([1, 2]), { linewidth: 10 })).toBe("array([1.,\n       2.],\n      dtype=float32)");
  });

  it("tracers print their abstract value", () => {
    let seen = "";
    vmap((r: np.Array) => {
      seen = r.toString();
      return r;
    })(np.zeros([4, 3]));
    expect(seen).toBe("Traced<f32[3]>");
  });
});

/**
 * @file Bad input to indexing, linear algebra and sorting: each case raises a typed error whose
 * message names the function and the offending values (and, where it helps, what is valid).
 */
import { describe, expect, it } from "vitest";
import type { Array, ShapedArray } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { ConcretizationError, DTypeError, IndexError, ShapeError, ValueError } from "../../src/core/errors.js";
import type { Primitive } from "../../src/core/primitive.js";
import { Trace, Tracer, withMain, type MainTrace } from "../../src/core/trace.js";
import { array } from "../../src/numpy/creation.js";
import { at, nonzero, slice, take, takeAlongAxis } from "../../src/numpy/indexing.js";
import { dot, einsum, inner, linalg, matmul, tensordot, vdot } from "../../src/numpy/linalg.js";
import { argsort, isclose, median, sort, unique } from "../../src/numpy/sorting.js";

const x34 = array(
  globalThis.Array.from({ length: 12 }, (_, i) => i),
  { shape: [3, 4] },
);
const i32 = (d: any) => array(d, { dtype: "int32" });

/** Shape-only tracers: enough to run code whose values are unknown, as under jit. */
class AbstractTracer extends Tracer {}
class AbstractTrace extends Trace {
  pure(x: ConcreteArray): Tracer {
    return new AbstractTracer(this, x.aval);
  }
  lift(x: Tracer): Tracer {
    return new AbstractTracer(this, x.aval);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[] {
    return prim.abstractEval(tracers.map((t) => t.aval) as ShapedArray[], params).map((a) => new AbstractTracer(this, a));
  }
}
function traced(f: (...xs: Array[]) => unknown, ...args: Array[]): unknown {
  return withMain("jit", (m: MainTrace) => new AbstractTrace(m), null, (main) => f(...args.map((a) => new AbstractTracer(main.trace, a.aval))));
}

/** Expect `f` to throw an error of class `cls` whose message matches every pattern. */
function throws(f: () => unknown, cls: new (...a: any[]) => Error, ...patterns: RegExp[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, "expected an error").toBeInstanceOf(cls);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

describe("slice errors", () => {
  it("out-of-range integers name the axis, the index and the size", () => {
    throws(() => slice(x34, [3]), IndexError, /^slice: index 3 is out of bounds for axis 0 with size 3/);
    throws(() => slice(x34, [0, -5]), IndexError, /^slice: index -5 is out of bounds for axis 1 with size 4/);
    throws(() => slice(x34, ["...", 4]), IndexError, /axis 1 with size 4/);
  });

  it("too many indices and more than one ellipsis", () => {
    throws(() => slice(x34, [0, 0, 0]), IndexError, /^slice: too many indices/, /\[3,4\]/, /2-dimensional, but 3 were indexed/);
    throws(() => slice(x34, [0, [null], null, i32([0])]), IndexError, /too many indices/);
    throws(() => slice(x34, ["...", "..."]), IndexError, /single ellipsis/);
  });

  it("bad steps, bad slice entries and unknown index kinds", () => {
    throws(() => slice(x34, [[null, null, 0]]), ValueError, /^slice: index 0: slice step cannot be zero \(got \[null,null,0\]\)/);
    throws(() => slice(x34, [1.5]), IndexError, /only integers/, /1\.5/);
    throws(() => slice(x34, [[0, 2.5]]), IndexError, /slice stop must be an integer or null, got 2\.5/);
    throws(() => slice(x34, [[0, 1, 1, 1] as any]), IndexError, /1 to 3 entries/, /\[0,1,1,1\]/);
    throws(() => slice(x34, ["a" as any]), IndexError, /index 0 is "a"/, /valid indices are/);
    throws(() => slice(x34, [undefined as any]), IndexError, /index 0 is undefined/);
  });

  it("index arrays: wrong dtype, out of range, shape mismatch", () => {
    throws(() => slice(x34, [array([0, 1])]), DTypeError, /^slice: index 0: index arrays must be int32, uint32 or bool/, /shape \[2\] and dtype float32/);
    throws(() => slice(x34, [i32([0, 3])]), IndexError, /^slice: index 3 is out of bounds for axis 0 with size 3/);
    throws(() => slice(x34, [[null], i32([-5])]), IndexError, /index -5 is out of bounds for axis 1 with size 4/);
    throws(() => slice(x34, [array([0, 7], { dtype: "uint32" })]), IndexError, /index 7 is out of bounds for axis 0/);
    throws(() => slice(x34, [i32([0, 1]), i32([0, 1, 2])]), IndexError, /shape mismatch: indexing arrays could not be broadcast together with shapes \[2\] \[3\]/);
  });

  it("boolean masks: shape mismatch, 0-d, traced", () => {
    throws(() => slice(x34, [array([true, false])]), IndexError, /boolean index did not match the indexed array along axis 0: the axis has size 3 but the mask has size 2/);
    throws(() => slice(x34, [[null], array([true, false, true])]), IndexError, /along axis 1: the axis has size 4 but the mask has size 3/);
    throws(() => slice(x34, [array(true)]), IndexError, /0-d boolean index/);
    throws(() => traced((x, m) => slice(x, [m]), x34, array([true, false, true])), ConcretizationError, /^slice: boolean mask indexing needs a concrete mask/, /np\.where/);
  });
});

describe("at errors", () => {
  it("name the update method", () => {
    throws(() => at(x34, [5]).set(1), IndexError, /^at\.set: index 5 is out of bounds for axis 0 with size 3/);
    throws(() => at(x34, [array([0.5])]).add(1), DTypeError, /^at\.add: .*int32, uint32 or bool/);
    throws(() => at(x34, [0, 0, 0]).mul(2), IndexError, /^at\.mul: too many indices/);
    throws(() => at(x34, [[0, 1, 0]]).min(2), ValueError, /^at\.min: .*step cannot be zero/);
    throws(() => at(x34, [7]).get(), IndexError, /^at\.get: index 7 is out of bounds for axis 0 with size 3/);
  });

  it("a value that does not broadcast to the indexed shape", () => {
    throws(() => at(x34, [0]).set(array([1, 2, 3])), ShapeError, /^at\.set: cannot broadcast the value of shape \[3\] to the indexed shape \[4\]/, /array shape \[3,4\]/);
    throws(() => at(x34, [[null], i32([0, 1])]).add(array([[1, 2, 3]])), ShapeError, /^at\.add: .*shape \[1,3\] to the indexed shape \[3,2\]/);
    throws(() => at(x34, [0]).set("a" as any), ValueError, /^at\.set: expected an Array, a number or a boolean/);
  });

  it("a traced mask", () => {
    throws(() => traced((x, m) => at(x, [m]).set(0), x34, array([true, false, true])), ConcretizationError, /^at\.set: boolean mask/);
  });
});

describe("take, takeAlongAxis, nonzero errors", () => {
  it("take", () => {
    throws(() => take(x34, [12]), IndexError, /^take: index 12 is out of bounds for axis 0 with size 12/);
    throws(() => take(x34, [4], 1), IndexError, /^take: index 4 is out of bounds for axis 1 with size 4/);
    throws(() => take(x34, array([0.5])), DTypeError, /^take: indices must be int32 or uint32, got float32/);
    throws(() => take(x34, [0.5]), DTypeError, /^take: .*got \[0\.5\]/);
    throws(() => take(x34, [0], 2), ValueError, /^take: axis 2 is out of bounds for an array of dimension 2/);
  });

  it("takeAlongAxis", () => {
    throws(() => takeAlongAxis(x34, i32([0]), 1), ValueError, /^takeAlongAxis: indices and array must have the same number of dimensions, got shapes \[1\] and \[3,4\]/);
    throws(() => takeAlongAxis(x34, i32([[4]]), 1), IndexError, /^takeAlongAxis: index 4 is out of bounds for axis 1 with size 4/);
    throws(() => takeAlongAxis(x34, i32([[0], [0]]), 1), ShapeError, /do not broadcast .* on axis 0 \(2 vs 3\)/);
    throws(() => takeAlongAxis(x34, i32([[0]]), null), ValueError, /axis=null the indices must be 1-D/);
    throws(() => takeAlongAxis(x34, array([[0]]), 1), DTypeError, /^takeAlongAxis: indices must be int32 or uint32, got float32/);
  });

  it("nonzero", () => {
    throws(() => nonzero(array(1)), ValueError, /^nonzero: calling nonzero on a 0-d array/);
    throws(() => traced((x) => nonzero(x), x34), ConcretizationError, /^nonzero: nonzero is eager only/, /np\.where/);
  });
});

describe("linear algebra errors", () => {
  it("matmul", () => {
    throws(() => matmul(array(1), x34), ValueError, /^matmul: operands must be at least 1-D, got shapes \[\] and \[3,4\]/);
    throws(() => matmul(array([[1, 2, 3]]), array([[1], [2]])), ShapeError, /^matmul: shapes \[1,3\] and \[2,1\] do not align/, /size 3/, /size 2/);
    throws(() => matmul(array([1, 2]), array([1, 2, 3])), ShapeError, /the length of the second \(size 3\)/);
    const a = array(new Float32Array(2 * 2 * 2), { shape: [2, 2, 2] });
    const b = array(new Float32Array(3 * 2 * 2), { shape: [3, 2, 2] });
    throws(() => matmul(a, b), ShapeError, /^matmul: the batch dimensions \[2\] and \[3\]/);
  });

  it("dot, vdot, inner, tensordot", () => {
    throws(() => dot(x34, x34), ShapeError, /^dot: shapes \[3,4\] and \[3,4\] not aligned: axis 1 of the first \(size 4\) != axis 0 of the second \(size 3\)/);
    throws(() => vdot(x34, array([1, 2])), ShapeError, /^vdot: .*\[3,4\] \(12\) and \[2\] \(2\)/);
    throws(() => inner(x34, array([1, 2])), ShapeError, /^inner: .*\(4 vs 2\)/);
    throws(() => tensordot(x34, x34, 3), ValueError, /^tensordot: axes=3 must be an integer between 0 and 2/);
    throws(() => tensordot(x34, x34, [[0], [1]]), ShapeError, /^tensordot: .*axis 0 of \[3,4\] has size 3 but axis 1 of \[3,4\] has size 4/);
    throws(() => tensordot(x34, x34, [[0, 1], [0]]), ValueError, /same number of axes/);
    throws(() => tensordot(x34, x34, [[5], [0]]), ValueError, /^tensordot: axis 5 is out of bounds/);
  });

  it("einsum: bad strings and mismatched operands", () => {
    const m = array([
      [1, 2],
      [3, 4],
    ]);
    const r23 = array(new Float32Array(6), { shape: [2, 3] });
    throws(() => einsum("ij,jk->ik", m), ValueError, /^einsum: subscripts 'ij,jk->ik' name 2 operand\(s\) but 1 were given/);
    throws(() => einsum("ij->k", m), ValueError, /^einsum: output label 'k' in 'ij->k' does not appear in any operand/);
    throws(() => einsum("ij->ii", m), ValueError, /output label 'i' appears more than once/);
    throws(() => einsum("i$j", m), ValueError, /^einsum: invalid character '\$' in operand 0 'i\$j'/);
    throws(() => einsum("i.j", m), ValueError, /invalid character '\.'/);
    throws(() => einsum("...i...", m), ValueError, /more than one ellipsis/);
    throws(() => einsum("i->j->k", m), ValueError, /more than one '->'/);
    throws(() => einsum("ijk", m), ValueError, /^einsum: operand 0 has shape \[2,2\] \(2 axes\) but its subscripts 'ijk' name 3/);
    throws(() => einsum("i", m), ValueError, /subscripts 'i' name 1/);
    throws(() => einsum("ij,jk", r23, r23), ShapeError, /^einsum: label 'j' has size 3 \(operand 0, axis 1\) but size 2 \(operand 1, axis 0\)/);
    throws(() => einsum("ii", r23), ShapeError, /label 'i' has size 2 .* but size 3/);
    throws(() => einsum(3 as any, m), ValueError, /subscripts string/);
  });

  it("linalg.norm", () => {
    throws(() => linalg.norm(array([3, 4]), "fro"), ValueError, /^linalg\.norm: invalid norm order "fro" for vectors/);
    throws(() => linalg.norm(x34, 2), ValueError, /^linalg\.norm: matrix norm ord=2 needs singular values/);
    throws(() => linalg.norm(x34, "nuc"), ValueError, /SVD/);
    throws(() => linalg.norm(x34, 3), ValueError, /invalid norm order 3 for matrices/);
    throws(() => linalg.norm(x34, null, 2), ValueError, /^linalg\.norm: axis 2 is out of bounds/);
    throws(() => linalg.norm(x34, null, [0, 0]), ValueError, /duplicate axes/);
    throws(() => linalg.norm(array(new Float32Array(8), { shape: [2, 2, 2] }), 1), ValueError, /needs a 1-D or 2-D array or an explicit axis, got shape \[2,2,2\]/);
  });
});

describe("sorting errors", () => {
  it("axes, traced unique, tolerances, shapes", () => {
    throws(() => sort(x34, 2), ValueError, /^sort: axis 2 is out of bounds for an array of dimension 2/);
    throws(() => argsort(x34, -3), ValueError, /^argsort: axis -3 is out of bounds/);
    throws(() => sort(array(1)), ValueError, /^sort: axis -1 is out of bounds for an array of dimension 0/);
    throws(() => median(x34, 5), ValueError, /^median: axis 5 is out of bounds/);
    throws(() => traced((x) => unique(x), x34), ConcretizationError, /^unique: unique is eager only/);
    throws(() => isclose(x34, x34, { rtol: -1 }), ValueError, /^isclose: rtol must be a non-negative number, got -1/);
    throws(() => isclose(x34, array([1, 2])), ShapeError, /^isclose: shapes \[3,4\] and \[2\] cannot be broadcast together/);
  });
});

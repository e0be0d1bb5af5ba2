/**
 * @file Errors of the transformations: each names the function, what went wrong and how to fix
 * it. grad of a non-scalar output, a leaked tracer used after its transformation ended, hasAux
 * with the wrong return shape, pytree mismatches, concretization under jit, bad argnums / axes.
 */
import { describe, expect, it } from "vitest";
import {
  type Array,
  ConcretizationError,
  DTypeError,
  grad,
  jit,
  jvp,
  linearize,
  np,
  ShapeError,
  tree,
  TreeMismatchError,
  UnexpectedTracerError,
  valueAndGrad,
  ValueError,
  vjp,
  vmap,
} from "../../src/index.js";

const f64 = (v: number | number[]) => np.array(v, { dtype: "float64" });

/** Run `fn`, expecting it to throw; returns the error for further checks. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, but the call returned normally");
}

describe("grad needs a scalar float output", () => {
  it("a non-scalar output: ShapeError naming the shape and the fix", () => {
    const e = thrown(() => grad((x: Array) => x.mul(2))(f64([1, 2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/^grad: the function must return a scalar \(shape \[\]\), got shape \[3\]/);
    expect(e.message).toMatch(/\.sum\(\)|\.mean\(\)/);
    expect(e.message).toMatch(/vjp|jacrev/);
  });

  it("a pytree output without hasAux: ValueError suggesting hasAux or vjp", () => {
    const e = thrown(() => grad((x: Array) => ({ loss: np.sum(x) }))(f64([1, 2])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/grad: the function must return a scalar Array, got a pytree/);
    expect(e.message).toMatch(/hasAux/);
  });

  it("an integer output: DTypeError", () => {
    const e = thrown(() => grad((x: Array) => np.argmax(x))(f64([1, 2])));
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toMatch(/grad: the function must return a float scalar, got int32/);
  });

  it("differentiating an integer input: DTypeError naming the dtype and the fix", () => {
    const e = thrown(() => grad((x: Array) => np.sum(x.astype("float32")))(np.arange(3)));
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toMatch(/can only differentiate with respect to float inputs .*got int32/);
    expect(e.message).toMatch(/astype\("float32"\)|argnums/);
  });

  it("argnums out of range: ValueError", () => {
    const e = thrown(() => grad((x: Array) => np.sum(x), { argnums: 2 })(f64([1])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/argnums 2 is out of range for a function called with 1 positional argument/);
  });
});

describe("a leaked tracer used after its transformation ended", () => {
  const message = /leaked/;

  it("stored inside grad, used outside: UnexpectedTracerError mentioning 'leaked' and the fix", () => {
    let stash: Array | null = null;
    grad((x: Array) => {
      stash = x.mul(2);
      return np.sum(x);
    })(f64([1, 2]));
    const e = thrown(() => stash!.add(1));
    expect(e).toBeInstanceOf(UnexpectedTracerError);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/has already finished/);
    expect(e.message).toMatch(/return it from the transformed function instead/);
  });

  it("stored inside vmap or jit, used later inside another transformation", () => {
    let fromVmap: Array | null = null;
    vmap((x: Array) => {
      fromVmap = x;
      return x.mul(2);
    })(f64([1, 2]));
    expect(() => np.sin(fromVmap!)).toThrow(message);
    let fromJit: Array | null = null;
    jit((x: Array) => {
      fromJit = np.exp(x);
      return x;
    })(f64([1, 2]));
    expect(() => fromJit!.mul(3)).toThrow(UnexpectedTracerError);
    // Used inside a *different* transformation that is still running: still rejected.
    expect(() => grad((y: Array) => np.sum(y.mul(fromJit!)))(f64([1, 2]))).toThrow(message);
  });

  it("reading a leaked jit tracer's value is a concretization error, not garbage", () => {
    let stash: Array | null = null;
    jit((x: Array) => {
      stash = x;
      return x;
    })(f64([1]));
    expect(() => stash!.item()).toThrow(ConcretizationError);
  });
});

describe("hasAux with the wrong return shape", () => {
  it("a bare Array instead of [loss, aux]", () => {
    const e = thrown(() => grad((x: Array) => np.sum(x), { hasAux: true })(f64([1, 2])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/grad: with hasAux: true the function must return a pair \[output, aux\], got object/);
  });

  it("a list of three", () => {
    const e = thrown(() => valueAndGrad((x: Array) => [np.sum(x), x, x], { hasAux: true })(f64([1, 2])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/must return a pair \[output, aux\], got an array of length 3/);
  });

  it("a pair whose first element is not a scalar", () => {
    const e = thrown(() => grad((x: Array) => [x, null], { hasAux: true })(f64([1, 2])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/must return a scalar \(shape \[\]\), got shape \[2\]/);
  });
});

describe("pytree mismatches name both structures and the first difference", () => {
  it("jvp: primals and tangents with different structures", () => {
    const f = (p: { a: Array; b: Array }) => p.a.mul(p.b);
    const e = thrown(() => jvp(f, [{ a: f64(1), b: f64(2) }], [{ a: f64(1) }]));
    expect(e).toBeInstanceOf(TreeMismatchError);
    expect(e.message).toMatch(/^jvp: primals and tangents have different structures, first difference at \[0\] \(keys \{a, b\} vs \{a\}\)/);
    expect(e.message).toContain("[{a: *, b: *}]");
    expect(e.message).toContain("[{a: *}]");
  });

  it("jvp: a tangent whose shape differs from its primal", () => {
    const e = thrown(() => jvp((x: Array) => x, [f64([1, 2])], [f64([1, 2, 3])]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/jvp: tangent 0 has shape \[3\] but its primal has shape \[2\]/);
  });

  it("jvp: primals must be a list", () => {
    const e = thrown(() => jvp((x: Array) => x, f64(1) as never, f64(1) as never));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/primals and tangents must be lists/);
  });

  it("vjp: a cotangent with a different structure from the output", () => {
    const [, pullback] = vjp((x: Array) => ({ y: x, z: [x, x] }), f64([1]));
    const e = thrown(() => pullback({ y: f64([1]), z: [f64([1])] } as never));
    expect(e).toBeInstanceOf(TreeMismatchError);
    expect(e.message).toMatch(/^vjp: the output of f and the cotangent have different structures, first difference at \.z \(list of 2 vs 1\)/);
    expect(e.message).toContain("{y: *, z: [*, *]}");
    expect(e.message).toContain("{y: *, z: [*]}");
  });

  it("vjp: a cotangent with the wrong shape", () => {
    const [, pullback] = vjp((x: Array) => x.mul(2), f64([1, 2]));
    const e = thrown(() => pullback(f64([1]) as never));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/vjp: cotangent 0 has shape \[1\] but the output has shape \[2\]/);
  });

  it("linearize: tangents with a different structure from the primals", () => {
    const [, fJvp] = linearize((a: Array, b: Array) => a.mul(b), f64(1), f64(2));
    const e = thrown(() => fJvp(f64(1) as never, [f64(1)] as never));
    expect(e).toBeInstanceOf(TreeMismatchError);
    expect(e.message).toMatch(/^linearize: primals and tangents have different structures, first difference at \[1\]/);
  });

  it("tree.map over trees of different shapes", () => {
    const e = thrown(() => tree.map((a: Array, b: Array) => a.add(b), { w: f64(1), b: f64(2) }, { w: f64(1) }));
    expect(e).toBeInstanceOf(TreeMismatchError);
    expect(e.message).toMatch(/tree\.map: tree 0 and tree 1 have different structures/);
  });

  it("vmap: batch sizes that disagree", () => {
    const e = thrown(() => vmap((a: Array, b: Array) => a.add(b))(f64([1, 2]), f64([1, 2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/vmap: batched inputs have different sizes along their batch axes: 2 .* vs 3/);
  });

  it("vmap: an inAxes list of the wrong length, an axis out of range, nothing batched", () => {
    expect(() => vmap((a: Array) => a, [0, 0])(f64([1]))).toThrow(/inAxes has 2 entries but the function was called with 1 positional argument/);
    expect(() => vmap((a: Array) => a, 1)(f64([1]))).toThrow(/in axis 1 is out of range for leaf 0 of shape \[1\]/);
    expect(() => vmap((a: Array) => a, null)(f64([1]))).toThrow(/no input is batched; pass \{ axisSize \}/);
  });
});

describe("concretization under jit", () => {
  it("jit((x) => x.item() > 0 ? x : x.neg()) explains lax.cond and staticArgnums", () => {
    const f = jit((x: Array) => ((x.item() as number) > 0 ? x : x.neg()));
    const e = thrown(() => f(f64(2)));
    expect(e).toBeInstanceOf(ConcretizationError);
    expect(e.message).toMatch(/^item: cannot read the value of a traced array \(shape \[\], float64\) inside jit\(/);
    expect(e.message).toMatch(/lax\.cond/);
    expect(e.message).toMatch(/staticArgnums/);
  });

  it("tolist and dataSync under vmap fail the same way", () => {
    expect(() => vmap((x: Array) => np.array(x.tolist()))(f64([1, 2]))).toThrow(ConcretizationError);
    expect(() => vmap((x: Array) => np.array(x.dataSync()[0]!))(f64([1, 2]))).toThrow(/dataSync: cannot read the value of a traced array .* inside vmap/);
  });

  it("under grad the primal is known, so JS control flow on values works (as in JAX)", () => {
    const absish = (x: Array) => ((x.item() as number) > 0 ? x.mul(x) : x.neg());
    expect(grad(absish)(f64(3)).item()).toBe(6);
    expect(grad(absish)(f64(-3)).item()).toBe(-1);
    // ... but not under jit(grad): the primal is traced there.
    expect(() => jit(grad(absish))(f64(3))).toThrow(ConcretizationError);
  });

  it("the fix: a static argument (or lax.cond / np.where)", () => {
    const f = jit((x: Array, positive: boolean) => (positive ? x : x.neg()), { staticArgnums: 1 });
    expect(f(f64(2), true).item()).toBe(2);
    expect(f(f64(2), false).item()).toBe(-2);
    const g = jit((x: Array) => np.where(x.gt(0), x, x.neg()));
    expect(g(f64(-2)).item()).toBe(2);
  });
});

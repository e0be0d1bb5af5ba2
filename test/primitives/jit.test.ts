/**
 * @file `jit` over every primitive (spec table): `jit(f)(x) ≈ f(x)`, a second call with new
 * values of the same shapes is a cache hit and still right, and the shape/dtype rule agrees with
 * the eager kernel (`evalShape`). Then random compositions of primitives under `jit`, `vmap` and
 * `grad`, the jit cache (hits, misses, static arguments), and pinned `makeJaxpr` printing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { allocate } from "../../src/core/dtype.js";
import { grad, jit, makeJaxpr, np, vmap } from "../../src/index.js";
import { arrays } from "../../src/testing/arbitraries.js";
import { evalShape } from "../../src/transforms/jit.js";
import { expectClose, f64 } from "../helpers/close.js";
import { fcParams, outList, shp, SPECS, type Case } from "./spec.js";

const NUM_RUNS = 8;
const TOL = { atol: 1e-12, rtol: 1e-9 };

describe("jit(f)(x) equals f(x) for every primitive", () => {
  for (const spec of SPECS) {
    const twoSamples = spec.cases.chain((c: Case) => fc.tuple(fc.constant(c), fc.tuple(...spec.args(c)), fc.tuple(...spec.args(c))));
    it(`${spec.name}: values, and a cache hit on the second call`, () => {
      fc.assert(
        fc.property(twoSamples, ([c, xs1, xs2]) => {
          const f = spec.fn(c.params);
          const jf = jit(f);
          expectClose(outList(jf(...xs1)), outList(f(...xs1)), TOL, `jit(${spec.name}) first call`);
          expectClose(outList(jf(...xs2)), outList(f(...xs2)), TOL, `jit(${spec.name}) cached call`);
          expect(jf.cacheInfo()).toMatchObject({ hits: 1, misses: 1 });
        }),
        fcParams(`jit:${spec.name}`, NUM_RUNS),
      );
    });
    it(`${spec.name}: the shape rule agrees with the eager result`, () => {
      fc.assert(
        fc.property(
          spec.cases.chain((c: Case) => fc.tuple(fc.constant(c), fc.tuple(...spec.args(c)))),
          ([c, xs]) => {
            const f = spec.fn(c.params);
            const abstract = outList(evalShape(f, ...xs));
            const eager = outList(f(...xs));
            expect(abstract.map((a) => [a.shape, a.dtype])).toEqual(eager.map((a) => [a.shape, a.dtype]));
          },
        ),
        fcParams(`shape:${spec.name}`, 4),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Random compositions of primitives

type Step = (y: Array, x: Array) => Array;

/** Shape-preserving steps (bounded, so long chains stay finite), written with the public API. */
const STEPS: Record<string, Step> = {
  sin: (y) => np.sin(y),
  cos: (y) => np.cos(y),
  tanh: (y) => np.tanh(y),
  arctan: (y) => np.arctan(y),
  expTanh: (y) => np.exp(np.tanh(y)),
  square: (y) => np.square(y).mul(0.5),
  addInput: (y, x) => y.add(x),
  mulInput: (y, x) => y.mul(x),
  subScalar: (y) => y.sub(1.5),
  sumBack: (y) => np.broadcastTo(np.sum(y, -1, { keepdims: true }), y.shape),
  maxBack: (y) => np.broadcastTo(np.max(y, 0, { keepdims: true }), y.shape).add(y),
  flip: (y) => np.flip(y, 0),
  cumsum: (y) => np.cumsum(y, -1).mul(0.3),
  where: (y, x) => np.where(x.gt(0), y, np.sin(y)),
};
const STEP_NAMES = Object.keys(STEPS);

const programs = fc.array(fc.constantFrom(...STEP_NAMES), { minLength: 1, maxLength: 6 });
const run = (prog: string[]) => (x: Array) => prog.reduce((y, s) => STEPS[s]!(y, x), x);

function stack(xs: readonly Array[]): Array {
  const n = xs[0]!.size;
  const data = allocate("float64", n * xs.length);
  xs.forEach((x, b) => data.set(x.dataSync(), b * n));
  return new ConcreteArray(data, [xs.length, ...xs[0]!.shape], "float64");
}

describe("random compositions of primitives", () => {
  const input = fc.tuple(programs, shp(1, 3).chain((s) => fc.array(arrays({ shape: s }), { minLength: 1, maxLength: 3 })));

  it("jit(f)(x) equals f(x)", () => {
    fc.assert(
      fc.property(input, ([prog, xs]) => {
        const f = run(prog);
        const jf = jit(f);
        for (const x of xs) expectClose(jf(x), f(x), TOL, prog.join(" -> "));
        expect(jf.cacheInfo().misses).toBe(1);
      }),
      fcParams("compose:jit", 20),
    );
  });

  it("vmap(f)(xs) equals the stack of f(x_i), also under jit", () => {
    fc.assert(
      fc.property(input, ([prog, xs]) => {
        const f = run(prog);
        const want = stack(xs.map(f));
        expectClose(vmap(f)(stack(xs)), want, TOL, `vmap ${prog.join(" -> ")}`);
        expectClose(jit(vmap(f))(stack(xs)), want, TOL, `jit(vmap) ${prog.join(" -> ")}`);
      }),
      fcParams("compose:vmap", 20),
    );
  });

  it("grad(jit(f)) and jit(grad(f)) equal grad(f)", () => {
    fc.assert(
      fc.property(input, ([prog, xs]) => {
        const loss = (x: Array) => np.sum(run(prog)(x));
        const g = grad(loss);
        for (const x of xs) {
          const want = g(x);
          expectClose(grad(jit(loss))(x), want, TOL, `grad(jit) ${prog.join(" -> ")}`);
          expectClose(jit(g)(x), want, TOL, `jit(grad) ${prog.join(" -> ")}`);
        }
      }),
      fcParams("compose:grad", 15),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The jit cache and makeJaxpr

describe("jit cache", () => {
  const f = (x: Array) => np.sin(x).mul(2);

  it("a second call with the same shapes and dtypes is a cache hit; a new shape or dtype is a miss", () => {
    const jf = jit(f);
    jf(f64([1, 2, 3]));
    expect(jf.cacheInfo()).toEqual({ hits: 0, misses: 1, size: 1 });
    jf(f64([4, 5, 6]));
    expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    jf(f64([1, 2]));
    expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 2, size: 2 });
    jf(np.array([1, 2]));
    expect(jf.cacheInfo()).toEqual({ hits: 1, misses: 3, size: 3 });
    jf(f64([7, 8]));
    expect(jf.cacheInfo()).toEqual({ hits: 2, misses: 3, size: 3 });
  });

  it("the pytree structure of the arguments is part of the key", () => {
    const g = jit((p: { a: Array; b: Array }) => p.a.add(p.b));
    g({ a: f64([1]), b: f64([2]) });
    g({ a: f64([3]), b: f64([4]) });
    expect(g.cacheInfo()).toMatchObject({ hits: 1, misses: 1 });
    const h = jit((p: Array[]) => p[0]!.add(p.length));
    h([f64([1])]);
    h([f64([1]), f64([2])]);
    expect(h.cacheInfo()).toMatchObject({ hits: 0, misses: 2 });
  });

  it("static arguments are part of the key, by value", () => {
    let traces = 0;
    const scale = jit(
      (x: Array, k: number) => {
        traces++;
        return x.mul(k);
      },
      { staticArgnums: [1] },
    );
    expectClose(scale(f64([1, 2]), 3), [3, 6]);
    expectClose(scale(f64([5, 6]), 3), [15, 18]);
    expect(scale.cacheInfo()).toMatchObject({ hits: 1, misses: 1 });
    expectClose(scale(f64([1, 2]), 4), [4, 8]);
    expect(scale.cacheInfo()).toMatchObject({ hits: 1, misses: 2 });
    expect(traces).toBe(2);
    // A static argument may steer JS control flow: each value gets its own trace.
    const branchy = jit((x: Array, neg: boolean) => (neg ? x.neg() : x), { staticArgnums: 1 });
    expectClose(branchy(f64([1]), true), [-1]);
    expectClose(branchy(f64([1]), false), [1]);
  });

  it("jit(f) gives the same values inside and outside grad and vmap", () => {
    const loss = (w: Array, x: Array) => np.sum(np.tanh(x.matmul(w)));
    const w = f64([
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ]);
    const xs = f64([
      [1, 2, 3],
      [-1, 0.5, 2],
    ]);
    const jl = jit(loss);
    expectClose(jl(w, xs), loss(w, xs));
    expectClose(grad(jl)(w, xs), grad(loss)(w, xs));
    expectClose(jit(grad(loss))(w, xs), grad(loss)(w, xs));
    const perRow = (x: Array) => loss(w, x.reshape(1, 3));
    expectClose(vmap(jit(perRow))(xs), vmap(perRow)(xs));
    expectClose(jit(vmap(perRow))(xs), vmap(perRow)(xs));
    expectClose(vmap(perRow)(xs), [perRow(xs.slice(0)), perRow(xs.slice(1))].map((a) => a.item()));
  });
});

describe("makeJaxpr printing (pinned)", () => {
  it("sin", () => {
    expect(makeJaxpr(np.sin)(np.array([1, 2, 3])).toString()).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[3]. let
          b:f32[3] = sin a
        in (b,) }"
    `);
  });

  it("the gradient of sum(sin(x) * x)", () => {
    const f = (x: Array) => np.sum(np.sin(x).mul(x));
    expect(makeJaxpr(grad(f))(np.array([1, 2, 3])).toString()).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[3]. let
          b:f32[3] = sin a
          c:f32[3] = cos a
          d:f32[3] = mul b a
          e:f32[] = reduce_sum[axes=(0,)] d
          f:f32[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 1.0:f32[]
          g:f32[3] = mul b f
          h:f32[3] = mul f a
          i:f32[3] = mul h c
          j:f32[3] = add g i
        in (j,) }"
    `);
  });

  it("a broadcasting matmul with a reduction", () => {
    const f = (w: Array, x: Array) => np.mean(np.tanh(x.matmul(w).add(1)));
    expect(makeJaxpr(f)(np.zeros([3, 2]), np.zeros([4, 3])).toString()).toMatchInlineSnapshot(`
      "{ lambda ; a:f32[3,2] b:f32[4,3]. let
          c:f32[4,2] = dot_general[dimension_numbers=(([1], [0]), ([], []))] b a
          d:f32[4,2] = add c 1.0:f32[]
          e:f32[4,2] = tanh d
          f:f32[] = reduce_sum[axes=(0, 1)] e
          g:f32[] = div f 8.0
        in (g,) }"
    `);
  });
});

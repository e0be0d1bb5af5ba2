/**
 * @file Buffer donation (`jit(f, { donateArgnums })`, as JAX's `donate_argnums`): donated arrays
 * are deleted after a top-level call, outputs take over their memory when that is safe, and the
 * values are always those of the same function without donation. The dangerous cases (an
 * argument still read later in the program, memory shared with a live view, the same array passed
 * twice, an argument returned as an output) must never see recycled memory.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import { config } from "../../src/core/config.js";
import { grad, jit, lax, np, vmap } from "../../src/index.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";
import { setJitParallelThreshold } from "../../src/jit/codegenWasm.js";

/** A fresh copy (ordinary memory, never recyclable) of `x`. */
const copy = (x: Array): Array => np.array(x.dataSync() as Float32Array, { shape: x.shape, dtype: x.dtype });
const bits = (x: Array): number[] => globalThis.Array.from(x.dataSync());

function seeded(shape: number[], seed: number): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return np.array(a, { shape });
}

interface State {
  p: Array;
  m: Array;
  v: Array;
}

// An Adam-like update: every output has the shape of a donated input, read in the same kernel.
const adam = (s: State, g: Array): State => {
  const m = s.m.mul(0.9).add(g.mul(0.1));
  const v = s.v.mul(0.999).add(g.square().mul(0.001));
  return { p: s.p.sub(m.mul(1e-3).div(np.sqrt(v).add(1e-8))), m, v };
};

describe("jit donateArgnums", () => {
  afterEach(() => config.debugNans(false));

  it("a training loop gives the same values, deletes what it donates, and recycles its memory", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const g = seeded(shape, seed + 3);
        const init = (): State => ({ p: seeded(shape, seed), m: seeded(shape, seed + 1).mul(0.1), v: seeded(shape, seed + 2).square() });
        const plain = jit(adam);
        const donating = jit(adam, { donateArgnums: 0 });
        let a = init();
        let b = init();
        for (let i = 0; i < 4; i++) {
          a = plain(a, g);
          const before = b;
          if (i === 3) resetJitStats();
          b = donating(b, g);
          expect([before.p.isDeleted(), before.m.isDeleted(), before.v.isDeleted()]).toEqual([true, true, true]);
          expect(g.isDeleted()).toBe(false);
        }
        expect(bits(b.p)).toEqual(bits(a.p));
        expect(bits(b.m)).toEqual(bits(a.m));
        expect(bits(b.v)).toEqual(bits(a.v));
        // From the second step on, the outputs live in the donated memory (below 4 KiB storage is
        // not worth recycling and is always fresh).
        const st = jitStats();
        const recycled = shape.reduce((p, d) => p * d, 4) >= 4096;
        expect(st.donatedBuffers).toBe(recycled ? 3 : 0);
        expect(st.allocations).toBe(recycled ? 0 : 3);
      }),
      { numRuns: 30 },
    );
  });

  it("reading a donated array afterwards throws a clear error; shape and dtype remain", () => {
    const f = jit((x: Array) => x.mul(2), { donateArgnums: 0 });
    const x = np.ones([3]);
    const y = f(x);
    expect(bits(y)).toEqual([2, 2, 2]);
    expect(x.isDeleted()).toBe(true);
    expect(x.shape).toEqual([3]);
    expect(() => x.add(1)).toThrow(/donated to a jit-compiled function \(donateArgnums\) and deleted/);
    expect(() => x.tolist()).toThrow(/donated/);
  });

  it("never recycles an argument that a later operation still reads", () => {
    // y = exp(x) is ready while x is still needed after the matmul: writing y into x's memory
    // would corrupt the final add.
    const h = (x: Array, w: Array) => {
      const y = np.exp(x);
      return [y, np.matmul(y, w).add(x)] as const;
    };
    const x0 = seeded([40, 40], 1);
    const w = seeded([40, 40], 2);
    const want = jit(h)(x0, w);
    const recyclable = jit((a: Array) => a.add(0))(copy(x0)); // compiled output holding x0's values
    resetJitStats();
    const got = jit(h, { donateArgnums: 0 })(recyclable, w);
    expect(bits(got[0])).toEqual(bits(want[0]));
    expect(bits(got[1])).toEqual(bits(want[1]));
    expect(jitStats().donatedBuffers).toBe(1); // the final add (the last reader) takes it
  });

  it("never recycles memory that a live view (reshape) shares", () => {
    const y = jit((a: Array) => a.add(1))(seeded([40, 60], 5)); // recyclable storage
    const view = y.reshape([60, 40]); // shares y's memory
    const before = bits(view);
    resetJitStats();
    const z = jit((a: Array) => a.mul(3), { donateArgnums: 0 })(y);
    expect(jitStats().donatedBuffers).toBe(0);
    expect(bits(view)).toEqual(before);
    expect(bits(z)).toEqual(before.map((v) => Math.fround(v * 3)));
  });

  it("handles an argument passed twice, returned as an output, or reshaped inside", () => {
    const mk = () => jit((a: Array) => a.add(0.5))(seeded([2000], 9));
    const twice = jit((a: Array, b: Array) => a.mul(b).add(a), { donateArgnums: 0 });
    const x = mk();
    const want = bits(jit((a: Array, b: Array) => a.mul(b).add(a))(copy(x), copy(x)));
    expect(bits(twice(x, x))).toEqual(want);

    const ident = jit((a: Array) => [a, a.mul(2)] as const, { donateArgnums: 0 });
    const y = mk();
    const [same, doubled] = ident(y);
    expect(same).toBe(y);
    expect(y.isDeleted()).toBe(false); // returned, so kept
    expect(bits(doubled)).toEqual(bits(same).map((v) => Math.fround(v * 2)));

    const viaReshape = jit((a: Array) => [a.reshape([2000, 1]), np.exp(a)] as const, { donateArgnums: 0 });
    const z = mk();
    const zv = bits(z);
    const [r, e] = viaReshape(z);
    expect(bits(r)).toEqual(zv); // the reshape output shares z's memory: never overwritten
    expect(bits(e)).toEqual(bits(jit((a: Array) => np.exp(a))(np.array(zv)))); // the same fused kernel
  });

  it("is ignored under other transformations (nothing is deleted)", () => {
    const f = jit((a: Array) => np.sum(np.sin(a)), { donateArgnums: 0 });
    const x = np.array([0.1, 0.2, 0.3]);
    const g = grad(f)(x);
    expect(x.isDeleted()).toBe(false);
    expect(bits(g)).toEqual(bits(np.cos(x)));
    const xs = np.ones([2, 3]);
    vmap(f)(xs);
    expect(xs.isDeleted()).toBe(false);
    const inScan = lax.scan((c: Array, r: Array) => [c.add(f(r)), c], np.array(0), xs);
    expect(inScan).toBeDefined();
    expect(xs.isDeleted()).toBe(false);
  });

  it("works with debugNans on (interpreted, still deleting)", () => {
    config.debugNans(true);
    const f = jit(adam, { donateArgnums: [0] });
    const s: State = { p: seeded([6], 1), m: seeded([6], 2), v: seeded([6], 3).square() };
    const want = jit(adam)({ p: copy(s.p), m: copy(s.m), v: copy(s.v) }, seeded([6], 4));
    const got = f(s, seeded([6], 4));
    expect(bits(got.p)).toEqual(bits(want.p));
    expect(s.p.isDeleted()).toBe(true);
  });

  it("recycles shared memory of large threaded kernels with the same bits", () => {
    setJitParallelThreshold(1 << 16);
    try {
      const n = 300_001;
      const g = seeded([n], 7);
      const plain = jit(adam);
      const donating = jit(adam, { donateArgnums: 0 });
      let a: State = { p: seeded([n], 1), m: seeded([n], 2), v: seeded([n], 3).square() };
      let b: State = { p: copy(a.p), m: copy(a.m), v: copy(a.v) };
      for (let i = 0; i < 3; i++) {
        a = plain(a, g);
        b = donating(b, g);
      }
      expect(bits(b.p)).toEqual(bits(a.p));
      expect(bits(b.v)).toEqual(bits(a.v));
    } finally {
      setJitParallelThreshold(1 << 19);
    }
  });

  it("rejects bad donateArgnums", () => {
    expect(() => jit((a: Array) => a, { donateArgnums: -1 })).toThrow(/^jit: donateArgnums must be non-negative integers/);
    expect(() => jit((a: Array) => a, { donateArgnums: 0, staticArgnums: 0 })).toThrow(/^jit: argument 0 is in both staticArgnums and donateArgnums/);
    expect(() => jit((a: Array) => a, { donateArgnums: 2 })(np.ones([1]))).toThrow(/^jit: donateArgnums contains 2, but the function was called with 1 positional argument/);
    // The same under a transformation, where donation itself is ignored.
    expect(() => grad(jit((a: Array) => np.sum(a), { donateArgnums: 2 }))(np.ones([1]))).toThrow(/^jit: donateArgnums contains 2/);
  });
});

/**
 * @file The Array-level `random` namespace and the `threefry2x32` primitive.
 *
 * Three kinds of evidence, named beside each test:
 * - "JAX (published)": values printed by real JAX (partitionable Threefry, the default since 0.5),
 *   the same ones `threefry.test.ts` checks the plain-typed-array reference against (its comments
 *   give each source);
 * - "reference": the Array API equals `src/random/reference.ts` (itself tested bit-exact against
 *   JAX) on many keys, shapes and bounds;
 * - "statistics": moments of 10^5 draws, and properties (ranges, permutations, no duplicates).
 * Plus the transformation contract: traced (`jit`, `vmap`, `grad`) equals eager, bit for bit.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { Array, grad, jit, makeJaxpr, np, vmap } from "../../src/index.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { threefry2x32P, threefry2x32Words } from "../../src/primitives/random.js";
import * as random from "../../src/random/index.js";
import * as ref from "../../src/random/reference.js";
import { threefry2x32 as kernel } from "../../src/random/threefry.js";
import { checkGrads } from "../../src/testing/index.js";

// ---------------------------------------------------------------------------------------------
// Helpers

const u32 = (...xs: number[]): Array => new ConcreteArray(Uint32Array.from(xs), [xs.length], "uint32");
const f32 = (...xs: number[]): Array => new ConcreteArray(Float32Array.from(xs), [xs.length], "float32");
const f64s = (x: number): Array => new ConcreteArray(Float64Array.of(x), [], "float64");

/** Key `i` of a stack of keys of shape [n, 2], as a concrete key. */
const row = (keys: Array, i: number): Array => random.wrapKeyData((keys.dataSync() as Uint32Array).slice(2 * i, 2 * i + 2));

/** A plain JS list of numbers from a typed array (the name `Array` is Tessera's here). */
const list = (t: ArrayLike<number>): number[] => globalThis.Array.from(t);
const data = (x: Array): number[] => list(x.dataSync());

/** The shortest decimal that reads back as the same float32, cut at 8 decimals (NumPy's float32 printing). */
function numpyRepr32(v: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const s = Number(v.toPrecision(digits));
    if (Math.fround(s) === v) {
      const str = String(s);
      const frac = (str.split(".")[1] ?? "").length;
      return frac > 8 ? v.toFixed(8).replace(/0+$/, "") : str;
    }
  }
  throw new Error(`not a float32: ${v}`);
}

function moments(xs: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let m = 0;
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    m += v;
    s += v * v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  m /= xs.length;
  return { mean: m, variance: s / xs.length - m * m, min: lo, max: hi };
}

const N = 100_000;

// ---------------------------------------------------------------------------------------------

describe("threefry2x32 primitive", () => {
  // Random123 known answers (threefry2x32, 20 rounds), through the primitive.
  test.each([
    [0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6b200159, 0x99ba4efe],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1cb996fc, 0xbb002be7],
    [0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, 0xc4923a9c, 0x483df7a0],
  ])("Random123 known answer: key (%i, %i), counter (%i, %i)", (k0, k1, c0, c1, e0, e1) => {
    const [y0, y1] = threefry2x32Words(u32(k0), u32(k1), u32(c0), u32(c1));
    expect([data(y0), data(y1)]).toEqual([[e0], [e1]]);
    expect(y0.dtype).toBe("uint32");
  });

  test("broadcasts its four operands like an elementwise primitive", () => {
    const x1 = new ConcreteArray(Uint32Array.from({ length: 6 }, (_, i) => i * 7919), [2, 3], "uint32");
    const k0 = new ConcreteArray(Uint32Array.of(5, 9), [2, 1], "uint32"); // one key per row
    const [y0, y1] = threefry2x32Words(k0, u32(3), new ConcreteArray(Uint32Array.of(0), [], "uint32"), x1);
    expect(y0.shape).toEqual([2, 3]);
    const xs = x1.dataSync() as Uint32Array;
    for (let r = 0; r < 2; r++) {
      const [e0, e1] = kernel(r === 0 ? 5 : 9, 3, new Uint32Array(3), xs.slice(3 * r, 3 * r + 3));
      expect(data(y0).slice(3 * r, 3 * r + 3)).toEqual(list(e0));
      expect(data(y1).slice(3 * r, 3 * r + 3)).toEqual(list(e1));
    }
  });

  test("per-element keys (alternating, so every run has length 1) equal the kernel one block at a time", () => {
    const n = 7;
    const k0 = new ConcreteArray(Uint32Array.from({ length: n }, (_, i) => i % 2), [n], "uint32");
    const k1 = new ConcreteArray(Uint32Array.from({ length: n }, (_, i) => 1000 + (i % 3)), [n], "uint32");
    const x0 = new ConcreteArray(Uint32Array.from({ length: n }, (_, i) => i), [n], "uint32");
    const [y0, y1] = threefry2x32Words(k0, k1, x0, x0);
    for (let i = 0; i < n; i++) {
      const [a, b] = kernel(i % 2, 1000 + (i % 3), Uint32Array.of(i), Uint32Array.of(i));
      expect([data(y0)[i], data(y1)[i]]).toEqual([a[0], b[0]]);
    }
  });

  test("shape/dtype rule: uint32 only, broadcast-compatible shapes, clear errors", () => {
    expect(() => threefry2x32Words(u32(1), u32(2), f32(0), u32(0))).toThrow(/threefry2x32: all operands must be uint32, got k0: uint32, k1: uint32, x0: float32, x1: uint32/);
    expect(() => threefry2x32Words(u32(1), u32(2), u32(0, 1), u32(0, 1, 2))).toThrow(/threefry2x32: shapes \[2\] and \[3\] cannot be broadcast/);
    const avals = threefry2x32P.abstractEval(
      [
        { shape: [], dtype: "uint32", weakType: false },
        { shape: [4, 1], dtype: "uint32", weakType: false },
        { shape: [], dtype: "uint32", weakType: false },
        { shape: [3], dtype: "uint32", weakType: false },
      ],
      {},
    );
    expect(avals.map((a) => a.shape)).toEqual([
      [4, 3],
      [4, 3],
    ]);
  });

  test("appears in jaxprs as one equation with two outputs", () => {
    const text = makeJaxpr((k: Array) => random.bits(k, [3]))(random.key(0)).toString();
    expect(text).toMatch(/g:u32\[3\] h:u32\[3\] = threefry2x32 c e 0:u32\[\] f/);
    expect(text).toMatch(/xor g h/);
  });

  test("jvp: not differentiable in the bits, but gradients flow around it (null tangents)", () => {
    const k = random.key(1);
    const f = (m: Array) => np.sum(random.uniform(k, [5], { minval: m, maxval: 3 }));
    const u = random.uniform(k, [5]).dataSync();
    // d/dm sum(u * (3 - m) + m) = sum(1 - u)
    const expected = list(u).reduce((s, v) => s + 1 - v, 0);
    expect(grad(f)(f32(0.5).reshape([])).item()).toBeCloseTo(expected, 5);
  });

  test("batching rule: vmap over the key words equals a loop", () => {
    const k0s = u32(1, 2, 3);
    const k1s = u32(10, 20, 30);
    const ctr = u32(0, 1, 2, 3);
    const [y0, y1] = vmap((a: Array, b: Array) => threefry2x32Words(a, b, u32(0), ctr))(k0s, k1s) as [Array, Array];
    expect(y0.shape).toEqual([3, 4]);
    for (let i = 0; i < 3; i++) {
      const [e0, e1] = kernel(i + 1, 10 * (i + 1), new Uint32Array(4), Uint32Array.of(0, 1, 2, 3));
      expect(data(y0).slice(4 * i, 4 * i + 4)).toEqual(list(e0));
      expect(data(y1).slice(4 * i, 4 * i + 4)).toEqual(list(e1));
    }
    // batch axis not in front, and an unbatched key word
    const ks = new ConcreteArray(Uint32Array.of(1, 2, 3, 4, 5, 6), [2, 3], "uint32");
    const [z0] = vmap((a: Array) => threefry2x32Words(a, u32(7), u32(0), u32(0)), 1)(ks) as [Array, Array];
    expect(z0.shape).toEqual([3, 2]);
    expect(data(z0)[1]).toBe(kernel(4, 7, Uint32Array.of(0), Uint32Array.of(0))[0][0]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("JAX (published) values through the Array API", () => {
  test("DESIGN.md / issue 6: bits(key(0)) = 4070199207", () => {
    const b = random.bits(random.key(0));
    expect(b.shape).toEqual([]);
    expect(b.dtype).toBe("uint32");
    expect(b.item()).toBe(4070199207);
  });

  test("bits(key(0), (8,)) and bits(key(10), (4,))", () => {
    expect(data(random.bits(random.key(0), [8]))).toEqual([4070199207, 4202968722, 1427181096, 2012915765, 2447653815, 710830403, 1332275837, 2961296638]);
    expect(data(random.bits(random.key(10), [4]))).toEqual([169096361, 1572511259, 2689743692, 2228103506]);
  });

  test("key(42) is [0, 42]; split(key(1), 3)", () => {
    expect(random.key(42).tolist()).toEqual([0, 42]);
    const keys = random.split(random.key(1), 3);
    expect(keys.shape).toEqual([3, 2]);
    expect(keys.tolist()).toEqual([
      [507451445, 1853169794],
      [1948878966, 4237131848],
      [2441914641, 3819641963],
    ]);
  });

  test("DESIGN.md / issue 6: uniform(key(51), (4,)) = [0.471269, 0.12344253, 0.17550635, 0.5663593]", () => {
    const u = random.uniform(random.key(51), [4]);
    expect(u.dtype).toBe("float32");
    expect(data(u).map(numpyRepr32)).toEqual(["0.471269", "0.12344253", "0.17550635", "0.5663593"]);
  });

  test("uniform(key(0)) = 0.947667; key, subkey = split(key(0)); uniform(subkey) = 0.00729382", () => {
    expect(numpyRepr32(random.uniform(random.key(0)).item() as number)).toBe("0.947667");
    const subkey = row(random.split(random.key(0)), 1);
    expect(numpyRepr32(random.uniform(subkey).item() as number)).toBe("0.00729382");
  });

  test("normal(key(123), (3,)) and normal(split(key(123), 1)[0], (3,)) (normal via erf_inv)", () => {
    expect(data(random.normal(random.key(123), [3])).map(numpyRepr32)).toEqual(["1.6359469", "0.8408094", "0.02212393"]);
    const sub = row(random.split(random.key(123), 1), 0);
    expect(data(random.normal(sub, [3])).map(numpyRepr32)).toEqual(["-0.49093357", "-0.9478693", "-1.775197"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("the Array API equals the bit-exact reference", () => {
  const seeds = fc.integer({ min: 0, max: 0xffffffff });
  const shapes = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });

  test("bits, split and foldIn on random keys and shapes", () => {
    fc.assert(
      fc.property(seeds, shapes, fc.integer({ min: 0, max: 6 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (seed, shape, num, d) => {
        const k = random.key(seed);
        const rk = ref.key(seed);
        expect(data(random.bits(k, shape))).toEqual(list(ref.randomBits(rk, shape)));
        expect(random.bits(k, shape).shape).toEqual(shape);
        expect(data(random.split(k, num))).toEqual(list(ref.split(rk, num)));
        expect(data(random.foldIn(k, d))).toEqual(list(ref.foldIn(rk, d)));
      }),
      { numRuns: 60 },
    );
  });

  test("uniform (with bounds), normal and randint (with bounds) on random keys and shapes", () => {
    const bound = fc.integer({ min: -1000, max: 1000 });
    fc.assert(
      fc.property(seeds, shapes, bound, bound, (seed, shape, a, b) => {
        const k = random.key(seed);
        const rk = ref.key(seed);
        const lo = a / 7;
        const hi = lo + Math.abs(b) / 3 + 0.5;
        expect(data(random.uniform(k, shape, { minval: lo, maxval: hi }))).toEqual(list(ref.uniformF32(rk, shape, lo, hi)));
        expect(data(random.normal(k, shape))).toEqual(list(ref.normalF32(rk, shape)));
        expect(data(random.randint(k, shape, a, b))).toEqual(list(ref.randintI32(rk, shape, a, b)));
      }),
      { numRuns: 60 },
    );
  });

  test("normal on 20,000 draws: every value equals the reference (both erf_inv branches)", () => {
    const k = random.key(2024);
    const z = random.normal(k, [20000]).dataSync();
    const r = ref.normalF32(ref.key(2024), [20000]);
    let mismatches = 0;
    let tail = 0;
    for (let i = 0; i < z.length; i++) {
      if (z[i] !== r[i]) mismatches++;
      if (Math.abs(z[i]!) > 2.6) tail++; // |x| > ~2.58 is the w >= 5 (tail polynomial) branch
    }
    expect(mismatches).toBe(0);
    expect(tail).toBeGreaterThan(100);
  });

  test("randint edge bounds: full int32 range, maxval past int32, inverted and empty ranges", () => {
    const k = random.key(1);
    const rk = ref.key(1);
    for (const [lo, hi] of [
      [-(2 ** 31), 2 ** 31],
      [-(2 ** 31), 2 ** 31 - 1],
      [0, 2 ** 40],
      [-(2 ** 40), 0],
      [5, 2],
      [3, 3],
      [0, 1],
      [0, 2 ** 31 - 1],
    ] as const) {
      expect(data(random.randint(k, [64], lo, hi))).toEqual(list(ref.randintI32(rk, [64], lo, hi)));
    }
  });

  test("randint with Array bounds (broadcast per column) equals scalar bounds column by column", () => {
    const k = random.key(9);
    const lo = new ConcreteArray(Int32Array.of(0, -5, 100), [3], "int32");
    const hi = new ConcreteArray(Int32Array.of(10, 5, 2 ** 31 - 1), [3], "int32");
    const r = data(random.randint(k, [50, 3], lo, hi));
    const cols = [
      [0, 10],
      [-5, 5],
      [100, 2 ** 31 - 1],
    ].map(([a, b]) => list(ref.randintI32(ref.key(9), [50, 3], a!, b!)));
    for (let i = 0; i < 150; i++) expect(r[i]).toBe(cols[i % 3]![i]);
    // float bounds are cast to int first, as JAX's `astype(int)`
    expect(data(random.randint(k, [8], f32(0.9).reshape([]), f32(10.7).reshape([])))).toEqual(list(ref.randintI32(ref.key(9), [8], 0, 10)));
  });

  test("randint as uint32: the whole uint32 range", () => {
    const r = random.randint(random.key(3), [1000], 0, 2 ** 32, { dtype: "uint32" });
    expect(r.dtype).toBe("uint32");
    const v = data(r);
    expect(Math.max(...v)).toBeGreaterThan(2 ** 31);
    expect(new Set(v).size).toBeGreaterThan(990);
  });
});

// ---------------------------------------------------------------------------------------------

describe("keys", () => {
  test("key(seed) for numbers, bigints and integer scalar Arrays", () => {
    expect(random.key(0).tolist()).toEqual([0, 0]);
    expect(random.key(0xffffffff).tolist()).toEqual([0, 0xffffffff]);
    expect(random.key(2 ** 32 + 5).tolist()).toEqual([1, 5]); // 64-bit seed, as JAX x64
    expect(random.key(-1).tolist()).toEqual([0xffffffff, 0xffffffff]);
    expect(random.key(2n ** 63n - 1n).tolist()).toEqual([0x7fffffff, 0xffffffff]);
    expect(random.key(np.array(7, { dtype: "int32" })).tolist()).toEqual([0, 7]);
    expect(random.key(np.array(-1, { dtype: "int32" })).tolist()).toEqual([0, 0xffffffff]); // a 32-bit seed, as JAX
    expect(random.PRNGKey(3).tolist()).toEqual([0, 3]);
    const k = random.key(5);
    expect(k.dtype).toBe("uint32");
    expect(k.shape).toEqual([2]);
  });

  test("key from a traced seed under jit and vmap", () => {
    const f = jit((s: Array) => random.uniform(random.key(s), [3]));
    expect(data(f(np.array(51, { dtype: "int32" })))).toEqual(data(random.uniform(random.key(51), [3])));
    const seeds = np.array([0, 51, 7], { dtype: "int32" });
    const batched = vmap((s: Array) => random.bits(random.key(s)))(seeds);
    expect(data(batched)).toEqual([0, 51, 7].map((s) => random.bits(random.key(s)).item()));
  });

  test("wrapKeyData round-trips key data; split accepts a shape", () => {
    const k = random.key(77);
    expect(random.wrapKeyData(k.dataSync() as Uint32Array).tolist()).toEqual([0, 77]);
    expect(random.wrapKeyData([1, 2, 3, 4]).shape).toEqual([2, 2]);
    const grid = random.split(k, [2, 3]);
    expect(grid.shape).toEqual([2, 3, 2]);
    expect(data(grid)).toEqual(data(random.split(k, 6)));
  });

  test("split(key, n)[i] == foldIn(key, i); foldIn accepts a traced counter", () => {
    const k = random.key(99);
    const keys = random.split(k, 5);
    for (let i = 0; i < 5; i++) expect(random.foldIn(k, i).tolist()).toEqual(row(keys, i).tolist());
    const f = jit((kk: Array, step: Array) => random.foldIn(kk, step));
    expect(f(k, np.array(3, { dtype: "int32" })).tolist()).toEqual(random.foldIn(k, 3).tolist());
    expect(random.foldIn(k, -1).tolist()).toEqual(random.foldIn(k, 0xffffffff).tolist());
  });

  test("raw threefry2x32(key, counts) follows JAX's threefry_2x32 (halves as counter words, odd sizes padded)", () => {
    const k = random.key(1234);
    for (const n of [0, 1, 2, 5, 8]) {
      const counts = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
      const padded = n % 2 ? Uint32Array.from([...counts, 0]) : counts;
      const h = padded.length / 2;
      const [y0, y1] = kernel(0, 1234, padded.slice(0, h), padded.slice(h));
      const expected = [...y0, ...y1].slice(0, n);
      const out = random.threefry2x32(k, new ConcreteArray(counts, [n], "uint32"));
      expect(data(out)).toEqual(expected);
    }
    const c = new ConcreteArray(Uint32Array.from({ length: 6 }, (_, i) => i), [2, 3], "uint32");
    expect(random.threefry2x32(k, c).shape).toEqual([2, 3]);
  });

  test("purity: same key, same numbers; different keys differ; the key is unchanged", () => {
    const k = random.key(11);
    const before = k.tolist();
    expect(data(random.normal(k, [100]))).toEqual(data(random.normal(k, [100])));
    expect(data(random.normal(k, [100]))).not.toEqual(data(random.normal(random.key(12), [100])));
    const [a, b] = [row(random.split(k), 0), row(random.split(k), 1)];
    expect(data(random.uniform(a, [50]))).not.toEqual(data(random.uniform(b, [50])));
    expect(k.tolist()).toEqual(before);
  });

  test("empty shapes give empty results of the right shape and dtype", () => {
    const k = random.key(4);
    expect(random.normal(k, [0, 3]).shape).toEqual([0, 3]);
    expect(random.uniform(k, [2, 0], { dtype: "float64" }).dtype).toBe("float64");
    expect(random.split(k, 0).shape).toEqual([0, 2]);
    expect(random.permutation(k, 0).shape).toEqual([0]);
    expect(random.randint(k, [0], 0, 5).shape).toEqual([0]);
    expect(random.categorical(k, np.zeros([0, 3])).shape).toEqual([0]);
    expect(random.threefry2x32(k, np.zeros([0], { dtype: "uint32" })).shape).toEqual([0]);
  });

  test("partitionable: a draw is a prefix of a larger draw of the same key", () => {
    const k = random.key(8);
    expect(data(random.uniform(k, [10]))).toEqual(data(random.uniform(k, [2, 5000])).slice(0, 10));
  });
});

// ---------------------------------------------------------------------------------------------

describe("traced equals eager (jit, vmap)", () => {
  const key = random.key(2718);
  const samplers: [string, (k: Array) => Array][] = [
    ["bits", (k) => random.bits(k, [4])],
    ["uniform", (k) => random.uniform(k, [5], { minval: -2, maxval: 3 })],
    ["uniform f64", (k) => random.uniform(k, [5], { dtype: "float64" })],
    ["normal", (k) => random.normal(k, [5])],
    ["normal f64", (k) => random.normal(k, [5], { dtype: "float64" })],
    ["truncatedNormal", (k) => random.truncatedNormal(k, -1, 2, [5])],
    ["bernoulli", (k) => random.bernoulli(k, 0.3, [6])],
    ["gumbel", (k) => random.gumbel(k, [4])],
    ["exponential", (k) => random.exponential(k, [4])],
    ["categorical", (k) => random.categorical(k, f32(0.1, 2, -1, 0.5), { shape: [6] })],
    ["randint", (k) => random.randint(k, [6], -3, 9)],
    ["permutation", (k) => random.permutation(k, 9)],
    ["choice", (k) => random.choice(k, 7, [3], { replace: false })],
    ["choice p", (k) => random.choice(k, 3, [5], { p: [0.2, 0.3, 0.5] })],
    ["split", (k) => random.split(k, 3)],
    ["foldIn", (k) => random.foldIn(k, 5)],
  ];

  test.each(samplers)("jit(%s) equals eager bit for bit", (_name, f) => {
    const eager = f(key);
    const traced = jit(f)(key);
    expect(traced.dtype).toBe(eager.dtype);
    expect(traced.shape).toEqual(eager.shape);
    expect(data(traced)).toEqual(data(eager));
  });

  test.each(samplers)("vmap(%s) over split keys equals stacking per-key results", (_name, f) => {
    const keys = random.split(key, 4);
    const batched = vmap(f)(keys);
    const each = [0, 1, 2, 3].map((i) => data(f(row(keys, i))));
    expect(batched.shape[0]).toBe(4);
    expect(data(batched)).toEqual(each.flat());
  });

  test("the brief's examples: jit(k => normal(k, [5])) and vmap(k => uniform(k, [3]))(split(key, 4))", () => {
    expect(data(jit((k: Array) => random.normal(k, [5]))(key))).toEqual(data(random.normal(key, [5])));
    const keys = random.split(key, 4);
    const stacked = [0, 1, 2, 3].flatMap((i) => data(random.uniform(row(keys, i), [3])));
    expect(data(vmap((k: Array) => random.uniform(k, [3]))(keys))).toEqual(stacked);
  });

  test("jit does not retrace on a second key; vmap over keys and a batched bound together", () => {
    const f = jit((k: Array) => random.normal(k, [3]));
    f(random.key(1));
    f(random.key(2));
    expect(f.cacheInfo()).toMatchObject({ misses: 1, hits: 1 });
    const keys = random.split(key, 3);
    const his = f32(1, 10, 100);
    const out = vmap((k: Array, hi: Array) => random.uniform(k, [2], { maxval: hi }))(keys, his);
    const each = [0, 1, 2].flatMap((i) => data(random.uniform(row(keys, i), [2], { maxval: [1, 10, 100][i] })));
    expect(data(out)).toEqual(each);
  });

  test("vmap of vmap over a [2, 3, 2] grid of keys", () => {
    const grid = random.split(key, [2, 3]);
    const out = vmap(vmap((k: Array) => random.bits(k, [2])))(grid);
    expect(out.shape).toEqual([2, 3, 2]);
    const flat = random.split(key, 6);
    expect(data(out)).toEqual([0, 1, 2, 3, 4, 5].flatMap((i) => data(random.bits(row(flat, i), [2]))));
  });
});

// ---------------------------------------------------------------------------------------------

describe("distributions (10^5 draws)", () => {
  test("uniform: mean 1/2, variance 1/12, within [0, 1); with bounds in [minval, maxval)", () => {
    const m = moments(random.uniform(random.key(1), [N]).dataSync());
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.002);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThan(1);
    const b = moments(random.uniform(random.key(2), [N], { minval: -3, maxval: 5 }).dataSync());
    expect(b.min).toBeGreaterThanOrEqual(-3);
    expect(b.max).toBeLessThan(5);
    expect(Math.abs(b.mean - 1)).toBeLessThan(0.04);
  });

  test("uniform float64 uses 52 random mantissa bits (as JAX x64) and matches its high word", () => {
    const k = random.key(3);
    const u = random.uniform(k, [1000], { dtype: "float64" });
    expect(u.dtype).toBe("float64");
    const v = u.dataSync();
    const [y0] = kernel(0, 3, new Uint32Array(1000), Uint32Array.from({ length: 1000 }, (_, i) => i));
    let fine = 0;
    for (let i = 0; i < 1000; i++) {
      expect(Math.floor(v[i]! * 2 ** 32)).toBe(y0[i]); // the top 32 bits are the first block word
      if (v[i]! * 2 ** 23 !== Math.floor(v[i]! * 2 ** 23)) fine++;
    }
    expect(fine).toBeGreaterThan(990);
    const m = moments(random.uniform(random.key(4), [N], { dtype: "float64" }).dataSync());
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.005);
  });

  test("normal: mean 0, variance 1, finite (float32 and float64)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const z = random.normal(random.key(5), [N], { dtype });
      expect(z.dtype).toBe(dtype);
      const m = moments(z.dataSync());
      expect(Math.abs(m.mean)).toBeLessThan(0.015);
      expect(Math.abs(m.variance - 1)).toBeLessThan(0.025);
      expect(Number.isFinite(m.min) && Number.isFinite(m.max)).toBe(true);
    }
  });

  test("truncatedNormal: stays inside (lower, upper) and has the truncated mean", () => {
    const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    for (const [lo, hi] of [
      [-2, 2],
      [-1, 2],
      [0, Infinity],
      [-Infinity, -1],
    ] as const) {
      const m = moments(random.truncatedNormal(random.key(6), lo, hi, [N]).dataSync());
      expect(m.min).toBeGreaterThan(lo);
      expect(m.max).toBeLessThan(hi);
      const pl = Number.isFinite(lo) ? phi(lo) : 0;
      const ph = Number.isFinite(hi) ? phi(hi) : 0;
      const mean = (pl - ph) / (Phi(hi) - Phi(lo));
      expect(Math.abs(m.mean - mean)).toBeLessThan(0.01);
    }
    // Array bounds broadcast: shape defaults to their broadcast shape
    const t = random.truncatedNormal(random.key(7), f32(-1, 0, 1), 3);
    expect(t.shape).toEqual([3]);
  });

  test("bernoulli: rate p; default p = 0.5; Array p sets the shape", () => {
    const b = random.bernoulli(random.key(8), 0.3, [N]);
    expect(b.dtype).toBe("bool");
    expect(Math.abs(moments(b.dataSync()).mean - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(moments(random.bernoulli(random.key(9), undefined, [N]).dataSync()).mean - 0.5)).toBeLessThan(0.005);
    const per = random.bernoulli(random.key(10), f32(0, 1, 0.5));
    expect(per.shape).toEqual([3]);
    expect(per.tolist().slice(0, 2)).toEqual([false, true]);
  });

  test("exponential: mean 1, variance 1, non-negative; gumbel: mean is Euler's gamma", () => {
    const e = moments(random.exponential(random.key(11), [N]).dataSync());
    expect(e.min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(e.mean - 1)).toBeLessThan(0.015);
    expect(Math.abs(e.variance - 1)).toBeLessThan(0.04);
    const g = moments(random.gumbel(random.key(12), [N]).dataSync());
    expect(Math.abs(g.mean - 0.5772156649)).toBeLessThan(0.015);
    expect(Math.abs(g.variance - Math.PI ** 2 / 6)).toBeLessThan(0.05);
  });

  test("categorical: frequencies match softmax(logits); axis and batch shapes", () => {
    const logits = f32(1, 0, -1, 2);
    const draws = random.categorical(random.key(13), logits, { shape: [N] });
    expect(draws.dtype).toBe("int32");
    const counts = [0, 0, 0, 0];
    for (const v of draws.dataSync()) counts[v]!++;
    const z = [1, 0, -1, 2].map(Math.exp);
    const total = z.reduce((a, b) => a + b, 0);
    counts.forEach((c, i) => expect(Math.abs(c / N - z[i]! / total)).toBeLessThan(0.006));
    // categories on axis 0 of a [4, 2] batch: column 1 always picks category 3
    const l2 = new ConcreteArray(Float32Array.of(0, -50, 0, -50, 0, -50, 0, 50), [4, 2], "float32");
    const out = random.categorical(random.key(14), l2, { axis: 0, shape: [5, 2] });
    expect(out.shape).toEqual([5, 2]);
    expect(data(out).filter((_, i) => i % 2 === 1)).toEqual([3, 3, 3, 3, 3]);
    expect(random.categorical(random.key(14), l2, { axis: 0 }).shape).toEqual([2]);
  });

  test("randint: inside [minval, maxval) and roughly uniform", () => {
    const r = random.randint(random.key(15), [N], -3, 7).dataSync();
    const counts = new globalThis.Array<number>(10).fill(0);
    let outside = 0;
    for (const v of r) {
      if (v >= -3 && v < 7) counts[v + 3]!++;
      else outside++;
    }
    expect(outside).toBe(0);
    // chi-square with 9 degrees of freedom: 99.9% quantile is 27.9
    const chi2 = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  test("permutation of 10^5 is a permutation (and not the identity); of an Array permutes rows", () => {
    const p = random.permutation(random.key(16), N);
    expect(p.dtype).toBe("int32");
    const v = data(p);
    expect([...v].sort((a, b) => a - b)).toEqual(globalThis.Array.from({ length: N }, (_, i) => i));
    expect(v.filter((x, i) => x === i).length).toBeLessThan(20);
    const x = new ConcreteArray(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3], "float32");
    const rows = random.permutation(random.key(17), x).tolist() as number[][];
    expect(rows.map((r) => r[0]! / 3).sort()).toEqual([0, 1, 2, 3]);
    for (const r of rows) expect(r).toEqual([r[0], r[0]! + 1, r[0]! + 2]);
    // a 1-D array is shuffled the same way as arange
    const perm = data(random.permutation(random.key(18), 6));
    expect(data(random.permutation(random.key(18), f32(10, 11, 12, 13, 14, 15)))).toEqual(perm.map((i) => 10 + i));
    // independent: each column shuffled on its own
    const ind = random.permutation(random.key(19), x, { axis: 0, independent: true }).tolist() as number[][];
    for (let c = 0; c < 3; c++) expect(ind.map((r) => r[c]!).sort((a, b) => a - b)).toEqual([c, c + 3, c + 6, c + 9]);
  });

  test("permutation of large arrays uses more sort rounds (as JAX) and stays a permutation", () => {
    // ceil(3 ln n / ln(2^32 - 1)) is 2 for n >= 1626
    const p = data(random.permutation(random.key(20), 2000));
    expect(new Set(p).size).toBe(2000);
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(1999);
  });

  test("choice: without replacement has no duplicates; with p follows p; Arrays along an axis", () => {
    for (let s = 0; s < 20; s++) {
      const c = data(random.choice(random.key(s), 50, [30], { replace: false }));
      expect(new Set(c).size).toBe(30);
      const cp = data(random.choice(random.key(s), 10, [10], { replace: false, p: f32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }));
      expect(new Set(cp).size).toBe(10);
    }
    const draws = random.choice(random.key(21), 3, [N], { p: [0.2, 0.5, 0.3] });
    const counts = [0, 0, 0];
    for (const v of draws.dataSync()) counts[v]!++;
    [0.2, 0.5, 0.3].forEach((q, i) => expect(Math.abs(counts[i]! / N - q)).toBeLessThan(0.006));
    const u = data(random.choice(random.key(22), 4, [N]));
    expect(Math.abs(moments(u).mean - 1.5)).toBeLessThan(0.02);
    expect(Math.min(...u.slice(0, 1000))).toBe(0);
    // from an Array along axis 1
    const x = new ConcreteArray(Float32Array.from({ length: 8 }, (_, i) => i), [2, 4], "float32");
    const picked = random.choice(random.key(23), x, [3], { axis: 1, replace: false });
    expect(picked.shape).toEqual([2, 3]);
    const t = picked.tolist() as number[][];
    expect(t[1]).toEqual(t[0]!.map((v) => v + 4));
    expect(random.choice(random.key(24), x, [5, 2]).shape).toEqual([5, 2, 4]);
    expect(random.choice(random.key(24), 5, [0]).shape).toEqual([0]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("gradients flow through the samplers' parameters", () => {
  test("truncatedNormal in float64: d/d(lower, upper) matches finite differences (checkGrads)", () => {
    const k = random.key(31);
    const f = (lo: Array, hi: Array) => np.sum(random.truncatedNormal(k, lo, hi, [6], { dtype: "float64" }));
    checkGrads(f, [f64s(-0.7), f64s(1.3)], { order: 1, eps: 1e-6, atol: 1e-5, rtol: 1e-5 });
  });

  test("float32 erf_inv carries the exact derivative sqrt(pi)/2 exp(y^2) (custom JVP)", () => {
    const k = random.key(32);
    const f32sum = (lo: Array) => np.sum(random.truncatedNormal(k, lo, 2, [6]));
    const f64sum = (lo: Array) => np.sum(random.truncatedNormal(k, lo, 2, [6], { dtype: "float64" }));
    // same formula, different uniforms: compare float32 against its own finite difference instead
    const g = grad(f32sum)(f32(-0.5).reshape([])).item() as number;
    const h = 1e-2;
    const fd = ((f32sum(f32(-0.5 + h).reshape([])).item() as number) - (f32sum(f32(-0.5 - h).reshape([])).item() as number)) / (2 * h);
    expect(Math.abs(g - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    expect(Number.isFinite(grad(f64sum)(f64s(-0.5)).item() as number)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe("input validation: clear errors that name the function", () => {
  test("keys must be uint32 arrays of shape [2]", () => {
    expect(() => random.uniform(f32(1, 2, 3))).toThrow("random.uniform: key must be a uint32 array of shape [2] (from random.key or random.split), got float32 [3]");
    expect(() => random.normal(u32(1, 2, 3))).toThrow(/random.normal: key must be a uint32 array of shape \[2\].*got uint32 \[3\]/);
    expect(() => random.normal(random.split(random.key(0), 4))).toThrow(/got uint32 \[4,2\]; this looks like a batch of keys/);
    expect(() => random.bits(Uint32Array.of(0, 1) as never)).toThrow(/random.bits: key must be .*got a Uint32Array/);
    expect(() => random.split(42 as never)).toThrow(/random.split: key must be .*got number 42/);
  });

  test("seeds, shapes, dtypes and bounds", () => {
    expect(() => random.key(1.5)).toThrow(/random.key: the seed must be an integer/);
    expect(() => random.key(2n ** 64n)).toThrow(/random.key: the seed must fit in 64 bits/);
    expect(() => random.key(f32(1).reshape([]))).toThrow(/random.key: an Array seed must be an int32 or uint32 scalar, got float32 \[\]/);
    const k = random.key(0);
    expect(() => random.uniform(k, [2, -1])).toThrow(/random.uniform: shape must be a list of non-negative integers/);
    expect(() => random.uniform(k, [2], { dtype: "int32" as never })).toThrow(/random.uniform: dtype must be "float32" or "float64", got "int32"/);
    expect(() => random.uniform(k, [2], { minval: f32(0, 1, 2) })).toThrow(/random.uniform: minval of shape \[3\] does not broadcast to the requested shape \[2\]/);
    expect(() => random.randint(k, [2], 0.5, 3)).toThrow(/random.randint: minval must be an integer, got 0.5/);
    expect(() => random.randint(k, [2], 0, 3, { dtype: "float32" as never })).toThrow(/random.randint: dtype must be "int32" or "uint32"/);
    expect(() => random.foldIn(k, 0.5)).toThrow(/random.foldIn: data must be an integer/);
    expect(() => random.bernoulli(k, np.array([1, 0], { dtype: "int32" }))).toThrow(/random.bernoulli: the probability p must be a number or a float Array, got int32 \[2\]/);
    expect(() => random.categorical(k, np.array([1, 2], { dtype: "int32" }))).toThrow(/random.categorical: logits must be a float Array/);
    expect(() => random.categorical(k, f32(1, 2), { axis: 1 })).toThrow(/random.categorical: axis 1 is out of bounds/);
    expect(() => random.truncatedNormal(k, f32(0, 1), f32(1, 2, 3))).toThrow(/random.truncatedNormal: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => random.threefry2x32(k, f32(1))).toThrow(/random.threefry2x32: counts must be a uint32 Array, got float32 \[1\]/);
    expect(() => random.wrapKeyData([1, 2, 3])).toThrow(/random.wrapKeyData: a key has 2 words, got 3/);
  });

  test("permutation and choice: sizes, replacement, probabilities, traced sizes", () => {
    const k = random.key(0);
    expect(() => random.choice(k, 3, [5], { replace: false })).toThrow(/random.choice: cannot take a larger sample \(5\) than the population \(3\) when replace is false/);
    expect(() => random.choice(k, 3, [2], { p: [0.5, 0.5] })).toThrow(/random.choice: p must have shape \[3\] \(one probability per entry\), got \[2\]/);
    expect(() => random.choice(k, 0, [2])).toThrow(/random.choice: a must be greater than 0/);
    expect(() => random.permutation(k, -2)).toThrow(/random.permutation: x must be a non-negative integer, got -2/);
    expect(() => random.permutation(k, f32(3).reshape([]))).toThrow(/random.permutation: x must be an integer or an array with at least one dimension, got float32 \[\]/);
    expect(() => jit((n: Array) => random.permutation(k, n))(np.array(4, { dtype: "int32" }))).toThrow(/random.permutation: x must be a concrete integer/);
  });
});

// erf in double precision for the truncated-normal expectations (series near 0, continued fraction beyond).
function erf(x: number): number {
  if (!Number.isFinite(x)) return Math.sign(x);
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = ax;
    for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

/**
 * @file Pytrees: the `tree` namespace (flatten/unflatten, structure, map over several trees,
 * reduce, immer-backed update, mismatch errors) and pytrees in and out of every transformation
 * (grad, vjp, jvp, vmap with pytree axis prefixes, jit), including `null` as an empty subtree.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Array, grad, jit, jvp, np, tree, TreeMismatchError, vjp, vmap } from "../../src/index.js";
import { arrays } from "../../src/testing/arbitraries.js";
import { expectClose } from "../helpers/close.js";
import { fcParams } from "../primitives/spec.js";

const f64 = (v: number | number[] | number[][]) => np.array(v, { dtype: "float64" });

/** Random pytrees of small float64 arrays: nested objects, lists and nulls. */
const pytrees: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arrays({ shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }) }),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "w", "bias", "z"), tie("node"), { maxKeys: 3 }),
  ),
})).node;

describe("tree namespace", () => {
  const params = { dense2: { w: f64([[1]]), b: f64([2]) }, dense1: [f64([3]), null, f64([4])] };

  it("flatten visits object keys in sorted order, lists in order, and skips null", () => {
    const [leaves, def] = tree.flatten(params);
    expect(leaves.map((l) => (l as Array).item())).toEqual([3, 4, 2, 1]);
    expect(tree.treedefToString(def)).toBe("{dense1: [*, null, *], dense2: {b: *, w: *}}");
    expect(tree.leaves(params)).toHaveLength(4);
  });

  it("unflatten rebuilds the same structure (null kept as an empty subtree)", () => {
    const [leaves, def] = tree.flatten(params);
    const back = tree.unflatten(def, leaves) as typeof params;
    expect(back.dense1[1]).toBeNull();
    expectClose(back, params);
    expect(tree.treedefEqual(tree.structure(back), def)).toBe(true);
  });

  it("unflatten with the wrong number of leaves is a clear error", () => {
    const def = tree.structure(params);
    expect(() => tree.unflatten(def, [f64(1)])).toThrow(TreeMismatchError);
    expect(() => tree.unflatten(def, [f64(1)])).toThrow(/has 4 leaves, got 1/);
  });

  it("map applies a function leafwise over one or several trees", () => {
    const doubled = tree.map((x: Array) => x.mul(2), params) as typeof params;
    expectClose(doubled.dense2.w, [[2]]);
    const summed = tree.map((a: Array, b: Array, c: Array) => a.add(b).add(c), params, params, doubled) as typeof params;
    expectClose(summed.dense1[2]!, [16]);
    expect(summed.dense1[1]).toBeNull();
  });

  it("map over mismatched trees names both structures and the first differing path", () => {
    const other = { dense2: { w: f64([[1]]), b: f64([2]) }, dense1: [f64([3]), f64([4])] };
    const call = () => tree.map((a: Array, b: Array) => a.add(b), params, other);
    expect(call).toThrow(TreeMismatchError);
    expect(call).toThrow(/first difference at \.dense1 \(list of 3 vs 2\)/);
    expect(call).toThrow(/\{dense1: \[\*, null, \*\], dense2: \{b: \*, w: \*\}\}/);
  });

  it("reduce folds the leaves left to right", () => {
    expect(tree.reduce((acc: number, x: Array) => acc + (x.item() as number), params, 0)).toBe(10);
    expect(tree.reduce((acc: number[], x: Array) => [...acc, x.item() as number], params, [] as number[])).toEqual([3, 4, 2, 1]);
  });

  it("update edits a copy (immer): the original is unchanged and untouched subtrees are shared", () => {
    const b2 = f64([20]);
    const next = tree.update(params, (d) => {
      d.dense2.b = b2 as never; // immer's Draft<Array> type is not an Array; the value is stored as is
    });
    expect(next.dense2.b).toBe(b2);
    expect(params.dense2.b.item()).toBe(2);
    expect(next.dense1).toBe(params.dense1);
    expect(next).not.toBe(params);
  });

  it("property: flatten then unflatten is the identity; map(identity) keeps structure and leaves", () => {
    fc.assert(
      fc.property(pytrees, (t) => {
        const [leaves, def] = tree.flatten(t as never);
        const back = tree.unflatten(def, leaves);
        expect(tree.treedefToString(tree.structure(back as never))).toBe(tree.treedefToString(def));
        const same = tree.map((x: Array) => x, t as never);
        expect(tree.leaves(same)).toEqual(leaves);
      }),
      fcParams("pytree:roundtrip", 50),
    );
  });
});

describe("pytrees through transformations", () => {
  it("property: grad of the sum of squares of every leaf is 2x, with the input's structure (nulls included)", () => {
    fc.assert(
      fc.property(pytrees, (t) => {
        const loss = (p: unknown) => tree.reduce((acc: Array, x: Array) => acc.add(np.sum(np.square(x))), p as never, f64(0));
        const g = grad(loss)(t);
        expect(tree.treedefToString(tree.structure(g))).toBe(tree.treedefToString(tree.structure(t as never)));
        expectClose(g, tree.map((x: Array) => x.mul(2), t as never), { atol: 1e-12 });
      }),
      fcParams("pytree:grad", 30),
    );
  });

  it("property: jit and vmap return the pytree they are given", () => {
    fc.assert(
      fc.property(pytrees, (t) => {
        const f = (p: unknown) => tree.map((x: Array) => np.sin(x), p as never);
        expectClose(jit(f)(t), f(t));
        const stacked = tree.map((x: Array) => np.stack([x, x.mul(2)]), t as never);
        const want = tree.map((x: Array) => np.stack([np.sin(x), np.sin(x.mul(2))]), t as never);
        if (tree.leaves(t as never).length > 0) expectClose(vmap(f)(stacked), want, { atol: 1e-12 });
      }),
      fcParams("pytree:jit-vmap", 30),
    );
  });

  // Shared setup: batch x along axis 1 and b along axis 0; w is shared (not batched).
  const dense = (p: { w: Array; b: Array }, x: Array) => x.matmul(p.w).add(p.b);
  const w = f64([
    [1, 2],
    [3, 4],
  ]);
  const xs = f64([
    [1, 0, 2],
    [0, 1, -1],
  ]); // columns are the examples
  const bs = f64([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
  const checkPerExample = (out: Array) => {
    expect(out.shape).toEqual([3, 2]);
    for (let i = 0; i < 3; i++) expectClose(out.slice(i), dense({ w, b: bs.slice(i) }, xs.slice([0, 2], i)), { atol: 1e-12 });
  };

  it("vmap with a list prefix of inAxes: per-leaf axes and null (broadcast) leaves", () => {
    const f = (p: [Array, Array], x: Array) => dense({ w: p[0], b: p[1] }, x);
    checkPerExample(vmap(f, [[null, 0], 1])([w, bs], xs) as Array);
  });

  // Regression: a `null` entry of an object axis spec used to be read as `spec[k] ?? 0` (batched).
  it("vmap with an object prefix of inAxes: { w: null, b: 0 } broadcasts w", () => {
    checkPerExample(vmap(dense, [{ w: null, b: 0 }, 1])({ w, b: bs }, xs) as Array);
  });

  it("vmap with pytree outAxes", () => {
    const f = (x: Array) => ({ same: x.mul(2), total: np.sum(x) });
    const out = vmap(f, 0, { same: 1, total: 0 })(f64([
      [1, 2],
      [3, 4],
      [5, 6],
    ])) as { same: Array; total: Array };
    expectClose(out.same, [
      [2, 6, 10],
      [4, 8, 12],
    ]);
    expectClose(out.total, [3, 7, 11]);
  });

  it("jvp and vjp over nested lists and objects, with null leaves ignored", () => {
    const f = (p: { xs: [Array, Array]; skip: null }) => [p.xs[0].mul(p.xs[1]), { s: np.sum(p.xs[0]) }];
    const p = { xs: [f64([1, 2]), f64([3, 4])] as [Array, Array], skip: null };
    const [out, tan] = jvp(f, [p], [{ xs: [f64([1, 0]), f64([0, 1])], skip: null }]);
    expectClose(out, [f64([3, 8]), { s: f64(3) }]);
    expectClose(tan, [f64([3, 2]), { s: f64(1) }]);
    const [, pullback] = vjp(f, p);
    const [g] = pullback([f64([1, 1]), { s: f64(10) }] as never) as unknown as [typeof p];
    expectClose(g, { xs: [f64([13, 14]), f64([1, 2])], skip: null });
  });

  it("jit caches by pytree structure and returns the output pytree", () => {
    const f = jit((p: { a: Array; b: Array[] }) => ({ sum: p.b.reduce((s, x) => s.add(x), p.a), n: p.b.length }));
    const out = f({ a: f64(1), b: [f64(2), f64(3)] }) as unknown as { sum: Array; n: Array };
    expectClose(out.sum, 6);
    expectClose(out.n, 2);
    f({ a: f64(5), b: [f64(2), f64(3)] });
    expect(f.cacheInfo()).toMatchObject({ hits: 1, misses: 1 });
    f({ a: f64(5), b: [f64(2)] });
    expect(f.cacheInfo()).toMatchObject({ hits: 1, misses: 2 });
  });
});

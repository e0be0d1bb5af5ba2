/**
 * @file `io.save` / `io.load` / `io.loadInto`: parameter trees round trip through safetensors files
 * with their structure, dtypes, shapes and every bit; the files are plain safetensors whose tensor
 * names are the leaf paths; a different structure, shape or dtype, a name collision, a malformed
 * structure record or a broken file is a `Left` with a clear message, never a throw.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { data, io, np, tree, type Array } from "../../src/index.js";
import type { Tree } from "../../src/tree.js";
import { expectSameBits, rawArrayArb } from "../data/arbitraries.js";

let dir: string;
let counter = 0;
/** A fresh file path in this suite's temporary directory. */
const tmp = (name = "params") => join(dir, `${name}-${counter++}.safetensors`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-io-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run a TaskEither and return its Right, failing the test on a Left. */
async function right<A>(task: () => Promise<E.Either<data.DataError, A>>): Promise<A> {
  const r = await task();
  if (E.isLeft(r)) throw new Error(`expected Right, got ${r.left._tag}: ${r.left.message}`);
  return r.right;
}

/** Run a TaskEither and return its Left, failing the test on a Right (and on a rejected promise). */
async function left<A>(task: () => Promise<E.Either<data.DataError, A>>): Promise<data.DataError> {
  const r = await task();
  if (E.isRight(r)) throw new Error("expected Left, got Right");
  return r.left;
}

/** Leaf paths computed independently of `io` (dict keys sorted, list indices, `.` between). */
function expectedPaths(t: unknown, prefix: string[] = []): string[] {
  if (t === null || t === undefined) return [];
  if (globalThis.Array.isArray(t)) return t.flatMap((c, i) => expectedPaths(c, [...prefix, String(i)]));
  if (typeof t === "object" && !(t instanceof np.Array)) {
    return Object.keys(t)
      .sort()
      .flatMap((k) => expectedPaths((t as Record<string, unknown>)[k], [...prefix, k]));
  }
  return [prefix.length === 0 ? "value" : prefix.join(".")];
}

/** Nested trees of dicts, lists and nulls whose leaves are Arrays of every dtype (NaN payloads, -0, ±inf...). */
const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: rawArrayArb().map(data.fromRaw), weight: 4 },
    { arbitrary: fc.array(tie("node"), { maxLength: 3 }), weight: 2 },
    { arbitrary: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), tie("node"), { maxKeys: 3 }), weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
  ),
})).node;

/** A small model-like parameter tree. */
const params = () => ({
  dense: { kernel: np.arange(6).reshape([2, 3]).astype("float32"), bias: np.array([0.5, -0.5, 1]) },
  dense_1: { kernel: np.ones([3, 1], { dtype: "float64" }), bias: np.zeros([1], { dtype: "float64" }) },
  steps: np.array(7, { dtype: "int32" }),
  layers: [{ w: np.array([1, 2], { dtype: "uint32" }) }, { mask: np.array([true, false]) }, null],
});

describe("io.save / io.load round trip", () => {
  it("preserves the structure and every leaf's dtype, shape and bits (random nested trees, all dtypes)", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async (t) => {
        const path = tmp("prop");
        await right(io.save(path, t));
        const back = await right(io.load(path));
        expect(tree.treedefToString(tree.structure(back))).toBe(tree.treedefToString(tree.structure(t)));
        expect(tree.treedefEqual(tree.structure(back), tree.structure(t))).toBe(true);
        const want = tree.leaves(t);
        const got = tree.leaves(back);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => expectSameBits(data.toRaw(g), data.toRaw(want[i]!)));
      }),
      { numRuns: 60 },
    );
  });

  it("round trips a model-like tree, scalars, empty arrays, an empty tree and a bare array", async () => {
    const cases: Tree[] = [params(), {}, [], null, np.array(3.5), { e: np.zeros([0, 4]) }, np.arange(5)];
    for (const t of cases) {
      const path = tmp("case");
      await right(io.save(path, t));
      const back = await right(io.load(path));
      expect(tree.treedefToString(tree.structure(back))).toBe(tree.treedefToString(tree.structure(t)));
      tree.leaves(back).forEach((g, i) => expectSameBits(data.toRaw(g), data.toRaw(tree.leaves(t)[i]!)));
    }
  });

  it("creates missing directories and does not modify the saved tree", async () => {
    const t = params();
    const before = tree.leaves(t).map((l) => [...l.dataSync()]);
    const path = join(dir, "nested", "deeper", "p.safetensors");
    await right(io.save(path, t));
    expect(tree.leaves(t).map((l) => [...l.dataSync()])).toEqual(before);
    expect(tree.leaves(await right(io.load(path))).length).toBe(before.length);
  });
});

describe("files written by io.save are plain safetensors", () => {
  it("parse with the raw safetensors parser; tensor names are the leaf paths", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async (t) => {
        const path = tmp("raw");
        await right(io.save(path, t));
        const file = await right(data.readSafetensorsFile(path));
        const names = expectedPaths(t);
        expect(Object.keys(file.tensors).sort()).toEqual([...names].sort());
        const leaves = tree.leaves(t);
        names.forEach((name, i) => expectSameBits(file.tensors[name]!, data.toRaw(leaves[i]!)));
      }),
      { numRuns: 30 },
    );
  });

  it("names a model's tensors dense.kernel, dense_1.bias, layers.0.w ... and keeps user metadata", async () => {
    const path = tmp("names");
    await right(io.save(path, params(), { author: "test", epoch: "3" }));
    const bytes = new Uint8Array(await readFile(path));
    const parsed = data.parseSafetensors(bytes);
    if (E.isLeft(parsed)) throw new Error(parsed.left.message);
    expect(Object.keys(parsed.right.tensors).sort()).toEqual(
      ["dense.bias", "dense.kernel", "dense_1.bias", "dense_1.kernel", "layers.0.w", "layers.1.mask", "steps"].sort(),
    );
    expect(parsed.right.tensors["dense.kernel"]).toMatchObject({ dtype: "float32", shape: [2, 3] });
    expect(parsed.right.tensors["layers.1.mask"]).toMatchObject({ dtype: "bool", shape: [2] });
    expect(parsed.right.metadata).toMatchObject({ author: "test", epoch: "3", format: "pt" });
    expect(typeof parsed.right.metadata["tessera.treedef"]).toBe("string");
    // The header is the standard JSON other tools read: dtype codes and data offsets per tensor.
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype?: string; shape?: number[] }>;
    expect(header["dense_1.kernel"]).toMatchObject({ dtype: "F64", shape: [3, 1] });
    expect(header["steps"]).toMatchObject({ dtype: "I32", shape: [] });
  });

  it("load reads a safetensors file from another tool (no structure metadata) as a flat object by tensor name", async () => {
    const path = tmp("foreign");
    const bytes = data.encodeSafetensors({
      "encoder.weight": { dtype: "float32", shape: [2], data: new Float32Array([1, 2]) },
      bias: { dtype: "int32", shape: [1], data: new Int32Array([-3]) },
    });
    await writeFile(path, bytes);
    const t = (await right(io.load(path))) as Record<string, Array>;
    expect(Object.keys(t).sort()).toEqual(["bias", "encoder.weight"]);
    expect(t["encoder.weight"]!.tolist()).toEqual([1, 2]);
    expect(t["bias"]!.dtype).toBe("int32");
  });
});

describe("io.loadInto", () => {
  it("loads into the same structure", async () => {
    const path = tmp("into");
    const t = params();
    await right(io.save(path, t));
    const back = await right(io.loadInto(path, params()));
    tree.leaves(back).forEach((g, i) => expectSameBits(data.toRaw(g), data.toRaw(tree.leaves(t)[i]!)));
  });

  it("is a clear error for a different tree structure, naming where it differs and showing both", async () => {
    const path = tmp("into-struct");
    await right(io.save(path, params()));
    const other = { dense: { kernel: np.zeros([2, 3]) } };
    const err = await left(io.loadInto(path, other));
    expect(err._tag).toBe("DatasetError");
    expect(err.message).toMatch(/^io\.loadInto: .* holds a different tree structure/);
    expect(err.message).toContain("expected {dense: {kernel: *}}");
    expect(err.message).toContain("file has {dense: {bias: *, kernel: *}, dense_1:");
    // A list of another length, a dict in place of a list.
    const err2 = await left(io.loadInto(path, { ...params(), layers: [{ w: np.zeros([2], { dtype: "uint32" }) }] }));
    expect(err2.message).toMatch(/layers.*list of 1 vs 3/);
  });

  it("is a clear error for a different shape or dtype, naming the leaf", async () => {
    const path = tmp("into-leaf");
    await right(io.save(path, params()));
    const wrongShape = params();
    wrongShape.dense.kernel = np.zeros([3, 2]);
    expect((await left(io.loadInto(path, wrongShape))).message).toMatch(/^io\.loadInto: .*dense\.kernel is float32\[2,3\] in the file but float32\[3,2\] is expected/);
    const wrongDtype = params();
    wrongDtype.steps = np.array(7, { dtype: "float32" });
    expect((await left(io.loadInto(path, wrongDtype))).message).toMatch(/steps is int32\[\] in the file but float32\[\] is expected/);
  });
});

describe("io errors are values, never throws", () => {
  it("a missing file is an IOError naming the path", async () => {
    const path = join(dir, "does-not-exist.safetensors");
    const err = await left(io.load(path));
    expect(err._tag).toBe("IOError");
    expect(err.message).toContain("does-not-exist.safetensors");
  });

  it("a truncated or corrupted file is a ParseError", async () => {
    const path = tmp("broken");
    await right(io.save(path, params()));
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 5));
    expect((await left(io.load(path)))._tag).toBe("ParseError");
    await writeFile(path, Buffer.from("definitely not safetensors"));
    expect((await left(io.load(path)))._tag).toBe("ParseError");
  });

  it("a leaf that is not an Array is named", async () => {
    const err = await left(io.save(tmp(), { a: { b: 3 } } as never));
    expect(err.message).toMatch(/^io\.save: leaf a\.b is not an Array \(got number\)/);
  });

  it("leaf paths that collide (a key containing '.', an empty key) are an error, not silent data loss", async () => {
    // Regression: both leaves were written under the name "a.b" and the second overwrote the first.
    const err = await left(io.save(tmp(), { "a.b": np.ones([1]), a: { b: np.zeros([1]) } }));
    expect(err.message).toMatch(/io\.save.*"a\.b"/);
    const err2 = await left(io.save(tmp(), { "": { a: np.ones([1]) }, a: np.zeros([1]) }));
    expect(err2.message).toMatch(/io\.save.*"a"/);
  });

  it("a malformed structure record in the metadata is a Left, not a TypeError (regression)", async () => {
    const tensors = { a: { dtype: "float32" as const, shape: [1], data: new Float32Array([1]) } };
    const deep = '{"kind":"list","children":['.repeat(5000) + '{"kind":"leaf"}' + "]}".repeat(5000);
    for (const treedef of ['{"kind":"dict"}', "5", '{"kind":"list","children":[{"kind":"wat"}]}', '{"kind":"dict","keys":["a"],"children":[]}', "not json", deep]) {
      const path = tmp("bad-def");
      await writeFile(path, data.encodeSafetensors(tensors, { "tessera.treedef": treedef }));
      const err = await left(io.load(path));
      expect(err.message, treedef).toMatch(/^io\.load: .*the tessera\.treedef metadata is not (valid JSON|a valid tree structure)/);
    }
  });
});

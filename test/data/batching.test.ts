/**
 * @file `data.batches`: every example appears exactly once per epoch (with and without
 * `dropRemainder`, shuffled or not), every array of the pytree is cut the same way, the order is
 * a function of the key, and bad options are explained.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, np, random, type Array } from "../../src/index.js";

const values = (x: Array): number[] => [...x.dataSync()].map(Number);

/** A pytree whose rows carry their index in every leaf (in different dtypes and ranks). */
function indexed(n: number) {
  const ids = np.arange(n);
  return {
    ids,
    x: ids.astype("float32").reshape([n, 1, 1]).mul(np.ones([1, 2, 3])),
    nested: [ids.astype("float64").neg(), { flag: np.equal(np.remainder(ids, 2), 0) }],
  };
}

describe("data.batches", () => {
  it("yields every example exactly once per epoch (all options), and rows stay paired across leaves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, batchSize, shuffle, dropRemainder, seed) => {
          const seen: number[] = [];
          const sizes: number[] = [];
          for (const b of data.batches(random.key(seed), indexed(n), { batchSize, shuffle, dropRemainder })) {
            const ids = values(b.ids);
            sizes.push(ids.length);
            seen.push(...ids);
            expect(b.ids.dtype).toBe("int32");
            expect(b.x.shape).toEqual([ids.length, 2, 3]);
            expect(values(b.x)).toEqual(ids.flatMap((i) => new globalThis.Array(6).fill(i)));
            expect(values(b.nested[0] as Array)).toEqual(ids.map((i) => -i));
            expect((b.nested[1] as { flag: Array }).flag.tolist()).toEqual(ids.map((i) => i % 2 === 0));
          }
          const full = Math.floor(n / batchSize);
          const rest = n % batchSize;
          expect(sizes).toEqual([...new globalThis.Array(full).fill(batchSize), ...(rest > 0 && !dropRemainder ? [rest] : [])]);
          // Exactly once: no duplicates, and (without dropping) nothing missing.
          expect(new Set(seen).size).toBe(seen.length);
          for (const i of seen) expect(i >= 0 && i < n).toBe(true);
          expect(seen.length).toBe(dropRemainder ? full * batchSize : n);
          if (!shuffle) expect(seen).toEqual([...globalThis.Array(seen.length).keys()]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("shuffles as a function of the key: same key, same order; another key, another order", () => {
    const order = (seed: number) => [...data.batches(random.key(seed), { ids: np.arange(50) }, { batchSize: 7 })].flatMap((b) => values(b.ids));
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect(order(1)).not.toEqual([...globalThis.Array(50).keys()]);
    expect([...order(1)].sort((a, b) => a - b)).toEqual([...globalThis.Array(50).keys()]);
  });

  it("yields nothing (not an error) when dropRemainder drops the only, short batch", () => {
    expect([...data.batches(null, { x: np.zeros([3]) }, { batchSize: 4, shuffle: false, dropRemainder: true })]).toEqual([]);
    const one = [...data.batches(null, { x: np.zeros([3]) }, { batchSize: 4, shuffle: false })];
    expect(one.map((b) => b.x.shape)).toEqual([[3]]);
  });

  it("accepts a bare array as the data tree", () => {
    const got = [...data.batches(null, np.arange(5), { batchSize: 2, shuffle: false })].map(values);
    expect(got).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("leaves the input untouched", () => {
    const d = indexed(9);
    const before = values(d.x);
    for (const _ of data.batches(random.key(0), d, { batchSize: 4 })) void _;
    expect(values(d.x)).toEqual(before);
  });

  it("explains bad options and inconsistent data", () => {
    const run = (dataTree: unknown, opts: data.BatchOptions, key: Array | null = random.key(0)) => () => [...data.batches(key, dataTree as never, opts)];
    const d = { x: np.zeros([4, 2]), y: np.zeros([4]) };
    expect(run(d, { batchSize: 0 })).toThrow(/batches.*batchSize must be a positive integer, got 0/);
    expect(run(d, { batchSize: 1.5 })).toThrow(/batchSize.*1\.5/);
    expect(run(d, { batchSize: 2 }, null)).toThrow(/batches.*shuffle needs a PRNG key.*shuffle: false/);
    expect(run({ x: np.zeros([4, 2]), y: np.zeros([3]) }, { batchSize: 2 })).toThrow(/batches.*leading.*\[4,2\], \[3\]/);
    expect(run({ x: np.zeros([4]), s: np.array(1) }, { batchSize: 2 })).toThrow(/batches.*leading/);
    expect(run({}, { batchSize: 2 })).toThrow(/batches.*no arrays/);
  });

  it("numExamples reports the shared leading axis", () => {
    expect(data.numExamples("test", { a: np.zeros([5, 3]), b: [np.zeros([5])] })).toBe(5);
    expect(() => data.numExamples("test", { a: np.zeros([5, 3]), b: np.zeros([4]) })).toThrow(/test.*leading/);
  });
});

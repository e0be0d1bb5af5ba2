/**
 * @file Preprocessing properties (fast-check): scaler transform/inverse round trips, the imputer
 * fills every NaN and keeps observed values, label encoding round trips, train/test split sizes and
 * stratified proportions, one-hot, missing-value and outlier filtering; and clear errors for bad input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, jit, np, random, type Array } from "../../src/index.js";

// ---------------------------------------------------------------------------------------------
// helpers

/** A 2-D matrix `[n, d]` as nested JS numbers (finite, moderate magnitude). */
const matrixArb = (opts: { minRows?: number; maxRows?: number; maxCols?: number } = {}): fc.Arbitrary<number[][]> =>
  fc
    .tuple(fc.integer({ min: opts.minRows ?? 1, max: opts.maxRows ?? 8 }), fc.integer({ min: 1, max: opts.maxCols ?? 4 }))
    .chain(([n, d]) =>
      fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d }), {
        minLength: n,
        maxLength: n,
      }),
    );

/** The flat values of an Array as JS numbers. */
const values = (x: Array): number[] => [...x.dataSync()].map(Number);

/** `[0, 1, ..., n - 1]`. */
const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

/** Column `j` of a row-major `[n, d]` matrix. */
const column = (rows: number[][], j: number): number[] => rows.map((r) => r[j]!);

/** Expect two matrices to agree elementwise within `atol + rtol·|expected|`. */
function expectClose(actual: Array, expected: number[][], rtol: number, atol: number): void {
  expect(actual.shape).toEqual([expected.length, expected[0]!.length]);
  const got = values(actual);
  expected.flat().forEach((w, i) => {
    const g = got[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) expect.fail(`element ${i}: got ${g}, expected ${w}`);
  });
}

/** The largest absolute observed value of a matrix, at least 1 (for tolerances proportional to the data's scale). */
const scaleOf = (rows: number[][]): number => Math.max(1, ...rows.flat().filter((v) => !Number.isNaN(v)).map(Math.abs));

// ---------------------------------------------------------------------------------------------

describe("data.minMaxScaler", () => {
  it("inverseTransform(transform(x)) ≈ x, in float64 and float32", () => {
    fc.assert(
      fc.property(matrixArb(), fc.constantFrom<"float32" | "float64">("float32", "float64"), (rows, dtype) => {
        const x = np.array(rows, { dtype });
        const s = data.minMaxScaler().fit(x);
        const eps = dtype === "float64" ? 1e-12 : 1e-5;
        expectClose(s.inverseTransform(s.transform(x)), rows, 0, 4 * eps * scaleOf(rows));
      }),
      { numRuns: 60 },
    );
  });

  it("maps each column's min and max to the ends of featureRange and stays inside it", () => {
    fc.assert(
      fc.property(matrixArb({ minRows: 2 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 10 }), (rows, lo, width) => {
        const hi = lo + width;
        const x = np.array(rows, { dtype: "float64" });
        const s = data.minMaxScaler({ featureRange: [lo, hi] }).fit(x);
        const t = s.transform(x);
        const tol = 1e-9 * width;
        const tRows = t.tolist() as number[][];
        for (let j = 0; j < rows[0]!.length; j++) {
          const col = column(rows, j);
          const tcol = column(tRows, j);
          for (const v of tcol) expect(v >= lo - tol && v <= hi + tol).toBe(true);
          const min = Math.min(...col);
          const max = Math.max(...col);
          // (=== rather than toBe: the min of [0, -0] may be either zero.)
          expect(values(s.dataMin)[j] === min && values(s.dataMax)[j] === max).toBe(true);
          // A constant column (or one whose spread is so small that 1/spread overflows) maps to the
          // range's lower end; otherwise min → lo and max → hi.
          expect(Math.abs(tcol[col.indexOf(min)]! - lo)).toBeLessThanOrEqual(tol);
          if (max > min && Number.isFinite(width / (max - min))) expect(Math.abs(tcol[col.indexOf(max)]! - hi)).toBeLessThanOrEqual(tol);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("never produces NaN for a column whose spread underflows (regression: 0·∞ from a subnormal range)", () => {
    for (const [dtype, tiny] of [["float64", 5e-324], ["float32", 1.5e-45]] as const) {
      const x = np.array([[0, 1], [tiny, 2]], { dtype });
      const s = data.minMaxScaler().fit(x);
      const t = values(s.transform(x));
      expect(t.some(Number.isNaN), `${dtype}: ${t}`).toBe(false);
      expect(values(s.inverseTransform(s.transform(x))).some(Number.isNaN)).toBe(false);
    }
  });

  it("is pure: fitting and transforming leave the input unchanged", () => {
    const x = np.array([[1, 2], [3, 4]]);
    const before = values(x);
    const s = data.minMaxScaler().fit(x);
    s.inverseTransform(s.transform(x));
    expect(values(x)).toEqual(before);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("rejects a decreasing featureRange and non-2-D input with clear errors", () => {
    expect(() => data.minMaxScaler({ featureRange: [1, 0] })).toThrow(/minMaxScaler.*featureRange must be increasing.*\[1, 0\]/);
    expect(() => data.minMaxScaler({ featureRange: [2, 2] })).toThrow(/featureRange/);
    expect(() => data.minMaxScaler().fit(np.array([1, 2, 3]))).toThrow(/minMaxScaler\.fit.*2-D.*\[3\]/);
  });
});

describe("data.standardScaler", () => {
  it("inverseTransform(transform(x)) ≈ x, in float64 and float32", () => {
    fc.assert(
      fc.property(matrixArb(), fc.constantFrom<"float32" | "float64">("float32", "float64"), (rows, dtype) => {
        const x = np.array(rows, { dtype });
        const s = data.standardScaler().fit(x);
        const eps = dtype === "float64" ? 1e-12 : 1e-5;
        expectClose(s.inverseTransform(s.transform(x)), rows, 0, 8 * eps * scaleOf(rows));
      }),
      { numRuns: 60 },
    );
  });

  it("gives zero-mean, unit-variance columns (constant columns become 0)", () => {
    fc.assert(
      fc.property(matrixArb({ minRows: 2 }), (rows) => {
        const x = np.array(rows, { dtype: "float64" });
        const tRows = data.standardScaler().fit(x).transform(x).tolist() as number[][];
        for (let j = 0; j < rows[0]!.length; j++) {
          const col = column(rows, j);
          const t = column(tRows, j);
          const mean = t.reduce((a, b) => a + b, 0) / t.length;
          const variance = t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length;
          // Columns whose spread is at rounding level (1000 ± 1e-12) have ill-defined moments: the
          // rounding error of the mean is comparable to the std. Only check columns with real spread.
          const spread = Math.max(...col) - Math.min(...col);
          if (spread === 0) expect(t.every((v) => v === 0)).toBe(true);
          else if (spread > 1e-6 * scaleOf(rows)) {
            expect(Math.abs(mean)).toBeLessThan(1e-9);
            expect(Math.abs(variance - 1)).toBeLessThan(1e-6);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("respects withMean / withStd", () => {
    const x = np.array([[1, 10], [3, 30]], { dtype: "float64" });
    expect(data.standardScaler({ withMean: false }).fit(x).transform(x).tolist()).toEqual([[1, 1], [3, 3]]);
    expect(data.standardScaler({ withStd: false }).fit(x).transform(x).tolist()).toEqual([[-1, -10], [1, 10]]);
  });

  it("rejects non-2-D input", () => {
    expect(() => data.standardScaler().fit(np.zeros([2, 2, 2]))).toThrow(/standardScaler\.fit.*2-D.*\[2,2,2\]/);
  });
});

// ---------------------------------------------------------------------------------------------

/** A matrix with some NaN cells, every column keeping at least one observed value. */
const withMissingArb = matrixArb({ maxRows: 10 }).chain((rows) =>
  fc
    .array(fc.array(fc.boolean(), { minLength: rows[0]!.length, maxLength: rows[0]!.length }), { minLength: rows.length, maxLength: rows.length })
    .map((mask) => {
      // Keep row 0 observed in every column so no column is all-missing; draw values from a small
      // set so "most frequent" has real ties and repeats to choose from.
      return rows.map((r, i) => r.map((v, j) => (i > 0 && mask[i]![j] ? NaN : Math.round(v / 250))));
    }),
);

describe("scalers and missing values", () => {
  it("fit on the observed values only and pass NaN through (regression: one NaN turned a whole column into NaN)", () => {
    fc.assert(
      fc.property(withMissingArb, (rows) => {
        const x = np.array(rows, { dtype: "float64" });
        const d = rows[0]!.length;
        const mm = data.minMaxScaler().fit(x);
        const st = data.standardScaler().fit(x);
        for (let j = 0; j < d; j++) {
          const obs = column(rows, j).filter((v) => !Number.isNaN(v));
          const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
          const std = Math.sqrt(obs.reduce((a, b) => a + (b - mean) ** 2, 0) / obs.length);
          expect(values(mm.dataMin)[j] === Math.min(...obs) && values(mm.dataMax)[j] === Math.max(...obs)).toBe(true);
          expect(Math.abs(values(st.mean)[j]! - mean)).toBeLessThanOrEqual(1e-9 * scaleOf(rows));
          expect(Math.abs(values(st.scale)[j]! - (std === 0 ? 1 : std))).toBeLessThanOrEqual(1e-9 * scaleOf(rows));
        }
        for (const s of [mm, st]) {
          const t = s.transform(x).dataSync();
          const back = s.inverseTransform(s.transform(x)).dataSync();
          rows.flat().forEach((v, i) => {
            expect(Number.isNaN(t[i]!)).toBe(Number.isNaN(v));
            if (!Number.isNaN(v)) expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(1e-9 * scaleOf(rows));
          });
        }
      }),
      { numRuns: 60 },
    );
  });

  it("fit and transform also trace under jit, with the eager values", () => {
    const x = np.array([[1, 2], [3, NaN], [5, 6], [-2, 0]]);
    for (const scaler of [data.minMaxScaler(), data.standardScaler()]) {
      const eager = scaler.fit(x).transform(x).dataSync();
      const traced = jit((a: Array) => scaler.fit(a).transform(a))(x).dataSync();
      eager.forEach((v, i) => (Number.isNaN(v) ? expect(traced[i]).toBeNaN() : expect(traced[i]).toBeCloseTo(v, 6)));
    }
  });

  it("name a column with no observed value", () => {
    const x = np.array([[1, NaN], [2, NaN]]);
    expect(() => data.minMaxScaler().fit(x)).toThrow(/minMaxScaler\.fit.*column 1 has no observed/);
    expect(() => data.standardScaler().fit(x)).toThrow(/standardScaler\.fit.*column 1 has no observed/);
  });
});

describe("data.imputer", () => {
  const strategies = ["mean", "median", "mostFrequent", "constant"] as const;

  it("leaves no NaN, keeps every observed value bit for bit, and fills with the column statistic", () => {
    fc.assert(
      fc.property(withMissingArb, fc.constantFrom(...strategies), fc.constantFrom<"float32" | "float64">("float32", "float64"), (rows, strategy, dtype) => {
        const x = np.array(rows, { dtype });
        const imp = data.imputer({ strategy, fillValue: -7 }).fit(x);
        const out = imp.transform(x);
        expect(out.shape).toEqual(x.shape);
        expect(out.dtype).toBe(dtype);
        const xs = x.dataSync();
        const got = out.dataSync();
        const stats = values(imp.statistics);
        const d = rows[0]!.length;
        for (let i = 0; i < got.length; i++) {
          expect(Number.isNaN(got[i]!)).toBe(false);
          if (Number.isNaN(xs[i]!)) expect(got[i]).toBe(stats[i % d]);
          else expect(Object.is(got[i], xs[i])).toBe(true);
        }
        for (let j = 0; j < d; j++) {
          const observed = column(rows, j).filter((v) => !Number.isNaN(v));
          const sorted = [...observed].sort((a, b) => a - b);
          const stat = stats[j]!;
          if (strategy === "constant") expect(stat).toBe(-7);
          else if (strategy === "mean") expect(Math.abs(stat - observed.reduce((a, b) => a + b, 0) / observed.length)).toBeLessThan(1e-5);
          else if (strategy === "median") expect(stat >= sorted[0]! && stat <= sorted[sorted.length - 1]!).toBe(true);
          else {
            const count = (v: number) => observed.filter((o) => o === v).length;
            expect(observed).toContain(stat);
            expect(count(stat)).toBe(Math.max(...observed.map(count)));
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it("computes the textbook median and most frequent value (ties → smallest)", () => {
    const x = np.array([[1, 5], [NaN, 5], [4, 2], [10, 2]], { dtype: "float64" });
    expect(data.imputer({ strategy: "median" }).fit(x).statistics.tolist()).toEqual([4, 3.5]);
    expect(data.imputer({ strategy: "mostFrequent" }).fit(x).statistics.tolist()).toEqual([1, 2]);
    expect(data.imputer().fit(x).statistics.tolist()).toEqual([5, 3.5]);
  });

  it("applies the training statistics to new data", () => {
    const imp = data.imputer().fit(np.array([[1, 2], [3, 4]]));
    expect(imp.transform(np.array([[NaN, NaN], [0, 0]])).tolist()).toEqual([[2, 3], [0, 0]]);
  });

  it("explains bad input: an all-missing column, an unknown strategy, a missing fillValue, non-2-D data", () => {
    expect(() => data.imputer().fit(np.array([[1, NaN], [2, NaN]]))).toThrow(/imputer\.fit.*column 1 has no observed/);
    expect(() => data.imputer({ strategy: "mode" as never })).toThrow(/imputer.*strategy must be.*"mode"/);
    expect(() => data.imputer({ strategy: "constant" })).toThrow(/constant.*fillValue/);
    expect(() => data.imputer().fit(np.array([1, NaN]))).toThrow(/imputer\.fit.*2-D/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("data.labelEncoder", () => {
  it("round trips string labels: inverseTransform(transform(l)) = l, codes 0..k-1 over sorted classes", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("cat", "dog", "bird", "fish", "", "Émile", "a,b"), { minLength: 1, maxLength: 30 }), (labels) => {
        const enc = data.labelEncoder().fit(labels);
        const codes = enc.transform(labels);
        expect(codes.dtype).toBe("int32");
        expect(codes.shape).toEqual([labels.length]);
        expect(enc.inverseTransform(codes)).toEqual(labels);
        expect([...enc.classes]).toEqual([...new Set(labels)].sort());
        for (const c of values(codes)) expect(c >= 0 && c < enc.classes.length).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("round trips number labels (from a JS list or an int32 Array), sorted numerically", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 12 }), { minLength: 1, maxLength: 30 }), (labels) => {
        const fromList = data.labelEncoder().fit(labels);
        expect([...fromList.classes]).toEqual([...new Set(labels)].sort((a, b) => a - b));
        expect(fromList.inverseTransform(fromList.transform(labels))).toEqual(labels);
        const arr = np.array(labels, { dtype: "int32" });
        const fromArray = data.labelEncoder().fit(arr);
        expect(fromArray.classes).toEqual(fromList.classes);
        expect(values(fromArray.transform(arr))).toEqual(values(fromList.transform(labels)));
      }),
      { numRuns: 60 },
    );
  });

  it("names unknown labels and out-of-range codes", () => {
    const enc = data.labelEncoder().fit(["low", "high"]);
    expect(enc.classes).toEqual(["high", "low"]);
    expect(() => enc.transform(["medium"])).toThrow(/labelEncoder\.transform.*unknown label "medium".*known classes.*"high","low"/);
    expect(() => enc.inverseTransform(np.array([2], { dtype: "int32" }))).toThrow(/labelEncoder\.inverseTransform.*code 2 is out of range 0\.\.1/);
    expect(() => enc.inverseTransform(np.array([-1], { dtype: "int32" }))).toThrow(/code -1 is out of range/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("data.trainTestSplit", () => {
  /** Rows carry their own index so we can see where each one went. */
  const dataset = (n: number) => {
    const ids = np.arange(n);
    return { x: ids.astype("float32").reshape([n, 1]), y: ids.mul(10) };
  };

  it("gives the requested sizes, loses and duplicates nothing, and keeps rows of every array paired", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.oneof(fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer({ min: 1, max: n - 1 })), fc.integer({ min: 0, max: 1000 })),
        ),
        ([n, testSize, seed]) => {
          const nTest = testSize < 1 ? Math.round(n * testSize) : testSize;
          fc.pre(nTest >= 1 && nTest <= n - 1);
          const [train, test] = data.trainTestSplit(random.key(seed), dataset(n), { testSize });
          expect(test.x.shape).toEqual([nTest, 1]);
          expect(train.x.shape).toEqual([n - nTest, 1]);
          const ids = [...values(train.x), ...values(test.x)];
          expect([...ids].sort((a, b) => a - b)).toEqual(range(n));
          for (const part of [train, test]) expect(values(part.y)).toEqual(values(part.x).map((v) => v * 10));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is deterministic in the key", () => {
    const a = data.trainTestSplit(random.key(3), dataset(20));
    const b = data.trainTestSplit(random.key(3), dataset(20));
    const c = data.trainTestSplit(random.key(4), dataset(20));
    expect(values(a[1].x)).toEqual(values(b[1].x));
    expect(values(a[1].x)).not.toEqual(values(c[1].x));
  });

  it("stratified: exact test size, and each class's share is its proportion rounded down or up", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 60 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (labels, testSize, seed) => {
          const n = labels.length;
          const nTest = Math.round(n * testSize);
          fc.pre(nTest >= 1 && nTest <= n - 1);
          const y = np.array(labels, { dtype: "int32" });
          const ids = np.arange(n);
          const [train, test] = data.trainTestSplit(random.key(seed), { ids, y }, { testSize, stratify: y });
          expect(test.ids.shape).toEqual([nTest]);
          expect(train.ids.shape).toEqual([n - nTest]);
          expect([...values(train.ids), ...values(test.ids)].sort((a, b) => a - b)).toEqual(range(n));
          const testLabels = values(test.y);
          for (const c of new Set(labels)) {
            const members = labels.filter((l) => l === c).length;
            const quota = (members * nTest) / n;
            const got = testLabels.filter((l) => l === c).length;
            expect(got).toBeGreaterThanOrEqual(Math.floor(quota));
            expect(got).toBeLessThanOrEqual(Math.ceil(quota));
          }
          // Rows stay paired with their labels.
          expect(values(test.y)).toEqual(values(test.ids).map((i) => labels[i]!));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("stratified: many small classes still give the requested test size (regression: per-class rounding gave 0)", () => {
    const y = np.arange(10);
    const [train, test] = data.trainTestSplit(random.key(0), { y }, { testSize: 0.3, stratify: y });
    expect(test.y.shape).toEqual([3]);
    expect(train.y.shape).toEqual([7]);
  });

  it("stratified: balanced classes split in exactly the requested proportion", () => {
    const y = np.array(range(100).map((i) => i % 4), { dtype: "int32" });
    const [train, test] = data.trainTestSplit(random.key(0), { x: np.zeros([100, 3]), y }, { testSize: 0.2, stratify: y });
    const count = (a: Array, c: number) => values(a).filter((v) => v === c).length;
    for (let c = 0; c < 4; c++) {
      expect(count(test.y, c)).toBe(5);
      expect(count(train.y, c)).toBe(20);
    }
  });

  it("explains bad testSize, mismatched arrays and mismatched stratify labels", () => {
    const d = dataset(10);
    expect(() => data.trainTestSplit(random.key(0), d, { testSize: 0 })).toThrow(/trainTestSplit.*testSize must give between 1 and 9 test examples, got 0/);
    expect(() => data.trainTestSplit(random.key(0), d, { testSize: 10 })).toThrow(/between 1 and 9/);
    expect(() => data.trainTestSplit(random.key(0), d, { testSize: 2.5 })).toThrow(/got 2\.5/);
    expect(() => data.trainTestSplit(random.key(0), { x: np.zeros([10, 2]), y: np.zeros([9]) })).toThrow(/trainTestSplit.*leading.*\[10,2\], \[9\]/);
    expect(() => data.trainTestSplit(random.key(0), d, { stratify: np.zeros([4], { dtype: "int32" }) })).toThrow(/trainTestSplit.*stratify labels must have 10 entries, got 4/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("data.oneHot", () => {
  it("puts a single 1 at each in-range label and all zeros elsewhere", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((k) => fc.tuple(fc.constant(k), fc.array(fc.integer({ min: -1, max: k }), { maxLength: 12 }))), ([k, labels]) => {
        const oh = data.oneHot(np.array(labels, { dtype: "int32" }), k);
        expect(oh.shape).toEqual([labels.length, k]);
        expect(oh.dtype).toBe("float32");
        (oh.tolist() as number[][]).forEach((row, i) => {
          const l = labels[i]!;
          expect(row).toEqual(range(k).map((c) => (c === l ? 1 : 0)));
        });
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a non-positive class count", () => {
    expect(() => data.oneHot(np.array([0], { dtype: "int32" }), 0)).toThrow(/oneHot.*positive integer, got 0/);
    expect(() => data.oneHot(np.array([0], { dtype: "int32" }), 2.5)).toThrow(/oneHot.*2\.5/);
  });
});

describe("data.dropMissing / removeOutliers / filterRows", () => {
  it("dropMissing removes exactly the rows with a NaN in any array and keeps the pytree aligned", () => {
    fc.assert(
      fc.property(withMissingArb, (rows) => {
        const n = rows.length;
        const x = np.array(rows, { dtype: "float64" });
        const ids = np.arange(n);
        const out = data.dropMissing({ x, extra: [ids] });
        const keep = rows.map((r, i) => (r.some(Number.isNaN) ? -1 : i)).filter((i) => i >= 0);
        expect(values(out.extra[0]!)).toEqual(keep);
        expect(out.x.tolist()).toEqual(keep.map((i) => rows[i]));
      }),
      { numRuns: 50 },
    );
  });

  it("removeOutliers drops z-score and IQR outliers, ignores NaN, and filters every array of the tree", () => {
    const col = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 500, NaN];
    const x = np.array(col.map((v, i) => [v, i % 3]), { dtype: "float64" });
    const y = np.arange(col.length);
    for (const method of ["zscore", "iqr"] as const) {
      const out = data.removeOutliers({ x, y }, { method, threshold: method === "zscore" ? 3 : 1.5 });
      expect(values(out.y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
      expect(out.x.shape).toEqual([11, 2]);
    }
    // A single array is its own feature matrix; `key` picks one array of a tree.
    expect(data.removeOutliers(np.array([1, 2, 3, 2, 1, 2, 100]), { method: "iqr" }).shape).toEqual([6]);
    const picked = data.removeOutliers({ a: np.array([1, 2, 3, 2, 1, 2, 100]), b: np.arange(7) }, { key: "a", method: "iqr" });
    expect(values(picked.b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("removeOutliers asks which array holds the features when it cannot tell", () => {
    expect(() => data.removeOutliers({ a: np.zeros([3]), b: np.zeros([3]) })).toThrow(/removeOutliers.*pass \{ key \}/);
  });

  it("filterRows checks the mask's shape", () => {
    expect(() => data.filterRows({ x: np.zeros([4, 2]) }, np.array([true, false]))).toThrow(/filterRows.*mask must have shape \[4\], got \[2\]/);
    expect(values(data.filterRows({ x: np.arange(4) }, np.array([true, false, false, true])).x)).toEqual([0, 3]);
  });
});

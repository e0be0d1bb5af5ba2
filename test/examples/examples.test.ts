/**
 * @file The examples cannot rot: each example's exported `main` runs here on tiny settings and its
 * result is checked, and the command-line entry points run as subprocesses (importing an example
 * must not run it; executing it must).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cnnMnist from "../../examples/cnn-mnist.js";
import * as csvClassifier from "../../examples/csv-classifier.js";
import * as gradientTape from "../../examples/gradient-tape.js";
import * as linearRegression from "../../examples/linear-regression.js";
import * as mnistExample from "../../examples/mnist.js";
import { data, io, random, type Array } from "../../src/index.js";

const run = promisify(execFile);
const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");

/** A `log` that collects lines instead of printing them. */
function collector(): { log: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (line) => void lines.push(line), lines };
}

const maxAbsDiff = (a: Array, b: Array): number => Math.max(...[...a.sub(b).abs().dataSync()].map(Number));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-examples-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("examples/linear-regression.ts", () => {
  it("recovers the true parameters with plain gradient descent", async () => {
    const out = collector();
    const r = await linearRegression.main({ steps: 100, log: out.log });
    expect(maxAbsDiff(r.params.w, r.trueParams.w)).toBeLessThan(0.05);
    expect(maxAbsDiff(r.params.b, r.trueParams.b)).toBeLessThan(0.05);
    expect(r.losses).toHaveLength(101);
    expect(r.losses[100]!).toBeLessThan(r.losses[0]! / 100);
    expect(out.lines.some((l) => l.startsWith("final loss"))).toBe(true);
  });
});

describe("examples/gradient-tape.ts", () => {
  it("trains the same model with a manual valueAndGrad + optimizer loop", async () => {
    const out = collector();
    const r = await gradientTape.main({ epochs: 8, log: out.log });
    expect(r.epochLosses).toHaveLength(8);
    expect(r.epochLosses[7]!).toBeLessThan(r.epochLosses[0]! / 10);
    expect(maxAbsDiff(r.params.w, r.trueParams.w)).toBeLessThan(0.1);
    expect(maxAbsDiff(r.params.b, r.trueParams.b)).toBeLessThan(0.1);
    expect(out.lines.filter((l) => l.startsWith("epoch"))).toHaveLength(8);
  });

  it("is deterministic in the seed", async () => {
    const quiet = { epochs: 2, examples: 64, log: () => {} };
    const [a, b] = [await gradientTape.main({ ...quiet, seed: 5 }), await gradientTape.main({ ...quiet, seed: 5 })];
    expect(a.epochLosses).toEqual(b.epochLosses);
  });
});

describe("examples/cnn-mnist.ts", () => {
  it("trains the CNN on a small subset, evaluates it and writes loadable parameters", async () => {
    const out = collector();
    const r = await cnnMnist.main({ examples: 512, testExamples: 200, epochs: 1, batchSize: 32, learningRate: 3e-3, quiet: true, out: dir, log: out.log });
    expect(r.history["loss"]).toHaveLength(1);
    expect(Number.isFinite(r.history["loss"]![0]!)).toBe(true);
    expect(r.testAccuracy).toBeGreaterThan(0.25); // 16 steps: well above chance (0.1), far from trained
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(out.lines.some((l) => /test accuracy \d+\.\d\d%/.test(l))).toBe(true);
    const fresh = cnnMnist.makeModel().init(random.key(0), [28, 28, 1]).params;
    const loaded = await io.loadInto(join(dir, "cnn-mnist.safetensors"), fresh)();
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  });

  it("reports a missing MNIST directory as a data error", async () => {
    await expect(cnnMnist.main({ mnistDir: join(dir, "no-such-dir"), log: () => {}, quiet: true })).rejects.toBeInstanceOf(data.DataErrorException);
  });
});

describe("examples/mnist.ts (npm start)", () => {
  it("trains the seed model on a subset, evaluates on the real test set and writes its outputs", async () => {
    const out = collector();
    const r = await mnistExample.main({ epochs: 1, examples: 2000, quiet: true, out: dir, log: out.log });
    expect(r.history["loss"]).toHaveLength(1);
    expect(r.testAccuracy).toBeGreaterThan(0.8);
    const fresh = mnistExample.makeModel().init(random.key(0), [784]).params;
    const loaded = await io.loadInto(join(dir, "mnist.safetensors"), fresh)();
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    expect(out.lines.some((l) => /Test accuracy: \d+\.\d\d%/.test(l))).toBe(true);
  });
});

describe("examples/csv-classifier.ts", () => {
  it("cleans the bundled CSV (missing values, outliers, string labels) and trains an accurate classifier", async () => {
    const out = collector();
    const r = await csvClassifier.main({ epochs: 30, log: out.log });
    expect([...r.classes]).toEqual(["diabetes", "healthy", "prediabetes"]);
    expect(r.counts.rows).toBe(300);
    expect(r.counts.outliers).toBe(8); // the eight data-entry errors planted in the file
    expect(r.counts.train + r.counts.test).toBe(292);
    expect(r.counts.test).toBe(Math.round(292 * 0.25));
    expect(r.imputed).toBeGreaterThan(0);
    expect(r.history["loss"]).toHaveLength(30);
    expect(r.accuracy).toBeGreaterThan(0.8);
    expect(out.lines.some((l) => l.startsWith("  predicted "))).toBe(true);
  });

  it("reports a missing file as a data error naming it", async () => {
    const missing = join(dir, "nope.csv");
    const err = await csvClassifier.main({ file: missing, log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(data.DataErrorException);
    expect((err as data.DataErrorException).error._tag).toBe("IOError");
    expect((err as Error).message).toContain("nope.csv");
  });
});

describe("the examples' command lines", () => {
  // Each subprocess pays for starting tsx; keep them few and on small settings.
  it("run main with their flags when executed directly", async () => {
    const [lr, tape, csv] = await Promise.all([
      run(TSX, ["examples/linear-regression.ts", "--steps", "5"]),
      run(TSX, ["examples/gradient-tape.ts", "--epochs", "2"]),
      run(TSX, ["examples/csv-classifier.ts", "--epochs", "2"]),
    ]);
    expect(lr.stdout).toMatch(/final loss .* after 5 steps/);
    expect(tape.stdout.match(/^epoch/gm)).toHaveLength(2);
    expect(csv.stdout).toMatch(/test accuracy \d+\.\d%/);
  });

  it("print a data error and exit with status 1 on a missing file", async () => {
    const err = (await run(TSX, ["examples/csv-classifier.ts", "--file", join(dir, "missing.csv")]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/IOError: .*missing\.csv/);
  });
});

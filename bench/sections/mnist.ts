/**
 * @file Training time per MNIST epoch: the seed model (784 → Dense 128 relu → Dense 10 softmax,
 * Adam 1e-3, categorical cross-entropy, accuracy metric, batch 32, shuffled) on the real data from
 * `data.mnist()`, ours with `train.fit` (quiet) beside TensorFlow.js `tf.sequential` +
 * `model.fit({ epochs: 1, verbose: 0 })` on its wasm and cpu backends.
 *
 * Every subject trains the same way:
 * 1. a warm-up epoch on the first 2,048 examples (64 steps), which also serves as a probe;
 * 2. one epoch on a subset — the first 15,008 training examples, 469 full batches of 32 (a full
 *    60k epoch is 1,875 full batches, so the subset has no ragged last batch either) — timed
 *    {@link REPEATS} times, median: the ms/step figure. If the probe predicts more than
 *    {@link MAX_SUBSET_S} s for the subset, the probe alone is reported (stated in the note);
 * 3. one real epoch over all 60,000 examples, timed once, if the subset figure predicts at most
 *    {@link MAX_FULL_S} s; otherwise the subset figure × 1,875 stands in for it (stated in the note).
 * Each timed call starts from a freshly initialized model and includes everything `fit` does
 * (initialization, `jit` compilation of our step, shuffling, the accuracy metric). Test accuracy
 * on the 10k test images after the timed training is reported as a sanity check.
 */
import { data, nn, optim, random, train, type Array } from "../../src/index.js";
import { setTfBackend, tryPeer } from "../peers.js";
import type { Row } from "../timing.js";

const BATCH = 32;
const PROBE = 64 * BATCH;
const STEPS = 469;
const SUBSET = STEPS * BATCH;
const FULL = 60000;
const FULL_EPOCH_STEPS = FULL / BATCH;
/** A subject predicted to need longer than this (s) for the subset is reported from its probe. */
const MAX_SUBSET_S = 30;
/** A subject predicted to need longer than this (s) for a full epoch gets an extrapolated one. */
const MAX_FULL_S = 30;
/** Timed repetitions of the subset epoch when it is quick (median taken). */
const REPEATS = 3;

interface Measured {
  /** Median ms per training step on the subset (or the probe). */
  msPerStep: number;
  /** Steps the figure was timed over (469, or 64 for a probe-only figure). */
  steps: number;
  /** Timed subset runs. */
  runs: number;
  /** Seconds of one measured full 60k epoch, when it was run. */
  fullEpochS?: number;
  /** Test accuracy after the last timed epoch (full epoch if run, else subset). */
  accuracy?: number;
}

interface Subject {
  /**
   * Train one epoch on the first `n` examples (PROBE, SUBSET or FULL) from fresh parameters.
   * Resolves with the wall time of model creation + `fit` alone, and the test accuracy (evaluated
   * after the clock stops) unless `n` is PROBE.
   */
  epoch(n: number): Promise<{ trainMs: number; accuracy?: number }>;
}

async function measure(subject: Subject): Promise<Measured> {
  const timed = async (n: number): Promise<[number, number | undefined]> => {
    const r = await subject.epoch(n);
    return [r.trainMs, r.accuracy];
  };
  const [probeMs] = await timed(PROBE);
  const probeStep = probeMs / (PROBE / BATCH);
  if (probeStep * STEPS > MAX_SUBSET_S * 1000) return { msPerStep: probeStep, steps: PROBE / BATCH, runs: 1 };
  const times: number[] = [];
  let accuracy: number | undefined;
  for (let r = 0; r < REPEATS; r++) {
    const [ms, acc] = await timed(SUBSET);
    times.push(ms);
    accuracy = acc;
    if (ms > 15000) break; // slow: one timed run is enough
  }
  times.sort((a, b) => a - b);
  const msPerStep = times[times.length >> 1]! / STEPS;
  const m: Measured = { msPerStep, steps: STEPS, runs: times.length, accuracy };
  if (msPerStep * FULL_EPOCH_STEPS <= MAX_FULL_S * 1000) {
    const [ms, acc] = await timed(FULL);
    m.fullEpochS = ms / 1000;
    m.accuracy = acc;
  }
  return m;
}

interface Mnist {
  x: Array;
  y: Array;
  testX: Array;
  testY: Array;
}

function tessera(d: Mnist): Subject {
  const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
  // Slice outside the timed calls, as the TF.js subjects do.
  const slices = new Map([PROBE, SUBSET].map((n) => [n, [d.x.slice([0, n]), d.y.slice([0, n])] as const]));
  slices.set(FULL, [d.x, d.y]);
  return {
    async epoch(n) {
      const [x, y] = slices.get(n)!;
      const t = performance.now();
      const r = await train.fit(model, x, y, {
        loss: "categoricalCrossentropy",
        optimizer: optim.adam(1e-3),
        metrics: ["accuracy"],
        epochs: 1,
        batchSize: BATCH,
        key: random.key(0),
        quiet: true,
      });
      const trainMs = performance.now() - t;
      return { trainMs, accuracy: n === PROBE ? undefined : train.evaluate(model, r.params, r.state, d.testX, d.testY, { metrics: ["accuracy"] })["accuracy"] };
    },
  };
}

async function tfjs(d: Mnist, backend: "cpu" | "wasm"): Promise<Subject & { dispose(): void }> {
  const tf = await setTfBackend(backend);
  const x = tf.tensor2d(d.x.dataSync() as Float32Array, [FULL, 784]);
  const y = tf.tensor2d(d.y.dataSync() as Float32Array, [FULL, 10]);
  const slices = new Map([PROBE, SUBSET].map((n) => [n, [x.slice([0, 0], [n, 784]), y.slice([0, 0], [n, 10])] as const]));
  slices.set(FULL, [x, y]);
  const testX = tf.tensor2d(d.testX.dataSync() as Float32Array, [d.testX.shape[0]!, 784]);
  const testY = tf.tensor2d(d.testY.dataSync() as Float32Array, [d.testY.shape[0]!, 10]);
  return {
    async epoch(n) {
      const [xs, ys] = slices.get(n)!;
      const t = performance.now();
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }), tf.layers.dense({ units: 10, activation: "softmax" })],
      });
      model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
      await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
      const trainMs = performance.now() - t;
      let accuracy: number | undefined;
      if (n !== PROBE) {
        const res = model.evaluate(testX, testY, { batchSize: 256 }) as import("@tensorflow/tfjs").Scalar[];
        accuracy = res[1]!.dataSync()[0];
        tf.dispose(res);
      }
      model.dispose();
      return { trainMs, accuracy };
    },
    dispose: () => tf.dispose([x, y, testX, testY, ...[...slices.values()].flat()]),
  };
}

export async function run(): Promise<Row[]> {
  const loaded = await data.mnist()();
  if (loaded._tag === "Left") throw new Error(data.formatDataError(loaded.left));
  const { train: tr, test } = loaded.right;
  const d: Mnist = { x: tr.x, y: data.oneHot(tr.y, 10), testX: test.x, testY: data.oneHot(test.y, 10) };
  if (tr.x.shape[0] !== FULL) throw new Error(`mnist: expected ${FULL} training images, got ${tr.x.shape[0]}`);

  const ours = await tryPeer("tessera", () => measure(tessera(d)));
  const peer = (backend: "cpu" | "wasm") =>
    tryPeer(`tfjs-${backend}`, async () => {
      const s = await tfjs(d, backend);
      try {
        return await measure(s);
      } finally {
        s.dispose();
      }
    });
  const wasm = await peer("wasm");
  const cpu = await peer("cpu");
  const subjects = { tessera: ours, "tfjs-wasm": wasm, "tfjs-cpu": cpu };

  const epochS = (m: Measured | undefined) => m && (m.fullEpochS ?? (m.msPerStep * FULL_EPOCH_STEPS) / 1000);
  const each = (f: (m: Measured) => string) =>
    Object.entries(subjects)
      .map(([k, m]) => `${k} ${m === undefined ? "failed" : f(m)}`)
      .join(", ");
  const pct = (a: number | undefined) => (a === undefined ? "—" : `${(a * 100).toFixed(2)}%`);
  return [
    {
      name: "mnist 784-128-10 Adam b32: train step in fit",
      unit: "ms/step",
      tessera: ours?.msPerStep,
      peers: { "tfjs-wasm": wasm?.msPerStep, "tfjs-cpu": cpu?.msPerStep },
      note:
        `one epoch on the first ${SUBSET} training examples (${STEPS} steps; fresh model each run; fit's own init, compile, shuffle and accuracy metric included): ` +
        each((m) => (m.steps === STEPS ? `median of ${m.runs}` : `from a ${m.steps}-step probe only (the subset would take over ${MAX_SUBSET_S} s)`)),
    },
    {
      name: "mnist: one epoch of 60k",
      unit: "s",
      tessera: epochS(ours),
      peers: { "tfjs-wasm": epochS(wasm), "tfjs-cpu": epochS(cpu) },
      note:
        `${FULL_EPOCH_STEPS} steps; ` +
        each((m) => (m.fullEpochS !== undefined ? "measured (one run)" : `extrapolated (ms/step × ${FULL_EPOCH_STEPS}; a real epoch would take over ${MAX_FULL_S} s)`)) +
        `. Test accuracy (10k) after that epoch: ` +
        each((m) => `${pct(m.accuracy)}${m.fullEpochS === undefined ? " (after the 15k subset epoch)" : ""}`),
    },
  ];
}

/**
 * @file `train.fit` / `evaluate` / `predict` and the callbacks, on a tiny synthetic problem (two
 * Gaussian blobs): the loop learns, is pure, logs per-epoch history (with `val_` entries), honours
 * `validationSplit`, early stopping (patience, restoring the best weights), checkpoints that
 * `io.load` reads, quiet mode, and batch sizes that do not divide the data. Plus an MNIST smoke test.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { data, io, losses, nn, np, optim, random, train, tree, type Array } from "../../src/index.js";
import type { Tree } from "../../src/tree.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";

// ---------------------------------------------------------------------------------------------
// fixtures

/** Two well separated Gaussian blobs in 2-D, shuffled: `x [n, 2]`, integer labels `y [n]`. */
function blobs(n = 200, seed = 0): { x: Array; y: Array } {
  const [k0, k1, kp] = [0, 1, 2].map((i) => random.foldIn(random.key(seed), i));
  const half = n / 2;
  const x = np.concatenate([random.normal(k0!, [half, 2]).add(np.array([2, 2])), random.normal(k1!, [half, 2]).sub(np.array([2, 2]))], 0);
  const y = np.concatenate([np.zeros([half], { dtype: "int32" }), np.ones([half], { dtype: "int32" })], 0);
  const perm = random.permutation(kp!, n);
  return { x: np.take(x, perm, 0), y: np.take(y, perm, 0) };
}

const { x, y } = blobs();
const yOneHot = data.oneHot(y, 2);
const makeModel = () => nn.sequential([nn.dense(8, { activation: "relu" }), nn.dense(2, { activation: "softmax" })]);
const base = { loss: "categoricalCrossentropy", metrics: ["accuracy"], quiet: true } as const;

/** A writable that records what is written (not a TTY: one summary line per epoch). */
function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join("");
  return w;
}

/** Every leaf's bits, for "unchanged" / "identical" comparisons. */
const bitsOf = (t: Tree): number[][] => tree.leaves(t).map((l) => [...new Uint8Array(l.dataSync().buffer)]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-fit-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe("train.fit learns and is pure", () => {
  it("reaches high accuracy on two blobs and logs loss/metrics/val_ entries per epoch", async () => {
    const epochs = 4;
    const r = await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs, batchSize: 16, validationData: [x, yOneHot], key: random.key(1) });
    expect(Object.keys(r.history).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    for (const k of Object.keys(r.history)) {
      expect(r.history[k]).toHaveLength(epochs);
      for (const v of r.history[k]!) expect(Number.isFinite(v)).toBe(true);
    }
    expect(r.history["loss"]![epochs - 1]!).toBeLessThan(r.history["loss"]![0]!);
    expect(r.history["val_accuracy"]![epochs - 1]!).toBeGreaterThan(0.95);
    const logs = train.evaluate(makeModel(), r.params, r.state, x, yOneHot, { loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    expect(logs["accuracy"]).toBeGreaterThan(0.95);
    // The last val_ entries are exactly what evaluate reports for the returned params.
    expect(logs["accuracy"]).toBeCloseTo(r.history["val_accuracy"]![epochs - 1]!, 6);
    expect(logs["loss"]).toBeCloseTo(r.history["val_loss"]![epochs - 1]!, 5);
  });

  it("returns new params and leaves the inputs (data, starting params, optimizer state) unchanged", async () => {
    const model = makeModel();
    const init = model.init(random.key(5), [2]);
    const optimizer = optim.adam(0.05);
    const optState = optimizer.init(init.params);
    const before = { x: bitsOf(x), y: bitsOf(yOneHot), params: bitsOf(init.params), opt: bitsOf(optState) };
    const r = await train.fit(model, x, yOneHot, { ...base, optimizer, epochs: 1, params: init.params, state: init.state, optState });
    expect(bitsOf(x)).toEqual(before.x);
    expect(bitsOf(yOneHot)).toEqual(before.y);
    expect(bitsOf(init.params)).toEqual(before.params);
    expect(bitsOf(optState)).toEqual(before.opt);
    expect(r.params).not.toBe(init.params);
    expect(bitsOf(r.params)).not.toEqual(before.params);
    expect(tree.treedefEqual(tree.structure(r.params), tree.structure(init.params))).toBe(true);
    expect(tree.treedefEqual(tree.structure(r.optState), tree.structure(optState))).toBe(true);
  });

  it("recycles its own step outputs (donation) but never what the caller or a callback holds", async () => {
    // Wide enough that parameters are worth recycling (storage of 4 KiB and more).
    const model = nn.sequential([nn.dense(1024, { activation: "relu" }), nn.dense(2, { activation: "softmax" })]);
    const init = model.init(random.key(5), [2]);
    const seen: Tree[] = [];
    const keep = train.lambdaCallback({ onEpochEnd: (_e, _logs, c) => void seen.push(c.params) });
    resetJitStats();
    const r = await train.fit(model, x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs: 3, batchSize: 16, params: init.params, state: init.state, callbacks: [keep] });
    expect(jitStats().donatedBuffers).toBeGreaterThan(0);
    // Everything handed out stays readable: the starting params, each epoch's params, the result.
    for (const t of [init.params, ...seen, r.params, r.optState]) for (const leaf of tree.leaves(t)) expect(leaf.isDeleted()).toBe(false);
    expect(bitsOf(seen[2]!)).toEqual(bitsOf(r.params));
    // Recycled memory never leaks between runs: the same run again gives the same params.
    const again = await train.fit(model, x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs: 3, batchSize: 16, params: init.params, state: init.state });
    expect(bitsOf(again.params)).toEqual(bitsOf(r.params));
  });

  it("is deterministic in the key", async () => {
    const run = (seed: number) => train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.adam(0.01), epochs: 2, batchSize: 32, key: random.key(seed) });
    const [a, b, c] = await Promise.all([run(3), run(3), run(4)]);
    expect(a.history).toEqual(b.history);
    expect(bitsOf(a.params)).toEqual(bitsOf(b.params));
    expect(bitsOf(a.params)).not.toEqual(bitsOf(c.params));
  });

  it("trains with integer labels and a loss given as a function", async () => {
    const r = await train.fit(makeModel(), x, y, {
      loss: (p, t) => losses.categoricalCrossentropy(p, data.oneHot(t, 2)),
      metrics: ["accuracy"],
      optimizer: optim.adam(0.05),
      epochs: 2,
      batchSize: 20,
      quiet: true,
    });
    expect(r.history["accuracy"]![1]!).toBeGreaterThan(0.9);
  });

  it("averages the epoch loss over examples when the batch size does not divide n", async () => {
    // With a zero learning rate the params never move, so the epoch's training loss must be the
    // example-weighted mean loss of the initial params — what evaluate computes in one pass.
    const model = makeModel();
    const init = model.init(random.key(2), [2]);
    for (const batchSize of [64, 7, 199, 500]) {
      const r = await train.fit(model, x, yOneHot, { ...base, optimizer: optim.sgd(0), epochs: 1, batchSize, params: init.params, state: init.state, shuffle: false });
      const ref = train.evaluate(model, init.params, init.state, x, yOneHot, { loss: "categoricalCrossentropy", metrics: ["accuracy"], batchSize: 200 });
      expect(r.history["loss"]![0]!).toBeCloseTo(ref["loss"]!, 5);
      expect(r.history["accuracy"]![0]!).toBeCloseTo(ref["accuracy"]!, 6);
    }
    // And training with such a batch size works.
    const r = await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs: 3, batchSize: 64 });
    expect(r.history["accuracy"]![2]!).toBeGreaterThan(0.9);
  });
});

describe("train.fit validation", () => {
  it("validationSplit holds out the last fraction: fewer steps, val_ entries computed on the held-out rows", async () => {
    const out = sink();
    const r = await train.fit(makeModel(), x, yOneHot, { ...base, quiet: false, stream: out, optimizer: optim.adam(0.05), epochs: 2, batchSize: 32, validationSplit: 0.2 });
    // 160 training examples at 32 per batch: 5 steps per epoch (200 would take 7).
    expect(out.text()).toMatch(/Epoch 1\/2 5\/5 /);
    expect(r.history["val_loss"]).toHaveLength(2);
    const held = train.evaluate(makeModel(), r.params, r.state, x.slice([160, 200]), yOneHot.slice([160, 200]), { loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    expect(r.history["val_loss"]![1]!).toBeCloseTo(held["loss"]!, 5);
    expect(r.history["val_accuracy"]![1]!).toBeCloseTo(held["accuracy"]!, 6);
  });

  it("validationData takes precedence over validationSplit, as in Keras (all rows are trained on)", async () => {
    const out = sink();
    const xVal = x.slice([0, 50]);
    const yVal = yOneHot.slice([0, 50]);
    const r = await train.fit(makeModel(), x, yOneHot, { ...base, quiet: false, stream: out, optimizer: optim.adam(0.05), epochs: 1, batchSize: 40, validationSplit: 0.5, validationData: [xVal, yVal] });
    expect(out.text()).toMatch(/Epoch 1\/1 5\/5 /); // 200 rows at 40 per batch: nothing held out
    const onVal = train.evaluate(makeModel(), r.params, r.state, xVal, yVal, { loss: "categoricalCrossentropy" });
    expect(r.history["val_loss"]![0]!).toBeCloseTo(onVal["loss"]!, 5);
  });

  it("rejects a validationSplit outside (0, 1) or one that leaves no example", async () => {
    for (const validationSplit of [0, 1, 1.5, -0.1, 0.001]) {
      await expect(train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.sgd(0.1), validationSplit })).rejects.toThrow(/train\.fit.*validationSplit must be in \(0, 1\)/);
    }
  });
});

describe("train.fit options are checked", () => {
  it("explains mismatched data, bad epochs/batchSize and unknown loss or metric names", async () => {
    const fit = (xx: Array, yy: Array, o: Partial<train.FitOptions>) => train.fit(makeModel(), xx, yy, { ...base, optimizer: optim.sgd(0.1), ...o });
    await expect(fit(x, yOneHot.slice([0, 10]), {})).rejects.toThrow(/train\.fit.*same number of examples.*\[200,2\] and \[10,2\]/);
    // Mismatched validation data fails before any training, not after the first epoch.
    const epochs: number[] = [];
    const spy = train.lambdaCallback({ onEpochEnd: (e) => void epochs.push(e) });
    await expect(fit(x, yOneHot, { validationData: [x, yOneHot.slice([0, 3])], callbacks: [spy] })).rejects.toThrow(/train\.fit \(validationData\).*\[200,2\] and \[3,2\]/);
    expect(epochs).toEqual([]);
    await expect(fit(x, yOneHot, { epochs: -1 })).rejects.toThrow(/train\.fit.*epochs must be a non-negative integer, got -1/);
    await expect(fit(x, yOneHot, { batchSize: 0 })).rejects.toThrow(/train\.fit.*batchSize must be a positive integer, got 0/);
    await expect(fit(x, yOneHot, { loss: "nope" as never })).rejects.toThrow(/train\.fit.*unknown loss "nope"/);
    await expect(fit(x, yOneHot, { metrics: ["nope" as never] })).rejects.toThrow(/train\.fit.*unknown metric "nope"/);
  });

  it("epochs: 0 returns the initial params and an empty history", async () => {
    const model = makeModel();
    const r = await train.fit(model, x, yOneHot, { ...base, optimizer: optim.sgd(0.1), epochs: 0, key: random.key(9) });
    expect(r.history).toEqual({});
    expect(tree.leaves(r.params)).toHaveLength(4);
  });
});

// ---------------------------------------------------------------------------------------------

describe("train.earlyStopping", () => {
  const ctx = (tag: number) => ({ params: { w: np.array([tag]) }, state: {}, optState: {}, history: {} });

  it("stops after `patience` epochs without improvement, as Keras", async () => {
    for (const patience of [0, 1, 2, 3]) {
      const cb = train.earlyStopping({ monitor: "loss", patience });
      await cb.onTrainBegin?.(ctx(0));
      const stops: boolean[] = [];
      const seq = [1, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
      for (let e = 0; e < seq.length; e++) {
        const act = await cb.onEpochEnd?.(e, { loss: seq[e]! }, ctx(e));
        stops.push(!!(act && act.stop));
        if (act && act.stop) break;
      }
      // Best at epoch 1; epochs 2, 3, ... do not improve. Keras stops once `patience` of them
      // have passed (and at the first one when patience is 0).
      expect(stops.length - 2, `patience ${patience}`).toBe(Math.max(patience, 1));
    }
  });

  it("counts minDelta, infers the mode from the name, resets on improvement and restores the best params", async () => {
    const cb = train.earlyStopping({ monitor: "val_accuracy", patience: 1, restoreBestWeights: true });
    await cb.onTrainBegin?.(ctx(0));
    expect(await cb.onEpochEnd?.(0, { val_accuracy: 0.5 }, ctx(0))).toBeUndefined();
    expect(await cb.onEpochEnd?.(1, { val_accuracy: 0.7 }, ctx(1))).toBeUndefined(); // better (max mode)
    expect(await cb.onEpochEnd?.(2, { val_accuracy: 0.6 }, ctx(2))).toEqual({ stop: true });
    const end = await cb.onTrainEnd?.(ctx(2));
    expect(end && end.params && (end.params as { w: Array }).w.tolist()).toEqual([1]);

    const delta = train.earlyStopping({ monitor: "loss", minDelta: 0.1, patience: 0 });
    await delta.onTrainBegin?.(ctx(0));
    await delta.onEpochEnd?.(0, { loss: 1 }, ctx(0));
    expect(await delta.onEpochEnd?.(1, { loss: 0.95 }, ctx(1))).toEqual({ stop: true }); // < minDelta: no improvement
  });

  it("names the missing monitored value and what is logged", async () => {
    const cb = train.earlyStopping({ monitor: "val_f1" });
    await cb.onTrainBegin?.(ctx(0));
    expect(() => cb.onEpochEnd?.(0, { loss: 1, accuracy: 0.5 }, ctx(0))).toThrow(/earlyStopping.*"val_f1" is not logged; available: loss, accuracy/);
  });

  it("stops fit with patience when nothing improves (zero learning rate)", async () => {
    for (const patience of [1, 2]) {
      const r = await train.fit(makeModel(), x, yOneHot, {
        ...base,
        optimizer: optim.sgd(0),
        epochs: 10,
        shuffle: false,
        callbacks: [train.earlyStopping({ monitor: "loss", patience })],
      });
      // Epoch 1 sets the best; `patience` more epochs without improvement, then stop.
      expect(r.history["loss"]).toHaveLength(1 + patience);
    }
  });

  it("restoreBestWeights returns the params of the best epoch from fit", async () => {
    // Monitoring the training loss in "max" mode makes the first epoch the best one while the
    // params keep changing, so the returned params must be epoch 1's, not the last ones.
    const seen: Tree[] = [];
    const record = train.lambdaCallback({ onEpochEnd: (_e, _l, c) => void seen.push(c.params) });
    const r = await train.fit(makeModel(), x, yOneHot, {
      ...base,
      optimizer: optim.adam(0.05),
      epochs: 10,
      callbacks: [record, train.earlyStopping({ monitor: "loss", mode: "max", patience: 2, restoreBestWeights: true })],
    });
    expect(r.history["loss"]).toHaveLength(3);
    expect(bitsOf(r.params)).toEqual(bitsOf(seen[0]!));
    expect(bitsOf(r.params)).not.toEqual(bitsOf(seen[2]!));
  });
});

describe("train.modelCheckpoint and lambdaCallback", () => {
  it("writes one safetensors file per epoch that io.load reads back as { params, state }", async () => {
    const path = join(dir, "ckpt-{epoch}.safetensors");
    const r = await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs: 2, callbacks: [train.modelCheckpoint({ path })] });
    for (const e of [1, 2]) expect(existsSync(join(dir, `ckpt-${e}.safetensors`))).toBe(true);
    const loaded = await io.load(join(dir, "ckpt-2.safetensors"))();
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    const ck = loaded.right as { params: Tree; state: Tree };
    expect(Object.keys(ck).sort()).toEqual(["params", "state"]);
    expect(bitsOf(ck.params)).toEqual(bitsOf(r.params));
    // It also loads into the structure of freshly initialized params.
    const fresh = makeModel().init(random.key(0), [2]);
    const into = await io.loadInto(join(dir, "ckpt-2.safetensors"), { params: fresh.params, state: fresh.state })();
    expect(E.isRight(into)).toBe(true);
  });

  it("replaces every {epoch} in the path (directories too)", async () => {
    const path = join(dir, "run-{epoch}", "w-{epoch}.safetensors");
    await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.sgd(0.1), epochs: 2, callbacks: [train.modelCheckpoint({ path })] });
    for (const e of [1, 2]) expect(existsSync(join(dir, `run-${e}`, `w-${e}.safetensors`))).toBe(true);
  });

  it("saveBestOnly writes only when the monitored value improves", async () => {
    const path = join(dir, "best-{epoch}.safetensors");
    await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.sgd(0), epochs: 3, shuffle: false, callbacks: [train.modelCheckpoint({ path, saveBestOnly: true, monitor: "loss" })] });
    expect([1, 2, 3].map((e) => existsSync(join(dir, `best-${e}.safetensors`)))).toEqual([true, false, false]);
  });

  it("lambdaCallback hooks see every epoch and can stop training", async () => {
    const calls: string[] = [];
    const r = await train.fit(makeModel(), x, yOneHot, {
      ...base,
      optimizer: optim.adam(0.05),
      epochs: 5,
      callbacks: [
        train.lambdaCallback({
          onTrainBegin: () => void calls.push("begin"),
          onEpochEnd: async (epoch, logs, c) => {
            calls.push(`epoch ${epoch} ${Object.keys(logs).sort().join(",")} ${c.history["loss"]!.length}`);
            return epoch === 1 ? { stop: true } : undefined;
          },
          onTrainEnd: () => void calls.push("end"),
        }),
      ],
    });
    expect(calls).toEqual(["begin", "epoch 0 accuracy,loss 1", "epoch 1 accuracy,loss 2", "end"]);
    expect(r.history["loss"]).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------

describe("train progress output", () => {
  it("quiet mode prints nothing (neither to the stream nor to stdout)", async () => {
    const out = sink();
    const spy = vi.spyOn(process.stdout, "write");
    try {
      await train.fit(makeModel(), x, yOneHot, { ...base, optimizer: optim.adam(0.05), epochs: 2, stream: out, quiet: true, validationSplit: 0.1 });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(out.text()).toBe("");
  });

  it("otherwise prints one line per epoch with loss, metrics and val_ values", async () => {
    const out = sink();
    await train.fit(makeModel(), x, yOneHot, { ...base, quiet: false, stream: out, optimizer: optim.adam(0.05), epochs: 2, validationSplit: 0.1 });
    const lines = out.text().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Epoch 1\/2 .*loss: .*accuracy: .*val_loss: .*val_accuracy: /);
    expect(lines[1]).toMatch(/^Epoch 2\/2 /);
  });
});

describe("train.evaluate / train.predict", () => {
  const model = makeModel();
  const init = model.init(random.key(0), [2]);

  it("uses the loss and metric functions it is given, even when they look alike (regression: cached by source text/name)", () => {
    // Two closures with the same source text and the same name, computing different things.
    const scaled = (w: number) =>
      function scaledMse(p: Array, t: Array) {
        return losses.meanSquaredError(p, t).mul(w);
      };
    const one = train.evaluate(model, init.params, init.state, x, yOneHot, { loss: scaled(1), metrics: [scaled(1)] });
    const three = train.evaluate(model, init.params, init.state, x, yOneHot, { loss: scaled(3), metrics: [scaled(3)] });
    expect(three["loss"]).toBeCloseTo(3 * one["loss"]!, 5);
    expect(three["scaledMse"]).toBeCloseTo(3 * one["scaledMse"]!, 5);
  });

  it("predict returns [n, outputs] in inference mode, whatever the batch size", () => {
    for (const batchSize of [256, 64, 7, 1]) {
      const p = train.predict(model, init.params, init.state, x, { batchSize });
      expect(p.shape).toEqual([200, 2]);
      expect(p.dtype).toBe("float32");
    }
    const p1 = train.predict(model, init.params, init.state, x.slice([0, 3]));
    expect(p1.shape).toEqual([3, 2]);
    // Rows are probabilities; batching does not change them.
    const full = train.predict(model, init.params, init.state, x);
    const batched = train.predict(model, init.params, init.state, x, { batchSize: 7 });
    const a = [...full.dataSync()];
    const b = [...batched.dataSync()];
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    (full.sum(1).tolist() as number[]).forEach((s) => expect(s).toBeCloseTo(1, 5));
  });

  it("evaluate returns the loss (when asked) and each metric as numbers", () => {
    const all = train.evaluate(model, init.params, init.state, x, yOneHot, { loss: "categoricalCrossentropy", metrics: ["accuracy", "f1"] });
    expect(Object.keys(all).sort()).toEqual(["accuracy", "f1", "loss"]);
    for (const v of Object.values(all)) expect(Number.isFinite(v)).toBe(true);
    const onlyMetric = train.evaluate(model, init.params, init.state, x, yOneHot, { metrics: ["accuracy"], batchSize: 33 });
    expect(Object.keys(onlyMetric)).toEqual(["accuracy"]);
    expect(onlyMetric["accuracy"]).toBeCloseTo(all["accuracy"]!, 6);
    expect(() => train.evaluate(model, init.params, init.state, x, yOneHot.slice([0, 5]))).toThrow(/train\.evaluate.*same number of examples/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("MNIST smoke test", () => {
  it("784 → 128 relu → 10 softmax on 2,000 images, 1 epoch, reaches > 80% test accuracy", async () => {
    const loaded = await data.mnist()();
    if (E.isLeft(loaded)) throw new Error(data.formatDataError(loaded.left));
    const { train: tr, test } = loaded.right;
    const n = 2000;
    const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
    const r = await train.fit(model, tr.x.slice([0, n]), data.oneHot(tr.y.slice([0, n]), 10), {
      loss: "categoricalCrossentropy",
      optimizer: optim.adam(2e-3),
      metrics: ["accuracy"],
      epochs: 1,
      batchSize: 32,
      key: random.key(0),
      quiet: true,
    });
    const logs = train.evaluate(model, r.params, r.state, test.x, test.y, { metrics: ["accuracy"] });
    expect(logs["accuracy"]).toBeGreaterThan(0.8);
  });
});

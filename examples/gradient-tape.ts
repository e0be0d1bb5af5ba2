/**
 * @file The linear regression of `linear-regression.ts` written as a hand-rolled training loop
 * with `valueAndGrad`: the "gradient tape" style of TensorFlow, without the tape.
 *
 * In TensorFlow.js/Keras a custom loop records operations on a tape and asks it for gradients of
 * mutable variables, then the optimizer updates those variables in place:
 *
 * ```python
 * with tf.GradientTape() as tape:
 *     loss = loss_fn(y, model(x))
 * grads = tape.gradient(loss, model.trainable_variables)
 * optimizer.apply_gradients(zip(grads, model.trainable_variables))
 * ```
 *
 * Here the same loop is three pure calls. `valueAndGrad(loss)` traces the loss (the trace plays the
 * tape's part) and returns the loss *and* the gradient tree; the optimizer is a pure state
 * transition `update(grads, state, params) -> [updates, newState]`; `optim.applyUpdates` returns new
 * parameters. We iterate shuffled mini-batches with `data.batches` and a fresh key per epoch.
 *
 * Run: `npx tsx examples/gradient-tape.ts [--epochs 20] [--batch-size 32] [--lr 0.05] [--seed 0]`
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { data, jit, np, optim, random, valueAndGrad, type Array } from "../src/index.js";
import { formatParams, loss, makeData, type Params } from "./linear-regression.js";

/** Options of {@link main}. */
export interface GradientTapeOptions {
  /** Passes over the data (default 20). */
  epochs?: number;
  /** Examples per step (default 32). */
  batchSize?: number;
  /** SGD learning rate (default 0.05). */
  learningRate?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Number of synthetic examples (default 512). */
  examples?: number;
  /** Number of features (default 3). */
  features?: number;
  /** Seed of the PRNG key (default 0). */
  seed?: number;
  /** Where lines go (default `console.log`); pass `() => {}` for silence. */
  log?: (line: string) => void;
}

/** What {@link main} returns. */
export interface GradientTapeResult {
  /** The learned parameters. */
  params: Params;
  /** The parameters the data was generated from. */
  trueParams: Params;
  /** Mean training loss of each epoch (averaged over examples). */
  epochLosses: number[];
}

/** Train the linear model with a manual mini-batch loop: `valueAndGrad`, then an optimizer step. */
export async function main(opts: GradientTapeOptions = {}): Promise<GradientTapeResult> {
  const { epochs = 20, batchSize = 32, learningRate = 0.05, momentum = 0.9, examples = 512, features = 3, seed = 0, log = console.log } = opts;
  const [dataKey, shuffleKey] = [random.foldIn(random.key(seed), 0), random.foldIn(random.key(seed), 1)];
  const { x, y, trueParams } = makeData(dataKey, examples, features, 0.1);

  let params: Params = { w: np.zeros([features]), b: np.zeros([]) };
  const optimizer = optim.sgd(learningRate, { momentum });
  let optState = optimizer.init(params); // the momentum buffers: a pytree like params

  // One training step: loss and gradients in one pass, then the optimizer's state transition.
  // jit traces it once per batch shape (a smaller last batch is a second trace).
  const lossAndGrad = valueAndGrad(loss);
  const trainStep = jit((p: Params, s: typeof optState, xb: Array, yb: Array) => {
    const [lossValue, grads] = lossAndGrad(p, xb, yb);
    const [updates, newState] = optimizer.update(grads, s, p);
    return [optim.applyUpdates(p, updates) as Params, newState, lossValue] as const;
  });

  const epochLosses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let sum = 0;
    let seen = 0;
    // A new key per epoch gives a new shuffle; the same seed gives the same run.
    for (const batch of data.batches(random.foldIn(shuffleKey, epoch), { x, y }, { batchSize })) {
      const [newParams, newOptState, lossValue] = trainStep(params, optState, batch.x, batch.y);
      params = newParams;
      optState = newOptState;
      const b = batch.x.shape[0]!;
      sum += (lossValue.item() as number) * b;
      seen += b;
    }
    epochLosses.push(sum / seen);
    log(`epoch ${String(epoch + 1).padStart(3)}  loss ${epochLosses[epoch]!.toFixed(5)}`);
  }

  log(`learned ${formatParams(params)}`);
  log(`true    ${formatParams(trueParams)}`);
  return { params, trueParams, epochLosses };
}

// Run only when executed directly (`tsx examples/gradient-tape.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "20" },
      "batch-size": { type: "string", default: "32" },
      lr: { type: "string", default: "0.05" },
      seed: { type: "string", default: "0" },
    },
  });
  await main({ epochs: Number(values.epochs), batchSize: Number(values["batch-size"]), learningRate: Number(values.lr), seed: Number(values.seed) });
}

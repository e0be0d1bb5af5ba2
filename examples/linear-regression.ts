/**
 * @file Linear regression with mean squared error and plain gradient descent.
 *
 * The smallest complete Tessera program: the model is a pure function of a parameter tree
 * `{ w, b }`, the loss is a pure function of the parameters and the data, `grad` turns the loss
 * into a function returning the gradient (a tree of the same shape as the parameters), and one
 * step of gradient descent is `tree.map((p, g) => p - lr·g)`. `jit` compiles the whole step once.
 * Nothing is mutated and nothing is freed by hand: each step returns new parameters.
 *
 * Run: `npx tsx examples/linear-regression.ts [--steps 200] [--lr 0.1] [--examples 256] [--seed 0]`
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { grad, jit, losses, np, random, tree, type Array } from "../src/index.js";

/** The model's parameters: weights `w [features]` and a scalar bias `b` (a pytree). */
export type Params = { w: Array; b: Array };

/** Options of {@link main}. */
export interface LinearRegressionOptions {
  /** Gradient-descent steps (default 200). */
  steps?: number;
  /** Learning rate (default 0.1). */
  learningRate?: number;
  /** Number of synthetic examples (default 256). */
  examples?: number;
  /** Number of features (default 3). */
  features?: number;
  /** Standard deviation of the label noise (default 0.1). */
  noise?: number;
  /** Seed of the PRNG key (default 0). */
  seed?: number;
  /** Print the loss every this many steps (default 50; 0 for only the summary). */
  logEvery?: number;
  /** Where lines go (default `console.log`); pass `() => {}` for silence. */
  log?: (line: string) => void;
}

/** What {@link main} returns. */
export interface LinearRegressionResult {
  /** The learned parameters. */
  params: Params;
  /** The parameters the data was generated from. */
  trueParams: Params;
  /** The loss before each step, and after the last one. */
  losses: number[];
}

/** The model: `x · w + b` for a batch `x [n, features]`. */
export function predict(params: Params, x: Array): Array {
  return x.matmul(params.w).add(params.b);
}

/** Mean squared error of the model on `(x, y)`: a pure function of the parameters and the data. */
export function loss(params: Params, x: Array, y: Array): Array {
  return losses.meanSquaredError(predict(params, x), y);
}

/**
 * Synthetic data: `y = x · w* + b* + noise` with random true parameters `w*`, `b*`.
 * Returns the data and the true parameters.
 */
export function makeData(key: Array, examples: number, features: number, noise: number): { x: Array; y: Array; trueParams: Params } {
  const [kw, kb, kx, kn] = [0, 1, 2, 3].map((i) => random.foldIn(key, i)) as [Array, Array, Array, Array];
  const trueParams: Params = { w: random.normal(kw, [features]).mul(2), b: random.normal(kb, []) };
  const x = random.normal(kx, [examples, features]);
  const y = predict(trueParams, x).add(random.normal(kn, [examples]).mul(noise));
  return { x, y, trueParams };
}

/** `w = [2.016,-1.812,-1.501], b = -2.449`: the parameters rounded for printing. */
export function formatParams(params: Params): string {
  const show = (a: Array): string => JSON.stringify(a.tolist(), (_k, v: unknown) => (typeof v === "number" ? Number(v.toFixed(3)) : v));
  return `w = ${show(params.w)}, b = ${show(params.b)}`;
}

/** Fit a linear model to synthetic data by gradient descent; returns the learned and true parameters and the loss curve. */
export async function main(opts: LinearRegressionOptions = {}): Promise<LinearRegressionResult> {
  const { steps = 200, learningRate = 0.1, examples = 256, features = 3, noise = 0.1, seed = 0, logEvery = 50, log = console.log } = opts;
  const key = random.key(seed);
  const { x, y, trueParams } = makeData(key, examples, features, noise);

  // Start from zeros: the parameters are a plain object of Arrays (a pytree).
  let params: Params = { w: np.zeros([features]), b: np.zeros([]) };

  // grad(loss) differentiates with respect to the first argument, the whole params tree, and
  // returns a tree of the same structure: { w: dL/dw, b: dL/db }.
  const lossGrad = grad(loss);
  const step = jit((p: Params, xb: Array, yb: Array): Params => tree.map((pi: Array, gi: Array) => pi.sub(gi.mul(learningRate)), p, lossGrad(p, xb, yb)) as Params);
  const lossOf = jit(loss);

  const curve: number[] = [];
  for (let i = 0; i < steps; i++) {
    curve.push(lossOf(params, x, y).item() as number);
    if (logEvery > 0 && i % logEvery === 0) log(`step ${String(i).padStart(4)}  loss ${curve[i]!.toFixed(5)}`);
    params = step(params, x, y);
  }
  curve.push(lossOf(params, x, y).item() as number);

  log(`final loss ${curve[curve.length - 1]!.toFixed(5)} after ${steps} steps`);
  log(`learned ${formatParams(params)}`);
  log(`true    ${formatParams(trueParams)}`);
  return { params, trueParams, losses: curve };
}

// Run only when executed directly (`tsx examples/linear-regression.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      steps: { type: "string", default: "200" },
      lr: { type: "string", default: "0.1" },
      examples: { type: "string", default: "256" },
      seed: { type: "string", default: "0" },
    },
  });
  await main({ steps: Number(values.steps), learningRate: Number(values.lr), examples: Number(values.examples), seed: Number(values.seed) });
}

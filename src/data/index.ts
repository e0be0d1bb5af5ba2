/**
 * @file The `data` namespace: datasets, loaders (IDX, CSV, NPY, safetensors — fp-ts Either /
 * TaskEither at the I/O boundary), preprocessing (fit/transform), splitting and batching.
 */
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import type { Array } from "../core/array.js";
import { fromRaw, toRaw } from "./convert.js";
import type { DataError } from "./errors.js";
import { parseIdx, readIdxFile } from "./loaders/idx.js";
import { parseNpy, readNpyFile, writeNpyFile, encodeNpy } from "./loaders/npy.js";

export { mnist, type MnistOptions, type MnistSplit } from "./datasets.js";
export { batches, numExamples, type BatchOptions } from "./batching.js";
export {
  oneHot,
  minMaxScaler,
  standardScaler,
  imputer,
  labelEncoder,
  dropMissing,
  removeOutliers,
  filterRows,
  trainTestSplit,
  type Fitted,
  type MinMaxScaler,
  type StandardScaler,
  type Imputer,
  type ImputeStrategy,
  type LabelEncoder,
  type OutlierOptions,
  type SplitOptions,
} from "./preprocessing.js";
export { parseCsv, readCsvFile, DEFAULT_NA_VALUES, type CsvTable, type ParseCsvOptions } from "./loaders/csv.js";
export { parseSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile, type SafetensorsFile } from "./loaders/safetensors.js";
export { findMnistDir, loadMnistRaw, type MnistRaw, type MnistSplitRaw } from "./mnist.js";
export { formatDataError, DataErrorException, type DataError, type ParseError, type IOError, type UnsupportedDType, type InvalidArray, type DatasetError, type DataFormat } from "./errors.js";
export type { RawArray } from "./raw.js";
export { fromRaw, toRaw, parseIdx as parseIdxRaw, parseNpy as parseNpyRaw, encodeNpy, writeNpyFile };
export { readIdxFile, type ParseIdxOptions } from "./loaders/idx.js";

/** Parse IDX bytes into an Array. */
export function parseIdxArray(bytes: Uint8Array): E.Either<DataError, Array> {
  return pipe(parseIdx(bytes), E.map(fromRaw));
}

/** Read an IDX file into an Array. */
export function readIdx(path: string): TE.TaskEither<DataError, Array> {
  return pipe(readIdxFile(path), TE.map(fromRaw));
}

/** Parse NPY bytes into an Array. */
export function parseNpyArray(bytes: Uint8Array): E.Either<DataError, Array> {
  return pipe(parseNpy(bytes), E.map(fromRaw));
}

/** Read a `.npy` file into an Array. */
export function readNpy(path: string): TE.TaskEither<DataError, Array> {
  return pipe(readNpyFile(path), TE.map(fromRaw));
}

/** Write an Array to a `.npy` file (readable by NumPy). */
export function writeNpy(path: string, x: Array): TE.TaskEither<DataError, void> {
  return writeNpyFile(path, toRaw(x));
}

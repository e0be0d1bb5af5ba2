/**
 * @file From a messy CSV to a trained classifier: `examples/data/patients.csv` has missing cells
 * (empty and `NA`), data-entry errors (an age of 420, a glucose of 9999) and a string label.
 *
 * The pipeline, each step a pure function or a fitted value:
 * 1. `data.readCsvFile` parses the file into typed columns (a `TaskEither`: errors are values);
 *    missing numeric cells become NaN.
 * 2. `data.labelEncoder` turns the string columns (`sex`, `smoker`, and the `diagnosis` label)
 *    into integer codes, and decodes predictions back to names.
 * 3. `data.removeOutliers` drops the rows whose numeric features are far outside the
 *    interquartile range (NaN cells are ignored, not flagged).
 * 4. `data.trainTestSplit` with `stratify` keeps each diagnosis's share in both parts.
 * 5. `data.imputer` (median) and `data.standardScaler` are fitted on the training part only and
 *    then applied to both parts, so nothing about the test rows leaks into training.
 * 6. `train.fit` trains a small dense network; `train.evaluate` reports the test accuracy.
 *
 * Run: `npx tsx examples/csv-classifier.ts [--file examples/data/patients.csv] [--epochs 60] [--seed 0]`
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { data, nn, np, optim, random, train, type Array } from "../src/index.js";

/** The bundled example data set. */
export const DEFAULT_CSV = fileURLToPath(new URL("./data/patients.csv", import.meta.url));

/** Numeric feature columns (may hold missing values and outliers). */
const NUMERIC = ["age", "bmi", "systolic_bp", "glucose", "cholesterol"] as const;
/** Categorical feature columns (strings, complete). */
const CATEGORICAL = ["sex", "smoker"] as const;
/** The label column. */
const LABEL = "diagnosis";

/** Options of {@link main}. */
export interface CsvClassifierOptions {
  /** CSV file to read (default: the bundled `examples/data/patients.csv`). */
  file?: string;
  /** Training epochs (default 60). */
  epochs?: number;
  /** Examples per step (default 32). */
  batchSize?: number;
  /** Adam's learning rate (default 0.01). */
  learningRate?: number;
  /** Fraction of rows held out for testing (default 0.25). */
  testSize?: number;
  /** Seed of the PRNG key: split, initialization and shuffling (default 0). */
  seed?: number;
  /** Where lines go (default `console.log`); pass `() => {}` for silence. */
  log?: (line: string) => void;
}

/** What {@link main} returns. */
export interface CsvClassifierResult {
  /** Accuracy on the held-out test rows. */
  accuracy: number;
  /** The label names, in code order. */
  classes: readonly (string | number)[];
  /** Rows read, rows dropped as outliers, and the sizes of the two parts. */
  counts: { rows: number; outliers: number; train: number; test: number };
  /** Missing cells filled by the imputer (training + test). */
  imputed: number;
  /** Per-epoch training history. */
  history: Record<string, number[]>;
}

/** Count the NaN cells of an array. */
const countNaN = (a: Array): number => np.sum(np.isnan(a)).item() as number;

/** Load, clean, split, preprocess, train and evaluate; returns the test accuracy and the bookkeeping. */
export async function main(opts: CsvClassifierOptions = {}): Promise<CsvClassifierResult> {
  const { file = DEFAULT_CSV, epochs = 60, batchSize = 32, learningRate = 0.01, testSize = 0.25, seed = 0, log = console.log } = opts;
  const [splitKey, fitKey] = [random.foldIn(random.key(seed), 0), random.foldIn(random.key(seed), 1)];

  // 1. Parse. Forcing the numeric columns to "number" turns a stray word into a clear error.
  const types = Object.fromEntries(NUMERIC.map((c) => [c, "number" as const]));
  const parsed = await data.readCsvFile(file, { types })();
  if (parsed._tag === "Left") throw new data.DataErrorException(parsed.left);
  const table = parsed.right;
  const rows = table.data[LABEL]!.length;
  const numeric = np.stack(NUMERIC.map((c) => np.array(table.data[c] as Float64Array, { dtype: "float32" })), 1); // [rows, 5]
  log(`read ${rows} rows from ${file}: ${countNaN(numeric)} missing numeric cells`);

  // 2. Encode the string columns. Each encoder is an immutable fitted value.
  const categorical = np.stack(CATEGORICAL.map((c) => data.labelEncoder().fit(table.data[c] as string[]).transform(table.data[c] as string[]).astype("float32")), 1);
  const labels = data.labelEncoder().fit(table.data[LABEL] as string[]);
  const y = labels.transform(table.data[LABEL] as string[]); // int32 codes
  log(`classes: ${labels.classes.join(", ")}`);

  // 3. Drop rows with outliers in the numeric features (3 × IQR: "far out", not merely unusual).
  //    Every array of the tree is filtered the same way, so rows stay aligned.
  const clean = data.removeOutliers({ numeric, categorical, y }, { key: "numeric", method: "iqr", threshold: 3 });
  const outliers = rows - clean.y.shape[0]!;
  log(`removed ${outliers} rows with outliers`);

  // 4. Stratified split.
  const [trainPart, testPart] = data.trainTestSplit(splitKey, clean, { testSize, stratify: clean.y });

  // 5. Impute and scale with statistics of the training part only.
  const imputer = data.imputer({ strategy: "median" }).fit(trainPart.numeric);
  const imputed = countNaN(trainPart.numeric) + countNaN(testPart.numeric);
  const scaler = data.standardScaler().fit(imputer.transform(trainPart.numeric));
  const features = (part: typeof trainPart): Array => np.concatenate([scaler.transform(imputer.transform(part.numeric)), part.categorical], 1);
  const xTrain = features(trainPart);
  const xTest = features(testPart);
  const k = labels.classes.length;
  log(`train ${xTrain.shape[0]} rows, test ${xTest.shape[0]} rows, ${xTrain.shape[1]} features; imputed ${imputed} cells`);

  // 6. Train and evaluate.
  const model = nn.sequential([nn.dense(16, { activation: "relu" }), nn.dense(k, { activation: "softmax" })]);
  const result = await train.fit(model, xTrain, data.oneHot(trainPart.y, k), {
    loss: "categoricalCrossentropy",
    optimizer: optim.adam(learningRate),
    metrics: ["accuracy"],
    epochs,
    batchSize,
    key: fitKey,
    quiet: true,
  });
  const accuracy = train.evaluate(model, result.params, result.state, xTest, testPart.y, { metrics: ["accuracy"] })["accuracy"]!;
  log(`training accuracy ${(result.history["accuracy"]!.at(-1)! * 100).toFixed(1)}%, test accuracy ${(accuracy * 100).toFixed(1)}%`);

  // Decode a few predictions back to label names.
  const predicted = np.argmax(train.predict(model, result.params, result.state, xTest.slice([0, 5])), 1);
  const truth = labels.inverseTransform(testPart.y.slice([0, 5]));
  labels.inverseTransform(predicted).forEach((p, i) => log(`  predicted ${String(p).padEnd(12)} actual ${truth[i]}`));

  return {
    accuracy,
    classes: labels.classes,
    counts: { rows, outliers, train: xTrain.shape[0]!, test: xTest.shape[0]! },
    imputed,
    history: result.history,
  };
}

// Run only when executed directly (`tsx examples/csv-classifier.ts`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      file: { type: "string", default: DEFAULT_CSV },
      epochs: { type: "string", default: "60" },
      seed: { type: "string", default: "0" },
    },
  });
  try {
    await main({ file: values.file!, epochs: Number(values.epochs), seed: Number(values.seed) });
  } catch (e) {
    console.error(e instanceof data.DataErrorException ? data.formatDataError(e.error) : e);
    process.exit(1);
  }
}

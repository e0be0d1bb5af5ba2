/**
 * @file Keras-style per-epoch progress display for the training loop (a cli-progress bar on a TTY).
 *
 * On a terminal the line is redrawn in place while an epoch runs:
 * `Epoch 3/10 [=====>........................] 1200/1875 - loss: 0.1234 - accuracy: 0.9650 - 15400 ex/s - ETA: 2s`.
 * When the stream is not a terminal (CI logs, pipes, files) redrawing would leave control characters
 * and hundreds of partial lines behind, so only the finished epoch is printed, once. Quiet mode
 * prints nothing, for scripts and tests.
 */

import { createRequire } from "node:module";
import type * as CliProgress from "cli-progress";

// Loaded on first use: importing tessera should not pay for the terminal UI.
const requireLazy = createRequire(import.meta.url);

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Steps (batches) in this epoch; the bar is full when `update` reaches it. */
  total: number;
  /** This epoch's number, counted from 1 (shown as `Epoch {epoch}/{epochs}`). */
  epoch: number;
  /** How many epochs the run has. */
  epochs: number;
  /** Print nothing at all (default `false`). */
  quiet?: boolean;
  /** Where to write (default `process.stdout`). A TTY stream gets the live bar, anything else one line per epoch. */
  stream?: NodeJS.WritableStream;
  /** Examples per step, used for the examples/s figure when `update` is not told the exact count (default 1). */
  batchSize?: number;
  /** Clock in milliseconds (default `performance.now`); injectable so tests can pin throughput and ETA. */
  clock?: () => number;
}

/** A running epoch display, as returned by {@link createProgress}. */
export interface Progress {
  /**
   * Reports that `step` of `total` steps are done, with the metrics so far.
   * @param step - completed steps in this epoch (clamped to `[0, total]`).
   * @param values - metrics to show, in order (`{ loss: 0.12, accuracy: 0.96 }`).
   * @param examples - examples seen so far this epoch; defaults to `step * batchSize`
   *   (pass it when the last batch is smaller).
   */
  update(step: number, values: Record<string, number>, examples?: number): void;
  /**
   * Ends the epoch: draws the completed line (or prints the summary line off a TTY) with the
   * final metrics, typically including `val_` ones. Later calls to `update`/`finish` do nothing.
   * @param values - the epoch's final metrics.
   * @param examples - examples seen in the epoch; defaults to `total * batchSize`.
   */
  finish(values: Record<string, number>, examples?: number): void;
}

/** Width of the bar between the brackets, as Keras draws it. */
const BAR_WIDTH = 30;

/**
 * Draws a Keras-style bar body: `=` for done, `>` at the head while running, `.` for the rest.
 *
 * @param step - completed steps.
 * @param total - all steps (0 counts as complete).
 * @param width - number of characters (default 30).
 * @returns the `width` characters between the brackets.
 */
export function formatBar(step: number, total: number, width = BAR_WIDTH): string {
  if (total <= 0 || step >= total) return "=".repeat(width);
  const filled = Math.max(0, Math.min(width, Math.floor((width * step) / total)));
  if (filled === 0) return ".".repeat(width);
  return "=".repeat(filled - 1) + ">" + ".".repeat(width - filled);
}

/**
 * Formats a duration the way Keras prints ETAs: `7s`, `1:05`, `1:02:03`.
 *
 * @param seconds - a non-negative duration in seconds.
 * @returns the formatted duration (`?` if it is not finite).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number): string => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * Formats one metric value: 4 decimals, or scientific notation for tiny non-zero values so they do
 * not print as `0.0000` (Keras's rule).
 *
 * @param v - the value.
 * @returns the formatted value (`nan`, `inf` and `-inf` for non-finite values).
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toFixed(4);
}

/**
 * Formats metrics as ` - name: value` segments, in the object's order.
 *
 * @param values - metrics by name.
 * @returns the joined segments (empty string for no metrics).
 */
export function formatMetrics(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([name, v]) => ` - ${name}: ${formatValue(v)}`)
    .join("");
}

/** Checks the numeric options up front so a bad call fails with a clear message, not a garbled bar. @internal */
function checkOptions(o: ProgressOptions): void {
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`createProgress: ${what}, got ${String(v)}`);
  };
  if (!Number.isInteger(o.total) || o.total < 0) bad("total must be a non-negative integer", o.total);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) bad("epochs must be a positive integer", o.epochs);
  if (!Number.isInteger(o.epoch) || o.epoch < 1 || o.epoch > o.epochs) {
    bad(`epoch must be an integer in [1, epochs=${o.epochs}]`, o.epoch);
  }
  if (o.batchSize !== undefined && !(o.batchSize > 0)) bad("batchSize must be positive", o.batchSize);
}

/**
 * A cli-progress bar whose redraw timer does not keep the process alive: the library re-arms a
 * timer after every render, and a bar that is never finished (say training threw and the caller
 * caught it) must not stop Node from exiting.
 */
let unrefBarClass: (new (...args: ConstructorParameters<typeof CliProgress.SingleBar>) => CliProgress.SingleBar) | null = null;

function UnrefBarClass(): NonNullable<typeof unrefBarClass> {
  if (unrefBarClass === null) {
    const cliProgress = requireLazy("cli-progress") as typeof CliProgress;
    unrefBarClass = class UnrefBar extends cliProgress.SingleBar {
      override render(): void {
        super.render();
        (this as unknown as { timer?: { unref?: () => void } | null }).timer?.unref?.();
      }
    };
  }
  return unrefBarClass;
}

/**
 * Starts the progress display of one epoch.
 *
 * @example
 * ```ts
 * const bar = createProgress({ total: steps, epoch: 1, epochs: 10, batchSize: 32 });
 * for (let s = 1; s <= steps; s++) bar.update(s, { loss, accuracy });
 * bar.finish({ loss, accuracy, val_loss, val_accuracy });
 * ```
 *
 * @param options - the epoch's size and position, output stream and quiet flag.
 * @returns the display's `update` / `finish` handle.
 * @throws RangeError if `total`, `epoch`, `epochs` or `batchSize` is invalid.
 */
export function createProgress(options: ProgressOptions): Progress {
  checkOptions(options);
  const { total, epoch, epochs } = options;
  const batchSize = options.batchSize ?? 1;
  const clock = options.clock ?? (() => performance.now());
  const stream = options.stream ?? process.stdout;
  const noop: Progress = { update: () => {}, finish: () => {} };
  if (options.quiet) return noop;

  const start = clock();
  const prefix = `Epoch ${epoch}/${epochs}`;
  const counter = (step: number): string => `${String(step).padStart(String(total).length)}/${total}`;
  const throughput = (examples: number, elapsedMs: number): string =>
    elapsedMs > 0 && examples > 0 ? ` - ${Math.round((examples * 1000) / elapsedMs)} ex/s` : "";

  // State shown by the next redraw (cli-progress calls the format function on its own schedule).
  let step = 0;
  let values: Record<string, number> = {};
  let examples = 0;
  let done = false;

  /** The line for the current state: ETA while running, elapsed time once done. */
  const line = (withBar: boolean): string => {
    const elapsed = clock() - start;
    const bar = withBar ? ` [${formatBar(step, total)}]` : "";
    const tail = done
      ? ` - ${formatDuration(elapsed / 1000)}`
      : step > 0
        ? ` - ETA: ${formatDuration(((total - step) * elapsed) / step / 1000)}`
        : "";
    return `${prefix}${bar} ${counter(step)}${formatMetrics(values)}${throughput(examples, elapsed)}${tail}`;
  };

  const isTTY = (stream as { isTTY?: boolean }).isTTY === true;
  if (!isTTY) {
    return {
      update(s, v, ex) {
        if (done) return;
        step = Math.max(0, Math.min(total, s));
        values = v;
        examples = ex ?? step * batchSize;
      },
      finish(v, ex) {
        if (done) return;
        done = true;
        step = total;
        values = v;
        examples = ex ?? total * batchSize;
        stream.write(`${line(false)}\n`);
      },
    };
  }

  const bar = new (UnrefBarClass())({
    stream,
    format: () => line(true),
    fps: 10,
    hideCursor: false,
    linewrap: false,
    clearOnComplete: false,
    stopOnComplete: false,
    gracefulExit: false,
  });
  bar.start(total, 0);
  return {
    update(s, v, ex) {
      if (done) return;
      step = Math.max(0, Math.min(total, s));
      values = v;
      examples = ex ?? step * batchSize;
      bar.update(step);
    },
    finish(v, ex) {
      if (done) return;
      done = true;
      step = total;
      values = v;
      examples = ex ?? total * batchSize;
      bar.update(total);
      bar.stop(); // renders the final line and ends it with a newline
    },
  };
}

/**
 * @file Built-in callbacks: early stopping, checkpointing through `io.save`, and a hook for custom code.
 */
import { ValueError } from "../core/errors.js";
import type { Tree } from "../core/tree.js";
import { formatDataError } from "../data/errors.js";
import { save } from "../io/index.js";
import type { Callback, CallbackAction, Logs, TrainContext } from "./types.js";

function better(mode: "min" | "max", a: number, b: number, minDelta: number): boolean {
  return mode === "min" ? a < b - minDelta : a > b + minDelta;
}

function resolveMode(monitor: string, mode: "min" | "max" | "auto"): "min" | "max" {
  if (mode !== "auto") return mode;
  return /acc|accuracy|precision|recall|f1|r2/.test(monitor) ? "max" : "min";
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** Logged value to watch (default `"val_loss"`, or `"loss"` without validation data). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 0: at the first one), as Keras. */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Whether smaller or larger is better (default: inferred from the name). */
  mode?: "min" | "max" | "auto";
  /** At the end, return the parameters of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** Stop when the monitored value stops improving (Keras's EarlyStopping). */
export function earlyStopping(opts: EarlyStoppingOptions = {}): Callback {
  const patience = opts.patience ?? 0;
  const minDelta = opts.minDelta ?? 0;
  let best = NaN;
  let wait = 0;
  let bestParams: { params: Tree; state: Tree } | null = null;
  return {
    onTrainBegin() {
      best = NaN;
      wait = 0;
      bestParams = null;
    },
    onEpochEnd(_epoch: number, logs: Logs, ctx: TrainContext): CallbackAction | void {
      const monitor = opts.monitor ?? ("val_loss" in logs ? "val_loss" : "loss");
      const v = logs[monitor];
      if (v === undefined) throw new ValueError("earlyStopping", `monitored value ${JSON.stringify(monitor)} is not logged; available: ${Object.keys(logs).join(", ")}`);
      const mode = resolveMode(monitor, opts.mode ?? "auto");
      if (Number.isNaN(best) || better(mode, v, best, minDelta)) {
        best = v;
        wait = 0;
        if (opts.restoreBestWeights) bestParams = { params: ctx.params, state: ctx.state };
        return;
      }
      // As Keras: stop once `patience` epochs in a row have not improved (the first such epoch
      // when patience is 0), i.e. after `patience` epochs of waiting, not `patience + 1`.
      wait++;
      if (wait >= patience) return { stop: true };
    },
    onTrainEnd(): CallbackAction | void {
      if (opts.restoreBestWeights && bestParams) return { params: bestParams.params, state: bestParams.state };
    },
  };
}

/** Options of {@link modelCheckpoint}. */
export interface CheckpointOptions {
  /** File to write; every `{epoch}` is replaced by the 1-based epoch number. */
  path: string;
  /** Save only when `monitor` improves (default false: every epoch). */
  saveBestOnly?: boolean;
  /** Value to watch with `saveBestOnly` (default `"val_loss"` or `"loss"`). */
  monitor?: string;
  mode?: "min" | "max" | "auto";
}

/** Save the parameters (safetensors, via `io.save`) after epochs. */
export function modelCheckpoint(opts: CheckpointOptions): Callback {
  let best = NaN;
  return {
    async onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      if (opts.saveBestOnly) {
        const monitor = opts.monitor ?? ("val_loss" in logs ? "val_loss" : "loss");
        const v = logs[monitor];
        if (v === undefined) throw new ValueError("modelCheckpoint", `monitored value ${JSON.stringify(monitor)} is not logged`);
        if (!Number.isNaN(best) && !better(resolveMode(monitor, opts.mode ?? "auto"), v, best, 0)) return;
        best = v;
      }
      const path = opts.path.replaceAll("{epoch}", String(epoch + 1));
      const r = await save(path, { params: ctx.params, state: ctx.state } as Tree, { epoch: String(epoch + 1) })();
      if (r._tag === "Left") throw new Error(`modelCheckpoint: ${formatDataError(r.left)}`);
    },
  };
}

/** A callback from plain functions (Keras's LambdaCallback). */
export function lambdaCallback(hooks: Callback): Callback {
  return hooks;
}

/**
 * @file Pooling layers on channels-last inputs: `nn.maxPool`, `nn.avgPool` (1-D, 2-D or 3-D,
 * from the input's rank) and `nn.globalAvgPool` / `nn.globalMaxPool`, built on the window
 * reductions of `lax` (`reduceWindow`).
 */
import { ShapeError } from "../../core/errors.js";
import { avgPool as laxAvgPool, maxPool as laxMaxPool, padtypeToPads } from "../../lax/conv.js";
import type { Layer, LayerOptions } from "../types.js";
import { checkInputShape, tupleOf } from "./common.js";

/** Options of {@link maxPool} and {@link avgPool}. @category Layers */
export interface PoolOptions extends LayerOptions {
  /** Stride per spatial axis, or one number (default: the pool size, as Keras). */
  strides?: number | readonly number[];
  /** `"VALID"` (default) or `"SAME"`, or one `[lo, hi]` pair per spatial axis. */
  padding?: "SAME" | "VALID" | readonly (readonly [number, number])[];
}

/** Options of {@link avgPool}. @category Layers */
export interface AvgPoolOptions extends PoolOptions {
  /** Count padded positions in the divisor (default false: Keras's behaviour with `"SAME"`). */
  countIncludePad?: boolean;
}

/** The parameters and state of a layer that has none. */
export type Empty = Record<string, never>;

function poolLayer(kind: "maxPool" | "avgPool", poolSize: number | readonly number[], opts: AvgPoolOptions): Layer<Empty, Empty> {
  const padding = opts.padding ?? "VALID";
  const geometry = (spatialRank: number) => {
    const ws = tupleOf(kind, "poolSize", poolSize, spatialRank);
    const st = tupleOf(kind, "strides", opts.strides ?? ws, spatialRank);
    return { ws, st };
  };
  return {
    name: opts.name ?? kind,
    init(_key, inputShape) {
      const shape = checkInputShape(kind, inputShape);
      if (shape.length < 2) throw new ShapeError(kind, `expected inputShape [...spatial, channels] with at least one spatial axis, got [${shape.join(", ")}]`);
      const n = shape.length - 1;
      const { ws, st } = geometry(n);
      const pads = padtypeToPads(shape.slice(0, n), ws, st, padding, kind);
      const out = shape.slice(0, n).map((d, i) => Math.floor((d + pads[i]![0] + pads[i]![1] - ws[i]!) / st[i]!) + 1);
      if (out.some((d) => d <= 0)) throw new ShapeError(kind, `the input [${shape.join(", ")}] is smaller than the pool ${JSON.stringify(ws)} (padding ${JSON.stringify(padding)})`);
      return { params: {}, state: {}, outputShape: [...out, shape[n]!] };
    },
    apply(_params, state, x) {
      if (x.ndim < 3) throw new ShapeError(kind, `expected input [batch, ...spatial, channels], got [${x.shape.join(", ")}]`);
      const { ws, st } = geometry(x.ndim - 2);
      const y = kind === "maxPool" ? laxMaxPool(x, ws, st, padding) : laxAvgPool(x, ws, st, padding, { countIncludePad: opts.countIncludePad ?? false });
      return [y, state];
    },
  };
}

/**
 * Max pooling over windows of `poolSize` on `[batch, ...spatial, channels]` (1, 2 or 3 spatial
 * axes, from the input's rank). Stride defaults to the pool size.
 * @example
 * ```ts
 * nn.maxPool(2).init(random.key(0), [28, 28, 32]).outputShape; // [14, 14, 32]
 * ```
 * @category Layers
 */
export function maxPool(poolSize: number | readonly number[], opts: PoolOptions = {}): Layer<Empty, Empty> {
  return poolLayer("maxPool", poolSize, opts);
}

/**
 * Average pooling over windows of `poolSize`; with `"SAME"` padding the padded positions are not
 * counted (Keras), unless `countIncludePad` is set (flax's default).
 * @example
 * ```ts
 * nn.avgPool(3, { strides: 2, padding: "SAME" }).init(random.key(0), [7, 7, 4]).outputShape; // [4, 4, 4]
 * ```
 * @category Layers
 */
export function avgPool(poolSize: number | readonly number[], opts: AvgPoolOptions = {}): Layer<Empty, Empty> {
  return poolLayer("avgPool", poolSize, opts);
}

/** Options of the global pooling layers. @category Layers */
export interface GlobalPoolOptions extends LayerOptions {
  /** Keep the spatial axes as size 1 (default false: output `[batch, channels]`). */
  keepdims?: boolean;
}

function globalPool(kind: "globalAvgPool" | "globalMaxPool", opts: GlobalPoolOptions): Layer<Empty, Empty> {
  const keepdims = opts.keepdims ?? false;
  return {
    name: opts.name ?? kind,
    init(_key, inputShape) {
      const shape = checkInputShape(kind, inputShape);
      if (shape.length < 2) throw new ShapeError(kind, `expected inputShape [...spatial, channels], got [${shape.join(", ")}]`);
      const c = shape[shape.length - 1]!;
      return { params: {}, state: {}, outputShape: keepdims ? [...shape.slice(0, -1).map(() => 1), c] : [c] };
    },
    apply(_params, state, x) {
      if (x.ndim < 3) throw new ShapeError(kind, `expected input [batch, ...spatial, channels], got [${x.shape.join(", ")}]`);
      const axes = x.shape.slice(1, -1).map((_, i) => i + 1);
      const y = kind === "globalAvgPool" ? x.mean(axes, { keepdims }) : x.max(axes, { keepdims });
      return [y, state];
    },
  };
}

/**
 * Mean over all spatial axes: `[batch, ...spatial, channels]` → `[batch, channels]`.
 * @example
 * ```ts
 * nn.globalAvgPool().init(random.key(0), [7, 7, 64]).outputShape; // [64]
 * ```
 * @category Layers
 */
export function globalAvgPool(opts: GlobalPoolOptions = {}): Layer<Empty, Empty> {
  return globalPool("globalAvgPool", opts);
}

/**
 * Maximum over all spatial axes: `[batch, ...spatial, channels]` → `[batch, channels]`.
 * @example
 * ```ts
 * nn.globalMaxPool().init(random.key(0), [7, 7, 64]).outputShape; // [64]
 * ```
 * @category Layers
 */
export function globalMaxPool(opts: GlobalPoolOptions = {}): Layer<Empty, Empty> {
  return globalPool("globalMaxPool", opts);
}


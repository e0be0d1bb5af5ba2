/**
 * @file `nn.flatten`: collapse every non-batch axis into one (Keras's `Flatten`).
 */
import { ShapeError } from "../../core/errors.js";
import type { Layer, LayerOptions } from "../types.js";
import { checkInputShape } from "./common.js";

/**
 * Flatten each example: `[batch, d1, d2, ...]` → `[batch, d1·d2·...]`. No parameters.
 * @example
 * ```ts
 * const layer = nn.flatten();
 * layer.init(random.key(0), [28, 28, 1]).outputShape; // [784]
 * ```
 * @category Layers
 */
export function flatten(opts: LayerOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  return {
    name: opts.name ?? "flatten",
    init(_key, inputShape) {
      const shape = checkInputShape("flatten", inputShape);
      return { params: {}, state: {}, outputShape: [shape.reduce((p, d) => p * d, 1)] };
    },
    apply(_params, state, x) {
      if (x.ndim < 1) throw new ShapeError("flatten", "expected an input with a batch axis, got a scalar");
      return [x.reshape([x.shape[0]!, x.size === 0 ? 0 : -1]), state];
    },
  };
}

/**
 * @file `nn.activation`: an activation function as a parameterless layer (Keras's `Activation`).
 */
import { getActivation, type ActivationLike } from "../activations.js";
import type { Layer, LayerOptions } from "../types.js";
import { checkInputShape } from "./common.js";

/**
 * An activation as a layer: `nn.activation("relu")` or `nn.activation((x) => nn.leakyRelu(x, 0.2))`.
 * No parameters, no state; the output shape equals the input shape.
 * @example
 * ```ts
 * const model = nn.sequential([nn.dense(64), nn.activation("gelu"), nn.dense(10)]);
 * ```
 * @category Layers
 */
export function activation(fn: ActivationLike, opts: LayerOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  const f = getActivation(fn);
  return {
    name: opts.name ?? (typeof fn === "string" ? fn : "activation"),
    init(_key, inputShape) {
      return { params: {}, state: {}, outputShape: checkInputShape("activation", inputShape) };
    },
    apply(_params, state, x) {
      return [f(x), state];
    },
  };
}

/**
 * @file The layer contract (DESIGN §2): a layer is a pair of pure functions,
 * `init(key, inputShape) -> { params, state, outputShape }` and
 * `apply(params, state, x, { train, key }) -> [y, newState]`.
 *
 * Conventions (Keras-style, what `train.fit` relies on):
 * - `inputShape` and `outputShape` **exclude the batch axis**: a dense layer on MNIST gets
 *   `inputShape = [784]`. `apply` takes `x` **with** a leading batch axis (`[batch, 784]`).
 *   Layers that act on the last axis only (dense, layerNorm, embedding, activations, dropout)
 *   accept any number of leading axes.
 * - Images are channels-last (NHWC / NWC, as Keras and flax); conv kernels are stored HWIO.
 * - `params` and `state` are plain pytrees of Arrays (objects with fixed keys, or `{}`), so
 *   `grad`, optimizers, `tree.map` and `io` work on them directly. Hyperparameters (units, rates,
 *   strides, ...) live in the closure, never in the leaves.
 * - `state` holds non-trained variables (batchNorm's running statistics); layers without any
 *   return `{}` and give it back unchanged.
 */
import type { Array } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import type { Tree } from "../core/tree.js";

/** A pytree of parameter Arrays. @category Layers */
export type Params = Tree;
/** A pytree of state Arrays (running statistics, ...). @category Layers */
export type State = Tree;

/** Options of `Layer.apply`. @category Layers */
export interface ApplyOptions {
  /** Training mode: dropout drops, batchNorm uses and updates batch statistics (default false). */
  train?: boolean;
  /** PRNG key for stochastic layers (dropout); required by them when `train` is true. */
  key?: Array;
}

/** What `Layer.init` returns. @category Layers */
export interface InitResult<P = any, S = any> {
  /** Trainable parameters (a pytree of Arrays). */
  params: P;
  /** Non-trainable state (a pytree of Arrays, `{}` when the layer has none). */
  state: S;
  /** Output shape without the batch axis. */
  outputShape: number[];
}

/**
 * A layer: pure `init`/`apply` functions plus a base `name` used by `sequential` to key params.
 * @example
 * ```ts
 * const layer = nn.dense(3);
 * const { params, state, outputShape } = layer.init(random.key(0), [4]); // outputShape [3]
 * const [y] = layer.apply(params, state, np.ones([2, 4]));                // y: [2, 3]
 * ```
 * @category Layers
 */
export interface Layer<P = any, S = any> {
  /** Base name (`"dense"`, `"conv2d"`, ...) or the user's `name` option. */
  readonly name: string;
  /** Create parameters and state for inputs of `inputShape` (batch axis excluded). */
  init(key: Array, inputShape: readonly number[]): InitResult<P, S>;
  /** Run the layer on a batch `x`; returns the output and the new state. */
  apply(params: P, state: S, x: Array, opts?: ApplyOptions): [Array, S];
}

/** Options every layer factory accepts. @category Layers */
export interface LayerOptions {
  /** Name used as this layer's key in `sequential`'s params (default: the layer kind, deduplicated). */
  name?: string;
}

/** Options of layers that create parameters. @category Layers */
export interface ParamLayerOptions extends LayerOptions {
  /** Dtype of the parameters (default float32). */
  dtype?: DType;
}

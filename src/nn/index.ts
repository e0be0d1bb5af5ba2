/**
 * @file The `nn` namespace: activations (`relu`, `softmax`, ...), `initializers`, layers as pure
 * `init`/`apply` pairs (`dense`, `conv2d`, `lstm`, ...) and `sequential`.
 *
 * @example
 * ```ts
 * import { nn, random, np } from "tessera";
 * const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
 * const { params, state } = model.init(random.key(0), [784]);
 * const [probs] = model.apply(params, state, np.zeros([32, 784])); // [32, 10]
 * ```
 */
export {
  relu,
  relu6,
  leakyRelu,
  elu,
  selu,
  celu,
  gelu,
  silu,
  swish,
  sigmoid,
  logSigmoid,
  hardSigmoid,
  hardSilu,
  hardTanh,
  softplus,
  softsign,
  tanh,
  softmax,
  logSoftmax,
  logsumexp,
  oneHot,
  standardize,
  getActivation,
  type ActivationName,
  type ActivationLike,
  type GeluOptions,
  type LogsumexpOptions,
  type OneHotOptions,
  type StandardizeOptions,
} from "./activations.js";
export * as initializers from "./initializers.js";
export type { Initializer } from "./initializers.js";
export type { Layer, InitResult, ApplyOptions, LayerOptions, ParamLayerOptions, Params, State } from "./types.js";
export type { InitializerLike } from "./layers/common.js";
export { dense, type DenseOptions, type DenseParams } from "./layers/dense.js";
export { conv1d, conv2d, conv3d, type ConvOptions, type ConvParams, type ConvPadding } from "./layers/conv.js";
export { maxPool, avgPool, globalAvgPool, globalMaxPool, type PoolOptions, type AvgPoolOptions, type GlobalPoolOptions, type Empty } from "./layers/pooling.js";
export { flatten } from "./layers/flatten.js";
export { dropout, type DropoutOptions } from "./layers/dropout.js";
export { batchNorm, layerNorm, type BatchNormOptions, type BatchNormState, type LayerNormOptions, type NormParams } from "./layers/normalization.js";
export { embedding, type EmbeddingOptions, type EmbeddingParams } from "./layers/embedding.js";
export {
  multiHeadAttention,
  type MultiHeadAttentionOptions,
  type MultiHeadAttentionParams,
  type AttentionApplyOptions,
  type Projection,
} from "./layers/attention.js";
export { lstm, gru, type RecurrentOptions, type LstmOptions, type LstmParams, type GruOptions, type GruParams } from "./layers/recurrent.js";
export { activation } from "./layers/activation.js";
export { sequential, type Sequential, type SequentialTree } from "./sequential.js";

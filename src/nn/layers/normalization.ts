/**
 * @file Normalization layers: `nn.batchNorm` (running statistics in `state`, batch statistics in
 * training) and `nn.layerNorm` (per-example statistics over the feature axis).
 */
import type { Array } from "../../core/array.js";
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError } from "../../core/errors.js";
import * as np from "../../numpy/index.js";
import { stopGradient } from "../../transforms/autodiff.js";
import { ones, zeros } from "../initializers.js";
import type { Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, splitKeys, type InitializerLike } from "./common.js";

/** Parameters of the normalization layers: `scale` (γ) and `bias` (β), each `[features]`. @category Layers */
export interface NormParams {
  scale?: Array;
  bias?: Array;
}

/** State of {@link batchNorm}: running `mean` and `var`, each `[features]`. @category Layers */
export interface BatchNormState {
  mean: Array;
  var: Array;
}

/** Options of {@link batchNorm}. @category Layers */
export interface BatchNormOptions extends ParamLayerOptions {
  /** Feature axis of the batched input (default -1: channels-last). */
  axis?: number;
  /** Running-average decay: `running = momentum · running + (1 − momentum) · batch` (default 0.99). */
  momentum?: number;
  /** Added to the variance (default 1e-5, as flax). */
  epsilon?: number;
  /** Learn a scale γ (default true). */
  useScale?: boolean;
  /** Learn a bias β (default true). */
  useBias?: boolean;
  /** Initializer of γ (default ones). */
  scaleInitializer?: InitializerLike;
  /** Initializer of β (default zeros). */
  biasInitializer?: InitializerLike;
}

function featureAxis(layer: string, axis: number, batchedRank: number): number {
  const a = axis < 0 ? axis + batchedRank : axis;
  if (a < 1 || a >= batchedRank) {
    throw new ValueError(layer, `axis ${axis} must name a non-batch axis of the batched input (rank ${batchedRank})`);
  }
  return a;
}

function makeNormParams(key: Array, features: number, dtype: DType, useScale: boolean, useBias: boolean, scaleInit: ReturnType<typeof initializerOf>, biasInit: ReturnType<typeof initializerOf>): NormParams {
  const [k1, k2] = splitKeys(key, 2);
  const params: NormParams = {};
  if (useScale) params.scale = scaleInit(k1!, [features], dtype);
  if (useBias) params.bias = biasInit(k2!, [features], dtype);
  return params;
}

/** The scale/bias options shared by {@link batchNorm} and {@link layerNorm}, with their defaults applied. */
function affineConfig(opts: BatchNormOptions | LayerNormOptions) {
  return {
    useScale: opts.useScale ?? true,
    useBias: opts.useBias ?? true,
    scaleInit: initializerOf(opts.scaleInitializer, ones),
    biasInit: initializerOf(opts.biasInitializer, zeros),
    dtype: opts.dtype ?? "float32",
  };
}

/**
 * Batch normalization (Ioffe & Szegedy 2015). In training (`train: true`) it normalizes with the
 * batch mean and (biased) variance over every axis except the feature axis and returns the updated
 * running averages as the new state; in evaluation it uses the running averages and returns the
 * state unchanged. `y = (x − μ) / √(σ² + ε) · γ + β`.
 * @example
 * ```ts
 * const bn = nn.batchNorm();
 * const { params, state } = bn.init(random.key(0), [8]);
 * const [y, newState] = bn.apply(params, state, x, { train: true }); // newState.mean moved toward x's mean
 * const [yEval] = bn.apply(params, newState, x);                      // uses the running statistics
 * ```
 * @category Layers
 */
export function batchNorm(opts: BatchNormOptions = {}): Layer<NormParams, BatchNormState> {
  const axisOpt = opts.axis ?? -1;
  const momentum = opts.momentum ?? 0.99;
  const epsilon = opts.epsilon ?? 1e-5;
  if (!(momentum >= 0 && momentum <= 1)) throw new ValueError("batchNorm", `momentum must be in [0, 1], got ${momentum}`);
  if (!(epsilon >= 0)) throw new ValueError("batchNorm", `epsilon must be non-negative, got ${epsilon}`);
  const { useScale, useBias, scaleInit, biasInit, dtype } = affineConfig(opts);
  return {
    name: opts.name ?? "batchNorm",
    init(key, inputShape) {
      const shape = checkInputShape("batchNorm", inputShape);
      const ax = featureAxis("batchNorm", axisOpt, shape.length + 1);
      const features = shape[ax - 1]!;
      return {
        params: makeNormParams(key, features, dtype, useScale, useBias, scaleInit, biasInit),
        state: { mean: np.zeros([features], { dtype }), var: np.ones([features], { dtype }) },
        outputShape: shape,
      };
    },
    apply(params, state, x, applyOpts = {}) {
      const ax = featureAxis("batchNorm", axisOpt, x.ndim);
      const features = state.mean.shape[0]!;
      if (x.shape[ax] !== features) {
        throw new ShapeError("batchNorm", `expected ${features} features on axis ${ax}, got input of shape [${x.shape.join(", ")}]`);
      }
      const bshape = x.shape.map((d, i) => (i === ax ? d : 1));
      const reduceAxes = x.shape.map((_, i) => i).filter((i) => i !== ax);
      let mean: Array;
      let variance: Array;
      let newState = state;
      if (applyOpts.train) {
        mean = x.mean(reduceAxes, { keepdims: true });
        variance = x.sub(mean).square().mean(reduceAxes, { keepdims: true });
        const bm = stopGradient(mean.reshape([features]));
        const bv = stopGradient(variance.reshape([features]));
        newState = {
          mean: state.mean.mul(momentum).add(bm.mul(1 - momentum)),
          var: state.var.mul(momentum).add(bv.mul(1 - momentum)),
        };
      } else {
        mean = state.mean.reshape(bshape);
        variance = state.var.reshape(bshape);
      }
      let y = x.sub(mean).div(np.sqrt(variance.add(epsilon)));
      if (params.scale !== undefined) y = y.mul(params.scale.reshape(bshape));
      if (params.bias !== undefined) y = y.add(params.bias.reshape(bshape));
      return [y, newState];
    },
  };
}

/** Options of {@link layerNorm}. @category Layers */
export interface LayerNormOptions extends ParamLayerOptions {
  /** Added to the variance (default 1e-6, as flax). */
  epsilon?: number;
  /** Learn a scale γ (default true). */
  useScale?: boolean;
  /** Learn a bias β (default true). */
  useBias?: boolean;
  /** Initializer of γ (default ones). */
  scaleInitializer?: InitializerLike;
  /** Initializer of β (default zeros). */
  biasInitializer?: InitializerLike;
}

/**
 * Layer normalization (Ba et al. 2016) over the last axis of each example:
 * `y = (x − mean) / √(var + ε) · γ + β` with `γ, β: [features]`. The same in training and
 * evaluation; no state.
 * @example
 * ```ts
 * const ln = nn.layerNorm();
 * const { params } = ln.init(random.key(0), [16, 64]);
 * const [y] = ln.apply(params, {}, np.ones([2, 16, 64]));
 * ```
 * @category Layers
 */
export function layerNorm(opts: LayerNormOptions = {}): Layer<NormParams, Record<string, never>> {
  const epsilon = opts.epsilon ?? 1e-6;
  if (!(epsilon >= 0)) throw new ValueError("layerNorm", `epsilon must be non-negative, got ${epsilon}`);
  const { useScale, useBias, scaleInit, biasInit, dtype } = affineConfig(opts);
  return {
    name: opts.name ?? "layerNorm",
    init(key, inputShape) {
      const shape = checkInputShape("layerNorm", inputShape);
      if (shape.length === 0) throw new ShapeError("layerNorm", "inputShape must have a feature axis, got []");
      const features = shape[shape.length - 1]!;
      return { params: makeNormParams(key, features, dtype, useScale, useBias, scaleInit, biasInit), state: {}, outputShape: shape };
    },
    apply(params, state, x) {
      const mean = x.mean(-1, { keepdims: true });
      const centered = x.sub(mean);
      const variance = centered.square().mean(-1, { keepdims: true });
      let y = centered.div(np.sqrt(variance.add(epsilon)));
      if (params.scale !== undefined) y = y.mul(params.scale);
      if (params.bias !== undefined) y = y.add(params.bias);
      return [y, state];
    },
  };
}

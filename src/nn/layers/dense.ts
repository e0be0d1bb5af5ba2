/**
 * @file `nn.dense`: a fully connected layer, `y = activation(x · kernel + bias)`.
 */
import type { Array } from "../../core/array.js";
import { ShapeError } from "../../core/errors.js";
import { getActivation, type ActivationLike } from "../activations.js";
import { glorotUniform, zeros } from "../initializers.js";
import type { Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, positiveInt, splitKeys, type InitializerLike } from "./common.js";

/** Options of {@link dense}. @category Layers */
export interface DenseOptions extends ParamLayerOptions {
  /** Activation applied to the output: a name (`"relu"`, `"softmax"`, ...) or a function (default none). */
  activation?: ActivationLike;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (default `glorotUniform()`, as Keras). */
  kernelInitializer?: InitializerLike;
  /** Bias initializer (default `zeros`). */
  biasInitializer?: InitializerLike;
}

/** Parameters of {@link dense}: `kernel [in, units]` and, with `useBias`, `bias [units]`. @category Layers */
export interface DenseParams {
  kernel: Array;
  bias?: Array;
}

/**
 * Fully connected layer on the last axis: `activation(x · kernel + bias)` with
 * `kernel: [in, units]`, `bias: [units]`. Input `[..., in]`, output `[..., units]`.
 * @param units - output features.
 * @example
 * ```ts
 * const layer = nn.dense(128, { activation: "relu" });
 * const { params } = layer.init(random.key(0), [784]); // kernel [784, 128], bias [128]
 * const [y] = layer.apply(params, {}, np.zeros([32, 784])); // [32, 128]
 * ```
 * @category Layers
 */
export function dense(units: number, opts: DenseOptions = {}): Layer<DenseParams, Record<string, never>> {
  positiveInt("dense", "units", units);
  const act = getActivation(opts.activation);
  const useBias = opts.useBias ?? true;
  const kernelInit = initializerOf(opts.kernelInitializer, glorotUniform());
  const biasInit = initializerOf(opts.biasInitializer, zeros);
  const dtype = opts.dtype ?? "float32";
  return {
    name: opts.name ?? "dense",
    init(key, inputShape) {
      const shape = checkInputShape("dense", inputShape);
      if (shape.length === 0) throw new ShapeError("dense", "inputShape must have at least one axis (the features), got []");
      const fin = shape[shape.length - 1]!;
      const [kKey, bKey] = splitKeys(key, 2);
      const params: DenseParams = { kernel: kernelInit(kKey!, [fin, units], dtype) };
      if (useBias) params.bias = biasInit(bKey!, [units], dtype);
      return { params, state: {}, outputShape: [...shape.slice(0, -1), units] };
    },
    apply(params, state, x) {
      const fin = params.kernel.shape[0]!;
      if (x.ndim < 1 || x.shape[x.ndim - 1] !== fin) {
        throw new ShapeError("dense", `expected input with last axis ${fin}, got shape [${x.shape.join(", ")}]`);
      }
      let y = x.matmul(params.kernel);
      if (params.bias !== undefined) y = y.add(params.bias);
      return [act(y), state];
    },
  };
}

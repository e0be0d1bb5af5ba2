/**
 * @file Convolution layers `nn.conv1d`, `nn.conv2d`, `nn.conv3d` on channels-last inputs (NWC,
 * NHWC, NDHWC, as Keras and flax) with HWIO kernels, built on `lax.convGeneralDilated`.
 */
import type { Array } from "../../core/array.js";
import { ShapeError, ValueError } from "../../core/errors.js";
import { convGeneralDilated, padtypeToPads } from "../../lax/conv.js";
import { getActivation, type ActivationLike } from "../activations.js";
import { glorotUniform, zeros } from "../initializers.js";
import type { Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, positiveInt, splitKeys, tupleOf, type InitializerLike } from "./common.js";

/**
 * Padding of a convolution: `"VALID"` (none), `"SAME"` (output size `ceil(in / stride)`, extra
 * padding at the end), `"CAUSAL"` (1-D only: `(k − 1)·dilation` zeros in front), one number for
 * symmetric padding on every spatial axis, or one `[lo, hi]` pair per spatial axis.
 * @category Layers
 */
export type ConvPadding = "SAME" | "VALID" | "CAUSAL" | number | readonly (readonly [number, number])[];

/** Options of the convolution layers. @category Layers */
export interface ConvOptions extends ParamLayerOptions {
  /** Stride per spatial axis, or one number for all (default 1). */
  strides?: number | readonly number[];
  /** Padding (default `"VALID"`, as Keras). */
  padding?: ConvPadding;
  /** Kernel dilation per spatial axis, or one number (default 1): atrous convolution. */
  dilation?: number | readonly number[];
  /** Feature groups (default 1): input and output channels must be divisible by it; `groups = channels` is depthwise. */
  groups?: number;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Activation applied to the output (default none). */
  activation?: ActivationLike;
  /** Kernel initializer (default `glorotUniform()`; fans include the receptive field). */
  kernelInitializer?: InitializerLike;
  /** Bias initializer (default zeros). */
  biasInitializer?: InitializerLike;
}

/** Parameters of a convolution: `kernel [...kernelSize, in / groups, filters]`, `bias [filters]`. @category Layers */
export interface ConvParams {
  kernel: Array;
  bias?: Array;
}

const LAYOUTS: Record<number, [string, string, string]> = {
  1: ["NWC", "WIO", "NWC"],
  2: ["NHWC", "HWIO", "NHWC"],
  3: ["NDHWC", "DHWIO", "NDHWC"],
};

function resolvePadding(layer: string, padding: ConvPadding, n: number, kernel: number[], dilation: number[], inSpatial: number[], strides: number[]): [number, number][] {
  const dk = kernel.map((k, i) => (k - 1) * dilation[i]! + 1);
  if (padding === "CAUSAL") {
    if (n !== 1) throw new ValueError(layer, `padding "CAUSAL" is only defined for 1-D convolutions`);
    return [[dk[0]! - 1, 0]];
  }
  if (typeof padding === "number") {
    if (!Number.isInteger(padding) || padding < 0) throw new ValueError(layer, `a numeric padding must be a non-negative integer, got ${padding}`);
    return new globalThis.Array(n).fill(0).map(() => [padding, padding] as [number, number]);
  }
  if (padding === "SAME" || padding === "VALID") return padtypeToPads(inSpatial, dk, strides, padding, layer);
  if (typeof padding === "string") throw new ValueError(layer, `padding must be "SAME", "VALID", "CAUSAL", a number or ${n} [lo, hi] pairs, got ${JSON.stringify(padding)}`);
  return padtypeToPads(inSpatial, dk, strides, padding, layer);
}

function convLayer(n: number, name: string, filters: number, kernelSize: number | readonly number[], opts: ConvOptions): Layer<ConvParams, Record<string, never>> {
  positiveInt(name, "filters", filters);
  const kernel = tupleOf(name, "kernelSize", kernelSize, n);
  const strides = tupleOf(name, "strides", opts.strides ?? 1, n);
  const dilation = tupleOf(name, "dilation", opts.dilation ?? 1, n);
  const groups = positiveInt(name, "groups", opts.groups ?? 1);
  const padding = opts.padding ?? "VALID";
  const useBias = opts.useBias ?? true;
  const act = getActivation(opts.activation);
  const kernelInit = initializerOf(opts.kernelInitializer, glorotUniform());
  const biasInit = initializerOf(opts.biasInitializer, zeros);
  const dtype = opts.dtype ?? "float32";
  if (filters % groups !== 0) throw new ValueError(name, `filters (${filters}) must be divisible by groups (${groups})`);
  const outputSpatial = (inSpatial: number[]) => {
    const pads = resolvePadding(name, padding, n, kernel, dilation, inSpatial, strides);
    const out = inSpatial.map((d, i) => {
      const dk = (kernel[i]! - 1) * dilation[i]! + 1;
      return Math.floor((d + pads[i]![0] + pads[i]![1] - dk) / strides[i]!) + 1;
    });
    return { pads, out };
  };
  return {
    name: opts.name ?? name,
    init(key, inputShape) {
      const shape = checkInputShape(name, inputShape, [n + 1], `[${LAYOUTS[n]![0].slice(1)}] without the batch axis`);
      const channels = shape[n]!;
      if (channels % groups !== 0) throw new ValueError(name, `input channels (${channels}) must be divisible by groups (${groups})`);
      const { out } = outputSpatial(shape.slice(0, n));
      if (out.some((d) => d <= 0)) {
        throw new ShapeError(name, `the input [${shape.join(", ")}] is too small for kernel ${JSON.stringify(kernel)} with dilation ${JSON.stringify(dilation)} and padding ${JSON.stringify(padding)}: output spatial size [${out.join(", ")}]`);
      }
      const [kk, kb] = splitKeys(key, 2);
      const params: ConvParams = { kernel: kernelInit(kk!, [...kernel, channels / groups, filters], dtype) };
      if (useBias) params.bias = biasInit(kb!, [filters], dtype);
      return { params, state: {}, outputShape: [...out, filters] };
    },
    apply(params, state, x) {
      const kShape = params.kernel.shape;
      if (x.ndim !== n + 2 || x.shape[n + 1] !== kShape[n]! * groups) {
        throw new ShapeError(name, `expected input of shape [batch, ${new globalThis.Array(n).fill("_").join(", ")}, ${kShape[n]! * groups}] (${LAYOUTS[n]![0]}), got [${x.shape.join(", ")}]`);
      }
      const { pads } = outputSpatial(x.shape.slice(1, n + 1) as number[]);
      let y = convGeneralDilated(x.dtype === params.kernel.dtype ? x : x.astype(params.kernel.dtype), params.kernel, strides, pads, {
        rhsDilation: dilation,
        dimensionNumbers: LAYOUTS[n]!,
        featureGroupCount: groups,
      });
      if (params.bias !== undefined) y = y.add(params.bias);
      return [act(y), state];
    },
  };
}

/**
 * 1-D convolution on `[batch, width, channels]` with kernel `[k, channels / groups, filters]`.
 * Supports `"CAUSAL"` padding (for sequence models).
 * @example
 * ```ts
 * const conv = nn.conv1d(16, 3, { padding: "CAUSAL", dilation: 2 });
 * conv.init(random.key(0), [100, 8]).outputShape; // [100, 16]
 * ```
 * @category Layers
 */
export function conv1d(filters: number, kernelSize: number | readonly number[], opts: ConvOptions = {}): Layer<ConvParams, Record<string, never>> {
  return convLayer(1, "conv1d", filters, kernelSize, opts);
}

/**
 * 2-D convolution on NHWC `[batch, height, width, channels]` with an HWIO kernel
 * `[kh, kw, channels / groups, filters]`.
 * @example
 * ```ts
 * const conv = nn.conv2d(32, 3, { strides: 2, padding: "SAME", activation: "relu" });
 * conv.init(random.key(0), [28, 28, 1]).outputShape; // [14, 14, 32]
 * ```
 * @category Layers
 */
export function conv2d(filters: number, kernelSize: number | readonly number[], opts: ConvOptions = {}): Layer<ConvParams, Record<string, never>> {
  return convLayer(2, "conv2d", filters, kernelSize, opts);
}

/**
 * 3-D convolution on `[batch, depth, height, width, channels]` with kernel `[kd, kh, kw, channels / groups, filters]`.
 * @example
 * ```ts
 * nn.conv3d(8, 3, { padding: "SAME" }).init(random.key(0), [16, 16, 16, 1]).outputShape; // [16, 16, 16, 8]
 * ```
 * @category Layers
 */
export function conv3d(filters: number, kernelSize: number | readonly number[], opts: ConvOptions = {}): Layer<ConvParams, Record<string, never>> {
  return convLayer(3, "conv3d", filters, kernelSize, opts);
}

/**
 * @file `nn.multiHeadAttention`: scaled dot-product attention with several heads (Vaswani et al.
 * 2017), with an optional boolean mask, a causal option and attention-weight dropout.
 */
import type { Array } from "../../core/array.js";
import { ShapeError } from "../../core/errors.js";
import * as np from "../../numpy/index.js";
import * as random from "../../random/index.js";
import { softmax } from "../activations.js";
import { glorotUniform, zeros } from "../initializers.js";
import type { ApplyOptions, Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, positiveInt, requireKey, splitKeys, type InitializerLike } from "./common.js";

/** Options of {@link multiHeadAttention}. @category Layers */
export interface MultiHeadAttentionOptions extends ParamLayerOptions {
  /** Size of each head's queries and keys (default `features / numHeads`). */
  keyDim?: number;
  /** Size of each head's values (default `keyDim`). */
  valueDim?: number;
  /** Output features (default: the input's features). */
  outputDim?: number;
  /** Add biases to the projections (default true). */
  useBias?: boolean;
  /** Mask out future positions (query i attends to keys j <= i) (default false). */
  causal?: boolean;
  /** Dropout rate on the attention weights in training (default 0). */
  dropout?: number;
  /** Projection kernel initializer (default `glorotUniform()` over the fans of the flattened projection). */
  kernelInitializer?: InitializerLike;
  /** Bias initializer (default zeros). */
  biasInitializer?: InitializerLike;
}

/** Apply options of {@link multiHeadAttention}. @category Layers */
export interface AttentionApplyOptions extends ApplyOptions {
  /**
   * Boolean mask broadcastable to `[batch, numHeads, queryLen, keyLen]`; true means "may attend".
   * Combined (AND) with the causal mask when `causal` is set.
   */
  mask?: Array;
  /** Keys/values sequence `[batch, keyLen, features]` for cross-attention (default: `x`, self-attention). */
  context?: Array;
}

/** A projection: `kernel` and optional `bias`. @category Layers */
export interface Projection {
  kernel: Array;
  bias?: Array;
}

/**
 * Parameters of {@link multiHeadAttention}: `query`/`key`/`value` kernels `[features, heads, dim]`
 * with biases `[heads, dim]`, and `out` kernel `[heads, valueDim, outputDim]` with bias `[outputDim]`
 * (flax's layout).
 * @category Layers
 */
export interface MultiHeadAttentionParams {
  query: Projection;
  key: Projection;
  value: Projection;
  out: Projection;
}

/**
 * Multi-head self-attention on `[batch, seq, features]` (or cross-attention with
 * `apply(..., { context })`): `softmax(QKᵀ/√d + mask) V` per head, then an output projection.
 * Masked positions get the dtype's lowest finite value before the softmax (a fully masked row
 * attends uniformly, as flax). Output `[batch, seq, outputDim]`.
 * @param numHeads - number of heads.
 * @example
 * ```ts
 * const mha = nn.multiHeadAttention(4, { causal: true });
 * const { params } = mha.init(random.key(0), [10, 32]); // 10 tokens of 32 features
 * const [y] = mha.apply(params, {}, x);                 // x, y: [batch, 10, 32]
 * ```
 * @category Layers
 */
export function multiHeadAttention(numHeads: number, opts: MultiHeadAttentionOptions = {}): Layer<MultiHeadAttentionParams, Record<string, never>> {
  positiveInt("multiHeadAttention", "numHeads", numHeads);
  const useBias = opts.useBias ?? true;
  const kernelInit = initializerOf(opts.kernelInitializer, glorotUniform());
  const biasInit = initializerOf(opts.biasInitializer, zeros);
  const rate = opts.dropout ?? 0;
  const dtype = opts.dtype ?? "float32";
  const proj = (key: Array, fin: number, heads: number, dim: number): Projection => {
    const [k1, k2] = splitKeys(key, 2);
    // Initialize as the flattened [fin, heads·dim] matrix so the fans are those of the full projection.
    const p: Projection = { kernel: kernelInit(k1!, [fin, heads * dim], dtype).reshape([fin, heads, dim]) };
    if (useBias) p.bias = biasInit(k2!, [heads, dim], dtype);
    return p;
  };
  return {
    name: opts.name ?? "multiHeadAttention",
    init(key, inputShape) {
      const shape = checkInputShape("multiHeadAttention", inputShape, [2], "[seq, features]");
      const features = shape[1]!;
      const keyDim = opts.keyDim ?? features / numHeads;
      if (!Number.isInteger(keyDim) || keyDim <= 0) {
        throw new ShapeError("multiHeadAttention", `features (${features}) must be divisible by numHeads (${numHeads}), or pass keyDim`);
      }
      const valueDim = opts.valueDim ?? keyDim;
      const outputDim = opts.outputDim ?? features;
      const [kq, kk, kv, ko] = splitKeys(key, 4);
      const [ko1, ko2] = splitKeys(ko!, 2);
      const out: Projection = { kernel: kernelInit(ko1!, [numHeads * valueDim, outputDim], dtype).reshape([numHeads, valueDim, outputDim]) };
      if (useBias) out.bias = biasInit(ko2!, [outputDim], dtype);
      return {
        params: { query: proj(kq!, features, numHeads, keyDim), key: proj(kk!, features, numHeads, keyDim), value: proj(kv!, features, numHeads, valueDim), out },
        state: {},
        outputShape: [shape[0]!, outputDim],
      };
    },
    apply(params, state, x, applyOpts: AttentionApplyOptions = {}) {
      const ctx = applyOpts.context ?? x;
      const [fin, , keyDim] = params.query.kernel.shape as [number, number, number];
      for (const [what, v] of [["x", x], ["context", ctx]] as const) {
        if (v.ndim !== 3 || v.shape[2] !== fin) {
          throw new ShapeError("multiHeadAttention", `expected ${what} of shape [batch, seq, ${fin}], got [${v.shape.join(", ")}]`);
        }
      }
      // [b, s, f] · [f, h·d] → [b, s, h, d] → [b, h, s, d]
      const project = (v: Array, p: Projection) => {
        const [f, h, d] = p.kernel.shape as [number, number, number];
        let y = v.matmul(p.kernel.reshape([f, h * d])).reshape([v.shape[0]!, v.shape[1]!, h, d]);
        if (p.bias !== undefined) y = y.add(p.bias);
        return y.transpose([0, 2, 1, 3]);
      };
      const q = project(x, params.query);
      const k = project(ctx, params.key);
      const v = project(ctx, params.value);
      let logits = q.matmul(k.transpose([0, 1, 3, 2])).div(Math.sqrt(keyDim)); // [b, h, q, k]
      let mask: Array | null = applyOpts.mask ?? null;
      if (opts.causal) {
        const [ql, kl] = [x.shape[1]!, ctx.shape[1]!];
        const causal = np.arange(ql).reshape([ql, 1]).ge(np.arange(kl).reshape([1, kl]));
        mask = mask === null ? causal : np.logicalAnd(mask, causal);
      }
      if (mask !== null) {
        const lowest = logits.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
        logits = np.where(mask, logits, np.fullLike(logits, lowest));
      }
      let weights = softmax(logits, -1);
      if (applyOpts.train && rate > 0) {
        const keep = random.bernoulli(requireKey("multiHeadAttention", applyOpts.key), 1 - rate, weights.shape);
        weights = np.where(keep, weights.div(1 - rate), np.zerosLike(weights));
      }
      const attended = weights.matmul(v).transpose([0, 2, 1, 3]); // [b, q, h, dv]
      const [h, dv, fout] = params.out.kernel.shape as [number, number, number];
      let y = attended.reshape([x.shape[0]!, x.shape[1]!, h * dv]).matmul(params.out.kernel.reshape([h * dv, fout]));
      if (params.out.bias !== undefined) y = y.add(params.out.bias);
      return [y, state];
    },
  };
}

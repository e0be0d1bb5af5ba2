/**
 * @file `nn.embedding`: a lookup table from integer ids to learned vectors.
 */
import type { Array } from "../../core/array.js";
import { DTypeError } from "../../core/errors.js";
import * as np from "../../numpy/index.js";
import { normal } from "../initializers.js";
import type { Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, positiveInt, type InitializerLike } from "./common.js";

/** Options of {@link embedding}. @category Layers */
export interface EmbeddingOptions extends ParamLayerOptions {
  /** Table initializer (default `normal(1)`, unit variance as flax's default embedding init). */
  embeddingInitializer?: InitializerLike;
}

/** Parameters of {@link embedding}: `embedding [numEmbeddings, features]`. @category Layers */
export interface EmbeddingParams {
  embedding: Array;
}

/**
 * Embedding lookup: integer ids `[batch, ...]` → vectors `[batch, ..., features]`
 * (`table[ids]` through `np.take`; the gradient scatters back into the looked-up rows).
 * Negative ids count from the end, as in `np.take`.
 * @param numEmbeddings - vocabulary size.
 * @param features - vector size.
 * @example
 * ```ts
 * const emb = nn.embedding(1000, 64);
 * const { params } = emb.init(random.key(0), [12]);           // 12 tokens per example
 * const [v] = emb.apply(params, {}, np.zeros([8, 12], { dtype: "int32" })); // [8, 12, 64]
 * ```
 * @category Layers
 */
export function embedding(numEmbeddings: number, features: number, opts: EmbeddingOptions = {}): Layer<EmbeddingParams, Record<string, never>> {
  positiveInt("embedding", "numEmbeddings", numEmbeddings);
  positiveInt("embedding", "features", features);
  const init = initializerOf(opts.embeddingInitializer, normal(1));
  const dtype = opts.dtype ?? "float32";
  return {
    name: opts.name ?? "embedding",
    init(key, inputShape) {
      const shape = checkInputShape("embedding", inputShape);
      return { params: { embedding: init(key, [numEmbeddings, features], dtype) }, state: {}, outputShape: [...shape, features] };
    },
    apply(params, state, x) {
      if (x.dtype !== "int32" && x.dtype !== "uint32") {
        throw new DTypeError("embedding", `ids must be int32 or uint32, got ${x.dtype}; convert with x.astype("int32")`);
      }
      return [np.take(params.embedding, x, 0), state];
    },
  };
}

/**
 * @file `nn.dropout`: inverted dropout. In training each element is zeroed with probability `rate`
 * and the survivors are scaled by `1 / (1 − rate)`, so the expected value is unchanged; outside
 * training it is the identity.
 */
import { ValueError } from "../../core/errors.js";
import * as np from "../../numpy/index.js";
import * as random from "../../random/index.js";
import type { Layer, LayerOptions } from "../types.js";
import { checkInputShape, requireKey } from "./common.js";

/** Options of {@link dropout}. @category Layers */
export interface DropoutOptions extends LayerOptions {
  /**
   * Axes of the batched input along which one mask value is shared (flax's `broadcast_dims`), e.g.
   * `[1, 2]` drops whole channels of an NHWC image. Default: an independent draw per element.
   */
  broadcastDims?: readonly number[];
}

/**
 * Dropout with rate `rate` (the fraction dropped). Uses `opts.key` of `apply` when `train` is true
 * (and throws without one); identity when not training or when `rate` is 0.
 * @param rate - probability of zeroing an element, in `[0, 1)`.
 * @example
 * ```ts
 * const drop = nn.dropout(0.5);
 * const [y] = drop.apply({}, {}, np.ones([4, 8]), { train: true, key: random.key(1) });
 * // about half the entries are 0, the rest are 2
 * ```
 * @category Layers
 */
export function dropout(rate: number, opts: DropoutOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  if (!(rate >= 0 && rate < 1)) throw new ValueError("dropout", `rate must be in [0, 1), got ${rate}`);
  const bdims = opts.broadcastDims ?? [];
  return {
    name: opts.name ?? "dropout",
    init(_key, inputShape) {
      return { params: {}, state: {}, outputShape: checkInputShape("dropout", inputShape) };
    },
    apply(_params, state, x, applyOpts = {}) {
      if (!applyOpts.train || rate === 0) return [x, state];
      const key = requireKey("dropout", applyOpts.key);
      const norm = bdims.map((d) => (d < 0 ? d + x.ndim : d));
      const maskShape = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
      const keep = random.bernoulli(key, 1 - rate, maskShape);
      return [np.where(keep, x.div(1 - rate), np.zerosLike(x)), state];
    },
  };
}

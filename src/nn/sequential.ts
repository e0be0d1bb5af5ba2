/**
 * @file `nn.sequential`: compose layers into one layer.
 *
 * Params and state are **objects keyed by layer name**, Keras-style: each layer's base name
 * (`dense`, `conv2d`, ...) or its `name` option, with `_1`, `_2`, ... appended to repeats in order
 * (`{ dense: {...}, dense_1: {...} }`). Every layer has an entry (`{}` for parameterless ones), so
 * the tree mirrors the model and `io` can save it with readable paths (`dense_1.kernel`).
 * `init` splits its key into one key per layer; in training, `apply` splits `opts.key` the same
 * way, so each stochastic layer gets its own stream.
 */
import type { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { splitKeys } from "./layers/common.js";
import type { ApplyOptions, Layer, LayerOptions } from "./types.js";

/** Params or state of a {@link sequential} model: one entry per layer name. @category Layers */
export type SequentialTree = Record<string, any>;

/** A {@link sequential} model: a layer plus its parts. @category Layers */
export interface Sequential extends Layer<SequentialTree, SequentialTree> {
  /** The layers, in order. */
  readonly layers: readonly Layer[];
  /** The unique names keying params and state, in layer order. */
  readonly names: readonly string[];
}

/**
 * Compose layers: `y = layerN(...layer2(layer1(x)))`, with shapes threaded through `init`.
 * @param layers - the layers, first to last.
 * @example
 * ```ts
 * const model = nn.sequential([nn.dense(128, { activation: "relu" }), nn.dense(10, { activation: "softmax" })]);
 * const { params, state, outputShape } = model.init(random.key(0), [784]); // outputShape [10]
 * Object.keys(params); // ["dense", "dense_1"]
 * const [probs] = model.apply(params, state, images); // images: [batch, 784] → [batch, 10]
 * ```
 * @category Layers
 */
export function sequential(layers: readonly Layer[], opts: LayerOptions = {}): Sequential {
  if (!globalThis.Array.isArray(layers) || layers.length === 0) {
    throw new ValueError("sequential", "expected a non-empty list of layers");
  }
  layers.forEach((l, i) => {
    if (l === null || typeof l !== "object" || typeof l.init !== "function" || typeof l.apply !== "function") {
      throw new ValueError("sequential", `layer ${i} is not a layer (an object with init and apply), got ${typeof l}`);
    }
  });
  const names: string[] = [];
  const counts = new Map<string, number>();
  for (const l of layers) {
    const base = l.name;
    let n = counts.get(base) ?? 0;
    let name = n === 0 ? base : `${base}_${n}`;
    while (names.includes(name)) name = `${base}_${++n}`;
    counts.set(base, n + 1);
    names.push(name);
  }
  const run = (params: SequentialTree, state: SequentialTree, x: Array, applyOpts: ApplyOptions = {}): [Array, SequentialTree] => {
    for (const name of names) {
      if (!(name in params)) throw new ValueError("sequential", `params has no entry ${JSON.stringify(name)}; expected keys ${JSON.stringify(names)} (from init)`);
    }
    const keys = applyOpts.train && applyOpts.key !== undefined ? splitKeys(applyOpts.key, layers.length) : null;
    const newState: SequentialTree = {};
    let h = x;
    layers.forEach((layer, i) => {
      const name = names[i]!;
      const o: ApplyOptions = { ...applyOpts, key: keys === null ? undefined : keys[i] };
      const [y, s] = layer.apply(params[name], state?.[name] ?? {}, h, o);
      h = y;
      newState[name] = s;
    });
    return [h, newState];
  };
  return {
    name: opts.name ?? "sequential",
    layers: [...layers],
    names,
    init(key, inputShape) {
      const keys = splitKeys(key, layers.length);
      const params: SequentialTree = {};
      const state: SequentialTree = {};
      let shape = [...inputShape];
      layers.forEach((layer, i) => {
        const r = layer.init(keys[i]!, shape);
        params[names[i]!] = r.params;
        state[names[i]!] = r.state;
        shape = r.outputShape;
      });
      return { params, state, outputShape: shape };
    },
    apply: run,
  };
}

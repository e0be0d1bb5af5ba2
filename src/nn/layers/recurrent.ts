/**
 * @file Recurrent layers `nn.lstm` and `nn.gru` (Keras's equations and parameter layout), each
 * one `lax.scan` over time, so a whole sequence is one primitive under `jit` and differentiates by
 * scanning backwards.
 *
 * Inputs are batch-major `[batch, time, features]`. The input projection `x · kernel + bias` is
 * computed for all steps at once before the scan; the scan body only does the recurrent part.
 */
import type { Array } from "../../core/array.js";
import { ShapeError } from "../../core/errors.js";
import { scan } from "../../lax/control.js";
import * as np from "../../numpy/index.js";
import { getActivation, type ActivationLike } from "../activations.js";
import { glorotUniform, orthogonal, zeros } from "../initializers.js";
import type { Layer, ParamLayerOptions } from "../types.js";
import { checkInputShape, initializerOf, positiveInt, splitKeys, type InitializerLike } from "./common.js";

/** Options shared by {@link lstm} and {@link gru}. @category Layers */
export interface RecurrentOptions extends ParamLayerOptions {
  /** Return the whole output sequence `[batch, time, units]` instead of the last output `[batch, units]` (default false). */
  returnSequences?: boolean;
  /** Process the sequence from the last step to the first (Keras's `goBackwards`); outputs stay in input order (default false). */
  reverse?: boolean;
  /** Candidate/output activation (default tanh). */
  activation?: ActivationLike;
  /** Gate activation (default sigmoid). */
  recurrentActivation?: ActivationLike;
  /** Input kernel initializer (default `glorotUniform()`). */
  kernelInitializer?: InitializerLike;
  /** Recurrent kernel initializer (default `orthogonal()`). */
  recurrentInitializer?: InitializerLike;
  /** Bias initializer (default zeros). */
  biasInitializer?: InitializerLike;
}

/** The options shared by {@link lstm} and {@link gru}, checked and with their defaults applied. */
function recurrentConfig(name: string, units: number, opts: RecurrentOptions) {
  positiveInt(name, "units", units);
  return {
    act: getActivation(opts.activation ?? "tanh"),
    rec: getActivation(opts.recurrentActivation ?? "sigmoid"),
    kernelInit: initializerOf(opts.kernelInitializer, glorotUniform()),
    recInit: initializerOf(opts.recurrentInitializer, orthogonal()),
    biasInit: initializerOf(opts.biasInitializer, zeros),
    dtype: opts.dtype ?? "float32",
    returnSequences: opts.returnSequences ?? false,
  };
}

/** Options of {@link lstm}. @category Layers */
export interface LstmOptions extends RecurrentOptions {
  /** Add 1 to the forget gate's bias at initialization (default true, as Keras). */
  unitForgetBias?: boolean;
}

/**
 * Parameters of {@link lstm}: `kernel [features, 4·units]`, `recurrentKernel [units, 4·units]`,
 * `bias [4·units]`, gates in Keras's order (input, forget, cell, output).
 * @category Layers
 */
export interface LstmParams {
  kernel: Array;
  recurrentKernel: Array;
  bias: Array;
}

const gate = (z: Array, k: number, units: number) => z.slice("...", [k * units, (k + 1) * units]);

function checkSequence(layer: string, x: Array, features: number): void {
  if (x.ndim !== 3 || x.shape[2] !== features) {
    throw new ShapeError(layer, `expected input of shape [batch, time, ${features}], got [${x.shape.join(", ")}]`);
  }
}

function finish(ys: Array, last: Array, returnSequences: boolean): Array {
  return returnSequences ? ys.transpose([1, 0, 2]) : last;
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997), Keras's formulation:
 * `z = xₜW + hₜ₋₁U + b`, `i, f, o = σ(z_i), σ(z_f), σ(z_o)`, `g = tanh(z_c)`,
 * `cₜ = f ⊙ cₜ₋₁ + i ⊙ g`, `hₜ = o ⊙ tanh(cₜ)`, from `h₀ = c₀ = 0`.
 * @param units - size of the hidden and cell state.
 * @example
 * ```ts
 * const layer = nn.lstm(32, { returnSequences: true });
 * const { params } = layer.init(random.key(0), [20, 8]); // 20 steps of 8 features
 * const [ys] = layer.apply(params, {}, x);               // x: [batch, 20, 8] → [batch, 20, 32]
 * ```
 * @category Layers
 */
export function lstm(units: number, opts: LstmOptions = {}): Layer<LstmParams, Record<string, never>> {
  const { act, rec, kernelInit, recInit, biasInit, dtype, returnSequences } = recurrentConfig("lstm", units, opts);
  return {
    name: opts.name ?? "lstm",
    init(key, inputShape) {
      const shape = checkInputShape("lstm", inputShape, [2], "[time, features]");
      const [k1, k2, k3] = splitKeys(key, 3);
      let bias = biasInit(k3!, [4 * units], dtype);
      if (opts.unitForgetBias ?? true) bias = bias.add(np.concatenate([np.zeros([units]), np.ones([units]), np.zeros([2 * units])]).astype(dtype));
      return {
        params: { kernel: kernelInit(k1!, [shape[1]!, 4 * units], dtype), recurrentKernel: recInit(k2!, [units, 4 * units], dtype), bias },
        state: {},
        outputShape: returnSequences ? [shape[0]!, units] : [units],
      };
    },
    apply(params, state, x) {
      checkSequence("lstm", x, params.kernel.shape[0]!);
      const xw = x.matmul(params.kernel).add(params.bias).transpose([1, 0, 2]); // [time, batch, 4u]
      const h0 = np.zeros([x.shape[0]!, units], { dtype: xw.dtype });
      const [[h], ys] = scan(
        ([hPrev, cPrev]: [Array, Array], zx: Array) => {
          const z = zx.add(hPrev.matmul(params.recurrentKernel));
          const i = rec(gate(z, 0, units));
          const f = rec(gate(z, 1, units));
          const g = act(gate(z, 2, units));
          const o = rec(gate(z, 3, units));
          const c = f.mul(cPrev).add(i.mul(g));
          const hNew = o.mul(act(c));
          return [[hNew, c], hNew];
        },
        [h0, h0],
        xw,
        { reverse: opts.reverse ?? false },
      );
      return [finish(ys as Array, h as Array, returnSequences), state];
    },
  };
}

/** Options of {@link gru}. @category Layers */
export interface GruOptions extends RecurrentOptions {
  /** Apply the reset gate after the recurrent matmul (default true: Keras 2+/cuDNN convention). */
  resetAfter?: boolean;
}

/**
 * Parameters of {@link gru}: `kernel [features, 3·units]`, `recurrentKernel [units, 3·units]` and
 * `bias` — `[2, 3·units]` (input and recurrent biases) with `resetAfter`, else `[3·units]`; gates
 * in Keras's order (update z, reset r, candidate h).
 * @category Layers
 */
export interface GruParams {
  kernel: Array;
  recurrentKernel: Array;
  bias: Array;
}

/**
 * Gated recurrent unit (Cho et al. 2014), Keras's formulation. With `resetAfter` (default):
 * `z = σ(xW_z + hU_z + b)`, `r = σ(xW_r + hU_r + b)`, `ĥ = tanh(xW_h + b_x + r ⊙ (hU_h + b_h))`,
 * `hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ ĥ`, from `h₀ = 0`.
 * @param units - size of the hidden state.
 * @example
 * ```ts
 * const layer = nn.gru(16);
 * const { params } = layer.init(random.key(0), [10, 4]);
 * const [h] = layer.apply(params, {}, x); // x: [batch, 10, 4] → [batch, 16]
 * ```
 * @category Layers
 */
export function gru(units: number, opts: GruOptions = {}): Layer<GruParams, Record<string, never>> {
  const { act, rec, kernelInit, recInit, biasInit, dtype, returnSequences } = recurrentConfig("gru", units, opts);
  const resetAfter = opts.resetAfter ?? true;
  return {
    name: opts.name ?? "gru",
    init(key, inputShape) {
      const shape = checkInputShape("gru", inputShape, [2], "[time, features]");
      const [k1, k2, k3] = splitKeys(key, 3);
      return {
        params: {
          kernel: kernelInit(k1!, [shape[1]!, 3 * units], dtype),
          recurrentKernel: recInit(k2!, [units, 3 * units], dtype),
          bias: biasInit(k3!, resetAfter ? [2, 3 * units] : [3 * units], dtype),
        },
        state: {},
        outputShape: returnSequences ? [shape[0]!, units] : [units],
      };
    },
    apply(params, state, x) {
      checkSequence("gru", x, params.kernel.shape[0]!);
      const inBias = resetAfter ? params.bias.slice(0) : params.bias;
      const recBias = resetAfter ? params.bias.slice(1) : null;
      const xw = x.matmul(params.kernel).add(inBias).transpose([1, 0, 2]); // [time, batch, 3u]
      const u = params.recurrentKernel;
      const h0 = np.zeros([x.shape[0]!, units], { dtype: xw.dtype });
      const [h, ys] = scan(
        (hPrev: Array, zx: Array) => {
          let z: Array;
          let r: Array;
          let cand: Array;
          if (recBias !== null) {
            const hu = hPrev.matmul(u).add(recBias);
            z = rec(gate(zx, 0, units).add(gate(hu, 0, units)));
            r = rec(gate(zx, 1, units).add(gate(hu, 1, units)));
            cand = act(gate(zx, 2, units).add(r.mul(gate(hu, 2, units))));
          } else {
            const hu = hPrev.matmul(u.slice("...", [0, 2 * units]));
            z = rec(gate(zx, 0, units).add(gate(hu, 0, units)));
            r = rec(gate(zx, 1, units).add(gate(hu, 1, units)));
            cand = act(gate(zx, 2, units).add(r.mul(hPrev).matmul(u.slice("...", [2 * units, 3 * units]))));
          }
          const hNew = z.mul(hPrev).add(z.neg().add(1).mul(cand));
          return [hNew, hNew];
        },
        h0,
        xw,
        { reverse: opts.reverse ?? false },
      );
      return [finish(ys as Array, h as Array, returnSequences), state];
    },
  };
}

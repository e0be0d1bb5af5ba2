/**
 * @file The `threefry2x32` primitive: JAX's `threefry2x32_p`, the Threefry-2x32 block cipher applied
 * elementwise. Four uint32 operands `k0, k1, x0, x1` (the two key words and the two counter words,
 * NumPy-broadcast against each other like any elementwise primitive) give two uint32 outputs, the
 * two words of each encrypted block. Every random draw in `random/` is built on this primitive, so
 * keys may be traced values and random code runs under `jit`, `vmap` and `grad` like any other.
 *
 * Rules: the eager implementation runs the hand-unrolled kernel of `random/threefry.ts`; random bits
 * are not differentiable (the JVP returns symbolic-zero tangents, as JAX's rule does); the batching
 * rule is the broadcasting-elementwise one, with two outputs. There is no transpose (not linear).
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { DTypeError } from "../core/errors.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { broadcastAll, sizeOf, type Shape } from "../core/shape.js";
import { bind } from "../core/trace.js";
import { mapElementwise } from "../backend/cpu/elementwise.js";
import { threefry2x32Into } from "../random/threefry.js";
import { batchElementwise } from "./util.js";

const NAME = "threefry2x32";
const OPERANDS = ["k0", "k1", "x0", "x1"] as const;

/** The operand's data at the output's full size (shared when no broadcast is needed, copied otherwise). */
function atFullSize(x: ConcreteArray, shape: Shape, n: number): Uint32Array {
  const data = ConcreteArray.dataOf(x) as Uint32Array;
  if (data.length === n) return data;
  const out = new Uint32Array(n);
  mapElementwise("a", [data], [x.shape], shape, out);
  return out;
}

/** Shape/dtype rule: four uint32 operands that broadcast together; two uint32 outputs of the broadcast shape. */
function abstractEval(avals: ShapedArray[]): ShapedArray[] {
  if (avals.length !== 4) throw new DTypeError(NAME, `expected 4 operands (k0, k1, x0, x1), got ${avals.length}`);
  const bad = avals.findIndex((a) => a.dtype !== "uint32");
  if (bad >= 0) {
    throw new DTypeError(NAME, `all operands must be uint32, got ${avals.map((a, i) => `${OPERANDS[i]}: ${a.dtype}`).join(", ")}`);
  }
  const shape = broadcastAll(NAME, avals.map((a) => a.shape));
  const out: ShapedArray = { shape, dtype: "uint32", weakType: false };
  return [out, out];
}

/**
 * `threefry2x32`: for each (broadcast) element, the 20-round Threefry-2x32 encryption of the counter
 * `(x0, x1)` under the key `(k0, k1)`. Outputs `[y0, y1]`, the two words of each cipher block.
 * @example
 * // all operands uint32; Random123: key (0, 0), counter (0, 0) gives (0x6b200159, 0x99ba4efe)
 * const [y0, y1] = bind(threefry2x32P, [k0, k1, x0, x1], {});
 */
export const threefry2x32P: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: NAME,
  impl: (args) => {
    const [k0, k1, x0, x1] = args as [ConcreteArray, ConcreteArray, ConcreteArray, ConcreteArray];
    const shape = broadcastAll(NAME, args.map((a) => a.shape));
    const n = sizeOf(shape);
    const c0 = atFullSize(x0, shape, n);
    const c1 = atFullSize(x1, shape, n);
    const y0 = new Uint32Array(n);
    const y1 = new Uint32Array(n);
    if (k0.size === 1 && k1.size === 1) {
      // One key for every block: the common case (a single key drawing a whole array).
      threefry2x32Into(ConcreteArray.dataOf(k0)[0]!, ConcreteArray.dataOf(k1)[0]!, c0, c1, y0, y1);
    } else {
      // Keys vary per element (a batch of keys under vmap): encrypt each run of equal keys in one call.
      // A batch of keys broadcast against a counter iota gives long runs, so this stays a tight loop.
      const K0 = atFullSize(k0, shape, n);
      const K1 = atFullSize(k1, shape, n);
      for (let start = 0; start < n; ) {
        const a = K0[start]!;
        const b = K1[start]!;
        let end = start + 1;
        while (end < n && K0[end] === a && K1[end] === b) end++;
        threefry2x32Into(a, b, c0.subarray(start, end), c1.subarray(start, end), y0.subarray(start, end), y1.subarray(start, end));
        start = end;
      }
    }
    return [new ConcreteArray(y0, shape, "uint32"), new ConcreteArray(y1, shape, "uint32")];
  },
  abstractEval: (avals) => abstractEval(avals),
  // Random bits have no derivative: outputs are integers, their tangents symbolic zeros.
  jvp: (primals) => [bind(threefry2x32P, primals, {}), [null, null]],
  batch: (args, dims) => batchElementwise(threefry2x32P, args, dims, {}),
  printParams: () => "",
});

/**
 * Apply the `threefry2x32` primitive: the Threefry-2x32 blocks of the counters `(x0, x1)` under the
 * key `(k0, k1)`, all uint32 and broadcast together.
 *
 * @param k0 - first key word(s).
 * @param k1 - second key word(s).
 * @param x0 - first counter word(s).
 * @param x1 - second counter word(s).
 * @returns `[y0, y1]`, the two output words of every block (uint32, the broadcast shape).
 * @example
 * const [y0, y1] = threefry2x32Words(k0, k1, zeros, iota); // the blocks of counters 0, 1, 2, ...
 */
export function threefry2x32Words(k0: Array, k1: Array, x0: Array, x1: Array): [Array, Array] {
  const [y0, y1] = bind(threefry2x32P, [k0, k1, x0, x1], {});
  return [y0!, y1!];
}

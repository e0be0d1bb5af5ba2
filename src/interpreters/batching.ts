/**
 * @file Vectorization: the batching interpreter behind `vmap`. Each tracer carries a value and
 * the axis along which it is batched (`null` = the same for every example).
 */
import type { Array, ShapedArray } from "../core/array.js";
import type { ConcreteArray } from "../core/concrete.js";
import { MissingRuleError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { bind, Trace, Tracer, withMain, type MainTrace } from "../core/trace.js";
import { batchToFront, moveAxis } from "../primitives/util.js";

function unbatchedAval(val: Array, bdim: number | null): ShapedArray {
  if (bdim === null) return val.aval;
  return { shape: val.shape.filter((_, i) => i !== bdim), dtype: val.dtype, weakType: val.weakType };
}

/** A batched value: `val` holds every example along axis `bdim`. */
export class BatchTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly val: Array,
    readonly bdim: number | null,
  ) {
    super(trace, unbatchedAval(val, bdim));
  }
  override fullLower(): Array {
    return this.bdim === null ? this.val : this;
  }
}

/** The batching interpreter; `globalData` is the batch size. */
export class BatchTrace extends Trace {
  get axisSize(): number {
    return this.main.globalData as number;
  }
  pure(x: ConcreteArray): Tracer {
    return new BatchTracer(this, x, null);
  }
  lift(x: Tracer): Tracer {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Array[] {
    const vals = tracers.map((t) => (t as BatchTracer).val);
    const dims = tracers.map((t) => (t as BatchTracer).bdim);
    if (dims.every((d) => d === null)) return bind(prim, vals, params).map((v) => new BatchTracer(this, v, null));
    if (prim.batch === undefined) throw new MissingRuleError("vmap", `primitive '${prim.name}' has no batching rule`);
    const [outs, odims] = prim.batch(vals, dims, params, this.axisSize);
    return outs.map((o, i) => new BatchTracer(this, o, odims[i]!));
  }
}

/**
 * Vectorize a flat function: inputs batched along `inDims` (null = broadcast), outputs returned
 * with their batch axis at `outDims` (null = must be unbatched; a batched output there is an error).
 */
export function vmapFlat(
  fn: (...xs: Array[]) => Array[],
  inDims: readonly (number | null)[],
  axisSize: number,
  args: readonly Array[],
  outDims?: readonly (number | null)[] | (() => readonly (number | null)[]),
): Array[] {
  return withMain(
    "vmap",
    (m: MainTrace) => new BatchTrace(m),
    axisSize,
    (main) => {
      const trace = main.trace;
      const ins = args.map((a, i) => new BatchTracer(trace, a, inDims[i] ?? null));
      const outs = fn(...ins);
      // Output axes may depend on the output's structure, known only now that fn has run.
      const dims = typeof outDims === "function" ? outDims() : outDims;
      return outs.map((o, i) => {
        const want = dims ? dims[i]! : 0;
        let val: Array;
        let bdim: number | null;
        if (o instanceof BatchTracer && o.trace.main === main) {
          val = o.val;
          bdim = o.bdim;
        } else {
          val = o;
          bdim = null;
        }
        if (want === null) {
          if (bdim !== null) throw new MissingRuleError("vmap", `output ${i} is batched but outAxes says null (unbatched)`);
          return val;
        }
        const front = batchToFront(val, bdim, axisSize);
        return moveAxis(front, 0, want < 0 ? want + front.ndim : want);
      });
    },
  );
}

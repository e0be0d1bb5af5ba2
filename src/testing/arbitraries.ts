/**
 * @file fast-check arbitraries for property tests: shapes, broadcast-compatible shape pairs and
 * arrays (with dtype, bounds, finiteness, and a margin away from non-differentiable points).
 */
import fc from "fast-check";
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { allocate, type DType } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";

/** Options of {@link shapes}. */
export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  minSide?: number;
  maxSide?: number;
}

/** Random shapes (default rank 0..3, sides 1..4). */
export function shapes(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minSide = 1, maxSide = 4 } = opts;
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank });
}

/** Pairs of shapes that broadcast together (some axes of one side replaced by 1, or dropped in front). */
export function broadcastShapePairs(opts: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapes(opts).chain((s) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.integer({ min: 0, max: s.length }),
      )
      .map(([m1, m2, drop]) => {
        const a = s.map((d, i) => (m1[i] ? 1 : d));
        const b = s.map((d, i) => (m2[i] && !m1[i] ? 1 : d)).slice(drop);
        return [a, b] as [number[], number[]];
      }),
  );
}

/** Options of {@link arrays}. */
export interface ArrayOptions {
  /** Fixed shape, or an arbitrary of shapes (default {@link shapes}()). */
  shape?: readonly number[] | fc.Arbitrary<number[]>;
  /** Dtype (default float64, as gradient checks use). */
  dtype?: DType;
  /** Lower bound (default -3). */
  min?: number;
  /** Upper bound (default 3). */
  max?: number;
  /** Keep values at least `margin` away from each of these points (e.g. `[0]` for `abs`). */
  avoid?: readonly number[];
  /** Distance kept from the `avoid` points (default 0.05). */
  margin?: number;
}

/** Random concrete arrays. Floats are finite and within `[min, max]`; ints are integers in range. */
export function arrays(opts: ArrayOptions = {}): fc.Arbitrary<Array> {
  const dtype = opts.dtype ?? "float64";
  const min = opts.min ?? -3;
  const max = opts.max ?? 3;
  const margin = opts.margin ?? 0.05;
  const avoid = opts.avoid ?? [];
  const shapeArb = opts.shape === undefined ? shapes() : globalThis.Array.isArray(opts.shape) ? fc.constant([...(opts.shape as number[])]) : (opts.shape as fc.Arbitrary<number[]>);
  return shapeArb.chain((shape) => {
    const n = sizeOf(shape);
    const elem: fc.Arbitrary<number> =
      dtype === "bool"
        ? fc.integer({ min: 0, max: 1 })
        : dtype === "int32" || dtype === "uint32"
          ? fc.integer({ min: Math.ceil(dtype === "uint32" ? Math.max(0, min) : min), max: Math.floor(max) })
          : fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => {
              for (const p of avoid) if (Math.abs(v - p) < margin) v = v >= p ? p + margin : p - margin;
              return v;
            });
    return fc.array(elem, { minLength: n, maxLength: n }).map((vals) => {
      const data = allocate(dtype, n);
      vals.forEach((v, i) => (data[i] = v));
      return new ConcreteArray(data, shape, dtype) as Array;
    });
  });
}

/**
 * @file Loop-nest planning shared by both code generators. A cluster iterates over its shape in
 * row-major order; every port (leaf read, output write, reduction accumulator) advances by its own
 * stride per axis. Axes of size 1 are dropped and adjacent axes are merged whenever every port
 * steps through them contiguously and they agree on being reduced or kept, so most clusters
 * become a single flat loop (the case the Wasm path vectorizes best).
 */
import { stridesOf, type Shape } from "../core/shape.js";
import type { Cluster } from "./fuse.js";

/** A loop nest over coalesced axes. */
export interface LoopPlan {
  /** Extent per loop, outermost first (at least one loop). */
  readonly dims: readonly number[];
  /** Whether each loop runs over reduced axes. */
  readonly reduced: readonly boolean[];
  /** Per port, the element stride per loop. */
  readonly strides: readonly (readonly number[])[];
}

/** Strides of a reduction accumulator: row-major over the kept axes, 0 on reduced ones. */
export function accumulatorStrides(shape: Shape, reduceAxes: readonly number[]): number[] {
  const kept = shape.filter((_, i) => !reduceAxes.includes(i));
  const ks = stridesOf(kept);
  const st: number[] = [];
  let k = 0;
  for (let i = 0; i < shape.length; i++) st.push(reduceAxes.includes(i) ? 0 : ks[k++]!);
  return st;
}

/**
 * The ports of a cluster in kernel order: leaves first, then outputs (row-major stores or
 * accumulators). Returns each port's strides over the cluster shape.
 */
export function clusterPortStrides(c: Cluster): number[][] {
  const rowMajor = stridesOf(c.shape);
  const acc = c.reduceAxes === null ? rowMajor : accumulatorStrides(c.shape, c.reduceAxes);
  return [...c.leaves.map((l) => [...l.strides]), ...c.outputs.map((o) => (o.reduce === null ? rowMajor : acc))];
}

/** Drop unit axes and merge contiguous ones (see the file comment). */
export function planLoops(shape: Shape, reduceAxes: readonly number[] | null, ports: readonly (readonly number[])[]): LoopPlan {
  const red = new Set(reduceAxes ?? []);
  const axes = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  if (axes.length === 0) return { dims: [1], reduced: [false], strides: ports.map(() => [0]) };
  const dims: number[] = [shape[axes[0]!]!];
  const reduced: boolean[] = [red.has(axes[0]!)];
  const strides = ports.map((p) => [p[axes[0]!]!]);
  for (let k = 1; k < axes.length; k++) {
    const ax = axes[k]!;
    const d = shape[ax]!;
    const r = red.has(ax);
    const last = dims.length - 1;
    // Outer axis (last) merges with this inner one when stride(outer) == stride(inner) * extent(inner).
    const mergeable = reduced[last] === r && ports.every((p, i) => strides[i]![last] === p[ax]! * d);
    if (mergeable) {
      dims[last] = dims[last]! * d;
      ports.forEach((p, i) => (strides[i]![last] = p[ax]!));
    } else {
      dims.push(d);
      reduced.push(r);
      ports.forEach((p, i) => strides[i]!.push(p[ax]!));
    }
  }
  return { dims, reduced, strides };
}

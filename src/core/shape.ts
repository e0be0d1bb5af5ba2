/**
 * @file Shape arithmetic: broadcasting, axis normalization, strides, validation.
 */
import { fmtShape, ShapeError, ValueError } from "./errors.js";

/** A shape: non-negative integer sizes, row-major. */
export type Shape = readonly number[];

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides (in elements). */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** True when two shapes are identical. */
export function shapeEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws a ShapeError naming `fn` when they are incompatible. */
export function broadcastShapes(fn: string, a: Shape, b: Shape): Shape {
  if (shapeEqual(a, b)) return a;
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(fn, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (axis ${i - n}: ${da} vs ${db})`);
  }
  return out;
}

/** Broadcast any number of shapes. */
export function broadcastAll(fn: string, shapes: Shape[]): Shape {
  let acc: Shape = shapes[0] ?? [];
  for (let i = 1; i < shapes.length; i++) acc = broadcastShapes(fn, acc, shapes[i]!);
  return acc;
}

/** Normalize one axis (negative counts from the end); throws a ValueError naming `fn` when out of range. */
export function normalizeAxis(fn: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis)) throw new ValueError(fn, `axis must be an integer, got ${axis}`);
  if (axis < -ndim || axis >= ndim) {
    throw new ValueError(fn, `axis ${axis} is out of bounds for an array of dimension ${ndim} (valid: ${-ndim}..${ndim - 1})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Normalize an `axis` argument (number, list, or null/undefined = all axes) to a sorted list of
 * distinct non-negative axes.
 */
export function normalizeAxes(fn: string, axis: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(fn, a, ndim));
  if (new Set(out).size !== out.length) throw new ValueError(fn, `repeated axis in ${JSON.stringify(list)}`);
  return out.sort((x, y) => x - y);
}

/** Validate a user-given shape: a list of non-negative integers. */
export function checkShape(fn: string, shape: unknown): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(list) || !list.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ValueError(fn, `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return list as number[];
}

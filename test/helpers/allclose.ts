/**
 * @file Assertions for array tests: compare an Array with expected nested JS values (shape, dtype
 * and values within a tolerance; NaN matches NaN, infinities match exactly).
 */
import { expect } from "vitest";
import type { Array } from "../../src/core/array.js";
import type { DType } from "../../src/core/dtype.js";

/** Options of {@link expectArray}. */
export interface CloseOptions {
  /** Expected dtype, checked when given. */
  dtype?: DType;
  /** Relative tolerance (default 1e-6, about float32's precision). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
}

/** The shape of nested JS lists (read along the first elements). */
export function shapeOfNested(v: unknown): number[] {
  const shape: number[] = [];
  while (globalThis.Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function flat(v: unknown, out: (number | boolean)[] = []): (number | boolean)[] {
  if (globalThis.Array.isArray(v)) for (const e of v) flat(e, out);
  else out.push(v as number | boolean);
  return out;
}

/** True when `a` and `b` agree within `|a - b| <= atol + rtol * |b|` (NaN equals NaN). */
export function close(a: number, b: number, rtol = 1e-6, atol = 1e-6): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/**
 * Expect `actual` to have the shape of `expected` (nested lists or a scalar), the given dtype,
 * and values close to it. Booleans compare exactly.
 */
export function expectArray(actual: Array, expected: unknown, opts: CloseOptions = {}): void {
  const shape = shapeOfNested(expected);
  expect(actual.shape, "shape").toEqual(shape);
  if (opts.dtype !== undefined) expect(actual.dtype, "dtype").toBe(opts.dtype);
  const got = flat(actual.tolist());
  const want = flat(expected);
  expect(got.length, "size").toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (typeof w === "boolean" || typeof g === "boolean") {
      if (g !== w) expect.fail(`element ${i}: got ${String(g)}, expected ${String(w)} (actual ${JSON.stringify(actual.tolist())})`);
    } else if (!close(g, w, opts.rtol, opts.atol)) {
      expect.fail(`element ${i}: got ${g}, expected ${w} (actual ${JSON.stringify(actual.tolist())})`);
    }
  }
}

/** Expect two arrays to have equal shapes, dtypes and (exactly) equal values. */
export function expectSameArray(a: Array, b: Array): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  expect(a.tolist()).toEqual(b.tolist());
}

/**
 * @file fast-check arbitraries and assertions shared by the data-loader tests: raw arrays whose bits cover NaN
 * payloads, signed zeros, infinities and subnormals, and a bit-exact comparison.
 */

import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { expect } from "vitest";
import { itemsize, storageOf, type DType } from "../../src/core/dtype.js";
import type { DataError } from "../../src/data/errors.js";
import { validateRawArray, type RawArray } from "../../src/data/raw.js";

export const dtypeArb: fc.Arbitrary<DType> = fc.constantFrom("float32", "float64", "int32", "uint32", "bool");

export const shapeArb: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 });

/** Little-endian bit patterns that stress a codec: quiet/signalling NaNs with payloads, -0, ±inf, subnormals. */
const SPECIAL_F32 = [0x7fc00000, 0x7f800001, 0xffc00001, 0x7fbfffff, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff];
const SPECIAL_F64: [number, number][] = [
  [0x00000000, 0x7ff80000], // quiet NaN
  [0x00000001, 0x7ff00000], // signalling NaN, payload 1
  [0xdeadbeef, 0xfff7ffff], // negative NaN, big payload
  [0x00000000, 0x80000000], // -0
  [0x00000000, 0x7ff00000], // +inf
  [0x00000000, 0xfff00000], // -inf
  [0x00000001, 0x00000000], // smallest subnormal
];

function elementBytesArb(dtype: DType): fc.Arbitrary<number[]> {
  const size = itemsize(dtype);
  const random = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: size, maxLength: size });
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  switch (dtype) {
    case "bool":
      return fc.constantFrom([0], [1]);
    case "float32":
      return fc.oneof(random, fc.constantFrom(...SPECIAL_F32.map(u32)));
    case "float64":
      return fc.oneof(random, fc.constantFrom(...SPECIAL_F64.map(([lo, hi]) => [...u32(lo), ...u32(hi)])));
    default:
      return fc.oneof(random, fc.constantFrom(u32(0), u32(0xffffffff), u32(0x80000000), u32(0x7fffffff)));
  }
}

/** A consistent RawArray of any supported dtype (bit patterns written little-endian, as on every Node host). */
export function rawArrayArb(dtype?: DType): fc.Arbitrary<RawArray> {
  return fc
    .tuple(dtype === undefined ? dtypeArb : fc.constant(dtype), shapeArb)
    .chain(([dt, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.array(elementBytesArb(dt), { minLength: n, maxLength: n }).map((elements): RawArray => {
        const bytes = Uint8Array.from(elements.flat());
        return { dtype: dt, shape, data: new storageOf[dt](bytes.buffer) };
      });
    });
}

/** Bytes of a typed array's storage. */
export function bytesOf(raw: RawArray): Uint8Array {
  return new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
}

/** Assert two raw arrays agree in dtype, shape, storage class and every bit. */
export function expectSameBits(actual: RawArray, expected: RawArray): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect([...actual.shape]).toEqual([...expected.shape]);
  expect(actual.data.constructor).toBe(expected.data.constructor);
  expect(Buffer.from(bytesOf(actual)).equals(Buffer.from(bytesOf(expected)))).toBe(true);
}

/** Unwrap a Right or fail the test with the error's message. */
export function unwrap<A>(e: E.Either<DataError, A>): A {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${e.left._tag}: ${e.left.message}`);
  return e.right;
}

/** The message of a Left, failing the test on a Right. */
export function leftMessage<A>(e: E.Either<DataError, A>): string {
  if (E.isRight(e)) throw new Error(`expected Left, got Right`);
  return e.left.message;
}

/** Assert a parser result is a Left with a non-empty message or a Right holding only consistent arrays. */
export function expectWellFormed(result: E.Either<DataError, RawArray[]>, inputBytes: number): void {
  if (E.isLeft(result)) {
    expect(typeof result.left._tag).toBe("string");
    expect(result.left.message.length).toBeGreaterThan(10);
    return;
  }
  let total = 0;
  for (const raw of result.right) {
    expect(E.isRight(validateRawArray("test", raw))).toBe(true);
    total += raw.data.byteLength;
  }
  // The widest widening (1-byte ints to int32) quadruples the bytes: nothing may allocate beyond that.
  expect(total).toBeLessThanOrEqual(4 * inputBytes);
}

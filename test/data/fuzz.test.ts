/**
 * @file Fuzzing the parsers: random bytes, structured near-valid headers, truncated and bit-flipped valid files
 * and random text. Every case must return a Left with a message or a consistent Right; nothing may throw or
 * allocate more than the input implies (checked by `expectWellFormed`).
 */

import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import type { DataError } from "../../src/data/errors.js";
import { parseCsv } from "../../src/data/loaders/csv.js";
import { parseIdx } from "../../src/data/loaders/idx.js";
import { encodeNpy, parseNpy } from "../../src/data/loaders/npy.js";
import { encodeSafetensors, parseSafetensors } from "../../src/data/loaders/safetensors.js";
import type { RawArray } from "../../src/data/raw.js";
import { expectWellFormed, rawArrayArb } from "./arbitraries.js";

type Parser = (bytes: Uint8Array) => E.Either<DataError, RawArray[]>;

const PARSERS: Record<"idx" | "npy" | "safetensors", Parser> = {
  idx: (b) => E.map((r: RawArray) => [r])(parseIdx(b)),
  npy: (b) => E.map((r: RawArray) => [r])(parseNpy(b)),
  safetensors: (b) => E.map((f: { tensors: Record<string, RawArray> }) => Object.values(f.tensors))(parseSafetensors(b)),
};

const IDX_SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** A valid IDX file of random type, shape and content. */
const idxFileArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
  .chain(([type, dims]) => {
    const n = dims.reduce((a, b) => a * b, 1) * IDX_SIZES[type]!;
    return fc.uint8Array({ minLength: n, maxLength: n }).map((data) => {
      const out = new Uint8Array(4 + 4 * dims.length + n);
      out.set([0, 0, type, dims.length]);
      dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
      out.set(data, 4 + 4 * dims.length);
      return out;
    });
  });

const tensorsArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 6 }).filter((n) => n !== "__metadata__"),
  rawArrayArb(),
  { maxKeys: 4 },
);

const VALID_FILES: Record<keyof typeof PARSERS, fc.Arbitrary<Uint8Array>> = {
  idx: idxFileArb,
  npy: rawArrayArb().map(encodeNpy),
  safetensors: fc.tuple(tensorsArb, fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 2 })).map(([t, m]) => encodeSafetensors(t, m)),
};

/** Flip `flips` random bits of a copy of `bytes`. */
const bitFlipped = (file: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  file
    .filter((b) => b.length > 0)
    .chain((b) =>
      fc.array(fc.nat({ max: b.length * 8 - 1 }), { minLength: 1, maxLength: 8 }).map((bits) => {
        const copy = b.slice();
        for (const bit of bits) copy[bit >> 3]! ^= 1 << (bit & 7);
        return copy;
      }),
    );

/** A strict prefix of a valid file. */
const truncated = (file: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  file.filter((b) => b.length > 0).chain((b) => fc.nat({ max: b.length - 1 }).map((n) => b.slice(0, n)));

const RUNS = 1000;

describe.each(Object.keys(PARSERS) as (keyof typeof PARSERS)[])("fuzzing parse %s", (format) => {
  const parse = PARSERS[format];

  it("random bytes return a Left or a consistent Right, never throw", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => expectWellFormed(parse(b), b.length)), { numRuns: RUNS * 2 });
  });

  it("valid files parse", () => {
    fc.assert(
      fc.property(VALID_FILES[format], (b) => {
        expect(E.isRight(parse(b))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("every truncation of a valid file is a Left", () => {
    fc.assert(
      fc.property(truncated(VALID_FILES[format]), (b) => {
        const r = parse(b);
        expect(E.isLeft(r)).toBe(true);
        expectWellFormed(r, b.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("bit-flipped valid files return a Left or a consistent Right, never throw", () => {
    fc.assert(fc.property(bitFlipped(VALID_FILES[format]), (b) => expectWellFormed(parse(b), b.length)), { numRuns: RUNS });
  });

  it("a valid file with random bytes appended or spliced in never throws", () => {
    fc.assert(
      fc.property(VALID_FILES[format], fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), (b, extra, at) => {
        const i = at % (b.length + 1);
        const spliced = new Uint8Array([...b.subarray(0, i), ...extra, ...b.subarray(i)]);
        expectWellFormed(parse(spliced), spliced.length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("structured fuzzing of headers", () => {
  const enc = new TextEncoder();

  it("NPY: random Python-literal headers never throw", () => {
    const token = fc.constantFrom(
      "{", "}", "(", ")", "[", "]", ",", ":", " ", "'descr'", "'fortran_order'", "'shape'", "'<f4'", "'>i8'", "'|b1'",
      "'<c8'", "'|O'", "True", "False", "None", "0", "3", "-1", "99999999999999999999", "2L", "'", '"', "\\", "x",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2, 3), (tokens, data, version) => {
        const header = enc.encode(tokens.join(""));
        const lenBytes = version === 1 ? 2 : 4;
        const b = new Uint8Array(8 + lenBytes + header.length + data.length);
        b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
        if (lenBytes === 2) new DataView(b.buffer).setUint16(8, header.length, true);
        else new DataView(b.buffer).setUint32(8, header.length, true);
        b.set(header, 8 + lenBytes);
        b.set(data, 8 + lenBytes + header.length);
        expectWellFormed(PARSERS.npy(b), b.length);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("safetensors: random JSON headers with plausible and implausible entries never throw", () => {
    const num = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(1e20, 2 ** 53, 0.5, -0, NaN), fc.nat());
    const info = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom("F32", "F64", "I32", "U32", "BOOL", "F16", "BF16", "U8", "I64", "U64", "F8_E4M3", "X"), fc.anything()),
        shape: fc.oneof(fc.array(num, { maxLength: 3 }), fc.anything()),
        data_offsets: fc.oneof(fc.tuple(num, num), fc.array(num, { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const header = fc.dictionary(
      fc.oneof(fc.string({ maxLength: 4 }), fc.constant("__metadata__")),
      fc.oneof(info, fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer())), fc.anything()),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 8 }), (h, data, pad) => {
        const json = enc.encode(JSON.stringify(h) + " ".repeat(pad));
        const b = new Uint8Array(8 + json.length + data.length);
        new DataView(b.buffer).setUint32(0, json.length, true);
        b.set(json, 8);
        b.set(data, 8 + json.length);
        expectWellFormed(PARSERS.safetensors(b), b.length);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("IDX: valid magic with random type, rank and dims never throws", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }), (type, ndim, rest) => {
        const b = new Uint8Array([0, 0, type, ndim, ...rest]);
        expectWellFormed(PARSERS.idx(b), b.length);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("fuzzing parseCsv", () => {
  const check = (text: string, header: boolean): void => {
    const r = parseCsv(text, { header });
    if (E.isLeft(r)) {
      expect(r.left._tag).toBe("ParseError");
      expect(r.left.message.startsWith("parseCsv: ")).toBe(true);
      return;
    }
    const { columns, data } = r.right;
    expect(new Set(columns).size).toBe(columns.length);
    // `columns` carries the order; object keys need not (integer-like names such as "2" enumerate first).
    expect(Object.keys(data).sort()).toEqual([...columns].sort());
    const lengths = new Set(Object.values(data).map((c) => c.length));
    expect(lengths.size).toBeLessThanOrEqual(1);
  };

  it("random CSV-like text returns a Left or a consistent table, never throws", () => {
    const csvChar = fc.constantFrom("a", "1", "2", ".", "-", "e", ",", ",", ";", '"', '"', "\n", "\r", " ", "\t", "NA", "\ufeff", "é");
    fc.assert(
      fc.property(fc.array(csvChar, { maxLength: 80 }).map((cs) => cs.join("")), fc.boolean(), (text, header) => check(text, header)),
      { numRuns: RUNS * 3 },
    );
  });

  it("arbitrary Unicode text never throws", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 120 }), fc.boolean(), (text, header) => check(text, header)), {
      numRuns: RUNS,
    });
  });
});

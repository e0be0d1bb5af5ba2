/**
 * @file Shared byte-level helpers: overflow-free element counts, RawArray validation, element conversions and
 * atomic file writes.
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { DataErrorException, formatDataError, parseError } from "../../src/data/errors.js";
import { decodeElements, elementCount, validateRawArray, writeBytesFile, type RawArray } from "../../src/data/raw.js";

describe("elementCount", () => {
  it("returns the product, 1 for scalars and 0 when any dim is 0, however large the rest", () => {
    expect(elementCount([3, 4], 100)).toBe(12);
    expect(elementCount([], 100)).toBe(1);
    expect(elementCount([2 ** 40, 0, 2 ** 40], 1)).toBe(0);
  });

  it("gives up as soon as the product exceeds the limit (no overflow to Infinity)", () => {
    expect(elementCount([3, 4], 11)).toBeUndefined();
    expect(elementCount(new Array<number>(200).fill(2 ** 50), 1e6)).toBeUndefined();
  });
});

describe("validateRawArray", () => {
  const msg = (raw: unknown): string => {
    const r = validateRawArray("f", raw as RawArray);
    return E.isLeft(r) ? r.left.message : "Right";
  };
  it("explains each inconsistency", () => {
    expect(msg({ dtype: "float32", shape: [2], data: new Float32Array(2) })).toBe("Right");
    expect(msg({ dtype: "float16", shape: [2], data: new Float32Array(2) })).toBe('f: array has dtype "float16"; valid dtypes are float32, float64, int32, uint32, bool');
    expect(msg({ dtype: "int32", shape: [2.5], data: new Int32Array(2) })).toBe("f: array has shape [2.5]; dims must be non-negative integers");
    expect(msg({ dtype: "bool", shape: [2], data: [1, 0] })).toBe("f: array of dtype bool must store its data in a Uint8Array, got Array");
    expect(msg({ dtype: "uint32", shape: [2, 2], data: new Uint32Array(3) })).toBe("f: array has shape [2,2] (4 elements) but its data holds 3 elements");
    expect(msg(null)).toBe("f: array must be { dtype, shape, data }, got null");
  });
});

describe("decodeElements", () => {
  const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
  it("converts by value where layouts differ, and range-checks integer targets", () => {
    expect(decodeElements(bytes(0xff, 0xff, 0xff, 0xff), 0, 1, { kind: "u", size: 4, littleEndian: true }, "int32")).toEqual(
      E.left("element 0 is 4294967295, which int32 cannot hold"),
    );
    expect(decodeElements(bytes(0xff), 0, 1, { kind: "i", size: 1, littleEndian: true }, "uint32")).toEqual(E.left("element 0 is -1, which uint32 cannot hold"));
    expect(decodeElements(bytes(0, 0, 0x80, 0x3f), 0, 1, { kind: "f", size: 4, littleEndian: true }, "int32")).toEqual(
      E.left("cannot convert 32-bit floats to int32 without losing values"),
    );
    expect(decodeElements(bytes(0, 2, 0), 0, 3, { kind: "b", size: 1, littleEndian: true }, "bool")).toEqual(E.right(new Uint8Array([0, 1, 0])));
  });

  it("never reads past the input", () => {
    expect(decodeElements(bytes(1, 2, 3), 1, 1, { kind: "f", size: 4, littleEndian: true }, "float32")).toEqual(
      E.left("needs 4 data bytes at offset 1 but the input has 3 bytes"),
    );
  });
});

describe("writeBytesFile", () => {
  it("creates parent directories, replaces the file atomically and leaves no temporary files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-raw-"));
    try {
      const path = join(dir, "a", "b", "f.bin");
      expect(E.isRight(await writeBytesFile("t", path, new Uint8Array([1, 2]))())).toBe(true);
      expect(E.isRight(await writeBytesFile("t", path, new Uint8Array([3]))())).toBe(true);
      expect([...(await readFile(path))]).toEqual([3]);
      expect(await readdir(join(dir, "a", "b"))).toEqual(["f.bin"]);
      const r = await writeBytesFile("t", join(path, "child"), new Uint8Array(1))();
      expect(E.isLeft(r) && r.left._tag).toBe("IOError");
      expect(E.isLeft(r) && r.left.message).toMatch(/^t: cannot write ".*child": /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("errors", () => {
  it("format and wrap as exceptions", () => {
    const e = parseError("npy", "parseNpy: bad");
    expect(formatDataError(e)).toBe("ParseError: parseNpy: bad");
    const ex = new DataErrorException(e);
    expect(ex).toBeInstanceOf(Error);
    expect([ex.name, ex.message, ex.error]).toEqual(["ParseError", "parseNpy: bad", e]);
  });
});

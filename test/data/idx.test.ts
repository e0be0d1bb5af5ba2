/**
 * @file IDX reader: every element type, dtype conversions, gzip files, and malformed headers.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { parseIdx, readIdxFile } from "../../src/data/loaders/idx.js";
import { leftMessage, unwrap } from "./arbitraries.js";

/** Build an IDX file: magic, big-endian dims, then the given (already big-endian) data bytes. */
function idx(type: number, dims: number[], data: number[] | Uint8Array = []): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, type, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const be = (setter: (v: DataView) => void, n: number): number[] => {
  const v = new DataView(new ArrayBuffer(n));
  setter(v);
  return [...new Uint8Array(v.buffer)];
};

describe("parseIdx", () => {
  it("decodes unsigned bytes (MNIST labels and images) to int32", () => {
    expect(unwrap(parseIdx(idx(0x08, [5], [7, 2, 1, 0, 255])))).toEqual({ dtype: "int32", shape: [5], data: new Int32Array([7, 2, 1, 0, 255]) });
    expect(unwrap(parseIdx(idx(0x08, [2, 1, 2], [1, 2, 3, 4]))).shape).toEqual([2, 1, 2]);
  });

  it("decodes signed bytes, big-endian shorts, ints, floats and doubles", () => {
    expect(Array.from(unwrap(parseIdx(idx(0x09, [2], [0xff, 0x80]))).data)).toEqual([-1, -128]);
    expect(Array.from(unwrap(parseIdx(idx(0x0b, [2], [0xff, 0xfe, 0x01, 0x00]))).data)).toEqual([-2, 256]);
    expect(unwrap(parseIdx(idx(0x0c, [1], be((v) => v.setInt32(0, -123456, false), 4))))).toEqual({ dtype: "int32", shape: [1], data: new Int32Array([-123456]) });
    expect(unwrap(parseIdx(idx(0x0d, [1], be((v) => v.setFloat32(0, -1.5, false), 4))))).toEqual({ dtype: "float32", shape: [1], data: new Float32Array([-1.5]) });
    expect(unwrap(parseIdx(idx(0x0e, [1], be((v) => v.setFloat64(0, Math.PI, false), 8))))).toEqual({ dtype: "float64", shape: [1], data: new Float64Array([Math.PI]) });
  });

  it("keeps float bits exactly (NaN payloads) when byte-swapping", () => {
    const raw = unwrap(parseIdx(idx(0x0d, [1], [0x7f, 0x80, 0x00, 0x01])));
    expect(new Uint32Array(raw.data.buffer)[0]).toBe(0x7f800001);
  });

  it("honours an exact target dtype and refuses a lossy one", () => {
    expect(unwrap(parseIdx(idx(0x08, [2], [0, 255]), { dtype: "float32" }))).toEqual({ dtype: "float32", shape: [2], data: new Float32Array([0, 255]) });
    expect(unwrap(parseIdx(idx(0x0d, [1], be((v) => v.setFloat32(0, 0.1, false), 4)), { dtype: "float64" })).data[0]).toBe(Math.fround(0.1));
    const r = parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), { dtype: "int32" });
    expect(E.isLeft(r) && r.left._tag).toBe("UnsupportedDType");
    expect(leftMessage(r)).toBe("parseIdx: cannot decode IDX float data as int32 exactly; choose one of float32, float64");
  });

  it("reads 0-d and empty arrays", () => {
    expect(unwrap(parseIdx(idx(0x08, [], [9])))).toEqual({ dtype: "int32", shape: [], data: new Int32Array([9]) });
    expect(unwrap(parseIdx(idx(0x0e, [0, 4_000_000_000])))).toEqual({ dtype: "float64", shape: [0, 4_000_000_000], data: new Float64Array(0) });
  });

  const cases: [string, Uint8Array, string][] = [
    ["empty input", new Uint8Array(0), "parseIdx: the input has 0 bytes; an IDX file starts with a 4-byte magic number 0x00 0x00 <type> <ndim>"],
    ["bad magic", new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), "parseIdx: bad magic number: the first two bytes are 0x50 0x4B, an IDX file starts with 0x00 0x00"],
    ["gzip input", gzipSync(idx(0x08, [1], [1])), "parseIdx: the input is gzip-compressed (starts with 0x1F 0x8B); decompress it first or use readIdxFile, which does"],
    ["unknown type", idx(0x0a, [1], [0]), "parseIdx: unknown element type code 0x0A; valid codes are 0x08 (unsigned byte), 0x09 (signed byte), 0x0B (short), 0x0C (int), 0x0D (float), 0x0E (double)"],
    ["truncated dims", idx(0x08, [3, 4]).subarray(0, 9), "parseIdx: the header declares 2 dimensions (12 header bytes) but the input has only 9 bytes"],
    ["too little data", idx(0x0d, [3, 4], new Uint8Array(20)), "parseIdx: header declares shape [3,4] (48 bytes of float) but only 20 data bytes follow"],
    ["trailing data", idx(0x08, [2], [1, 2, 3]), "parseIdx: header declares shape [2] (2 bytes of unsigned byte) but 3 data bytes follow; the file has 1 trailing bytes"],
  ];
  it.each(cases)("rejects %s", (_name, bytes, message) => {
    expect(leftMessage(parseIdx(bytes))).toBe(message);
  });

  it("rejects a huge claimed shape on a tiny file without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(leftMessage(parseIdx(idx(0x0e, [60000, 28, 28], new Uint8Array(64))))).toBe(
      "parseIdx: header declares shape [60000,28,28] (376320000 bytes of double) but only 64 data bytes follow",
    );
    expect(E.isLeft(parseIdx(idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(8))))).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});

describe("readIdxFile", () => {
  it("reads plain and gzip-compressed files and names the path in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-idx-"));
    try {
      const file = idx(0x08, [3], [7, 2, 1]);
      await writeFile(join(dir, "a-idx1-ubyte"), file);
      await writeFile(join(dir, "a-idx1-ubyte.gz"), gzipSync(file));
      await writeFile(join(dir, "bad.gz"), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
      await writeFile(join(dir, "short"), file.subarray(0, 6));
      for (const name of ["a-idx1-ubyte", "a-idx1-ubyte.gz"]) {
        expect(unwrap(await readIdxFile(join(dir, name))())).toEqual({ dtype: "int32", shape: [3], data: new Int32Array([7, 2, 1]) });
      }
      expect(leftMessage(await readIdxFile(join(dir, "bad.gz"))())).toMatch(/^readIdxFile: ".*bad\.gz" starts like gzip but cannot be decompressed/);
      expect(leftMessage(await readIdxFile(join(dir, "short"))())).toMatch(/^parseIdx: the header declares 1 dimensions .* \(in ".*short"\)$/);
      const missing = await readIdxFile(join(dir, "missing"))();
      expect(E.isLeft(missing) && missing.left._tag).toBe("IOError");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

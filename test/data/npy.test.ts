/**
 * @file NPY codec: round trips preserve dtype/shape/bits, files written by NumPy decode correctly, our output is
 * byte-identical to `np.save`, and malformed headers are rejected with precise messages.
 */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { encodeNpy, parseNpy, readNpyFile, writeNpyFile } from "../../src/data/loaders/npy.js";
import type { RawArray } from "../../src/data/raw.js";
import { expectSameBits, leftMessage, rawArrayArb, unwrap } from "./arbitraries.js";

// Files written by NumPy 2.4 (`np.save`), base64-encoded. Generated with, e.g.:
//   np.save("fort.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
//   np.save("be.npy", (np.arange(6, dtype="<f8").reshape(2, 3) * 1.5).astype(">f8"))
//   np.save("bei4.npy", np.array([-5, 7, 2**31 - 1], dtype=">i4"))
//   numpy.lib.format.write_array(fh, np.arange(3, dtype="<f4"), version=(2, 0))   # and (3, 0)
//   np.save("f2.npy", np.array([1.5, -0.0, np.inf, 65504, 6e-8], dtype="<f2"))
//   np.save("i8.npy", np.arange(5)); np.save("i8big.npy", np.array([1, 2**40]))
//   np.save("b1.npy", np.array([[True, False], [False, True]])); np.save("u1.npy", np.array([0, 255], dtype=np.uint8))
//   np.save("i1.npy", np.array([-128, 127], dtype="i1")); np.save("i2.npy", np.array([-300, 7], dtype="<i2"))
//   np.save("u8.npy", np.array([0, 2**32 - 1], dtype="<u8"))
//   np.save("obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True); np.save("scalar.npy", np.float64(3.25))
//   np.save("f4.npy", np.arange(12, dtype="<f4").reshape(3, 4))
const NUMPY = {
  fort: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAADAAAAAQAAAAQAAAACAAAABQAAAABAAAADQAAAAUAAAARAAAACQAAABUAAAACAAAADgAAAAYAAAASAAAACgAAABYAAAADAAAADwAAAAcAAAATAAAACwAAABcAAAA=",
  be: "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAD/4AAAAAAAAQAgAAAAAAABAEgAAAAAAAEAYAAAAAAAAQB4AAAAAAAA=",
  bei4: "k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr////7AAAAB3////8=",
  v2: "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEA=",
  v3: "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEA=",
  f2: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPgCAAHz/ewEA",
  i8: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAADAAAAAAAAAAQAAAAAAAAA",
  i8big: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAAAAAAAAAQAA",
  b1: "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAB",
  u1: "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoA/w==",
  i1: "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAfw==",
  i2: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIArU/gcA",
  u8: "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAP////8AAAAA",
  obj: "k05VTVBZAQB2AHsnZGVzY3InOiAnfE8nLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqABJWQAAAAAAAAAIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgDjAVkdHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlChLAYwBYZRldJRiLg==",
  scalar: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAKQA==",
  f4: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsIDQpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEAAAMBAAADgQAAAAEEAABBBAAAgQQAAMEE=",
} as const;

const numpyFile = (name: keyof typeof NUMPY): Uint8Array => new Uint8Array(Buffer.from(NUMPY[name], "base64"));

/** Build an NPY v1.0 file from a header dict text and data bytes (for malformed-input cases). */
function npyWith(dict: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const header = new TextEncoder().encode(`${dict}\n`);
  const lenBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, 8 + lenBytes);
  out.set(data, 8 + lenBytes + header.length);
  return out;
}

describe("encodeNpy / parseNpy round trip", () => {
  it("preserves dtype, shape and every bit (NaN payloads, -0, infinities) for all dtypes", () => {
    fc.assert(
      fc.property(rawArrayArb(), (raw) => {
        expectSameBits(unwrap(parseNpy(encodeNpy(raw))), raw);
      }),
      { numRuns: 300 },
    );
  });

  it("pads the header to a multiple of 64 bytes and ends it with a newline", () => {
    fc.assert(
      fc.property(rawArrayArb(), (raw) => {
        const bytes = encodeNpy(raw);
        const headerLen = new DataView(bytes.buffer).getUint16(8, true);
        expect((10 + headerLen) % 64).toBe(0);
        expect(bytes[10 + headerLen - 1]).toBe(0x0a);
      }),
      { numRuns: 100 },
    );
  });

  it("writes and reads files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-npy-"));
    try {
      const raw: RawArray = { dtype: "float64", shape: [2, 2], data: new Float64Array([1, -0, NaN, Infinity]) };
      const path = join(dir, "nested", "a.npy");
      expect(E.isRight(await writeNpyFile(path, raw)())).toBe(true);
      expectSameBits(unwrap(await readNpyFile(path)()), raw);
      expect(new Uint8Array(await readFile(path))).toEqual(encodeNpy(raw));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writeNpyFile returns InvalidArray for inconsistent input and IOError for unreadable paths", async () => {
    const bad = { dtype: "float32", shape: [3], data: new Float32Array(2) } as RawArray;
    const r = await writeNpyFile(join(tmpdir(), "never-written.npy"), bad)();
    expect(E.isLeft(r) && r.left._tag).toBe("InvalidArray");
    expect(leftMessage(r)).toBe("writeNpyFile: array has shape [3] (3 elements) but its data holds 2 elements");
    expect(() => encodeNpy(bad)).toThrow("encodeNpy: array has shape [3] (3 elements) but its data holds 2 elements");
    const wrongStorage = { dtype: "int32", shape: [1], data: new Float32Array(1) } as unknown as RawArray;
    expect(() => encodeNpy(wrongStorage)).toThrow("encodeNpy: array of dtype int32 must store its data in a Int32Array, got Float32Array");
    const missing = await readNpyFile(join(tmpdir(), "does-not-exist-tessera.npy"))();
    expect(E.isLeft(missing) && missing.left._tag).toBe("IOError");
    expect(leftMessage(missing)).toMatch(/^readNpyFile: cannot read ".*does-not-exist-tessera\.npy": ENOENT/);
  });
});

describe("parseNpy reads files written by NumPy", () => {
  it("is byte-identical to np.save for the exact dtypes", () => {
    for (const name of ["f4", "b1", "scalar"] as const) {
      const bytes = numpyFile(name);
      expect(encodeNpy(unwrap(parseNpy(bytes)))).toEqual(bytes);
    }
  });

  it("decodes C-order float32, 0-d float64 and bool", () => {
    expect(unwrap(parseNpy(numpyFile("f4")))).toEqual({ dtype: "float32", shape: [3, 4], data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) });
    expect(unwrap(parseNpy(numpyFile("scalar")))).toEqual({ dtype: "float64", shape: [], data: new Float64Array([3.25]) });
    expect(unwrap(parseNpy(numpyFile("b1")))).toEqual({ dtype: "bool", shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) });
  });

  it("transposes fortran_order=True data into C order", () => {
    const raw = unwrap(parseNpy(numpyFile("fort")));
    expect(raw.shape).toEqual([2, 3, 4]);
    expect(Array.from(raw.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it("byte-swaps big-endian files", () => {
    expect(unwrap(parseNpy(numpyFile("be")))).toEqual({ dtype: "float64", shape: [2, 3], data: new Float64Array([0, 1.5, 3, 4.5, 6, 7.5]) });
    expect(Array.from(unwrap(parseNpy(numpyFile("bei4"))).data)).toEqual([-5, 7, 2147483647]);
  });

  it("reads format versions 2.0 and 3.0", () => {
    for (const name of ["v2", "v3"] as const) {
      expect(unwrap(parseNpy(numpyFile(name)))).toEqual({ dtype: "float32", shape: [3], data: new Float32Array([0, 1, 2]) });
    }
  });

  it("widens float16 and small integers, range-checks int64", () => {
    expect(Array.from(unwrap(parseNpy(numpyFile("f2"))).data)).toEqual([1.5, -0, Infinity, 65504, 2 ** -24]);
    expect(Object.is(unwrap(parseNpy(numpyFile("f2"))).data[1], -0)).toBe(true);
    expect(unwrap(parseNpy(numpyFile("u1")))).toEqual({ dtype: "int32", shape: [2], data: new Int32Array([0, 255]) });
    expect(unwrap(parseNpy(numpyFile("i1")))).toEqual({ dtype: "int32", shape: [2], data: new Int32Array([-128, 127]) });
    expect(unwrap(parseNpy(numpyFile("i2")))).toEqual({ dtype: "int32", shape: [2], data: new Int32Array([-300, 7]) });
    expect(unwrap(parseNpy(numpyFile("i8")))).toEqual({ dtype: "int32", shape: [5], data: new Int32Array([0, 1, 2, 3, 4]) });
    expect(unwrap(parseNpy(numpyFile("u8")))).toEqual({ dtype: "uint32", shape: [2], data: new Uint32Array([0, 4294967295]) });
    expect(leftMessage(parseNpy(numpyFile("i8big")))).toBe(
      "parseNpy: cannot decode <i8 data as int32: element 1 is 1099511627776, which int32 cannot hold",
    );
  });

  it("rejects object arrays with an UnsupportedDType naming the problem", () => {
    const r = parseNpy(numpyFile("obj"));
    expect(E.isLeft(r) && r.left._tag).toBe("UnsupportedDType");
    expect(leftMessage(r)).toContain("parseNpy: the file holds an object array (pickled Python objects)");
  });
});

describe("parseNpy rejects malformed input with a clear message", () => {
  const f32 = (n: number): Uint8Array => new Uint8Array(n * 4);
  const cases: [string, Uint8Array, string][] = [
    ["empty input", new Uint8Array(0), "parseNpy: not an NPY file: it must start with the magic bytes \\x93NUMPY followed by a version (the input has 0 bytes)"],
    ["wrong magic", new TextEncoder().encode("PK\u0003\u0004 this is a zip"), "parseNpy: not an NPY file"],
    ["unknown version", (() => { const b = npyWith("{}"); b[6] = 4; return b; })(), "parseNpy: unsupported format version 4.0; valid versions are 1.0, 2.0 and 3.0"],
    ["header longer than the file", (() => { const b = npyWith("{}"); b[8] = 200; return b; })(), "parseNpy: the header length field says 200 bytes but only 3 bytes follow it"],
    ["shape larger than the data", npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", f32(5)),
      "parseNpy: header declares shape [3,4] (48 bytes of <f4) but only 20 data bytes follow"],
    ["trailing bytes", npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32(3)),
      "parseNpy: header declares shape [2] (8 bytes of <f4) but 12 data bytes follow; the file has 4 trailing bytes"],
    ["missing key", npyWith("{'descr': '<f4', 'shape': (2,), }", f32(2)),
      "parseNpy: the header must have exactly the keys 'descr', 'fortran_order', 'shape'; found 'descr', 'shape'"],
    ["extra key", npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", f32(2)),
      "parseNpy: the header must have exactly the keys 'descr', 'fortran_order', 'shape'; found 'descr', 'fortran_order', 'shape', 'x'"],
    ["negative dim", npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), "parseNpy: 'shape' must hold non-negative integers below 2^53, got -1"],
    ["float dim", npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }"), "parseNpy: malformed header"],
    ["non-bool fortran_order", npyWith("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }", f32(1)), "parseNpy: 'fortran_order' must be True or False, got a int"],
    ["unterminated string", npyWith("{'descr': '<f4"), "parseNpy: malformed header"],
    ["not a dict", npyWith("[1, 2]"), "parseNpy: the header must be a dict literal"],
    ["complex dtype", npyWith("{'descr': '<c16', 'fortran_order': False, 'shape': (), }", new Uint8Array(16)), "parseNpy: descr <c16 is a complex type"],
    ["structured dtype", npyWith("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }"), "parseNpy: the array has a structured (record) dtype"],
    ["ambiguous byte order", npyWith("{'descr': '|f4', 'fortran_order': False, 'shape': (), }", f32(1)), "parseNpy: descr |f4 has no byte order ('|') but items of 4 bytes"],
    ["deep nesting", npyWith(`{'descr': ${"(".repeat(5000)}`), "parseNpy: malformed header"],
  ];
  it.each(cases)("%s", (_name, bytes, message) => {
    const r = parseNpy(bytes);
    expect(leftMessage(r).startsWith(message)).toBe(true);
  });

  it("accepts the header variants other writers produce (Python 2 longs, double quotes, no trailing comma)", () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    for (const dict of [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
      '{"shape": (2, 3), "descr": "<f4", "fortran_order": False}',
      "{'descr':'<f4','fortran_order':False,'shape':[2,3]}",
    ]) {
      expect(unwrap(parseNpy(npyWith(dict, data)))).toEqual({ dtype: "float32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    }
    expect(unwrap(parseNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data, 2))).shape).toEqual([2, 3]);
  });

  it("rejects a huge claimed shape on a tiny file without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    const r = parseNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (200000000, 1000000000), }", new Uint8Array(16)));
    expect(leftMessage(r)).toBe(
      "parseNpy: header declares shape [200000000,1000000000] (1600000000000000000 bytes of <f8) but only 16 data bytes follow",
    );
    const r2 = parseNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (250000000,), }", new Uint8Array(16)));
    expect(E.isLeft(r2)).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});

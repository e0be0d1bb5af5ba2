/**
 * @file safetensors codec: round trips preserve dtype/shape/bits, output matches the reference implementation's
 * bytes, and every rule of the spec (header size, offsets tiling the buffer, dtypes, metadata) is enforced.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import {
  encodeSafetensors,
  parseSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
} from "../../src/data/loaders/safetensors.js";
import type { RawArray } from "../../src/data/raw.js";
import { expectSameBits, leftMessage, rawArrayArb, unwrap } from "./arbitraries.js";

const enc = new TextEncoder();

/** Assemble a file from a header string (used verbatim, no padding) and data bytes. */
function fileWith(header: string, data: Uint8Array | number[] = []): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const f32Bytes = (...xs: number[]): number[] => [...new Uint8Array(new Float32Array(xs).buffer)];

describe("encodeSafetensors / parseSafetensors round trip", () => {
  it("preserves names, dtypes, shapes, every bit and the metadata", () => {
    const names = fc.string({ minLength: 1, maxLength: 8 }).filter((n) => n !== "__metadata__");
    fc.assert(
      fc.property(
        fc.dictionary(names, rawArrayArb(), { maxKeys: 5 }),
        fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
        (tensors, metadata) => {
          const file = unwrap(parseSafetensors(encodeSafetensors(tensors, metadata)));
          expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [name, raw] of Object.entries(tensors)) expectSameBits(file.tensors[name]!, raw);
          expect(file.metadata).toEqual(metadata);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("pads the header to 8 bytes and aligns every tensor's data to its item size", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }).filter((n) => n !== "__metadata__"), rawArrayArb(), { maxKeys: 6 }), (tensors) => {
        const bytes = encodeSafetensors(tensors);
        const n = new DataView(bytes.buffer).getUint32(0, true);
        expect(n % 8).toBe(0);
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
        const size: Record<string, number> = { F64: 8, F32: 4, I32: 4, U32: 4, BOOL: 1 };
        for (const info of Object.values(header)) expect((8 + n + info.data_offsets[0]) % size[info.dtype]!).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps a tensor named __proto__ as data", () => {
    const tensors = Object.fromEntries([["__proto__", { dtype: "int32", shape: [1], data: new Int32Array([5]) } as RawArray]]);
    const file = unwrap(parseSafetensors(encodeSafetensors(tensors)));
    expect(Object.keys(file.tensors)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(file.tensors)).toBe(Object.prototype);
  });

  it("writes and reads files; bad input is InvalidArray, a missing file IOError", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-st-"));
    try {
      const tensors: Record<string, RawArray> = {
        w: { dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, NaN]) },
        flag: { dtype: "bool", shape: [], data: new Uint8Array([1]) },
      };
      const path = join(dir, "sub", "params.safetensors");
      expect(E.isRight(await writeSafetensorsFile(path, tensors, { format: "tessera" })())).toBe(true);
      const file = unwrap(await readSafetensorsFile(path)());
      expectSameBits(file.tensors.w!, tensors.w!);
      expectSameBits(file.tensors.flag!, tensors.flag!);
      expect(file.metadata).toEqual({ format: "tessera" });

      const bad = await writeSafetensorsFile(path, { x: { dtype: "float64", shape: [2], data: new Float32Array(2) } })();
      expect(leftMessage(bad)).toBe('writeSafetensorsFile: tensor "x" of dtype float64 must store its data in a Float64Array, got Float32Array');
      const reserved = await writeSafetensorsFile(path, { __metadata__: tensors.w! })();
      expect(leftMessage(reserved)).toBe('writeSafetensorsFile: "__metadata__" is reserved and cannot name a tensor');
      const meta = await writeSafetensorsFile(path, {}, { n: 3 as unknown as string })();
      expect(leftMessage(meta)).toBe('writeSafetensorsFile: metadata values must be strings; key "n" holds number');
      const missing = await readSafetensorsFile(join(dir, "nope.safetensors"))();
      expect(E.isLeft(missing) && missing.left._tag).toBe("IOError");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("encodeSafetensors matches the reference implementation (huggingface/safetensors tensor.rs tests)", () => {
  const le64 = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];

  it("one F32 tensor whose header needs no padding", () => {
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    const out = encodeSafetensors({ "attn.0": { dtype: "float32", shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect([...out]).toEqual([...le64(64), ...enc.encode(header), ...f32Bytes(0, 1, 2, 3, 4, 5)]);
  });

  it("pads a 65-byte header with 7 spaces", () => {
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    const out = encodeSafetensors({ attn0: { dtype: "float32", shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    expect([...out]).toEqual([...le64(72), ...enc.encode(header + " ".repeat(7)), ...f32Bytes(0, 1, 2, 3, 4, 5)]);
  });

  it("empty files, with and without metadata", () => {
    expect([...encodeSafetensors({})]).toEqual([...le64(8), ...enc.encode("{}      ")]);
    expect([...encodeSafetensors({}, { framework: "pt" })]).toEqual([...le64(40), ...enc.encode('{"__metadata__":{"framework":"pt"}}     ')]);
    expect(unwrap(parseSafetensors(encodeSafetensors({}, { framework: "pt" })))).toEqual({ tensors: {}, metadata: { framework: "pt" } });
  });

  it("orders data F64, F32, U32, I32, BOOL, then by name", () => {
    const out = encodeSafetensors({
      a: { dtype: "bool", shape: [1], data: new Uint8Array([1]) },
      b: { dtype: "int32", shape: [1], data: new Int32Array([1]) },
      c: { dtype: "float32", shape: [1], data: new Float32Array([1]) },
      d: { dtype: "uint32", shape: [1], data: new Uint32Array([1]) },
      e: { dtype: "float64", shape: [1], data: new Float64Array([1]) },
      f: { dtype: "float32", shape: [1], data: new Float32Array([1]) },
    });
    const n = new DataView(out.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    expect(Object.keys(header)).toEqual(["e", "c", "f", "d", "b", "a"]);
    expect(header.a!.data_offsets).toEqual([24, 25]);
  });

  it("reads the unpadded files older writers produced (python binding test vector)", () => {
    const file = fileWith('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16));
    expect(unwrap(parseSafetensors(file))).toEqual({ tensors: { test: { dtype: "int32", shape: [2, 2], data: new Int32Array(4) } }, metadata: {} });
  });
});

describe("parseSafetensors widens the other dtypes", () => {
  it("F16, BF16, U8, I8, I16, U16, I64, U64", () => {
    const half = [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c, 0x00, 0x80]; // 1, -2, inf, -0
    const bf16 = [0x80, 0x3f, 0xc0, 0x7f]; // 1, NaN
    const i64 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 0, 0, 0, 0]; // -1, 5
    const data = [...half, ...bf16, 200, 0xff, 0x00, 0x80, 0xff, 0xff, ...i64, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
    const header = JSON.stringify({
      h: { dtype: "F16", shape: [4], data_offsets: [0, 8] },
      b: { dtype: "BF16", shape: [2], data_offsets: [8, 12] },
      u8: { dtype: "U8", shape: [1], data_offsets: [12, 13] },
      i8: { dtype: "I8", shape: [1], data_offsets: [13, 14] },
      i16: { dtype: "I16", shape: [1], data_offsets: [14, 16] },
      u16: { dtype: "U16", shape: [1], data_offsets: [16, 18] },
      i64: { dtype: "I64", shape: [2], data_offsets: [18, 34] },
      u64: { dtype: "U64", shape: [1], data_offsets: [34, 42] },
    });
    const t = unwrap(parseSafetensors(fileWith(header, data))).tensors;
    expect(t.h).toEqual({ dtype: "float32", shape: [4], data: new Float32Array([1, -2, Infinity, -0]) });
    expect(Object.is(t.h!.data[3], -0)).toBe(true);
    expect(t.b!.dtype).toBe("float32");
    expect(Array.from(t.b!.data)).toEqual([1, NaN]);
    expect(t.u8).toEqual({ dtype: "int32", shape: [1], data: new Int32Array([200]) });
    expect(Array.from(t.i8!.data)).toEqual([-1]);
    expect(Array.from(t.i16!.data)).toEqual([-32768]);
    expect(Array.from(t.u16!.data)).toEqual([65535]);
    expect(t.i64).toEqual({ dtype: "int32", shape: [2], data: new Int32Array([-1, 5]) });
    expect(t.u64).toEqual({ dtype: "uint32", shape: [1], data: new Uint32Array([4294967295]) });
  });

  it("reports an I64 value int32 cannot hold", () => {
    const file = fileWith('{"big":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0, 1, 0, 0, 0]);
    expect(leftMessage(parseSafetensors(file))).toBe('parseSafetensors: tensor "big": cannot decode I64 as int32: element 0 is 4294967296, which int32 cannot hold');
  });
});

describe("parseSafetensors rejects malformed input with a clear message", () => {
  const t = (info: object): string => JSON.stringify({ x: info });
  const cases: [string, Uint8Array, string][] = [
    ["too short", new Uint8Array(5), "parseSafetensors: the input has 5 bytes; a safetensors file starts with an 8-byte header size"],
    ["header size above the limit", (() => { const b = new Uint8Array(16); new DataView(b.buffer).setUint32(4, 1, true); return b; })(),
      "parseSafetensors: the header size field says 4294967296 bytes; the limit is 100000000"],
    ["header size beyond the input", (() => { const b = new Uint8Array(16); b[0] = 100; return b; })(),
      "parseSafetensors: the header size field says 100 bytes but only 8 bytes follow it"],
    ["header not starting with {", fileWith(' {"x":1}'), 'parseSafetensors: the JSON header must start with "{"'],
    ["invalid JSON", fileWith('{"x":'), "parseSafetensors: the header is not valid UTF-8 JSON"],
    // Byte 10 is the "x" of the tensor name; 0xFF never occurs in UTF-8.
    ["invalid UTF-8", fileWith('{"x":1}').map((b, i) => (i === 10 ? 0xff : b)), "parseSafetensors: the header is not valid UTF-8 JSON"],
    ["empty header", fileWith(""), 'parseSafetensors: the JSON header must start with "{"'],
    ["unknown dtype", fileWith(t({ dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] }), [0]),
      'parseSafetensors: tensor "x" has dtype "F8_E4M3"; supported dtypes are F32, F64, I32, U32, BOOL, F16, BF16, I8, U8, I16, U16, I64, U64'],
    ["missing dtype", fileWith(t({ shape: [1], data_offsets: [0, 4] }), f32Bytes(1)), 'parseSafetensors: tensor "x": "dtype" must be a string such as "F32", got undefined'],
    ["bad shape", fileWith(t({ dtype: "F32", shape: [-1], data_offsets: [0, 4] }), f32Bytes(1)),
      'parseSafetensors: tensor "x": "shape" must be an array of non-negative integers, got [-1]'],
    ["fractional offset", fileWith(t({ dtype: "F32", shape: [1], data_offsets: [0, 4.5] }), f32Bytes(1)),
      'parseSafetensors: tensor "x": "data_offsets" must be [begin, end] with non-negative integers, got [0,4.5]'],
    ["reversed offsets", fileWith(t({ dtype: "F32", shape: [0], data_offsets: [4, 0] }), f32Bytes(1)), 'parseSafetensors: tensor "x": "data_offsets" [4,0] ends before it begins'],
    ["offsets past the end", fileWith(t({ dtype: "F32", shape: [2], data_offsets: [0, 8] }), f32Bytes(1)),
      'parseSafetensors: tensor "x": "data_offsets" [0,8] reach past the end of the 4-byte data buffer'],
    ["shape and offsets disagree", fileWith(t({ dtype: "F32", shape: [3, 4], data_offsets: [0, 20] }), new Uint8Array(20)),
      'parseSafetensors: tensor "x": shape [3,4] of F32 needs 48 bytes but "data_offsets" [0,20] span 20 bytes'],
    ["gap", fileWith(t({ dtype: "F32", shape: [1], data_offsets: [4, 8] }), new Uint8Array(8)),
      'parseSafetensors: tensor "x" starts at byte 4 but the previous data ends at 0: the buffer has a gap'],
    ["overlap", fileWith(JSON.stringify({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }), new Uint8Array(8)),
      'parseSafetensors: tensor "b" [4,8] overlaps tensor "a" [0,8]'],
    ["trailing bytes", fileWith(t({ dtype: "F32", shape: [1], data_offsets: [0, 4] }), new Uint8Array(6)),
      "parseSafetensors: the tensors cover 4 bytes but the data buffer has 6: 2 bytes are not part of any tensor"],
    ["non-string metadata", fileWith(JSON.stringify({ __metadata__: { epoch: 3 } })), 'parseSafetensors: "__metadata__" values must be strings; key "epoch" holds 3'],
    ["tensor info not an object", fileWith(JSON.stringify({ x: [1, 2] })), 'parseSafetensors: tensor "x": expected { "dtype", "shape", "data_offsets" }, got [1,2]'],
  ];
  it.each(cases)("%s", (_name, bytes, message) => {
    const r = parseSafetensors(bytes);
    expect(E.isLeft(r)).toBe(true);
    expect(leftMessage(r).startsWith(message)).toBe(true);
  });

  it("accepts a null __metadata__ and zero-size tensors anywhere in the buffer", () => {
    const header = JSON.stringify({
      __metadata__: null,
      a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      empty: { dtype: "F64", shape: [0, 3], data_offsets: [4, 4] },
      b: { dtype: "BOOL", shape: [1], data_offsets: [4, 5] },
    });
    const file = unwrap(parseSafetensors(fileWith(header, [...f32Bytes(2), 7])));
    expect(file.tensors.empty).toEqual({ dtype: "float64", shape: [0, 3], data: new Float64Array(0) });
    expect(file.tensors.b).toEqual({ dtype: "bool", shape: [1], data: new Uint8Array([1]) });
    expect(file.metadata).toEqual({});
  });

  it("rejects a huge claimed shape on a tiny file without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    for (const shape of [[250_000_000], [1e9, 1e9, 1e9], [2 ** 53 - 1, 2 ** 53 - 1]]) {
      const r = parseSafetensors(fileWith(t({ dtype: "F64", shape, data_offsets: [0, 16] }), new Uint8Array(16)));
      expect(leftMessage(r)).toContain(`shape [${shape.join(",")}] of F64 needs`);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});

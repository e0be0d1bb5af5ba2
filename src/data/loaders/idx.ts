/**
 * @file Reader for the IDX format (the format MNIST ships in): `0x00 0x00 type ndim`, big-endian uint32 dims,
 * then big-endian elements in C order.
 *
 * Format reference: http://yann.lecun.com/exdb/mnist/ ("THE IDX FILE FORMAT").
 */

import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import type { DType } from "../../core/dtype.js";
import { parseError, unsupportedDType, type DataError } from "../errors.js";
import {
  decodeElements,
  elementCount,
  formatShape,
  inFile,
  readBytesFile,
  shapeSize,
  type ElementFormat,
  type RawArray,
} from "../raw.js";

/** Options of {@link parseIdx} and {@link readIdxFile}. */
export interface ParseIdxOptions {
  /**
   * Decode into this dtype instead of the default. Only exact conversions are allowed: unsigned bytes to
   * int32/uint32/float32/float64, signed bytes and shorts to int32/float32/float64, ints to int32/float64,
   * float32 to float32/float64, float64 to float64. MNIST pixels go straight to float32 this way, without an
   * intermediate int32 copy.
   */
  readonly dtype?: DType;
}

interface IdxType {
  readonly name: string;
  readonly format: ElementFormat;
  readonly dtype: DType;
  readonly allowed: readonly DType[];
}

// Decision: every integer type decodes to int32 by default (all IDX integer values fit: ubyte, sbyte, short
// and int), so labels and pixels can index and compare without a uint8 dtype Tessera does not have.
// IDX stores every multi-byte element big-endian.
const be = (
  name: string,
  kind: "u" | "i" | "f",
  size: 1 | 2 | 4 | 8,
  dtype: DType,
  allowed: readonly DType[],
): IdxType => ({ name, format: { kind, size, littleEndian: false }, dtype, allowed });

const IDX_TYPES: ReadonlyMap<number, IdxType> = new Map<number, IdxType>([
  [0x08, be("unsigned byte", "u", 1, "int32", ["int32", "uint32", "float32", "float64"])],
  [0x09, be("signed byte", "i", 1, "int32", ["int32", "float32", "float64"])],
  [0x0b, be("short", "i", 2, "int32", ["int32", "float32", "float64"])],
  [0x0c, be("int", "i", 4, "int32", ["int32", "float64"])],
  [0x0d, be("float", "f", 4, "float32", ["float32", "float64"])],
  [0x0e, be("double", "f", 8, "float64", ["float64"])],
]);

const hex = (b: number): string => `0x${b.toString(16).padStart(2, "0").toUpperCase()}`;

const fail = (message: string): E.Either<DataError, never> => E.left(parseError("idx", `parseIdx: ${message}`));

/**
 * Parse an IDX file.
 *
 * Integer element types (unsigned/signed byte, short, int) decode to int32, float to float32 and double to
 * float64, unless `options.dtype` asks for another exact conversion. The data is copied into fresh storage.
 * The header is validated before anything is allocated: a shape the bytes cannot hold, trailing bytes, an
 * unknown type code or a gzip-compressed input are each a `Left` with a message saying what was found.
 *
 * @param bytes the whole file
 * @param options optional target dtype
 * @returns the decoded array, or a {@link DataError}
 * @example
 * ```ts
 * const labels = parseIdx(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 2])); // Right({ dtype: "int32", shape: [2], data: [7, 2] })
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): E.Either<DataError, RawArray> {
  if (!(bytes instanceof Uint8Array)) return fail(`expected a Uint8Array of file bytes, got ${typeof bytes}`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return fail("the input is gzip-compressed (starts with 0x1F 0x8B); decompress it first or use readIdxFile, which does");
  }
  if (bytes.length < 4) {
    return fail(`the input has ${bytes.length} bytes; an IDX file starts with a 4-byte magic number 0x00 0x00 <type> <ndim>`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    return fail(
      `bad magic number: the first two bytes are ${hex(bytes[0]!)} ${hex(bytes[1]!)}, an IDX file starts with 0x00 0x00`,
    );
  }
  const code = bytes[2]!;
  const type = IDX_TYPES.get(code);
  if (type === undefined) {
    const valid = [...IDX_TYPES].map(([c, t]) => `${hex(c)} (${t.name})`).join(", ");
    return E.left(
      unsupportedDType(
        "idx",
        hex(code),
        [...IDX_TYPES.keys()].map(hex),
        `parseIdx: unknown element type code ${hex(code)}; valid codes are ${valid}`,
      ),
    );
  }
  const target = options.dtype ?? type.dtype;
  if (!type.allowed.includes(target)) {
    return E.left(
      unsupportedDType(
        "idx",
        String(target),
        type.allowed,
        `parseIdx: cannot decode IDX ${type.name} data as ${String(target)} exactly; choose one of ${type.allowed.join(", ")}`,
      ),
    );
  }

  const ndim = bytes[3]!;
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) {
    return fail(`the header declares ${ndim} dimensions (${dataStart} header bytes) but the input has only ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));

  const size = type.format.size;
  const available = bytes.length - dataStart;
  const count = elementCount(shape, Math.floor(available / size));
  if (count === undefined) {
    return fail(
      `header declares shape ${formatShape(shape)} (${shapeSize(shape) * size} bytes of ${type.name}) but only ${available} data bytes follow`,
    );
  }
  if (count * size !== available) {
    return fail(
      `header declares shape ${formatShape(shape)} (${count * size} bytes of ${type.name}) but ${available} data bytes follow; ` +
        `the file has ${available - count * size} trailing bytes`,
    );
  }
  return pipe(
    decodeElements(bytes, dataStart, count, type.format, target),
    E.bimap(
      (reason) => parseError("idx", `parseIdx: ${reason}`),
      (data): RawArray => ({ dtype: target, shape, data }),
    ),
  );
}

const gunzipAsync = promisify(gunzip);

// Large enough for any real IDX file (MNIST's largest is 47 MB), small enough that a decompression bomb is
// refused instead of exhausting memory.
const MAX_GUNZIP_BYTES = 1 << 30;

/**
 * Read and parse an IDX file. Gzip-compressed files (as downloaded from the MNIST site, `*.gz`) are detected
 * by their magic bytes and decompressed first (up to 1 GiB).
 *
 * @param path file path
 * @param options optional target dtype (see {@link ParseIdxOptions})
 */
export function readIdxFile(path: string, options: ParseIdxOptions = {}): TE.TaskEither<DataError, RawArray> {
  return pipe(
    readBytesFile("readIdxFile", path),
    TE.flatMap((bytes) =>
      bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
        ? TE.tryCatch(
            async () => {
              const out = await gunzipAsync(bytes, { maxOutputLength: MAX_GUNZIP_BYTES });
              return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
            },
            (e): DataError => {
              const why = e instanceof Error ? e.message : String(e);
              return parseError("idx", `readIdxFile: "${path}" starts like gzip but cannot be decompressed: ${why}`);
            },
          )
        : TE.right(bytes),
    ),
    TE.flatMap((bytes) => TE.fromEither(parseIdx(bytes, options))),
    TE.mapLeft(inFile(path)),
  );
}

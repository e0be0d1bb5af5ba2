/**
 * @file `RawArray` (a decoded dtype/shape/data triple, independent of the `Array` class) and the byte-level
 * helpers shared by the IDX, NPY and safetensors codecs: element decoding with widening, little-endian
 * encoding, shape arithmetic that cannot overflow, and `TaskEither` file access.
 */

import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { isDType, itemsize, storageOf, type DType, type TypedArray } from "../core/dtype.js";
import { invalidArray, ioError, type DataError, type InvalidArray } from "./errors.js";

// ---------------------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A decoded array as plain data: dtype, C-order (row-major) shape and the flat storage.
 *
 * `data` is the TypedArray that stores `dtype` (Float32Array, Float64Array, Int32Array, Uint32Array) (bool is a `Uint8Array` of 0/1) and holds
 * exactly `product(shape)` elements. Readers always return freshly allocated, unshared storage, so the caller
 * may hand it to an immutable `Array` without copying again.
 */
export interface RawArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/** True when the platform stores multi-byte numbers little-endian (every platform Node ships on today). */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Number of elements of `shape` (1 for the scalar shape `[]`). Assumes the dims are valid. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Render a shape the way error messages quote it: `[3,4]`, `[]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** True when `d` can be an array dimension: a non-negative safe integer. */
export function isValidDim(d: unknown): d is number {
  return typeof d === "number" && Number.isSafeInteger(d) && d >= 0;
}

/**
 * Element count of `shape`, or `undefined` when it exceeds `maxElements`.
 *
 * Parsers call this with the number of elements the *input bytes* can hold, before allocating anything, so a
 * header that claims `[1e9, 1e9]` is caught without overflowing or allocating. A zero dimension anywhere makes
 * the count 0 however large the other dimensions are.
 */
export function elementCount(shape: readonly number[], maxElements: number): number | undefined {
  if (shape.some((d) => d === 0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    // Bail out as soon as the running product is too big: it only grows from here (all dims are >= 1).
    if (n > maxElements) return undefined;
  }
  return n;
}

/**
 * Check that `raw` is internally consistent: a known dtype, valid dims, the storage class of the dtype and
 * exactly `product(shape)` elements. Writers call this so a bad argument becomes a clear error, not a corrupt file.
 */
export function validateRawArray(fn: string, raw: RawArray, what = "array"): E.Either<InvalidArray, RawArray> {
  if (typeof raw !== "object" || raw === null) {
    return E.left(invalidArray(`${fn}: ${what} must be { dtype, shape, data }, got ${String(raw)}`));
  }
  if (!isDType(raw.dtype)) {
    return E.left(
      invalidArray(
        `${fn}: ${what} has dtype ${JSON.stringify(raw.dtype)}; valid dtypes are float32, float64, int32, uint32, bool`,
      ),
    );
  }
  if (!Array.isArray(raw.shape) || !raw.shape.every(isValidDim)) {
    return E.left(
      invalidArray(`${fn}: ${what} has shape ${JSON.stringify(raw.shape)}; dims must be non-negative integers`),
    );
  }
  const Storage = storageOf[raw.dtype];
  if (!(raw.data instanceof Storage)) {
    const found = (raw.data as unknown as { constructor?: { name?: string } })?.constructor?.name ?? typeof raw.data;
    return E.left(invalidArray(`${fn}: ${what} of dtype ${raw.dtype} must store its data in a ${Storage.name}, got ${found}`));
  }
  const n = shapeSize(raw.shape);
  if (raw.data.length !== n) {
    return E.left(
      invalidArray(
        `${fn}: ${what} has shape ${formatShape(raw.shape)} (${n} elements) but its data holds ${raw.data.length} elements`,
      ),
    );
  }
  return E.right(raw);
}

// ---------------------------------------------------------------------------------------------------------------------
// element decoding
// ---------------------------------------------------------------------------------------------------------------------

/**
 * How one element is laid out in a file: kind (`f` float, `bf` bfloat16, `i` signed, `u` unsigned, `b` bool),
 * byte width and byte order.
 */
export interface ElementFormat {
  readonly kind: "f" | "bf" | "i" | "u" | "b";
  readonly size: 1 | 2 | 4 | 8;
  readonly littleEndian: boolean;
}

/**
 * The Tessera dtype a file element type decodes to, or `undefined` if it has none.
 *
 * Exact types map to themselves. Narrower types are widened losslessly: float16 and bfloat16 to float32, 8- and
 * 16-bit integers (signed or unsigned) to int32. 64-bit integers map to int32 / uint32 and are range-checked
 * element by element during decoding (Tessera has no 64-bit integers, like JAX without `jax_enable_x64`).
 */
export function defaultDTypeOf(format: ElementFormat): DType | undefined {
  const { kind, size } = format;
  if (kind === "b") return size === 1 ? "bool" : undefined;
  if (kind === "bf") return size === 2 ? "float32" : undefined;
  if (kind === "f") return size === 8 ? "float64" : size === 4 || size === 2 ? "float32" : undefined;
  if (kind === "i") return "int32";
  return size === 4 || size === 8 ? "uint32" : "int32";
}

/** The file element format that stores `dtype` bit for bit. */
export function nativeFormatOf(dtype: DType, littleEndian = true): ElementFormat {
  switch (dtype) {
    case "float32":
      return { kind: "f", size: 4, littleEndian };
    case "float64":
      return { kind: "f", size: 8, littleEndian };
    case "int32":
      return { kind: "i", size: 4, littleEndian };
    case "uint32":
      return { kind: "u", size: 4, littleEndian };
    case "bool":
      return { kind: "b", size: 1, littleEndian };
  }
}

function sameLayout(format: ElementFormat, dtype: DType): boolean {
  const native = nativeFormatOf(dtype);
  return native.kind === format.kind && native.size === format.size;
}

/** Decode an IEEE half-precision bit pattern (as in NumPy's `<f2`). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // subnormal (and signed zero)
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Decode `count` elements of `format` starting at `bytes[offset]` into fresh storage for `target`.
 *
 * When the file layout equals the target's storage, the bytes are copied (byte-swapped if the file's byte order
 * differs from the host's), so every bit — NaN payloads, -0 — survives. Otherwise each element is converted by
 * value; integer targets are range-checked and a float source never silently becomes an integer. Returns the
 * reason as a string on failure; the caller adds the function name and format. Never reads out of bounds: a
 * too-short input is reported, not read.
 */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  format: ElementFormat,
  target: DType,
): E.Either<string, TypedArray> {
  const nbytes = count * format.size;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + nbytes > bytes.length) {
    return E.left(`needs ${nbytes} data bytes at offset ${offset} but the input has ${bytes.length} bytes`);
  }
  const out = new storageOf[target](count);

  if (sameLayout(format, target)) {
    const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const size = format.size;
    if (size === 1 || format.littleEndian === HOST_LITTLE_ENDIAN) {
      outBytes.set(bytes.subarray(offset, offset + nbytes));
    } else {
      for (let i = 0; i < count; i++) {
        const base = offset + i * size;
        for (let j = 0; j < size; j++) outBytes[i * size + j] = bytes[base + size - 1 - j]!;
      }
    }
    // A bool byte other than 0/1 is still "true" (NumPy and safetensors agree); store the canonical 1.
    if (target === "bool") for (let i = 0; i < count; i++) if (out[i] !== 0) out[i] = 1;
    return E.right(out);
  }

  const isFloatSource = format.kind === "f" || format.kind === "bf";
  if (isFloatSource && (target === "int32" || target === "uint32")) {
    return E.left(`cannot convert ${format.size * 8}-bit floats to ${target} without losing values`);
  }

  // Single-byte sources need no DataView (and this is the hot path for MNIST's 47M pixels).
  if (format.size === 1) {
    if (format.kind === "u" || format.kind === "b") {
      if (target === "bool") for (let i = 0; i < count; i++) out[i] = bytes[offset + i]! !== 0 ? 1 : 0;
      else for (let i = 0; i < count; i++) out[i] = bytes[offset + i]!;
      return E.right(out);
    }
    if (format.kind === "i") {
      if (target === "uint32") {
        for (let i = 0; i < count; i++) {
          const v = (bytes[offset + i]! << 24) >> 24;
          if (v < 0) return E.left(`element ${i} is ${v}, which uint32 cannot hold`);
          out[i] = v;
        }
      } else if (target === "bool") {
        for (let i = 0; i < count; i++) out[i] = bytes[offset + i]! !== 0 ? 1 : 0;
      } else {
        for (let i = 0; i < count; i++) out[i] = (bytes[offset + i]! << 24) >> 24;
      }
      return E.right(out);
    }
  }

  // bfloat16 is the top half of a float32: widening is a shift, and writing bits keeps NaN payloads.
  if (format.kind === "bf" && target === "float32") {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, nbytes);
    const bits = new Uint32Array(out.buffer, out.byteOffset, count);
    for (let i = 0; i < count; i++) bits[i] = (view.getUint16(i * 2, format.littleEndian) << 16) >>> 0;
    return E.right(out);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, nbytes);
  const le = format.littleEndian;
  const read = elementReader(view, format, le);
  if (read === undefined) return E.left(`no decoder for ${format.kind}${format.size}`);
  const [lo, hi] = target === "int32" ? [-0x80000000, 0x7fffffff] : target === "uint32" ? [0, 0xffffffff] : [-Infinity, Infinity];
  for (let i = 0; i < count; i++) {
    const v = read(i);
    if (target === "bool") {
      out[i] = v !== 0 ? 1 : 0;
    } else {
      if (v < lo || v > hi) return E.left(`element ${i} is ${v}, which ${target} cannot hold`);
      out[i] = v;
    }
  }
  return E.right(out);
}

function elementReader(view: DataView, f: ElementFormat, le: boolean): ((i: number) => number) | undefined {
  switch (`${f.kind}${f.size}`) {
    case "f2":
      return (i) => halfToNumber(view.getUint16(i * 2, le));
    case "bf2": {
      const scratch = new DataView(new ArrayBuffer(4));
      return (i) => {
        scratch.setUint32(0, (view.getUint16(i * 2, le) << 16) >>> 0);
        return scratch.getFloat32(0);
      };
    }
    case "f4":
      return (i) => view.getFloat32(i * 4, le);
    case "f8":
      return (i) => view.getFloat64(i * 8, le);
    case "i2":
      return (i) => view.getInt16(i * 2, le);
    case "u2":
      return (i) => view.getUint16(i * 2, le);
    case "i4":
      return (i) => view.getInt32(i * 4, le);
    case "u4":
      return (i) => view.getUint32(i * 4, le);
    // 64-bit integers as hi * 2^32 + lo: exact whenever the value fits the int32/uint32 range we check
    // against, and still correctly out of range otherwise (no BigInt needed).
    case "i8":
      return (i) => {
        const lo = view.getUint32(i * 8 + (le ? 0 : 4), le);
        const hi = view.getInt32(i * 8 + (le ? 4 : 0), le);
        return hi * 4294967296 + lo;
      };
    case "u8":
      return (i) => {
        const lo = view.getUint32(i * 8 + (le ? 0 : 4), le);
        const hi = view.getUint32(i * 8 + (le ? 4 : 0), le);
        return hi * 4294967296 + lo;
      };
    default:
      return undefined;
  }
}

/**
 * Write `data` (storage of `dtype`) into `out` at `offset` as little-endian bytes, bit for bit.
 * Bool elements are written as canonical 0/1 bytes. `out` must have room (the caller sized it).
 */
export function writeElementsLE(out: Uint8Array, offset: number, dtype: DType, data: TypedArray): void {
  const size = itemsize(dtype);
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (dtype === "bool") {
    for (let i = 0; i < data.length; i++) out[offset + i] = data[i] !== 0 ? 1 : 0;
  } else if (HOST_LITTLE_ENDIAN) {
    out.set(src, offset);
  } else {
    for (let i = 0; i < data.length; i++) {
      for (let j = 0; j < size; j++) out[offset + i * size + j] = src[i * size + size - 1 - j]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------------------------------

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Append `(in "path")` to the message of a format error, so a parse failure inside a file-reading function says
 * which file was bad. I/O and other errors already name their path and pass through unchanged.
 */
export function inFile(path: string): (e: DataError) => DataError {
  return (e) => (e._tag === "ParseError" || e._tag === "UnsupportedDType" ? { ...e, message: `${e.message} (in "${path}")` } : e);
}

/** Read a whole file as bytes; failures become an `IOError` naming `fn` and the path. */
export function readBytesFile(fn: string, path: string): TE.TaskEither<DataError, Uint8Array> {
  return TE.tryCatch(
    async () => {
      const buf = await readFile(path);
      // A plain Uint8Array view: Buffer's slice() shares memory where Uint8Array's copies, so don't leak Buffer.
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    (e) => ioError(path, `${fn}: cannot read "${path}": ${describeError(e)}`),
  );
}

/**
 * Read a whole file and parse its bytes: I/O failures become an `IOError` naming `fn`, and parse
 * errors say which file was bad (see {@link inFile}).
 */
export function readParsedFile<T>(fn: string, path: string, parse: (bytes: Uint8Array) => E.Either<DataError, T>): TE.TaskEither<DataError, T> {
  return pipe(
    readBytesFile(fn, path),
    TE.flatMap((bytes) => TE.fromEither(parse(bytes))),
    TE.mapLeft(inFile(path)),
  );
}

/** Read a whole file as UTF-8 text; failures become an `IOError`. */
export function readTextFile(fn: string, path: string): TE.TaskEither<DataError, string> {
  return TE.tryCatch(
    () => readFile(path, "utf8"),
    (e) => ioError(path, `${fn}: cannot read "${path}": ${describeError(e)}`),
  );
}

/**
 * Write `bytes` to `path` atomically: into a temporary sibling, then renamed over the target, so a crash or a
 * full disk never leaves a half-written file where a good one was (checkpoints overwrite files in place).
 * Missing parent directories are created.
 */
export function writeBytesFile(fn: string, path: string, bytes: Uint8Array): TE.TaskEither<DataError, void> {
  return TE.tryCatch(
    async () => {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
    },
    (e) => ioError(path, `${fn}: cannot write "${path}": ${describeError(e)}`),
  );
}

/**
 * @file Reader and writer for NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
 *
 * Layout: the magic `\x93NUMPY`, a major/minor version, a little-endian header length (uint16 in 1.0, uint32
 * in 2.0/3.0), a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded
 * with spaces to a multiple of 64 bytes and ended by `\n`, then the raw elements.
 * Reference: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { itemsize, type DType, type TypedArray } from "../../core/dtype.js";
import { parseError, unsupportedDType, type DataError } from "../errors.js";
import {
  decodeElements,
  defaultDTypeOf,
  elementCount,
  formatShape,
  HOST_LITTLE_ENDIAN,
  isValidDim,
  readParsedFile,
  shapeSize,
  validateRawArray,
  writeBytesFile,
  writeElementsLE,
  type ElementFormat,
  type RawArray,
} from "../raw.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

// NumPy itself refuses headers over 10 000 bytes by default (`max_header_size`); a dtype Tessera can read
// never needs more than a few hundred, so 1 MiB is generous and still bounds the work a hostile file can cause.
const MAX_HEADER_BYTES = 1 << 20;

const SUPPORTED_DESCRS: readonly string[] = [
  "<f4", "<f8", "<i4", "<u4", "|b1", // exact
  "<f2", "|i1", "|u1", "<i2", "<u2", // widened losslessly
  "<i8", "<u8", // range-checked
];

const fail = (message: string): E.Either<DataError, never> => E.left(parseError("npy", `parseNpy: ${message}`));

// ---------------------------------------------------------------------------------------------------------------------
// Python literal parser (the header is `repr()` of a dict; we accept the literal subset NumPy writes)
// ---------------------------------------------------------------------------------------------------------------------

type PyValue =
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "int"; readonly v: number; readonly text: string }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "none" }
  | { readonly t: "tuple" | "list"; readonly items: readonly PyValue[] }
  | { readonly t: "dict"; readonly entries: readonly (readonly [PyValue, PyValue])[] };

class LiteralError {
  constructor(readonly message: string) {}
}

// Nesting depth bound: keeps a header of 100 000 "(" from overflowing the JS stack.
const MAX_DEPTH = 16;

class PyLiteralParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseAll(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.pos < this.src.length) this.err(`unexpected ${JSON.stringify(this.src[this.pos])} after the dict`);
    return v;
  }

  private err(msg: string): never {
    throw new LiteralError(`${msg} at character ${this.pos} of the header`);
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.err("the header nests too deeply");
    this.ws();
    const c = this.src[this.pos];
    if (c === undefined) this.err("the header ends early");
    if (c === "'" || c === '"') return { t: "str", v: this.string(c) };
    if (c === "(" || c === "[") return this.sequence(c === "(" ? ")" : "]", depth);
    if (c === "{") return this.dict(depth);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos, this.pos + 32));
    if (word) {
      this.pos += word[0].length;
      if (word[0] === "True") return { t: "bool", v: true };
      if (word[0] === "False") return { t: "bool", v: false };
      if (word[0] === "None") return { t: "none" };
      this.err(`unexpected name ${word[0]}`);
    }
    // Integers, including Python 2's long suffix (`(3L, 4L)`) that old NumPy wrote.
    const num = /^[+-]?\d+L?/.exec(this.src.slice(this.pos, this.pos + 40));
    if (num) {
      this.pos += num[0].length;
      const text = num[0].replace("L", "");
      return { t: "int", v: Number(text), text };
    }
    this.err(`unexpected ${JSON.stringify(c)}`);
  }

  private string(quote: string): string {
    let out = "";
    this.pos++;
    while (true) {
      const c = this.src[this.pos++];
      if (c === undefined) this.err("unterminated string");
      if (c === quote) return out;
      if (c === "\\") {
        const e = this.src[this.pos++];
        if (e === undefined) this.err("unterminated string");
        out += e === "n" ? "\n" : e === "t" ? "\t" : e;
      } else {
        out += c;
      }
    }
  }

  private sequence(close: ")" | "]", depth: number): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    while (true) {
      this.ws();
      if (this.src[this.pos] === close) {
        this.pos++;
        // `(3)` is the int 3 in Python, `(3,)` a tuple; NumPy always writes the comma, so accept the int too.
        if (close === ")" && items.length === 1 && !sawComma) return items[0]!;
        return { t: close === ")" ? "tuple" : "list", items };
      }
      if (items.length > 0) {
        if (this.src[this.pos] !== ",") this.err(`expected "," or "${close}"`);
        this.pos++;
        sawComma = true;
        this.ws();
        if (this.src[this.pos] === close) continue;
      }
      items.push(this.value(depth + 1));
    }
  }

  private dict(depth: number): PyValue {
    this.pos++;
    const entries: (readonly [PyValue, PyValue])[] = [];
    while (true) {
      this.ws();
      if (this.src[this.pos] === "}") {
        this.pos++;
        return { t: "dict", entries };
      }
      if (entries.length > 0) {
        if (this.src[this.pos] !== ",") this.err('expected "," or "}"');
        this.pos++;
        this.ws();
        if (this.src[this.pos] === "}") continue;
      }
      const key = this.value(depth + 1);
      this.ws();
      if (this.src[this.pos] !== ":") this.err('expected ":"');
      this.pos++;
      entries.push([key, this.value(depth + 1)]);
    }
  }
}

function parsePyLiteral(src: string): E.Either<string, PyValue> {
  try {
    return E.right(new PyLiteralParser(src).parseAll());
  } catch (e) {
    if (e instanceof LiteralError) return E.left(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// header
// ---------------------------------------------------------------------------------------------------------------------

interface NpyHeader {
  readonly format: ElementFormat;
  readonly dtype: DType;
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

function unsupported(descr: string, why: string): E.Either<DataError, never> {
  return E.left(
    unsupportedDType(
      "npy",
      descr,
      SUPPORTED_DESCRS,
      `parseNpy: ${why}; supported descr values are ${SUPPORTED_DESCRS.join(", ")} (and their ">" big-endian forms)`,
    ),
  );
}

function parseDescr(descr: PyValue): E.Either<DataError, { format: ElementFormat; dtype: DType; descr: string }> {
  if (descr.t === "list") return unsupported("<structured>", "the array has a structured (record) dtype");
  if (descr.t !== "str") return fail(`'descr' must be a string such as '<f4', got a ${descr.t}`);
  const s = descr.v;
  const m = /^([<>|=])([a-zA-Z?])(\d*)$/.exec(s);
  if (!m) return unsupported(s, `descr ${JSON.stringify(s)} is not a simple NumPy type string`);
  const [, order, kindChar, sizeStr] = m as unknown as [string, string, string, string];
  const size = sizeStr === "" ? 0 : Number(sizeStr);
  if (kindChar === "O") {
    return unsupported(
      s,
      "the file holds an object array (pickled Python objects), which cannot be read safely; save a numeric array instead",
    );
  }
  if (kindChar === "c") return unsupported(s, `descr ${s} is a complex type; Tessera has no complex dtypes`);
  if (kindChar === "U" || kindChar === "S" || kindChar === "a") return unsupported(s, `descr ${s} is a string type`);
  if (kindChar === "M" || kindChar === "m") return unsupported(s, `descr ${s} is a datetime/timedelta type`);
  const kind = kindChar === "?" ? "b" : kindChar;
  if (kind !== "f" && kind !== "i" && kind !== "u" && kind !== "b") return unsupported(s, `descr ${s} has unsupported type code '${kindChar}'`);
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return unsupported(s, `descr ${s} has unsupported item size ${size}`);
  if (order === "|" && size !== 1) return fail(`descr ${s} has no byte order ('|') but items of ${size} bytes; expected '<' or '>'`);
  const format: ElementFormat = { kind, size, littleEndian: order === "<" || order === "|" || (order === "=" && HOST_LITTLE_ENDIAN) };
  const dtype = defaultDTypeOf(format);
  if (dtype === undefined) return unsupported(s, `descr ${s} is not supported`);
  return E.right({ format, dtype, descr: s });
}

function parseHeaderDict(text: string): E.Either<DataError, NpyHeader> {
  const parsed = parsePyLiteral(text);
  if (E.isLeft(parsed)) return fail(`malformed header ${JSON.stringify(abbreviate(text))}: ${parsed.left}`);
  const dict = parsed.right;
  if (dict.t !== "dict") return fail(`the header must be a dict literal, got ${JSON.stringify(abbreviate(text))}`);
  const fields = new Map<string, PyValue>();
  for (const [k, v] of dict.entries) {
    if (k.t !== "str") return fail(`header keys must be strings, got a ${k.t}`);
    fields.set(k.v, v);
  }
  const keys = [...fields.keys()].sort();
  if (keys.join() !== "descr,fortran_order,shape") {
    const found = keys.map((k) => `'${k}'`).join(", ") || "none";
    return fail(`the header must have exactly the keys 'descr', 'fortran_order', 'shape'; found ${found}`);
  }
  const fortran = fields.get("fortran_order")!;
  if (fortran.t !== "bool") return fail(`'fortran_order' must be True or False, got a ${fortran.t}`);
  const shapeV = fields.get("shape")!;
  if (shapeV.t !== "tuple" && shapeV.t !== "list" && shapeV.t !== "int") return fail(`'shape' must be a tuple of integers, got a ${shapeV.t}`);
  const dims = shapeV.t === "int" ? [shapeV] : shapeV.items;
  const shape: number[] = [];
  for (const d of dims) {
    if (d.t !== "int" || !isValidDim(d.v)) {
      return fail(`'shape' must hold non-negative integers below 2^53, got ${d.t === "int" ? d.text : `a ${d.t}`}`);
    }
    shape.push(d.v);
  }
  return pipe(
    parseDescr(fields.get("descr")!),
    E.map(({ format, dtype, descr }) => ({ format, dtype, descr, fortranOrder: fortran.v, shape })),
  );
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  // Chunked so the argument list stays far below engines' limits on spread arguments.
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function abbreviate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Reorder column-major (Fortran) data into row-major (C) order. */
function fortranToC(src: TypedArray, shape: readonly number[]): TypedArray {
  const n = src.length;
  const ndim = shape.length;
  if (ndim < 2 || n === 0) return src;
  const out = new (src.constructor as new (n: number) => TypedArray)(n);
  // Fortran strides (in elements): the first axis varies fastest.
  const fStride: number[] = [];
  let s = 1;
  for (let k = 0; k < ndim; k++) {
    fStride.push(s);
    s *= shape[k]!;
  }
  const idx = new Array<number>(ndim).fill(0);
  let f = 0;
  for (let c = 0; c < n; c++) {
    out[c] = src[f]!;
    // Advance the C-order multi-index (last axis fastest) and keep the Fortran offset in step.
    for (let k = ndim - 1; k >= 0; k--) {
      idx[k]!++;
      f += fStride[k]!;
      if (idx[k]! < shape[k]!) break;
      f -= fStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// public API
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Parse a `.npy` file (format versions 1.0, 2.0 and 3.0).
 *
 * Exact types: `<f4` → float32, `<f8` → float64, `<i4` → int32, `<u4` → uint32, `|b1` → bool. Narrower types are
 * widened without loss: `<f2` → float32, `|i1 |u1 <i2 <u2` → int32. 64-bit integers (`<i8`, NumPy's default
 * integer, and `<u8`) are accepted when every value fits int32 / uint32, otherwise the first offending element is
 * reported. Big-endian (`>`) files are byte-swapped. Fortran-order arrays are transposed into C order. Object,
 * complex, string, datetime and structured arrays are rejected with an `UnsupportedDType`. The header is
 * validated before any data is allocated, and trailing bytes after the data are an error.
 *
 * @param bytes the whole file
 * @returns the decoded array (fresh storage, C order), or a {@link DataError}
 */
export function parseNpy(bytes: Uint8Array): E.Either<DataError, RawArray> {
  if (!(bytes instanceof Uint8Array)) return fail(`expected a Uint8Array of file bytes, got ${typeof bytes}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    return fail(`not an NPY file: it must start with the magic bytes \\x93NUMPY followed by a version (the input has ${bytes.length} bytes)`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    return fail(`unsupported format version ${major}.${minor}; valid versions are 1.0, 2.0 and 3.0`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) return fail(`the input ends inside the header length field (${bytes.length} bytes)`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  if (headerLen > MAX_HEADER_BYTES) return fail(`the header length field says ${headerLen} bytes; the limit is ${MAX_HEADER_BYTES}`);
  if (headerStart + headerLen > bytes.length) {
    return fail(`the header length field says ${headerLen} bytes but only ${bytes.length - headerStart} bytes follow it`);
  }
  // Versions 1.0 and 2.0 store the header in latin1, 3.0 in UTF-8 (it exists only to allow non-latin1 field names).
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  const text = major === 3 ? new TextDecoder("utf-8").decode(headerBytes) : latin1(headerBytes);

  const header = parseHeaderDict(text);
  if (E.isLeft(header)) return header;
  const { format, dtype, descr, fortranOrder, shape } = header.right;

  const dataStart = headerStart + headerLen;
  const available = bytes.length - dataStart;
  const count = elementCount(shape, Math.floor(available / format.size));
  if (count === undefined) {
    return fail(
      `header declares shape ${formatShape(shape)} (${shapeSize(shape) * format.size} bytes of ${descr}) ` +
        `but only ${available} data bytes follow`,
    );
  }
  if (count * format.size !== available) {
    return fail(
      `header declares shape ${formatShape(shape)} (${count * format.size} bytes of ${descr}) but ${available} data bytes follow; ` +
        `the file has ${available - count * format.size} trailing bytes`,
    );
  }
  const decoded = decodeElements(bytes, dataStart, count, format, dtype);
  if (E.isLeft(decoded)) return fail(`cannot decode ${descr} data as ${dtype}: ${decoded.left}`);
  const data = fortranOrder ? fortranToC(decoded.right, shape) : decoded.right;
  return E.right({ dtype, shape, data });
}

const DESCR_OF: Record<DType, string> = { float32: "<f4", float64: "<f8", int32: "<i4", uint32: "<u4", bool: "|b1" };

/** Python's `repr` of a shape tuple: `()`, `(3,)`, `(3, 4)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * Encode an array as a `.npy` file, byte for byte as NumPy's `np.save` writes it: version 1.0 (2.0 if the header
 * would not fit), keys in sorted order, header padded with spaces to a multiple of 64 bytes, C order,
 * little-endian, descr `<f4 <f8 <i4 <u4 |b1`.
 *
 * @param raw the array (validated: dtype, dims, storage class and length must agree)
 * @returns the file bytes
 * @throws TypeError if `raw` is inconsistent (use {@link writeNpyFile} to get that as a `Left` instead)
 */
export function encodeNpy(raw: RawArray): Uint8Array {
  const checked = validateRawArray("encodeNpy", raw);
  if (E.isLeft(checked)) throw new TypeError(checked.left.message);
  const dict = `{'descr': '${DESCR_OF[raw.dtype]}', 'fortran_order': False, 'shape': ${pyTuple(raw.shape)}, }`;
  // As numpy.lib.format._wrap_header: pad so that magic + length field + header (incl. "\n") is a multiple of 64.
  // When it already is, NumPy still adds a full 64 spaces; we match that so the bytes are identical.
  let lenBytes = 2;
  let padded = 64 - ((6 + 2 + lenBytes + dict.length + 1) % 64);
  if (dict.length + 1 + padded > 0xffff) {
    lenBytes = 4;
    padded = 64 - ((6 + 2 + lenBytes + dict.length + 1) % 64);
  }
  const header = `${dict}${" ".repeat(padded)}\n`;
  const dataStart = 8 + lenBytes + header.length;
  const out = new Uint8Array(dataStart + raw.data.length * itemsize(raw.dtype));
  out.set(MAGIC, 0);
  out[6] = lenBytes === 2 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[8 + lenBytes + i] = header.charCodeAt(i);
  writeElementsLE(out, dataStart, raw.dtype, raw.data);
  return out;
}

/**
 * Read and parse a `.npy` file (see {@link parseNpy} for the accepted types).
 *
 * @param path file path
 */
export function readNpyFile(path: string): TE.TaskEither<DataError, RawArray> {
  return readParsedFile("readNpyFile", path, parseNpy);
}

/**
 * Write an array as a `.npy` file (see {@link encodeNpy}), atomically, creating parent directories.
 * An inconsistent `raw` is an `InvalidArray` `Left`, a file-system failure an `IOError`.
 *
 * @param path file path (conventionally ending in `.npy`)
 * @param raw the array
 */
export function writeNpyFile(path: string, raw: RawArray): TE.TaskEither<DataError, void> {
  return pipe(
    TE.fromEither(validateRawArray("writeNpyFile", raw) as E.Either<DataError, RawArray>),
    TE.flatMap((r) => writeBytesFile("writeNpyFile", path, encodeNpy(r))),
  );
}

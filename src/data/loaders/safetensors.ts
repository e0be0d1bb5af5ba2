/**
 * @file Reader and writer for the safetensors format (Hugging Face), following the specification exactly.
 *
 * Layout: an 8-byte little-endian unsigned header size `N`; `N` bytes of UTF-8 JSON mapping each tensor name to
 * `{ "dtype", "shape", "data_offsets": [begin, end] }` (offsets relative to the start of the byte buffer) plus an
 * optional `"__metadata__"` string→string map, padded with spaces; then the byte buffer, little-endian, C order,
 * entirely covered by the tensors without gaps or overlaps.
 * Reference: https://github.com/huggingface/safetensors#format
 */

import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { itemsize, type DType } from "../../core/dtype.js";
import { invalidArray, parseError, unsupportedDType, type DataError } from "../errors.js";
import {
  decodeElements,
  elementCount,
  formatShape,
  isValidDim,
  readParsedFile,
  shapeSize,
  validateRawArray,
  writeBytesFile,
  writeElementsLE,
  type ElementFormat,
  type RawArray,
} from "../raw.js";

/** The decoded content of a safetensors file. */
export interface SafetensorsFile {
  /** Tensors by name, in header order. */
  readonly tensors: Record<string, RawArray>;
  /** The `"__metadata__"` map (empty when the file has none). */
  readonly metadata: Record<string, string>;
}

/** The reserved header key holding free-form string metadata. */
export const METADATA_KEY = "__metadata__";

// The reference implementation refuses headers above 100 MB; so do we, before decoding a single byte of JSON.
const MAX_HEADER_BYTES = 100_000_000;

/** The file dtype that stores each Tessera dtype exactly. */
const FILE_DTYPE_OF: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", uint32: "U32", bool: "BOOL" };

// The reference writer orders tensors by its dtype enum, descending (F64, F32, U32, I32, BOOL: also descending
// item size, which keeps every tensor aligned), then by name. Same order here, so our files match its bytes.
const WRITE_RANK: Record<DType, number> = { bool: 0, int32: 1, uint32: 2, float32: 3, float64: 4 };

interface FileDType {
  readonly format: ElementFormat;
  readonly dtype: DType;
}

const le = (kind: ElementFormat["kind"], size: ElementFormat["size"], dtype: DType): FileDType => ({
  format: { kind, size, littleEndian: true },
  dtype,
});

// Exact types first; then lossless widenings (F16/BF16 → float32, 8/16-bit ints → int32); then 64-bit ints,
// accepted when every value fits int32/uint32 (Tessera has no 64-bit integers, like JAX without x64).
const FILE_DTYPES: ReadonlyMap<string, FileDType> = new Map([
  ["F32", le("f", 4, "float32")],
  ["F64", le("f", 8, "float64")],
  ["I32", le("i", 4, "int32")],
  ["U32", le("u", 4, "uint32")],
  ["BOOL", le("b", 1, "bool")],
  ["F16", le("f", 2, "float32")],
  ["BF16", le("bf", 2, "float32")],
  ["I8", le("i", 1, "int32")],
  ["U8", le("u", 1, "int32")],
  ["I16", le("i", 2, "int32")],
  ["U16", le("u", 2, "int32")],
  ["I64", le("i", 8, "int32")],
  ["U64", le("u", 8, "uint32")],
]);

const fail = (message: string): E.Either<DataError, never> =>
  E.left(parseError("safetensors", `parseSafetensors: ${message}`));

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

interface Entry {
  readonly name: string;
  readonly fileDType: string;
  readonly type: FileDType;
  readonly shape: number[];
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

function parseEntry(name: string, info: unknown, bufferLen: number): E.Either<DataError, Entry> {
  const where = `tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(info)) return fail(`${where}: expected { "dtype", "shape", "data_offsets" }, got ${JSON.stringify(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string") return fail(`${where}: "dtype" must be a string such as "F32", got ${JSON.stringify(dtype)}`);
  const type = FILE_DTYPES.get(dtype);
  if (type === undefined) {
    const supported = [...FILE_DTYPES.keys()];
    return E.left(
      unsupportedDType(
        "safetensors",
        dtype,
        supported,
        `parseSafetensors: ${where} has dtype ${JSON.stringify(dtype)}; supported dtypes are ${supported.join(", ")}`,
      ),
    );
  }
  if (!Array.isArray(shape) || !shape.every(isValidDim)) {
    return fail(`${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isValidDim)) {
    return fail(`${where}: "data_offsets" must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) return fail(`${where}: "data_offsets" [${begin},${end}] ends before it begins`);
  if (end > bufferLen) {
    return fail(`${where}: "data_offsets" [${begin},${end}] reach past the end of the ${bufferLen}-byte data buffer`);
  }
  const size = type.format.size;
  // Bounded by the bytes actually present, so a claimed shape of [1e12] is refused before any allocation.
  const count = elementCount(shape, Math.floor(bufferLen / size));
  if (count === undefined || count * size !== end - begin) {
    return fail(
      `${where}: shape ${formatShape(shape)} of ${dtype} needs ${shapeSize(shape) * size} bytes ` +
        `but "data_offsets" [${begin},${end}] span ${end - begin} bytes`,
    );
  }
  return E.right({ name, fileDType: dtype, type, shape, count, begin, end });
}

/**
 * Parse a safetensors file.
 *
 * Validation follows the reference implementation: header size at most 100 MB and within the input, header
 * starting with `{` and valid UTF-8 JSON, every tensor's `data_offsets` in bounds and matching shape × item size,
 * tensors covering the byte buffer contiguously (no gaps, no overlaps, nothing left over), `__metadata__` a map of
 * strings. Dtypes: F32, F64, I32, U32, BOOL exactly; F16/BF16 widened to float32, I8/U8/I16/U16 to int32;
 * I64/U64 accepted when every value fits int32/uint32. Never allocates more than the input implies.
 *
 * @param bytes the whole file
 * @returns tensors by name (fresh storage) and the metadata map, or a {@link DataError}
 */
export function parseSafetensors(bytes: Uint8Array): E.Either<DataError, SafetensorsFile> {
  if (!(bytes instanceof Uint8Array)) return fail(`expected a Uint8Array of file bytes, got ${typeof bytes}`);
  if (bytes.length < 8) return fail(`the input has ${bytes.length} bytes; a safetensors file starts with an 8-byte header size`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 4294967296 + lo;
  if (headerLen > MAX_HEADER_BYTES) return fail(`the header size field says ${headerLen} bytes; the limit is ${MAX_HEADER_BYTES}`);
  if (8 + headerLen > bytes.length) {
    return fail(`the header size field says ${headerLen} bytes but only ${bytes.length - 8} bytes follow it`);
  }
  if (headerLen === 0 || bytes[8] !== 0x7b) return fail('the JSON header must start with "{"');

  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(header)) return fail("the header must be a JSON object");

  const dataStart = 8 + headerLen;
  const bufferLen = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (info === null) continue;
      if (!isPlainObject(info)) return fail(`"${METADATA_KEY}" must be an object of strings, got ${JSON.stringify(info)}`);
      const bad = Object.entries(info).find(([, v]) => typeof v !== "string");
      if (bad) return fail(`"${METADATA_KEY}" values must be strings; key ${JSON.stringify(bad[0])} holds ${JSON.stringify(bad[1])}`);
      metadata = Object.fromEntries(Object.entries(info)) as Record<string, string>;
      continue;
    }
    const entry = parseEntry(name, info, bufferLen);
    if (E.isLeft(entry)) return entry;
    entries.push(entry.right);
  }

  // The buffer must be tiled exactly: sorted by offsets, each tensor starts where the previous one ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      return fail(
        e.begin > cursor
          ? `tensor ${JSON.stringify(e.name)} starts at byte ${e.begin} but the previous data ends at ${cursor}: the buffer has a gap`
          : `tensor ${JSON.stringify(e.name)} [${e.begin},${e.end}] overlaps tensor ${JSON.stringify(previous?.name)} [${previous?.begin},${previous?.end}]`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== bufferLen) {
    return fail(`the tensors cover ${cursor} bytes but the data buffer has ${bufferLen}: ${bufferLen - cursor} bytes are not part of any tensor`);
  }

  const tensors: [string, RawArray][] = [];
  for (const e of entries) {
    const data = decodeElements(bytes, dataStart + e.begin, e.count, e.type.format, e.type.dtype);
    if (E.isLeft(data)) return fail(`tensor ${JSON.stringify(e.name)}: cannot decode ${e.fileDType} as ${e.type.dtype}: ${data.left}`);
    tensors.push([e.name, { dtype: e.type.dtype, shape: e.shape, data: data.right }]);
  }
  // fromEntries defines own properties, so a tensor named "__proto__" is kept as data, not as a prototype.
  return E.right({ tensors: Object.fromEntries(tensors), metadata });
}

function validateInput(
  fn: string,
  tensors: Record<string, RawArray>,
  metadata: Record<string, string>,
): E.Either<DataError, [string, RawArray][]> {
  if (!isPlainObject(tensors)) return E.left(invalidArray(`${fn}: tensors must be an object mapping names to arrays`));
  if (!isPlainObject(metadata)) return E.left(invalidArray(`${fn}: metadata must be an object of strings`));
  const badMeta = Object.entries(metadata).find(([, v]) => typeof v !== "string");
  if (badMeta) {
    return E.left(invalidArray(`${fn}: metadata values must be strings; key ${JSON.stringify(badMeta[0])} holds ${typeof badMeta[1]}`));
  }
  const entries = Object.entries(tensors);
  for (const [name, raw] of entries) {
    if (name === METADATA_KEY) return E.left(invalidArray(`${fn}: "${METADATA_KEY}" is reserved and cannot name a tensor`));
    const ok = validateRawArray(fn, raw, `tensor ${JSON.stringify(name)}`);
    if (E.isLeft(ok)) return ok;
  }
  return E.right(entries);
}

/**
 * Encode tensors (and optional string metadata) as a safetensors file, as the reference implementation writes
 * it, byte for byte: tensors ordered F64, F32, U32, I32, BOOL (descending item size, so each tensor's data is
 * aligned to its item size) then by name, `__metadata__` first in the header, the header padded with spaces to a
 * multiple of 8 bytes.
 *
 * @param tensors arrays by name (`"__metadata__"` is reserved)
 * @param metadata optional string→string map stored under `"__metadata__"` (omitted from the file when empty)
 * @returns the file bytes
 * @throws TypeError on an inconsistent array or non-string metadata (use {@link writeSafetensorsFile} to get a `Left`)
 */
export function encodeSafetensors(tensors: Record<string, RawArray>, metadata: Record<string, string> = {}): Uint8Array {
  const checked = validateInput("encodeSafetensors", tensors, metadata);
  if (E.isLeft(checked)) throw new TypeError(checked.left.message);
  const order = checked.right.sort(
    ([na, a], [nb, b]) => WRITE_RANK[b.dtype] - WRITE_RANK[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0),
  );
  const header: [string, unknown][] = [];
  if (Object.keys(metadata).length > 0) header.push([METADATA_KEY, metadata]);
  let offset = 0;
  for (const [name, raw] of order) {
    const nbytes = raw.data.length * itemsize(raw.dtype);
    header.push([name, { dtype: FILE_DTYPE_OF[raw.dtype], shape: [...raw.shape], data_offsets: [offset, offset + nbytes] }]);
    offset += nbytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(header)));
  const headerLen = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen % 4294967296, true);
  view.setUint32(4, Math.floor(headerLen / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [, raw] of order) {
    writeElementsLE(out, at, raw.dtype, raw.data);
    at += raw.data.length * itemsize(raw.dtype);
  }
  return out;
}

/**
 * Read and parse a safetensors file (see {@link parseSafetensors}).
 *
 * @param path file path
 */
export function readSafetensorsFile(path: string): TE.TaskEither<DataError, SafetensorsFile> {
  return readParsedFile("readSafetensorsFile", path, parseSafetensors);
}

/**
 * Write tensors as a safetensors file (see {@link encodeSafetensors}), atomically, creating parent directories.
 * Inconsistent input is an `InvalidArray` `Left`, a file-system failure an `IOError`.
 *
 * @param path file path (conventionally ending in `.safetensors`)
 * @param tensors arrays by name
 * @param metadata optional string→string map
 */
export function writeSafetensorsFile(
  path: string,
  tensors: Record<string, RawArray>,
  metadata: Record<string, string> = {},
): TE.TaskEither<DataError, void> {
  return pipe(
    TE.fromEither(validateInput("writeSafetensorsFile", tensors, metadata)),
    TE.flatMap(() => writeBytesFile("writeSafetensorsFile", path, encodeSafetensors(tensors, metadata))),
  );
}

/**
 * @file The typed error union returned (never thrown) by every data reader, writer and dataset loader.
 *
 * I/O and parsing report failure as values (`Either` / `TaskEither`, see DESIGN.md §2) so that a
 * malformed file is an ordinary outcome the caller must handle, not an exception from deep inside
 * a decoder. Every message names the function, what was found and what would be valid.
 */

/** The file formats the data loaders understand. */
export type DataFormat = "idx" | "npy" | "safetensors" | "csv";

/** The bytes or text do not follow the format (bad magic, truncated data, malformed header, ragged CSV row...). */
export interface ParseError {
  readonly _tag: "ParseError";
  /** Which format was being parsed. */
  readonly format: DataFormat;
  /** Human-readable explanation: function, what was found, what is valid. */
  readonly message: string;
}

/** The file system refused a read or write. */
export interface IOError {
  readonly _tag: "IOError";
  /** The path that was being read or written. */
  readonly path: string;
  /** Human-readable explanation, including the system error code (`ENOENT`, `EACCES`, ...). */
  readonly message: string;
}

/** The file is well formed but stores an element type Tessera cannot represent (complex, object, strings...). */
export interface UnsupportedDType {
  readonly _tag: "UnsupportedDType";
  /** Which format declared the type. */
  readonly format: DataFormat;
  /** The type as the file spells it (`"<c8"`, `"F8_E4M3"`, `"0x0A"`). */
  readonly found: string;
  /** The spellings that are accepted. */
  readonly supported: readonly string[];
  /** Human-readable explanation. */
  readonly message: string;
}

/** A value handed to a writer is not a consistent `RawArray` (wrong storage, length or shape). */
export interface InvalidArray {
  readonly _tag: "InvalidArray";
  /** Human-readable explanation. */
  readonly message: string;
}

/** A dataset's files are missing, or present but not the expected dataset (wrong counts or sizes). */
export interface DatasetError {
  readonly _tag: "DatasetError";
  /** Dataset name, e.g. `"mnist"`. */
  readonly dataset: string;
  /** Human-readable explanation, saying how to fix it (e.g. which package to install). */
  readonly message: string;
}

/** Every error a data reader, writer or dataset loader can return. Discriminate on `_tag`. */
export type DataError = ParseError | IOError | UnsupportedDType | InvalidArray | DatasetError;

/** Build a {@link ParseError}. */
export function parseError(format: DataFormat, message: string): ParseError {
  return { _tag: "ParseError", format, message };
}

/** Build an {@link IOError}. */
export function ioError(path: string, message: string): IOError {
  return { _tag: "IOError", path, message };
}

/** Build an {@link UnsupportedDType}. */
export function unsupportedDType(
  format: DataFormat,
  found: string,
  supported: readonly string[],
  message: string,
): UnsupportedDType {
  return { _tag: "UnsupportedDType", format, found, supported, message };
}

/** Build an {@link InvalidArray}. */
export function invalidArray(message: string): InvalidArray {
  return { _tag: "InvalidArray", message };
}

/** Build a {@link DatasetError}. */
export function datasetError(dataset: string, message: string): DatasetError {
  return { _tag: "DatasetError", dataset, message };
}

/**
 * A JS `Error` carrying a {@link DataError}, for callers that leave the `Either` world and want to throw
 * (e.g. a script that cannot continue without its data).
 */
export class DataErrorException extends Error {
  /** The error value this exception wraps. */
  readonly error: DataError;

  /** Wrap `error`; the exception's message is the error's message. */
  constructor(error: DataError) {
    super(error.message);
    this.name = error._tag;
    this.error = error;
  }
}

/** Render a {@link DataError} as one line, prefixed with its tag (for logs and thrown errors). */
export function formatDataError(error: DataError): string {
  return `${error._tag}: ${error.message}`;
}

/**
 * @file CSV reader with typed columns, built on papaparse (RFC 4180 quoting, embedded newlines, CRLF).
 *
 * Each column is numeric (`Float64Array`, missing cells as NaN) when every non-missing cell is a number, and a
 * string column otherwise (missing cells as `""`), the way pandas' `read_csv` infers float and object columns.
 */

import { createRequire } from "node:module";
import type * as PapaNs from "papaparse";

// papaparse is loaded on first use, so importing tessera does not pay for it.
const requireLazy = createRequire(import.meta.url);
let papa: typeof PapaNs | null = null;
const Papa = { parse: ((...args: unknown[]) => ((papa ??= requireLazy("papaparse") as typeof PapaNs).parse as (...a: unknown[]) => unknown)(...args)) as typeof PapaNs.parse };
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { parseError, type DataError } from "../errors.js";
import { inFile, readTextFile } from "../raw.js";

/** A parsed CSV: column names in order, and each column's values. */
export interface CsvTable {
  /** Column names, in file order (or in the order of {@link ParseCsvOptions.columns}). */
  readonly columns: string[];
  /**
   * Values by column name: `Float64Array` for numeric columns, `string[]` otherwise. All have the same length.
   * Iterate in {@link CsvTable.columns} order: JS enumerates integer-like keys ("0", "2") before the others.
   */
  readonly data: Record<string, Float64Array | string[]>;
}

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Whether the first row holds column names (default `true`). Without a header, columns are named "0", "1", .... */
  readonly header?: boolean;
  /**
   * Column names to use instead of the header row's (with `header: true`, the header row is still skipped) or
   * of "0", "1", ... (without a header). Their number must match the fields of each row.
   */
  readonly names?: readonly string[];
  /** Field delimiter (default `","`). One or more characters, not a quote or a newline. */
  readonly delimiter?: string;
  /** Keep only these columns, in this order (each must exist). Default: all columns. */
  readonly columns?: readonly string[];
  /** Force a column's type: `"string"` keeps numeric-looking text (ids, zip codes); `"number"` requires numbers. */
  readonly types?: Readonly<Record<string, "number" | "string">>;
  /** Cell texts (after trimming spaces) that mean "missing". Default {@link DEFAULT_NA_VALUES}. */
  readonly naValues?: readonly string[];
}

/** Cell texts treated as missing by default: empty, and pandas' usual spellings of NA. */
export const DEFAULT_NA_VALUES: readonly string[] = ["", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "None", "#N/A", "<NA>"];

// Decimal numbers with optional exponent, and the infinities. Deliberately stricter than `Number()`, which
// would also accept "0x1f", "0b1", " " (as 0) and "1_000"-free oddities nobody means in a CSV.
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

function parseNumber(cell: string): number | undefined {
  if (NUMBER_RE.test(cell)) return Number(cell);
  const inf = INF_RE.exec(cell);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

const fail = (message: string): E.Either<DataError, never> => E.left(parseError("csv", `parseCsv: ${message}`));

interface Row {
  readonly fields: string[];
  readonly line: number;
}

/** Tokenize with papaparse, keeping the 1-based line on which each row starts (rows may span lines). */
function tokenize(text: string, delimiter: string): E.Either<DataError, Row[]> {
  const rows: Row[] = [];
  let failure: DataError | undefined;
  let rowStart = 0; // character offset where the current row starts
  let scanned = 0; // characters already scanned for line breaks
  let line = 1; // line number at `scanned`
  try {
    Papa.parse<string[]>(text, {
      delimiter,
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      step: (result, parser) => {
        while (scanned < rowStart) {
          const nl = text.indexOf("\n", scanned);
          if (nl < 0 || nl >= rowStart) break;
          line++;
          scanned = nl + 1;
        }
        scanned = Math.max(scanned, rowStart);
        const quoteError = result.errors.find((e) => e.type === "Quotes");
        if (quoteError) {
          failure = parseError("csv", `parseCsv: line ${line}: ${quoteError.message.toLowerCase()} (check the quote characters)`);
          parser.abort();
          return;
        }
        rows.push({ fields: result.data, line });
        // meta.cursor is the offset just past this row and its line break: where the next row starts.
        rowStart = result.meta.cursor;
      },
    });
  } catch (e) {
    // papaparse is third-party code: whatever it throws on odd input becomes a value, not a crash.
    return fail(`the tokenizer failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return failure ? E.left(failure) : E.right(rows);
}

/**
 * Parse CSV text into typed columns.
 *
 * Blank lines are skipped. A column is numeric (`Float64Array`) when every non-missing cell parses as a decimal
 * number (or `inf`/`-inf`); missing cells (see `naValues`) become NaN there. Other columns stay `string[]`, with
 * missing cells as `""`. Empty header names become `Unnamed: i` (as pandas); duplicate names are an error. A row
 * with a different number of fields than the header (or the first row) is an error naming its line, as is an
 * unterminated quote. A leading byte-order mark is ignored.
 *
 * @param text the CSV text
 * @param options header handling, delimiter, column selection and types
 * @returns the table, or a {@link DataError}
 * @example
 * ```ts
 * parseCsv("x,label\n1.5,cat\n,dog\n"); // Right({ columns: ["x", "label"], data: { x: Float64Array [1.5, NaN], label: ["cat", "dog"] } })
 * ```
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): E.Either<DataError, CsvTable> {
  if (typeof text !== "string") return fail(`expected the CSV text as a string, got ${typeof text}`);
  const delimiter = options.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    return fail(`invalid delimiter ${JSON.stringify(delimiter)}; use one or more characters other than '"', "\\r" and "\\n"`);
  }
  const hasHeader = options.header ?? true;
  const naValues = new Set(options.naValues ?? DEFAULT_NA_VALUES);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const tokenized = tokenize(source, delimiter);
  if (E.isLeft(tokenized)) return tokenized;
  // A blank line tokenizes as one empty (or all-space) field.
  const rows = tokenized.right.filter((r) => !(r.fields.length === 1 && r.fields[0]!.trim() === ""));

  let names: string[];
  let body: Row[];
  if (hasHeader) {
    const head = rows[0];
    if (head === undefined) return fail("the input has no header row (it is empty); pass { header: false } for headerless data");
    names = head.fields.map((n, i) => (n.trim() === "" ? `Unnamed: ${i}` : n));
    body = rows.slice(1);
  } else {
    names = Array.from({ length: rows[0]?.fields.length ?? options.names?.length ?? 0 }, (_, i) => String(i));
    body = rows;
  }
  if (options.names !== undefined) {
    if (options.names.length !== names.length) {
      const which = hasHeader ? "header has" : "rows have";
      return fail(`{ names } lists ${options.names.length} columns but the ${which} ${names.length} fields`);
    }
    names = [...options.names];
  }
  const seen = new Map<string, number>();
  for (const [i, n] of names.entries()) {
    const j = seen.get(n);
    if (j !== undefined) return fail(`columns ${j} and ${i} are both named ${JSON.stringify(n)}; column names must be unique`);
    seen.set(n, i);
  }
  for (const r of body) {
    if (r.fields.length !== names.length) {
      return fail(`line ${r.line} has ${r.fields.length} fields but ${hasHeader ? "the header has" : "the first row has"} ${names.length}`);
    }
  }

  const selected = options.columns ?? names;
  const out: [string, Float64Array | string[]][] = [];
  for (const name of selected) {
    const index = seen.get(name);
    if (index === undefined) {
      const all = names.map((n) => JSON.stringify(n)).join(", ");
      return fail(`column ${JSON.stringify(name)} does not exist; the columns are ${all}`);
    }
    const type = options.types?.[name];
    const column = buildColumn(name, body, index, naValues, type);
    if (E.isLeft(column)) return column;
    out.push([name, column.right]);
  }
  for (const name of Object.keys(options.types ?? {})) {
    if (!seen.has(name)) return fail(`{ types } names column ${JSON.stringify(name)}, which does not exist`);
  }
  // fromEntries defines own properties, so a column named "__proto__" is data, not a prototype change.
  return E.right({ columns: [...selected], data: Object.fromEntries(out) });
}

function buildColumn(
  name: string,
  body: readonly Row[],
  index: number,
  naValues: ReadonlySet<string>,
  type: "number" | "string" | undefined,
): E.Either<DataError, Float64Array | string[]> {
  if (type !== "string") {
    const values = new Float64Array(body.length);
    let numeric = true;
    for (let i = 0; i < body.length; i++) {
      const cell = body[i]!.fields[index]!.trim();
      if (naValues.has(cell)) {
        values[i] = NaN;
        continue;
      }
      const v = parseNumber(cell);
      if (v === undefined) {
        if (type === "number") {
          return fail(`column ${JSON.stringify(name)} was declared numeric but line ${body[i]!.line} holds ${JSON.stringify(cell)}`);
        }
        numeric = false;
        break;
      }
      values[i] = v;
    }
    if (numeric) return E.right(values);
  }
  return E.right(
    body.map((r) => {
      const cell = r.fields[index]!;
      return naValues.has(cell.trim()) ? "" : cell;
    }),
  );
}

/**
 * Read a UTF-8 CSV file and parse it with {@link parseCsv}.
 *
 * @param path file path
 * @param options as for {@link parseCsv}
 */
export function readCsvFile(path: string, options: ParseCsvOptions = {}): TE.TaskEither<DataError, CsvTable> {
  return pipe(
    readTextFile("readCsvFile", path),
    TE.flatMap((text) => TE.fromEither(parseCsv(text, options))),
    TE.mapLeft(inFile(path)),
  );
}

/**
 * @file CSV reader: typed columns, missing values, header handling, quoting, and errors that name the line.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { parseCsv, readCsvFile } from "../../src/data/loaders/csv.js";
import { leftMessage, unwrap } from "./arbitraries.js";

describe("parseCsv", () => {
  it("types numeric columns as Float64Array and keeps the rest as strings", () => {
    const t = unwrap(parseCsv("x,label,y\n1.5,cat,-2e3\n2,dog,inf\n"));
    expect(t.columns).toEqual(["x", "label", "y"]);
    expect(t.data.x).toEqual(new Float64Array([1.5, 2]));
    expect(t.data.label).toEqual(["cat", "dog"]);
    expect(t.data.y).toEqual(new Float64Array([-2000, Infinity]));
  });

  it("reads missing cells as NaN in numeric columns and as empty strings in string columns", () => {
    const t = unwrap(parseCsv("a,b,c\n1,x,\nNA,,\n ,N/A,\n3,y,\n"));
    expect(Array.from(t.data.a as Float64Array)).toEqual([1, NaN, NaN, 3]);
    expect(t.data.b).toEqual(["x", "", "", "y"]);
    expect(Array.from(t.data.c as Float64Array)).toEqual([NaN, NaN, NaN, NaN]);
  });

  it("does not mistake JS-only number syntax for numbers", () => {
    for (const cell of ["0x1F", "1_000", "1e", ".", "--1", "Infinity1"]) {
      expect(unwrap(parseCsv(`v\n${cell}\n2\n`)).data.v).toEqual([cell, "2"]);
    }
  });

  it("handles quotes, embedded delimiters and newlines, CRLF, a BOM and blank lines", () => {
    const t = unwrap(parseCsv('\ufeffname,"note, quoted"\r\n"Smith, J","line one\r\nline two"\r\n\r\n"O""Neil",3\r\n'));
    expect(t.columns).toEqual(["name", "note, quoted"]);
    expect(t.data.name).toEqual(["Smith, J", 'O"Neil']);
    expect(t.data["note, quoted"]).toEqual(["line one\r\nline two", "3"]);
  });

  it("supports headerless files, custom names, delimiters, column selection and forced types", () => {
    expect(unwrap(parseCsv("1;2\n3;4\n", { header: false, delimiter: ";" }))).toEqual({
      columns: ["0", "1"],
      data: { "0": new Float64Array([1, 3]), "1": new Float64Array([2, 4]) },
    });
    expect(unwrap(parseCsv("1\t2\n", { header: false, delimiter: "\t", names: ["a", "b"] })).columns).toEqual(["a", "b"]);
    expect(unwrap(parseCsv("x,y\n1,2\n", { names: ["a", "b"] }))).toEqual({ columns: ["a", "b"], data: { a: new Float64Array([1]), b: new Float64Array([2]) } });
    const t = unwrap(parseCsv("id,zip,v\n1,02134,x\n2,10001,y\n", { columns: ["v", "zip"], types: { zip: "string" } }));
    expect(t.columns).toEqual(["v", "zip"]);
    expect(t.data).toEqual({ v: ["x", "y"], zip: ["02134", "10001"] });
    expect(unwrap(parseCsv("a\n?\n1\n", { naValues: ["?"] })).data.a).toEqual(new Float64Array([NaN, 1]));
  });

  it("names empty header cells like pandas and keeps a __proto__ column as data", () => {
    const t = unwrap(parseCsv(",a,__proto__\n0,1,2\n"));
    expect(t.columns).toEqual(["Unnamed: 0", "a", "__proto__"]);
    expect(Object.keys(t.data)).toEqual(["Unnamed: 0", "a", "__proto__"]);
    expect(Object.getPrototypeOf(t.data)).toBe(Object.prototype);
  });

  it("returns empty columns for a header-only file and no columns for empty headerless input", () => {
    expect(unwrap(parseCsv("a,b\n"))).toEqual({ columns: ["a", "b"], data: { a: new Float64Array(0), b: new Float64Array(0) } });
    expect(unwrap(parseCsv("", { header: false }))).toEqual({ columns: [], data: {} });
  });

  const cases: [string, string, Parameters<typeof parseCsv>[1], string][] = [
    ["a ragged row", "a,b\n1,2\n3\n4,5\n", {}, "parseCsv: line 3 has 1 fields but the header has 2"],
    ["a ragged row after a multi-line field", 'a,b\n1,"x\ny"\n3,4,5\n', {}, "parseCsv: line 4 has 3 fields but the header has 2"],
    ["a ragged headerless row", "1,2\n3,4,5\n", { header: false }, "parseCsv: line 2 has 3 fields but the first row has 2"],
    ["an unterminated quote", 'a,b\n1,2\n"3,4\n', {}, "parseCsv: line 3: quoted field unterminated (check the quote characters)"],
    ["empty input with a header expected", "", {}, "parseCsv: the input has no header row (it is empty); pass { header: false } for headerless data"],
    ["duplicate column names", "a,b,a\n1,2,3\n", {}, 'parseCsv: columns 0 and 2 are both named "a"; column names must be unique'],
    ["an unknown selected column", "a,b\n1,2\n", { columns: ["c"] }, 'parseCsv: column "c" does not exist; the columns are "a", "b"'],
    ["a non-number in a forced numeric column", "a\n1\nx\n", { types: { a: "number" } }, 'parseCsv: column "a" was declared numeric but line 3 holds "x"'],
    ["an unknown typed column", "a\n1\n", { types: { b: "string" } }, 'parseCsv: { types } names column "b", which does not exist'],
    ["names that do not match the rows", "1,2\n", { header: false, names: ["a"] }, "parseCsv: { names } lists 1 columns but the rows have 2 fields"],
    ["names that do not match the header", "x,y\n1,2\n", { names: ["a", "b", "c"] }, "parseCsv: { names } lists 3 columns but the header has 2 fields"],
    ["a quote as delimiter", "a\n", { delimiter: '"' }, `parseCsv: invalid delimiter "\\""; use one or more characters other than '"', "\\r" and "\\n"`],
  ];
  it.each(cases)("rejects %s", (_name, text, options, message) => {
    const r = parseCsv(text, options);
    expect(E.isLeft(r) && r.left._tag).toBe("ParseError");
    expect(leftMessage(r)).toBe(message);
  });
});

describe("readCsvFile", () => {
  it("reads a file and names the path in parse errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-csv-"));
    try {
      await writeFile(join(dir, "ok.csv"), "a,b\n1,x\n");
      await writeFile(join(dir, "bad.csv"), "a,b\n1\n");
      expect(unwrap(await readCsvFile(join(dir, "ok.csv"))()).data.a).toEqual(new Float64Array([1]));
      expect(leftMessage(await readCsvFile(join(dir, "bad.csv"))())).toMatch(/^parseCsv: line 2 has 1 fields but the header has 2 \(in ".*bad\.csv"\)$/);
      const missing = await readCsvFile(join(dir, "none.csv"))();
      expect(E.isLeft(missing) && missing.left._tag).toBe("IOError");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

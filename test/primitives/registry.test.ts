/**
 * @file The primitive registry against the spec table and the docs: every registered primitive
 * has spec entries (so a new primitive without tests fails CI), every primitive the table marks
 * linear has a transpose rule (and every transpose rule belongs to a primitive marked linear),
 * every primitive has a batching rule, and the table in `docs/autodiff.md` lists exactly the
 * registered primitives with the rules they really have.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allPrimitives, type Primitive } from "../../src/core/primitive.js";
import "../../src/index.js";
import { SPECS } from "./spec.js";

// Load every primitive module, including ones the public index does not (yet) reach.
const primDir = new URL("../../src/primitives/", import.meta.url);
for (const file of readdirSync(primDir)) {
  if (file.endsWith(".ts")) await import(new URL(file, primDir).href);
}

const prims: Primitive[] = allPrimitives();
const byName = new Map(prims.map((p) => [p.name, p]));

/** Primitives without a JVP rule, each with the reason (anything else must have one). */
const NO_JVP: Record<string, string> = {
  custom_lin: "the linear half of custom_vjp_call: forward mode of a customVjp function is an error, as in JAX; reverse mode transposes it",
};

describe("primitive registry", () => {
  it("loads the whole library's primitives", () => {
    expect(prims.length).toBeGreaterThan(80);
  });

  it("every registered primitive has at least one entry in the spec table", () => {
    const covered = new Set(SPECS.map((s) => s.prim));
    expect(prims.map((p) => p.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  it("every spec entry names a registered primitive, and entry names are unique", () => {
    expect(SPECS.map((s) => s.prim).filter((n) => !byName.has(n))).toEqual([]);
    const names = SPECS.map((s) => s.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("every primitive the table marks linear has a transpose rule, and only those", () => {
    const linear = new Set(SPECS.filter((s) => s.linear).map((s) => s.prim));
    expect([...linear].filter((n) => byName.get(n)?.transpose === undefined)).toEqual([]);
    expect(prims.filter((p) => p.transpose !== undefined && !linear.has(p.name)).map((p) => p.name)).toEqual([]);
  });

  it("a primitive's entries agree on whether it is linear", () => {
    const flags = new Map<string, Set<boolean>>();
    for (const s of SPECS) flags.set(s.prim, (flags.get(s.prim) ?? new Set()).add(s.linear === true));
    expect([...flags].filter(([, f]) => f.size > 1).map(([n]) => n)).toEqual([]);
  });

  it("every primitive has a batching rule", () => {
    expect(prims.filter((p) => p.batch === undefined).map((p) => p.name)).toEqual([]);
  });

  it("every primitive has a JVP rule, except the documented exceptions", () => {
    expect(prims.filter((p) => p.jvp === undefined && !(p.name in NO_JVP)).map((p) => p.name)).toEqual([]);
    for (const name of Object.keys(NO_JVP)) expect(byName.get(name)?.jvp).toBeUndefined();
  });

  it("every primitive has a shape rule and an eager implementation", () => {
    expect(prims.filter((p) => typeof p.abstractEval !== "function" || typeof p.impl !== "function").map((p) => p.name)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// docs/autodiff.md: the primitive table

interface Row {
  name: string;
  jvp: boolean;
  transpose: boolean;
  batch: boolean;
  tests: string;
}

function parseTable(md: string): Row[] {
  const start = md.indexOf("<!-- primitive-table:start -->");
  const end = md.indexOf("<!-- primitive-table:end -->");
  if (start < 0 || end < 0) throw new Error("docs/autodiff.md: primitive table markers not found");
  const rows: Row[] = [];
  for (const line of md.slice(start, end).split("\n")) {
    const m = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line.trim());
    if (!m) continue;
    const cells = m[2]!.split("|").map((c) => c.trim());
    const yes = (c: string | undefined) => (c ?? "").startsWith("✓");
    rows.push({ name: m[1]!, jvp: yes(cells[1]), transpose: yes(cells[2]), batch: yes(cells[3]), tests: cells[4] ?? "" });
  }
  return rows;
}

describe("docs/autodiff.md primitive table", () => {
  let cached: Row[] | null = null;
  const table = () => (cached ??= parseTable(readFileSync(new URL("../../docs/autodiff.md", import.meta.url), "utf8")));

  it("lists exactly the registered primitives, once each", () => {
    const listed = table().map((r) => r.name);
    expect([...listed].sort()).toEqual(prims.map((p) => p.name).sort());
  });

  it("shows the rules each primitive really has", () => {
    const wrong = table().filter((r) => {
      const p = byName.get(r.name);
      return p === undefined || r.jvp !== (p.jvp !== undefined) || r.transpose !== (p.transpose !== undefined) || r.batch !== (p.batch !== undefined);
    });
    expect(wrong.map((r) => r.name)).toEqual([]);
  });

  it("names the property tests of each primitive, matching the spec table", () => {
    for (const r of table()) {
      const kinds = new Set(SPECS.filter((s) => s.prim === r.name).map((s) => s.grad.kind));
      const expected = [kinds.has("check") ? "checkGrads" : null, kinds.has("zero") ? "zero tangent" : null, kinds.has("unsupported") ? "error" : null].filter((k) => k !== null);
      for (const k of expected) expect(r.tests, `${r.name}: tests column`).toContain(k);
      expect(r.tests, `${r.name}: tests column`).toContain("vmap");
      expect(r.tests, `${r.name}: tests column`).toContain("jit");
    }
  });
});

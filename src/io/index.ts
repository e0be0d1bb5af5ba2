/**
 * @file `io.save` / `io.load`: parameter trees as safetensors files. Each leaf is stored under its
 * path in the tree (`dense_1.kernel`, `layers.0.b`), so other safetensors tools can read the file,
 * and the tree structure is kept in the header metadata (`tessera.treedef`) so `load` rebuilds it.
 */
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { Array } from "../core/array.js";
import { flatten, treedefDiff, treedefToString, unflatten, type Tree, type TreeDef } from "../core/tree.js";
import { fromRaw, toRaw } from "../data/convert.js";
import { datasetError, type DataError } from "../data/errors.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../data/loaders/safetensors.js";
import type { RawArray } from "../data/raw.js";

const TREEDEF_KEY = "tessera.treedef";
const FORMAT_KEY = "format";

/** Paths of the leaves of a structure, in flatten order (`a.b`, `layers.0.w`; the root leaf is `value`). */
export function leafPaths(def: TreeDef, prefix = ""): string[] {
  switch (def.kind) {
    case "leaf":
      return [prefix === "" ? "value" : prefix];
    case "none":
      return [];
    case "list":
      return def.children.flatMap((c, i) => leafPaths(c, prefix === "" ? String(i) : `${prefix}.${i}`));
    case "dict":
      return def.children.flatMap((c, i) => leafPaths(c, prefix === "" ? def.keys[i]! : `${prefix}.${def.keys[i]}`));
  }
}

/** Deepest structure `load` accepts from a file (a guard against hostile metadata, far beyond real models). */
const MAX_TREE_DEPTH = 256;

/**
 * Why `v` (parsed from a file's metadata) is not a well-formed {@link TreeDef}, or `null` if it is.
 * Metadata comes from outside, so it is checked before anything walks it.
 */
function treedefProblem(v: unknown, depth: number): string | null {
  if (depth > MAX_TREE_DEPTH) return `nested deeper than ${MAX_TREE_DEPTH} levels`;
  if (v === null || typeof v !== "object" || globalThis.Array.isArray(v)) return `expected a node object, got ${JSON.stringify(v)?.slice(0, 40)}`;
  const node = v as { kind?: unknown; keys?: unknown; children?: unknown; value?: unknown };
  switch (node.kind) {
    case "leaf":
      return null;
    case "none":
      return node.value === undefined || node.value === null ? null : `a "none" node holds ${JSON.stringify(node.value)}`;
    case "list":
    case "dict": {
      if (!globalThis.Array.isArray(node.children)) return `a "${node.kind}" node has no children list`;
      if (node.kind === "dict") {
        const keys = node.keys;
        if (!globalThis.Array.isArray(keys) || !keys.every((k) => typeof k === "string")) return 'a "dict" node has no list of string keys';
        if (keys.length !== node.children.length) return `a "dict" node has ${keys.length} keys but ${node.children.length} children`;
        if (new Set(keys).size !== keys.length) return 'a "dict" node repeats a key';
      }
      for (const c of node.children) {
        const p = treedefProblem(c, depth + 1);
        if (p !== null) return p;
      }
      return null;
    }
    default:
      return `unknown node kind ${JSON.stringify(node.kind)}`;
  }
}

/**
 * Write a pytree of arrays to a safetensors file (atomically). Leaves must be concrete arrays.
 * @example
 * await io.save("out/params.safetensors", params)();
 */
export function save(path: string, tree: Tree, metadata: Record<string, string> = {}): TE.TaskEither<DataError, void> {
  const [leaves, def] = flatten(tree);
  const paths = leafPaths(def);
  const tensors: Record<string, RawArray> = {};
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i];
    if (!(l instanceof Array)) return TE.left(datasetError("io.save", `io.save: leaf ${paths[i]} is not an Array (got ${typeof l})`));
    // Keys that contain "." or are empty can make two leaves share a path; writing both under
    // one name would silently keep only the last, so refuse instead.
    if (Object.prototype.hasOwnProperty.call(tensors, paths[i]!)) {
      return TE.left(
        datasetError("io.save", `io.save: two leaves would both be stored under the tensor name ${JSON.stringify(paths[i])}; dict keys that contain "." or are empty make leaf paths ambiguous, rename them`),
      );
    }
    tensors[paths[i]!] = toRaw(l);
  }
  return writeSafetensorsFile(path, tensors, { ...metadata, [FORMAT_KEY]: "pt", [TREEDEF_KEY]: JSON.stringify(def) });
}

/**
 * Read a pytree saved by {@link save}. Files from other tools (no tree metadata) load as a flat
 * object keyed by tensor name.
 */
export function load(path: string): TE.TaskEither<DataError, Tree> {
  return pipe(
    readSafetensorsFile(path),
    TE.chainEitherK((file) => {
      const defText = file.metadata[TREEDEF_KEY];
      if (defText === undefined) {
        const out: Record<string, Array> = {};
        for (const [k, v] of Object.entries(file.tensors)) out[k] = fromRaw(v);
        return E.right(out as Tree);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(defText);
      } catch {
        return E.left(datasetError("io.load", `io.load: ${path}: the ${TREEDEF_KEY} metadata is not valid JSON`));
      }
      const problem = treedefProblem(parsed, 0);
      if (problem !== null) return E.left(datasetError("io.load", `io.load: ${path}: the ${TREEDEF_KEY} metadata is not a valid tree structure: ${problem}`));
      const def = parsed as TreeDef;
      const paths = leafPaths(def);
      const missing = paths.filter((p) => !Object.prototype.hasOwnProperty.call(file.tensors, p));
      if (missing.length > 0) return E.left(datasetError("io.load", `io.load: ${path}: tensors ${missing.join(", ")} named by the tree structure are missing from the file`));
      return E.right(unflatten(def, paths.map((p) => fromRaw(file.tensors[p]!))));
    }),
  );
}

/**
 * Read a parameter file into the structure of `like` (e.g. freshly initialized params): a clear
 * error if the structure, a shape or a dtype differs.
 */
export function loadInto<T extends Tree>(path: string, like: T): TE.TaskEither<DataError, T> {
  return pipe(
    load(path),
    TE.chainEitherK((tree) => {
      const [want, wantDef] = flatten(like);
      const [got, gotDef] = flatten(tree);
      const diff = treedefDiff(wantDef, gotDef);
      if (diff !== null) {
        return E.left(datasetError("io.loadInto", `io.loadInto: ${path} holds a different tree structure (first difference at ${diff}):\n  expected ${treedefToString(wantDef)}\n  file has ${treedefToString(gotDef)}`));
      }
      const paths = leafPaths(wantDef);
      for (let i = 0; i < want.length; i++) {
        const a = want[i]!;
        const b = got[i]!;
        if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
          return E.left(datasetError("io.loadInto", `io.loadInto: ${path}: ${paths[i]} is ${b.dtype}[${b.shape.join(",")}] in the file but ${a.dtype}[${a.shape.join(",")}] is expected`));
        }
      }
      return E.right(tree as T);
    }),
  );
}

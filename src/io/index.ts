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
    if (!(l instanceof Array)) return TE.left(datasetError("io.save", `leaf ${paths[i]} is not an Array (got ${typeof l})`));
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
      let def: TreeDef;
      try {
        def = JSON.parse(defText) as TreeDef;
      } catch {
        return E.left(datasetError("io.load", `${path}: the ${TREEDEF_KEY} metadata is not valid JSON`));
      }
      const paths = leafPaths(def);
      const missing = paths.filter((p) => !(p in file.tensors));
      if (missing.length > 0) return E.left(datasetError("io.load", `${path}: tensors ${missing.join(", ")} named by the tree structure are missing from the file`));
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
        return E.left(datasetError("io.loadInto", `${path} holds a different tree structure (first difference at ${diff}):\n  expected ${treedefToString(wantDef)}\n  file has ${treedefToString(gotDef)}`));
      }
      const paths = leafPaths(wantDef);
      for (let i = 0; i < want.length; i++) {
        const a = want[i]!;
        const b = got[i]!;
        if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
          return E.left(datasetError("io.loadInto", `${path}: ${paths[i]} is ${b.dtype}[${b.shape.join(",")}] in the file but ${a.dtype}[${a.shape.join(",")}] is expected`));
        }
      }
      return E.right(tree as T);
    }),
  );
}

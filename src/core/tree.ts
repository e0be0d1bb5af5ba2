/**
 * @file Pytrees: nested plain objects, JS arrays and `null`/`undefined` (empty), with array (or
 * number) leaves. Transformations flatten their arguments at the API edge and see flat lists.
 * Object keys are visited in sorted order, as JAX does for dicts.
 */
import { produce, type Draft } from "immer";
import { Array } from "./array.js";
import { TreeMismatchError } from "./errors.js";

/** A pytree whose leaves are `T`. */
export type Tree<T = Array> = T | null | undefined | readonly Tree<T>[] | { readonly [k: string]: Tree<T> };

/** The structure of a pytree, without its leaves. */
export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "none"; readonly value: null | undefined }
  | { readonly kind: "list"; readonly children: readonly TreeDef[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

const LEAF: TreeDef = { kind: "leaf" };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** True for values treated as leaves by default: arrays, numbers, booleans and anything not a container. */
export function isLeaf(x: unknown): boolean {
  return !(x === null || x === undefined || globalThis.Array.isArray(x) || isPlainObject(x));
}

/** Flatten a tree into its leaves (depth-first, sorted object keys) and its structure. */
export function flatten<T = Array>(tree: Tree<T>, isLeafFn?: (x: unknown) => boolean): [T[], TreeDef] {
  const leaves: T[] = [];
  const walk = (t: unknown): TreeDef => {
    if (isLeafFn?.(t)) {
      leaves.push(t as T);
      return LEAF;
    }
    if (t === null || t === undefined) return { kind: "none", value: t };
    if (globalThis.Array.isArray(t)) return { kind: "list", children: t.map(walk) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      return { kind: "dict", keys, children: keys.map((k) => walk(t[k])) };
    }
    leaves.push(t as T);
    return LEAF;
  };
  const def = walk(tree);
  return [leaves, def];
}

/** The leaves of a tree, in flatten order. */
export function leaves<T = Array>(tree: Tree<T>): T[] {
  return flatten(tree)[0];
}

/** The structure of a tree. */
export function structure(tree: Tree<unknown>): TreeDef {
  return flatten(tree)[1];
}

/** Number of leaves a structure holds. */
export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    default:
      return def.children.reduce((s, c) => s + numLeaves(c), 0);
  }
}

/** Rebuild a tree of `def`'s structure from leaves. */
export function unflatten<T = Array>(def: TreeDef, leafList: readonly T[]): Tree<T> {
  if (leafList.length !== numLeaves(def)) {
    throw new TreeMismatchError("tree.unflatten", `the structure ${treedefToString(def)} has ${numLeaves(def)} leaves, got ${leafList.length}`);
  }
  let i = 0;
  const build = (d: TreeDef): any => {
    switch (d.kind) {
      case "leaf":
        return leafList[i++];
      case "none":
        return d.value;
      case "list":
        return d.children.map(build);
      case "dict": {
        const o: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (o[k] = build(d.children[j]!)));
        return o;
      }
    }
  };
  return build(def);
}

/** Print a structure like JAX's PyTreeDef: `{a: *, b: [*, *]}`. */
export function treedefToString(def: TreeDef): string {
  switch (def.kind) {
    case "leaf":
      return "*";
    case "none":
      return String(def.value);
    case "list":
      return `[${def.children.map(treedefToString).join(", ")}]`;
    case "dict":
      return `{${def.keys.map((k, i) => `${k}: ${treedefToString(def.children[i]!)}`).join(", ")}}`;
  }
}

/** The first path (e.g. `.dense1.b[0]`) where two structures differ, or null if equal. */
export function treedefDiff(a: TreeDef, b: TreeDef, path = ""): string | null {
  if (a.kind !== b.kind) return path || "(root)";
  if (a.kind === "list" && b.kind === "list") {
    if (a.children.length !== b.children.length) return `${path || "(root)"} (list of ${a.children.length} vs ${b.children.length})`;
    for (let i = 0; i < a.children.length; i++) {
      const d = treedefDiff(a.children[i]!, b.children[i]!, `${path}[${i}]`);
      if (d !== null) return d;
    }
  }
  if (a.kind === "dict" && b.kind === "dict") {
    const ka = a.keys.join(",");
    const kb = b.keys.join(",");
    if (ka !== kb) return `${path || "(root)"} (keys {${a.keys.join(", ")}} vs {${b.keys.join(", ")}})`;
    for (let i = 0; i < a.keys.length; i++) {
      const d = treedefDiff(a.children[i]!, b.children[i]!, `${path}.${a.keys[i]}`);
      if (d !== null) return d;
    }
  }
  return null;
}

/** True when two structures are the same. */
export function treedefEqual(a: TreeDef, b: TreeDef): boolean {
  return treedefDiff(a, b) === null;
}

/** Throw a TreeMismatchError showing both structures and the first difference. */
export function assertSameStructure(fn: string, a: TreeDef, b: TreeDef, what = "trees"): void {
  const d = treedefDiff(a, b);
  if (d !== null) {
    throw new TreeMismatchError(fn, `${what} have different structures, first difference at ${d}:\n  ${treedefToString(a)}\n  ${treedefToString(b)}`);
  }
}

/** Apply `f` to the leaves of one or more trees of the same structure. */
export function map<T = Array, U = Array>(f: (...xs: T[]) => U, tree: Tree<T>, ...rest: Tree<T>[]): Tree<U> {
  const [ls, def] = flatten(tree);
  const others = rest.map((r, i) => {
    const [l2, d2] = flatten(r);
    assertSameStructure("tree.map", def, d2, `tree 0 and tree ${i + 1}`);
    return l2;
  });
  return unflatten(def, ls.map((x, i) => f(x, ...others.map((o) => o[i]!))));
}

/** Fold the leaves left to right. */
export function reduce<T, A>(f: (acc: A, x: T) => A, tree: Tree<T>, init: A): A {
  return leaves(tree).reduce(f, init);
}

/**
 * Structured, immutable edit of a tree (immer-backed): `update(params, d => { d.dense1.b = b2 })`
 * returns a new tree; the original is untouched and unchanged subtrees are shared.
 */
export function update<T>(tree: T, recipe: (draft: Draft<T>) => void): T {
  return produce(tree, recipe) as T;
}

/**
 * @file Argument plumbing shared by the public transformations: flattening pytrees of arrays
 * (JS numbers become weak scalars), validating `argnums`, and rebuilding outputs.
 */
import { Array } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { flatten, type TreeDef } from "../core/tree.js";
import { asArray } from "../numpy/coerce.js";

/** Flatten a pytree argument into array leaves. */
export function flattenArrays(fn: string, tree: unknown): [Array[], TreeDef] {
  const [leaves, def] = flatten<unknown>(tree as any);
  return [leaves.map((l) => (l instanceof Array ? l : asArray(fn, l))), def];
}

/** Normalize `argnums` (number or list) against the number of arguments. */
export function normalizeArgnums(fn: string, argnums: number | readonly number[] | undefined, nargs: number): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -nargs || a >= nargs) {
      throw new ValueError(fn, `argnums ${JSON.stringify(argnums)} is out of range for a function called with ${nargs} positional argument(s)`);
    }
  }
  return list.map((a) => (a < 0 ? a + nargs : a));
}

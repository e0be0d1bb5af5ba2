/**
 * @file The public `tree` namespace: pytree utilities.
 */
export {
  map,
  leaves,
  flatten,
  unflatten,
  structure,
  reduce,
  update,
  treedefToString,
  treedefEqual,
  type Tree,
  type TreeDef,
} from "./core/tree.js";

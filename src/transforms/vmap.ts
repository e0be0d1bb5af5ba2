/**
 * @file The public `vmap`: pytree-aware axis specs (a number, null, or a pytree prefix of the
 * arguments / outputs), batch-size inference and its errors.
 */
import type { Array } from "../core/array.js";
import { ShapeError, ValueError } from "../core/errors.js";
import { flatten, treedefToString, unflatten, type TreeDef } from "../core/tree.js";
import { vmapFlat } from "../interpreters/batching.js";
import { flattenArrays } from "./args.js";

/** An axis spec: the batch axis, `null` for "not batched", or a pytree of those. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [k: string]: AxisSpec };

/** Options of `vmap`. */
export interface VmapOptions {
  /** Batch size when no input is batched. */
  axisSize?: number;
}

/** Broadcast a pytree-prefix axis spec over the leaves of `tree`. */
function specLeaves(fn: string, spec: AxisSpec | undefined, tree: unknown, what: string): (number | null)[] {
  if (spec === undefined || spec === null || typeof spec === "number") {
    return flatten(tree as any)[0].map(() => (spec === undefined ? 0 : spec));
  }
  if (globalThis.Array.isArray(spec)) {
    if (!globalThis.Array.isArray(tree) || tree.length !== spec.length) {
      throw new ValueError(fn, `${what}: the axis spec ${JSON.stringify(spec)} is a list of ${spec.length} but the value is ${globalThis.Array.isArray(tree) ? `a list of ${tree.length}` : typeof tree}`);
    }
    return spec.flatMap((s, i) => specLeaves(fn, s as AxisSpec, tree[i], `${what}[${i}]`));
  }
  if (tree === null || typeof tree !== "object") throw new ValueError(fn, `${what}: axis spec is an object but the value is not`);
  const keys = Object.keys(tree).sort();
  const rec = spec as Record<string, AxisSpec>;
  // A key missing from the spec defaults to axis 0; an explicit null means "not batched".
  return keys.flatMap((k) => specLeaves(fn, k in rec ? rec[k]! : 0, (tree as Record<string, unknown>)[k], `${what}.${k}`));
}

/**
 * Vectorize `f` over a batch axis: `vmap(f, inAxes, outAxes)(...args)`. `inAxes` is one spec for
 * all arguments or a list with one spec per argument (each a number, `null`, or a pytree prefix).
 * @example
 * const dots = vmap((a, b) => np.dot(a, b))(xs, ys); // row-wise dot products
 */
export function vmap<F extends (...args: any[]) => any>(f: F, inAxes: AxisSpec = 0, outAxes: AxisSpec = 0, opts: VmapOptions = {}): (...args: Parameters<F>) => ReturnType<F> {
  return (...args: Parameters<F>) => {
    let specs: AxisSpec[];
    if (globalThis.Array.isArray(inAxes)) {
      if (inAxes.length !== args.length) {
        throw new ValueError("vmap", `inAxes has ${inAxes.length} entries but the function was called with ${args.length} positional argument(s); give one spec per argument (or a single number)`);
      }
      specs = [...inAxes];
    } else specs = args.map(() => inAxes);
    const dims = args.flatMap((a, i) => specLeaves("vmap", specs[i], a, `argument ${i}`));
    const [leaves, def] = flattenArrays("vmap", args);
    const sizes = new Map<number, string[]>();
    const normDims = leaves.map((x, i) => {
      const d = dims[i]!;
      if (d === null) return null;
      if (!Number.isInteger(d) || d < -x.ndim || d >= x.ndim) {
        throw new ValueError("vmap", `in axis ${d} is out of range for leaf ${i} of shape [${x.shape.join(",")}]`);
      }
      const nd = d < 0 ? d + x.ndim : d;
      const n = x.shape[nd]!;
      sizes.set(n, [...(sizes.get(n) ?? []), `leaf ${i} axis ${nd} of shape [${x.shape.join(",")}]`]);
      return nd;
    });
    if (sizes.size > 1) {
      throw new ShapeError("vmap", `batched inputs have different sizes along their batch axes: ${[...sizes.entries()].map(([n, w]) => `${n} (${w.join("; ")})`).join(" vs ")}`);
    }
    let size = sizes.size === 1 ? [...sizes.keys()][0]! : opts.axisSize;
    if (size === undefined) throw new ValueError("vmap", "no input is batched; pass { axisSize } to say how many copies to make");
    if (opts.axisSize !== undefined && opts.axisSize !== size) throw new ShapeError("vmap", `axisSize ${opts.axisSize} does not match the batch size ${size} of the inputs`);
    size = size!;
    let outDef: TreeDef | null = null;
    let outTree: unknown;
    const flatFn = (...xs: Array[]) => {
      outTree = f(...(unflatten(def, xs) as unknown[]));
      const [ol, od] = flattenArrays("vmap", outTree);
      outDef = od;
      return ol;
    };
    const resolved = vmapFlat(flatFn, normDims, size, leaves, () => specLeaves("vmap", outAxes, outTree, "output"));
    if (outDef === null) throw new ValueError("vmap", `internal: output structure unknown (${treedefToString(def)})`);
    return unflatten(outDef, resolved) as ReturnType<F>;
  };
}

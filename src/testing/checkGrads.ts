/**
 * @file `checkGrads`: derivatives checked against central finite differences in float64, as
 * `jax.test_util.check_grads` does. Forward mode compares `J·v` from `jvp` with
 * `(f(x + εv) − f(x − εv)) / 2ε` along a random direction `v`; reverse mode checks the
 * inner-product identity `⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩` with `Jᵀ·u` from `vjp`. Higher orders recurse on
 * the derivative functions.
 */
import { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { isFloat } from "../core/dtype.js";
import { TesseraError } from "../core/errors.js";
import { flatten, unflatten } from "../core/tree.js";
import { add, convert, mul } from "../primitives/elementwise.js";
import { bind1 } from "../core/trace.js";
import { reduceSumP } from "../primitives/reduce.js";
import { jvp, vjp } from "../transforms/autodiff.js";
import { flattenArrays } from "../transforms/args.js";

/** Options of {@link checkGrads}. */
export interface CheckGradsOptions {
  /** Highest derivative order to check (default 2). */
  order?: number;
  /** Modes to check (default both). */
  modes?: readonly ("fwd" | "rev")[];
  /** Finite-difference step (default 1e-4 for float64 — the arguments are converted to float64). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Seed of the random directions (default 0). */
  seed?: number;
}

/** The error `checkGrads` throws: a report of the worst element. */
export class GradCheckError extends TesseraError {}

// A small deterministic generator for directions (xorshift + Box-Muller); tests stay reproducible.
function normals(n: number, seed: { s: number }): Float64Array {
  const out = new Float64Array(n);
  const next = () => {
    let x = seed.s | 0 || 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    seed.s = x;
    return ((x >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

const randomLike = (x: Array, seed: { s: number }) => new ConcreteArray(normals(x.size, seed), x.shape, "float64");
const toF64 = (x: Array) => (isFloat(x.dtype) && x.dtype !== "float64" ? convert(x, "float64") : x);
// Outputs are compared numerically: integer/bool outputs (zero derivative) are compared as float64 too.
const outF64 = (x: Array) => (x.dtype !== "float64" ? convert(x, "float64") : x);

function vdot(a: Array[], b: Array[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const p = mul(a[i]!, b[i]!);
    s += bind1(reduceSumP, [p], { axes: p.shape.map((_, j) => j) }).item() as number;
  }
  return s;
}

function compare(what: string, got: Array[], want: Array[], atol: number, rtol: number): void {
  let worst = { excess: 0, leaf: -1, index: -1, got: 0, want: 0 };
  got.forEach((g, leaf) => {
    const gd = g.dataSync();
    const wd = want[leaf]!.dataSync();
    for (let i = 0; i < gd.length; i++) {
      const a = gd[i]!;
      const b = wd[i]!;
      const err = Math.abs(a - b);
      const tol = atol + rtol * Math.abs(b);
      const excess = Number.isNaN(err) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : err - tol;
      if (excess > worst.excess) worst = { excess, leaf, index: i, got: a, want: b };
    }
  });
  if (worst.leaf >= 0) {
    const shape = got[worst.leaf]!.shape;
    throw new GradCheckError(
      "checkGrads",
      `${what}: mismatch at output leaf ${worst.leaf} (shape [${shape.join(",")}]) flat index ${worst.index}: got ${worst.got}, expected ${worst.want} ` +
        `(abs err ${Math.abs(worst.got - worst.want).toExponential(3)}, atol ${atol}, rtol ${rtol})`,
    );
  }
}

/**
 * Check the derivatives of `f` at `args` up to `order`, in forward and/or reverse mode, against
 * central finite differences in float64. Returns nothing; throws a {@link GradCheckError} naming
 * the worst element on mismatch.
 * @example
 * checkGrads((x) => np.sin(x).sum(), [np.array([0.1, 0.2], { dtype: "float64" })], { order: 2 });
 */
export function checkGrads(f: (...args: any[]) => any, args: readonly unknown[], opts: CheckGradsOptions = {}): void {
  const order = opts.order ?? 2;
  const modes = opts.modes ?? ["fwd", "rev"];
  const eps = opts.eps ?? 1e-4;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-5;
  const seed = { s: (opts.seed ?? 0) * 2654435761 + 12345 };
  const [leaves0, def] = flattenArrays("checkGrads", args);
  const leaves = leaves0.map(toF64);
  check(f, leaves, def, order);

  function check(fn: (...a: any[]) => any, xs: Array[], d: typeof def, ord: number): void {
    const call = (ys: Array[]) => flattenArrays("checkGrads", fn(...(unflatten(d, ys) as unknown[])))[0].map(outF64);
    const floatIdx = xs.map((x, i) => (isFloat(x.dtype) ? i : -1)).filter((i) => i >= 0);
    const v = xs.map((x) => (isFloat(x.dtype) ? randomLike(x, seed) : x));
    // Numerical J·v by central differences.
    const shifted = (sgn: number) => xs.map((x, i) => (floatIdx.includes(i) ? add(x, mul(v[i]!, sgn * eps)) : x));
    const fp = call(shifted(1));
    const fm = call(shifted(-1));
    const numJv = fp.map((p, i) => mul(add(p, mul(fm[i]!, -1)), 1 / (2 * eps)));
    const tangents = xs.map((x, i) => (floatIdx.includes(i) ? v[i]! : new ConcreteArray(new Float64Array(x.size), x.shape, "float64")));
    if (modes.includes("fwd")) {
      const [, tOut] = jvp((...ys: Array[]) => call(ys), xs, tangents);
      compare(`JVP (order ${order - ord + 1})`, (tOut as Array[]).map(outF64), numJv, atol, rtol);
    }
    if (modes.includes("rev")) {
      const [out, pullback] = vjp((...ys: Array[]) => call(ys), ...xs);
      const u = (out as Array[]).map((o) => randomLike(o, seed));
      const cts = (pullback(u as never) as unknown as Array[]).map(outF64);
      const lhs = vdot(u, numJv);
      const rhs = vdot(
        floatIdx.map((i) => cts[i]!),
        floatIdx.map((i) => v[i]!),
      );
      const tol = atol + rtol * Math.abs(lhs);
      if (!(Math.abs(lhs - rhs) <= tol)) {
        throw new GradCheckError(
          "checkGrads",
          `VJP (order ${order - ord + 1}): <u, J v> = ${lhs} (finite differences) but <J^T u, v> = ${rhs} from vjp (abs err ${Math.abs(lhs - rhs).toExponential(3)}, tol ${tol.toExponential(3)})`,
        );
      }
    }
    if (ord > 1) {
      if (modes.includes("fwd")) {
        const vt = tangents;
        check((...ys: Array[]) => jvp((...zs: Array[]) => call(zs), ys, vt)[1], xs, flatten(xs)[1], ord - 1);
      }
      if (modes.includes("rev")) {
        const [out0] = vjp((...ys: Array[]) => call(ys), ...xs);
        const u = (out0 as Array[]).map((o) => randomLike(o, seed));
        check((...ys: Array[]) => vjp((...zs: Array[]) => call(zs), ...ys)[1](u as never), xs, flatten(xs)[1], ord - 1);
      }
    }
  }
}

/**
 * @file Structured control flow: `cond`, `switch`, `scan`, `whileLoop`, `foriLoop`, `map`.
 * Each traces its function(s) once into a jaxpr and binds one primitive, so it works eagerly,
 * under `jit` (as one operation, not unrolled), under `vmap` (batched predicates become selects)
 * and under autodiff.
 */
import { Array, type ShapedArray } from "../core/array.js";
import { ValueError, ShapeError, fmtShape } from "../core/errors.js";
import { bind } from "../core/trace.js";
import { treedefToString, unflatten, type TreeDef, assertSameStructure } from "../core/tree.js";
import { ClosedJaxpr } from "../ir/jaxpr.js";
import { runClosed, traceHoisted } from "../interpreters/jaxprTransforms.js";
import { condP, scanP, whileP } from "../primitives/control.js";
import { add, convert, lt } from "../primitives/elementwise.js";
import { flattenArrays } from "../transforms/args.js";
import { asArray } from "../numpy/coerce.js";
import { scalar } from "../primitives/util.js";
import { iotaP } from "../primitives/movement.js";
import { bind1 } from "../core/trace.js";

const strongAval = (a: ShapedArray): ShapedArray => ({ ...a, weakType: false });
const avalStr = (a: ShapedArray) => `${a.dtype}${fmtShape(a.shape)}`;

/** Make weak leaves strong (so a carry started from a JS number keeps one type through the loop). */
function strongLeaves(xs: Array[]): Array[] {
  return xs.map((x) => (x.weakType ? convert(x, x.dtype, false) : x));
}

/** Cast `ys` to the avals of `want` when they differ only in weak type. */
function matchWeak(ys: Array[], want: readonly ShapedArray[]): Array[] {
  return ys.map((y, i) => {
    const w = want[i];
    if (w && y.dtype === w.dtype && y.weakType !== w.weakType) return convert(y, w.dtype, w.weakType);
    return y;
  });
}

interface Traced {
  jaxpr: ClosedJaxpr;
  hoisted: Array[];
  outDef: TreeDef;
}

function traceFn(name: string, fn: (...args: any[]) => unknown, inDef: TreeDef, avals: ShapedArray[], castOuts?: readonly ShapedArray[]): Traced {
  let outDef: TreeDef | null = null;
  const t = traceHoisted(name, (...xs) => {
    const [ol, od] = flattenArrays(name, fn(...(unflatten(inDef, xs) as unknown[])));
    outDef = od;
    return castOuts ? matchWeak(ol, castOuts) : ol;
  }, avals);
  return { ...t, outDef: outDef! };
}

/** Widen branch jaxprs so every branch takes all branches' hoisted values, then the operands. */
function unifyBranches(name: string, traced: Traced[], opAvals: ShapedArray[]): ClosedJaxpr[] {
  const hoistAvals = traced.flatMap((t) => t.hoisted.map((h) => h.aval));
  let off = 0;
  return traced.map((t) => {
    const start = off;
    off += t.hoisted.length;
    return traceHoisted(name, (...xs) => runClosed(t.jaxpr, [...xs.slice(start, start + t.hoisted.length), ...xs.slice(hoistAvals.length)]), [...hoistAvals, ...opAvals]).jaxpr;
  });
}

/**
 * `lax.switch(index, branches, ...operands)`: apply `branches[clamp(index)]` to the operands.
 * All branches must return the same structure and types.
 */
export function switch_(index: Array | number, branches: readonly ((...ops: any[]) => any)[], ...operands: unknown[]): any {
  const name = "switch";
  if (branches.length === 0) throw new ValueError(name, "needs at least one branch");
  const idx = asArray(name, index);
  if (idx.ndim !== 0) throw new ShapeError(name, `the index must be a scalar, got shape ${fmtShape(idx.shape)}`);
  const i32 = idx.dtype === "int32" && !idx.weakType ? idx : convert(idx, "int32");
  const [ops, def] = flattenArrays(name, operands);
  const avals = ops.map((o) => o.aval);
  const traced = branches.map((b, i) => traceFn(`${name} branch ${i}`, b, def, avals));
  traced.forEach((t, i) => assertSameStructure(name, traced[0]!.outDef, t.outDef, `the outputs of branch 0 and branch ${i}`));
  const outs0 = traced[0]!.jaxpr.jaxpr.outAvals;
  traced.forEach((t, i) => {
    const o = t.jaxpr.jaxpr.outAvals;
    o.forEach((a, k) => {
      if (a.dtype !== outs0[k]!.dtype || a.shape.join() !== outs0[k]!.shape.join()) {
        throw new ShapeError(name, `branch ${i} returns ${avalStr(a)} for output ${k} but branch 0 returns ${avalStr(outs0[k]!)}; branches must agree on types (${treedefToString(t.outDef)})`);
      }
    });
  });
  const unified = unifyBranches(name, traced, avals);
  const hoisted = traced.flatMap((t) => t.hoisted);
  const outs = bind(condP, [i32, ...hoisted, ...ops], { branches: unified });
  return unflatten(traced[0]!.outDef, outs);
}

export { switch_ as switch };

/**
 * `lax.cond(pred, trueFun, falseFun, ...operands)`: `pred ? trueFun(...operands) : falseFun(...operands)`,
 * traced so that it works under `jit` (the predicate may be a traced value) and `vmap` (a batched
 * predicate evaluates both branches and selects).
 * @example
 * const f = jit((x) => lax.cond(x.sum().gt(0), (y) => y.mul(2), (y) => y.neg(), x));
 */
export function cond(pred: Array | boolean, trueFun: (...ops: any[]) => any, falseFun: (...ops: any[]) => any, ...operands: unknown[]): any {
  const p = asArray("cond", pred);
  if (p.ndim !== 0) throw new ShapeError("cond", `the predicate must be a scalar, got shape ${fmtShape(p.shape)}; for elementwise choices use np.where`);
  return switch_(convert(p, "int32"), [falseFun, trueFun], ...operands);
}

/** Options of `scan`. */
export interface ScanOptions {
  /** Number of steps when `xs` is null (or to check against the leading axis of `xs`). */
  length?: number;
  /** Iterate from the last element to the first (outputs stay in input order). */
  reverse?: boolean;
}

/**
 * `lax.scan(f, init, xs, { length, reverse })`: `f(carry, x) -> [carry, y]` applied along the leading
 * axis of `xs` (a pytree), returning `[finalCarry, stackedYs]`. One primitive under `jit`; reverse-mode
 * differentiable.
 * @example
 * const [total, running] = lax.scan((c, x) => [c.add(x), c.add(x)], np.array(0), np.arange(5));
 */
export function scan(f: (carry: any, x: any) => [any, any], init: unknown, xs: unknown = null, opts: ScanOptions = {}): [any, any] {
  const name = "scan";
  const [carry0, carryDef] = flattenArrays(name, init);
  const carry = strongLeaves(carry0);
  const [xl, xDef] = flattenArrays(name, xs);
  const lengths = new Set(xl.map((x) => x.shape[0]));
  if (xl.some((x) => x.ndim === 0)) throw new ShapeError(name, "every xs leaf needs a leading axis to scan over; got a scalar");
  if (lengths.size > 1) throw new ShapeError(name, `xs leaves have different leading sizes: ${[...lengths].join(", ")}`);
  const length = opts.length ?? (xl.length > 0 ? xl[0]!.shape[0]! : undefined);
  if (length === undefined) throw new ValueError(name, "xs is empty: pass { length } to say how many steps to run");
  if (xl.length > 0 && xl[0]!.shape[0] !== length) throw new ShapeError(name, `length ${length} does not match the leading axis ${xl[0]!.shape[0]} of xs`);
  const carryAvals = carry.map((c) => strongAval(c.aval));
  const xAvals = xl.map((x) => ({ ...x.aval, shape: x.shape.slice(1) }));
  let yDef: TreeDef | null = null;
  let carryOutDef: TreeDef | null = null;
  const t = traceHoisted(
    name,
    (...a) => {
      const c = unflatten(carryDef, a.slice(0, carry.length));
      const x = unflatten(xDef, a.slice(carry.length));
      const out = f(c, x);
      if (!globalThis.Array.isArray(out) || out.length !== 2) throw new ValueError(name, "the body must return a pair [newCarry, y]");
      const [cl, cd] = flattenArrays(name, out[0]);
      const [yl, yd] = flattenArrays(name, out[1]);
      carryOutDef = cd;
      yDef = yd;
      return [...matchWeak(cl, carryAvals), ...yl];
    },
    [...carryAvals, ...xAvals],
  );
  assertSameStructure(name, carryDef, carryOutDef!, "the carry going in and coming out of the body");
  const outs = bind(scanP, [...t.hoisted, ...carry, ...xl], { body: t.jaxpr, numConsts: t.hoisted.length, numCarry: carry.length, length, reverse: opts.reverse ?? false });
  return [unflatten(carryDef, outs.slice(0, carry.length)), unflatten(yDef!, outs.slice(carry.length))];
}

/**
 * `lax.whileLoop(condFun, bodyFun, init)`: `while (condFun(c)) c = bodyFun(c)`. Forward-mode
 * differentiable; reverse mode is an error (use `scan` or `foriLoop` with static bounds).
 */
export function whileLoop(condFun: (carry: any) => Array | boolean, bodyFun: (carry: any) => any, init: unknown): any {
  const name = "whileLoop";
  const [c0, def] = flattenArrays(name, init);
  const carry = strongLeaves(c0);
  const avals = carry.map((c) => strongAval(c.aval));
  const tc = traceHoisted(`${name} cond`, (...xs) => [asArray(name, condFun(unflatten(def, xs)))], avals);
  let outDef: TreeDef | null = null;
  const tb = traceHoisted(
    `${name} body`,
    (...xs) => {
      const [ol, od] = flattenArrays(name, bodyFun(unflatten(def, xs)));
      outDef = od;
      return matchWeak(ol, avals);
    },
    avals,
  );
  assertSameStructure(name, def, outDef!, "the carry going in and coming out of the body");
  const outs = bind(whileP, [...tc.hoisted, ...tb.hoisted, ...carry], { cond: tc.jaxpr, body: tb.jaxpr, condNConsts: tc.hoisted.length, bodyNConsts: tb.hoisted.length });
  return unflatten(def, outs);
}

/**
 * `lax.foriLoop(lower, upper, body, init)`: `for (i = lower; i < upper; i++) val = body(i, val)`.
 * With JS-number bounds it lowers to `scan` (reverse-differentiable, as in JAX); with traced bounds
 * to `whileLoop`.
 */
export function foriLoop(lower: number | Array, upper: number | Array, body: (i: Array, val: any) => any, init: unknown): any {
  if (typeof lower === "number" && typeof upper === "number") {
    if (!Number.isInteger(lower) || !Number.isInteger(upper)) throw new ValueError("foriLoop", `bounds must be integers, got ${lower} and ${upper}`);
    const n = Math.max(0, upper - lower);
    if (n === 0) return init;
    const idx = bind1(iotaP, [], { shape: [n], dtype: "int32", dimension: 0 });
    const start = scalar(lower, "int32");
    const [out] = scan((val, i: Array) => [body(add(i, start), val), null], init, idx);
    return out;
  }
  const lo = convert(asArray("foriLoop", lower), "int32");
  const hi = convert(asArray("foriLoop", upper), "int32");
  const [, res] = whileLoop(
    ([i]: [Array, unknown]) => lt(i, hi),
    ([i, v]: [Array, unknown]) => [add(i, 1), body(i, v)],
    [lo, init],
  ) as [Array, unknown];
  return res;
}

/** `lax.map(f, xs)`: apply `f` to each slice along the leading axis (a scan without carry). */
export function map(f: (x: any) => any, xs: unknown): any {
  return scan((c, x) => [c, f(x)], null, xs)[1];
}

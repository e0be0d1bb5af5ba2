/**
 * @file Fusion: partition a jaxpr's equations into a schedule of *steps*, each either a single
 * equation run through its primitive's eager `impl` (dot_general, gather, sort, control flow, ...)
 * or a *cluster* of elementwise / broadcast / convert / select equations, optionally ending in
 * reductions, that becomes one generated kernel. Inside a cluster every value has the cluster's
 * iteration shape and lives only in registers; arrays are read through strided "leaf" ports (which
 * is how `broadcast_in_dim` and NumPy broadcasting inside binary ops cost nothing) and only the
 * values that something outside the cluster needs are written out.
 *
 * The greedy rule: an equation joins the clusters that produce its inputs when they have its
 * iteration shape and can be moved to the end of the schedule (no step scheduled after them reads
 * their values); all of them merge into one. Otherwise it starts a new cluster. Reductions join the
 * cluster of their operand if its other reductions use the same axes.
 */
import type { DType } from "../core/dtype.js";
import { shapeEqual, stridesOf, type Shape } from "../core/shape.js";
import { Lit, Var, type Atom, type Eqn, type Jaxpr } from "../ir/jaxpr.js";
import { ConcreteArray } from "../core/concrete.js";

/** Unary elementwise primitives the code generators know. */
export const UNARY_OPS: ReadonlySet<string> = new Set([
  "neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "exp", "exp2", "expm1", "log", "log1p", "sqrt", "rsqrt", "cbrt", "logistic", "erf", "erf_inv", "abs",
  "sign", "floor", "ceil", "round", "trunc", "is_finite", "is_nan", "not",
]);

/** Binary elementwise primitives (with NumPy broadcasting of their operands). */
export const BINARY_OPS: ReadonlySet<string> = new Set([
  "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "eq", "ne", "lt", "le", "gt", "ge",
  "and", "or", "xor", "shift_left", "shift_right_logical", "shift_right_arithmetic",
]);

/** How a reduction combines elements. */
export type ReduceKind = "sum" | "prod" | "max" | "min" | "and" | "or";

/** Reduction primitives and their combine operation. */
export const REDUCE_OPS: ReadonlyMap<string, ReduceKind> = new Map<string, ReduceKind>([
  ["reduce_sum", "sum"],
  ["reduce_prod", "prod"],
  ["reduce_max", "max"],
  ["reduce_min", "min"],
  ["reduce_and", "and"],
  ["reduce_or", "or"],
]);

/** A strided read of an array over the cluster's iteration space (stride 0 = broadcast). */
export interface LeafPort {
  readonly var: Var;
  readonly dtype: DType;
  /** Element stride per axis of the cluster shape. */
  readonly strides: readonly number[];
}

/** One value computed per element of the iteration space. */
export type FusedNode =
  | { readonly kind: "leaf"; readonly leaf: number; readonly dtype: DType }
  | { readonly kind: "const"; readonly value: number; readonly dtype: DType }
  | { readonly kind: "op"; readonly prim: string; readonly args: readonly number[]; readonly dtype: DType; readonly params: any };

/** A value the cluster writes: a full array, or a reduction of a node over `reduceAxes`. */
export interface ClusterOutput {
  readonly node: number;
  readonly var: Var;
  readonly reduce: ReduceKind | null;
}

/** A fused group of equations: one loop nest over `shape`. */
export interface Cluster {
  /** The iteration shape. */
  readonly shape: readonly number[];
  /** Values in evaluation order (operands precede their users). */
  readonly nodes: readonly FusedNode[];
  /** Arrays read. */
  readonly leaves: readonly LeafPort[];
  /** Arrays written. */
  readonly outputs: readonly ClusterOutput[];
  /** The axes every reduction output reduces (sorted), or null when there is none. */
  readonly reduceAxes: readonly number[] | null;
  /** The member equations, in program order (for printing and statistics). */
  readonly eqns: readonly Eqn[];
}

/** One unit of the schedule. */
export type Step = { readonly kind: "eqn"; readonly eqn: Eqn } | { readonly kind: "cluster"; readonly cluster: Cluster };

/** The iteration shape of a fusible equation, or null when it is not fusible. */
export function fusibleShape(e: Eqn): Shape | null {
  const name = e.prim.name;
  if (UNARY_OPS.has(name) || BINARY_OPS.has(name) || name === "select" || name === "convert_element_type" || name === "broadcast_in_dim") {
    return e.outvars[0]!.aval.shape;
  }
  if (REDUCE_OPS.has(name)) return e.inputs[0]!.aval.shape;
  return null;
}

/** Most equations one cluster may hold (keeps generated functions a reasonable size). */
const MAX_CLUSTER_EQNS = 256;

interface ClusterBuilder {
  readonly shape: Shape;
  readonly members: number[]; // equation indices
  readonly internal: Set<Var>; // elementwise values (iteration shape)
  readonly reduced: Set<Var>; // reduction outputs
  readonly reads: Set<Var>; // values read from outside (leaves)
  reduceAxes: number[] | null;
  /** Steps (cluster builders or equation steps) scheduled after this one that read its values. */
  readonly consumers: Set<StepB>;
  merged: ClusterBuilder | null; // union-find parent after merging
}

type EqnStepB = { readonly kind: "eqn"; readonly index: number };
type StepB = ClusterBuilder | EqnStepB;

const isCluster = (s: StepB): s is ClusterBuilder => (s as ClusterBuilder).members !== undefined;

function find(c: ClusterBuilder): ClusterBuilder {
  while (c.merged !== null) c = c.merged;
  return c;
}

const canon = (s: StepB): StepB => (isCluster(s) ? find(s) : s);

const sameAxes = (a: readonly number[] | null, b: readonly number[] | null) => a === null || b === null || (a.length === b.length && a.every((x, i) => x === b[i]));

/** Partition `jaxpr` into steps (see the file comment). Pure: the jaxpr is not modified. */
export function fuse(jaxpr: Jaxpr): Step[] {
  const eqns = jaxpr.eqns;
  const order: StepB[] = [];
  const producer = new Map<Var, StepB>();

  const consume = (v: Atom, by: StepB) => {
    if (!(v instanceof Var)) return;
    const p = producer.get(v);
    if (p !== undefined && isCluster(p)) {
      const c = find(p);
      if (c !== canon(by)) c.consumers.add(by);
    }
  };

  eqns.forEach((e, index) => {
    const shape = fusibleShape(e);
    if (shape === null) {
      const step: EqnStepB = { kind: "eqn", index };
      for (const a of e.inputs) consume(a, step);
      order.push(step);
      for (const o of e.outvars) producer.set(o, step);
      return;
    }
    const isReduce = REDUCE_OPS.has(e.prim.name);
    const axes: number[] | null = isReduce ? [...(e.params.axes as number[])] : null;
    // Clusters that produce an input as an elementwise value of this iteration shape.
    const cands = new Set<ClusterBuilder>();
    for (const a of e.inputs) {
      if (!(a instanceof Var)) continue;
      const p = producer.get(a);
      if (p === undefined || !isCluster(p)) continue;
      const c = find(p);
      if (c.internal.has(a) && shapeEqual(c.shape, shape) && sameAxes(c.reduceAxes, axes)) cands.add(c);
    }
    // Narrow the candidates until they can merge: each can move to the end (every later reader is
    // another candidate), they agree on reduction axes, and none of them (nor this equation) reads
    // a reduction result of another, which must be complete before its readers run.
    const eReads = new Set(e.inputs.filter((a): a is Var => a instanceof Var));
    for (let changed = true; changed; ) {
      changed = false;
      const drop = (c: ClusterBuilder) => {
        cands.delete(c);
        changed = true;
      };
      for (const c of cands) {
        for (const s of c.consumers) {
          const cs = canon(s);
          if (!(isCluster(cs) && cands.has(cs))) {
            drop(c);
            break;
          }
        }
      }
      const ax = axes ?? [...cands].map((c) => c.reduceAxes).find((a) => a !== null) ?? null;
      for (const c of cands) if (!sameAxes(c.reduceAxes, ax)) drop(c);
      const reads = new Set(eReads);
      for (const c of cands) c.reads.forEach((v) => reads.add(v));
      for (const c of cands) if ([...c.reduced].some((v) => reads.has(v))) drop(c);
    }
    let merged = [...cands];
    if (merged.reduce((n, c) => n + c.members.length, 0) >= MAX_CLUSTER_EQNS) merged = [];

    let target: ClusterBuilder;
    if (merged.length === 0) {
      target = { shape, members: [], internal: new Set(), reduced: new Set(), reads: new Set(), reduceAxes: null, consumers: new Set(), merged: null };
    } else {
      target = merged[merged.length - 1]!;
      for (const c of merged) {
        if (c === target) continue;
        target.members.push(...c.members);
        c.internal.forEach((v) => target.internal.add(v));
        c.reduced.forEach((v) => target.reduced.add(v));
        c.reads.forEach((v) => target.reads.add(v));
        target.reduceAxes ??= c.reduceAxes;
        c.consumers.forEach((s) => target.consumers.add(s));
        c.merged = target;
      }
      for (const s of [...target.consumers]) {
        const cs = canon(s);
        if (cs === target) target.consumers.delete(s);
      }
      for (const c of merged) {
        const i = order.indexOf(c);
        if (i >= 0) order.splice(i, 1);
      }
    }
    order.push(target);
    target.members.push(index);
    for (const a of e.inputs) consume(a, target);
    for (const v of target.internal) target.reads.delete(v);
    for (const a of e.inputs) if (a instanceof Var && !target.internal.has(a)) target.reads.add(a);
    const out = e.outvars[0]!;
    if (isReduce) {
      target.reduced.add(out);
      target.reduceAxes = axes;
    } else {
      target.internal.add(out);
    }
    producer.set(out, target);
  });

  // Which cluster values are needed outside their cluster: program outputs, inputs of equation
  // steps, and values other clusters read as leaves.
  const needed = new Set<Var>();
  for (const o of jaxpr.outs) if (o instanceof Var) needed.add(o);
  for (const st of order) {
    if (isCluster(st)) st.reads.forEach((v) => needed.add(v));
    else for (const a of eqns[st.index]!.inputs) if (a instanceof Var) needed.add(a);
  }
  const steps: Step[] = order.map((st) =>
    isCluster(st) ? { kind: "cluster", cluster: buildCluster(st, eqns, needed) } : { kind: "eqn", eqn: eqns[st.index]! },
  );
  return steps;
}

/** Strides of an operand of shape `inShape` read under NumPy (trailing-aligned) broadcasting to `shape`. */
export function broadcastStrides(inShape: Shape, shape: Shape): number[] {
  const st = new Array<number>(shape.length).fill(0);
  const rm = stridesOf(inShape);
  const off = shape.length - inShape.length;
  for (let i = 0; i < inShape.length; i++) st[off + i] = inShape[i] === 1 && shape[off + i] !== 1 ? 0 : rm[i]!;
  return st;
}

function buildCluster(c: ClusterBuilder, eqns: readonly Eqn[], needed: ReadonlySet<Var>): Cluster {
  const members = [...c.members].sort((a, b) => a - b).map((i) => eqns[i]!);
  const shape = c.shape;
  const nodes: FusedNode[] = [];
  const leaves: LeafPort[] = [];
  const leafKey = new Map<string, number>();
  const constKey = new Map<string, number>();
  const nodeOf = new Map<Var, number>();
  const varIds = new Map<Var, number>();
  const outputs: ClusterOutput[] = [];

  const leafNode = (v: Var, strides: number[]): number => {
    let vid = varIds.get(v);
    if (vid === undefined) varIds.set(v, (vid = varIds.size));
    const key = `${vid}:${strides.join(",")}`;
    let n = leafKey.get(key);
    if (n === undefined) {
      leaves.push({ var: v, dtype: v.aval.dtype, strides });
      n = nodes.push({ kind: "leaf", leaf: leaves.length - 1, dtype: v.aval.dtype }) - 1;
      leafKey.set(key, n);
    }
    return n;
  };
  const constNode = (l: Lit): number => {
    const value = ConcreteArray.dataOf(l.val)[0]!;
    const key = `${l.val.dtype}:${Object.is(value, -0) ? "-0" : value}`;
    let n = constKey.get(key);
    if (n === undefined) {
      n = nodes.push({ kind: "const", value, dtype: l.val.dtype }) - 1;
      constKey.set(key, n);
    }
    return n;
  };
  const read = (a: Atom): number => {
    if (a instanceof Lit) return constNode(a);
    const n = nodeOf.get(a);
    if (n !== undefined) return n;
    return leafNode(a, broadcastStrides(a.aval.shape, shape));
  };

  for (const e of members) {
    const name = e.prim.name;
    const out = e.outvars[0]!;
    if (name === "broadcast_in_dim") {
      const a = e.inputs[0]!;
      let n: number;
      if (a instanceof Lit) n = constNode(a);
      else if (nodeOf.has(a)) n = nodeOf.get(a)!; // identity broadcast of an internal value
      else {
        const st = new Array<number>(shape.length).fill(0);
        const rm = stridesOf(a.aval.shape);
        (e.params.broadcastDimensions as number[]).forEach((d, i) => {
          st[d] = a.aval.shape[i] === 1 && shape[d] !== 1 ? 0 : rm[i]!;
        });
        n = leafNode(a, st);
      }
      nodeOf.set(out, n);
      if (needed.has(out)) outputs.push({ node: n, var: out, reduce: null });
      continue;
    }
    const kind = REDUCE_OPS.get(name);
    if (kind !== undefined) {
      outputs.push({ node: read(e.inputs[0]!), var: out, reduce: kind });
      continue;
    }
    const args = e.inputs.map(read);
    const params = name === "convert_element_type" ? { from: e.inputs[0]!.aval.dtype, to: out.aval.dtype } : undefined;
    const n = nodes.push({ kind: "op", prim: name, args, dtype: out.aval.dtype, params }) - 1;
    nodeOf.set(out, n);
    if (needed.has(out)) outputs.push({ node: n, var: out, reduce: null });
  }
  return { shape, nodes, leaves, outputs, reduceAxes: c.reduceAxes, eqns: members };
}

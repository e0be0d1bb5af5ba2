/**
 * @file Structured control flow as higher-order primitives carrying closed jaxprs: `cond`
 * (n-way, also `switch`), `scan` and `while`. Each is one primitive under `jit` (never unrolled).
 *
 * Reverse mode follows JAX: a JVP of `cond`/`scan` is split into a primal call that also returns
 * residuals (run now: "known") and a call linear in the tangents (staged), whose transpose is a
 * `cond` of transposed branches / a reversed `scan` of the transposed body.
 */
import type { Array, ShapedArray } from "../core/array.js";
import { ConcreteArray, shareData } from "../core/concrete.js";
import { isFloat } from "../core/dtype.js";
import { DTypeError, fmtShape, ShapeError, ValueError } from "../core/errors.js";
import { definePrimitive, UndefPrimal, type Primitive, type Tangent } from "../core/primitive.js";
import { sizeOf } from "../core/shape.js";
import { bind } from "../core/trace.js";
import { flagsNow } from "../core/config.js";
import { ClosedJaxpr, Lit, Var } from "../ir/jaxpr.js";
import { vmapFlat } from "../interpreters/batching.js";
import { batchJaxpr, linearizeJaxpr, runBody, runClosed, traceConcrete, transposeJaxpr } from "../interpreters/jaxprTransforms.js";
import { jvpFlat } from "../interpreters/jvp.js";
import { JaxprTracer } from "../interpreters/staging.js";
import { add, eq, max, min, select } from "./elementwise.js";
import { reduceOrP } from "./reduce.js";
import { batchToFront, moveAxis, reshape, zerosLikeAval } from "./util.js";
import { bind1 } from "../core/trace.js";

const avalStr = (a: ShapedArray) => `${a.dtype}${fmtShape(a.shape)}`;
const sameType = (a: ShapedArray, b: ShapedArray) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const strong = (a: ShapedArray): ShapedArray => ({ ...a, weakType: false });
const zerosOf = (a: ShapedArray) => zerosLikeAval(strong(a));
const avalOf = (x: Array | UndefPrimal) => (x instanceof UndefPrimal ? x.aval : x.aval);

// ---------------------------------------------------------------------------------------------
// cond

/** Parameters of `cond`: one closed jaxpr per branch, all with the same input and output types. */
export interface CondParams {
  branches: ClosedJaxpr[];
}

/** `branches[clamp(index)](...operands)`. */
export const condP: Primitive<CondParams> = definePrimitive<CondParams>({
  name: "cond",
  impl: ([index, ...ops], { branches }) => {
    const i = Math.min(Math.max(ConcreteArray.dataOf(index!)[0]!, 0), branches.length - 1);
    return runBody(branches[i]!, ops, flagsNow().debugNans) as ConcreteArray[];
  },
  abstractEval: ([index, ...avals], { branches }) => {
    if (index!.dtype !== "int32" || index!.shape.length !== 0) throw new DTypeError("cond", `the branch index must be an int32 scalar, got ${avalStr(index!)}`);
    const outs = branches[0]!.jaxpr.outAvals;
    branches.forEach((b, i) => {
      const ins = b.jaxpr.inAvals;
      if (ins.length !== avals.length || ins.some((a, k) => !sameType(a, avals[k]!))) {
        throw new ShapeError("cond", `branch ${i} expects operands (${ins.map(avalStr).join(", ")}) but got (${avals.map(avalStr).join(", ")})`);
      }
      const o = b.jaxpr.outAvals;
      if (o.length !== outs.length || o.some((a, k) => !sameType(a, outs[k]!))) {
        throw new ShapeError("cond", `branches must return the same types: branch 0 returns (${outs.map(avalStr).join(", ")}) but branch ${i} returns (${o.map(avalStr).join(", ")})`);
      }
    });
    return outs.map((a, k) => ({ ...a, weakType: branches.every((b) => b.jaxpr.outAvals[k]!.weakType) }));
  },
  jvp: ([index, ...ops], [, ...tops], { branches }) => {
    if (tops.every((t) => t === null)) return [bind(condP, [index!, ...ops], { branches }), ops.map(() => null)];
    const wrt = tops.map((t) => t !== null);
    const lins = branches.map((b) => linearizeJaxpr(b, wrt));
    const diff = lins[0]!.differentiable;
    const resAvals = lins.flatMap((l) => l.resAvals);
    const offsets: number[] = [];
    lins.reduce((o, l) => (offsets.push(o), o + l.resAvals.length), 0);
    const nOut = lins[0]!.numOuts;
    const opAvals = ops.map((o) => o.aval);
    // Every known branch returns every branch's residual slots (zeros for the others'), so the types agree.
    const known = lins.map((l, i) =>
      traceConcrete(
        "cond_known",
        (...xs) => {
          const r = runClosed(l.known, xs);
          const own = r.slice(nOut);
          return [...r.slice(0, nOut), ...resAvals.map((a, k) => (k >= offsets[i]! && k < offsets[i]! + own.length ? own[k - offsets[i]!]! : zerosLikeAval(a)))];
        },
        opAvals,
      ),
    );
    const all = bind(condP, [index!, ...ops], { branches: known });
    const outs = all.slice(0, nOut);
    const res = all.slice(nOut);
    const tanArgs = ops.flatMap((o, i) => (diff[i] ? [tops[i] ?? zerosOf(o.aval)] : []));
    const R = resAvals.length;
    const linear = lins.map((l, i) =>
      traceConcrete(
        "cond_lin",
        (...xs) => runClosed(l.linear, [...xs.slice(offsets[i]!, offsets[i]! + l.resAvals.length), ...xs.slice(R)]),
        [...resAvals, ...tanArgs.map((t) => strong(t.aval))],
      ),
    );
    const touts = bind(condP, [index!, ...res, ...tanArgs], { branches: linear });
    return [outs, touts.map((t, k) => (isFloat(outs[k]!.dtype) ? t : null))];
  },
  transpose: (cts, [index, ...args], { branches }) => {
    const linear = args.map((a) => a instanceof UndefPrimal);
    const known = args.filter((a) => !(a instanceof UndefPrimal)) as Array[];
    const outAvals = branches[0]!.jaxpr.outAvals;
    const ctsIn = cts.map((c, k) => c ?? zerosOf(outAvals[k]!));
    const tb = branches.map((b) => transposeJaxpr(b, linear));
    const res = bind(condP, [index as Array, ...known, ...ctsIn], { branches: tb });
    let j = 0;
    return [null, ...args.map((a) => (a instanceof UndefPrimal ? res[j++]! : null))];
  },
  batch: ([index, ...ops], [di, ...dops], { branches }, size) => {
    if (di === null) {
      const bb = branches.map((b) => batchJaxpr(b, ops.map((o) => o.aval), dops, size));
      const outs = bind(condP, [index!, ...ops], { branches: bb });
      return [outs, outs.map(() => 0)];
    }
    // A batched predicate: run every branch on the batch and select per example (as JAX does).
    const idx = max(min(moveAxis(index!, di, 0), branches.length - 1), 0);
    const results = branches.map((b) => vmapFlat((...ys) => runClosed(b, ys), dops, size, ops));
    const outs = results[0]!.map((first, k) => {
      let acc = first;
      for (let i = 1; i < results.length; i++) {
        const r = results[i]![k]!;
        const pred = reshape(eq(idx, i), [size, ...new globalThis.Array<number>(r.ndim - 1).fill(1)]);
        acc = select(pred, r, acc);
      }
      return acc;
    });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `branches=${p.branches.length}`,
});

// ---------------------------------------------------------------------------------------------
// scan

/** Parameters of `scan`: body `(consts, carry, x) -> (carry, y)` over `length` steps. */
export interface ScanParams {
  body: ClosedJaxpr;
  numConsts: number;
  numCarry: number;
  length: number;
  reverse: boolean;
}

/** Row `i` of a concrete stacked array, without copying (storage is immutable). */
function row(x: ConcreteArray, i: number): ConcreteArray {
  const inner = sizeOf(x.shape.slice(1));
  return new ConcreteArray(shareData(x).subarray(i * inner, (i + 1) * inner), x.shape.slice(1), x.dtype, x.weakType);
}

const unstacked = (a: ShapedArray): ShapedArray => ({ ...a, shape: a.shape.slice(1) });
const stacked = (a: ShapedArray, n: number): ShapedArray => ({ ...a, shape: [n, ...a.shape] });

/** Loop a body over the leading axis of `xs`, threading a carry and stacking per-step outputs. */
export const scanP: Primitive<ScanParams> = definePrimitive<ScanParams>({
  name: "scan",
  impl: (args, p) => {
    const { body, numConsts: nc, numCarry: ncar, length, reverse } = p;
    const consts = args.slice(0, nc);
    let carry: Array[] = args.slice(nc, nc + ncar);
    const xs = args.slice(nc + ncar);
    const yAvals = body.jaxpr.outAvals.slice(ncar);
    const bufs = yAvals.map((a) => {
      const n = sizeOf(a.shape);
      return { n, data: new (storageFor(a))(n * length) };
    });
    const debugNans = flagsNow().debugNans;
    for (let s = 0; s < length; s++) {
      const i = reverse ? length - 1 - s : s;
      const outs = runBody(body, [...consts, ...carry, ...xs.map((x) => row(x, i))], debugNans);
      carry = outs.slice(0, ncar);
      outs.slice(ncar).forEach((y, k) => bufs[k]!.data.set(ConcreteArray.dataOf(y as ConcreteArray), i * bufs[k]!.n));
    }
    return [...(carry as ConcreteArray[]), ...yAvals.map((a, k) => new ConcreteArray(bufs[k]!.data, [length, ...a.shape], a.dtype, a.weakType))];
  },
  abstractEval: (avals, p) => {
    const { body, numConsts: nc, numCarry: ncar, length } = p;
    const ins = body.jaxpr.inAvals;
    const want = [...avals.slice(0, nc + ncar), ...avals.slice(nc + ncar).map((a) => {
      if (a.shape[0] !== length) throw new ShapeError("scan", `every xs leaf must have leading axis ${length} (the scan length), got ${avalStr(a)}`);
      return unstacked(a);
    })];
    if (ins.length !== want.length || ins.some((a, k) => !sameType(a, want[k]!))) {
      throw new ShapeError("scan", `the body expects (${ins.map(avalStr).join(", ")}) but is given (${want.map(avalStr).join(", ")})`);
    }
    const outs = body.jaxpr.outAvals;
    const carryIn = avals.slice(nc, nc + ncar);
    outs.slice(0, ncar).forEach((o, k) => {
      if (!sameType(o, carryIn[k]!)) {
        throw new ShapeError("scan", `the body must return a carry of the same type as its input: carry leaf ${k} goes in as ${avalStr(carryIn[k]!)} but comes out as ${avalStr(o)}`);
      }
    });
    return [...carryIn, ...outs.slice(ncar).map((a) => stacked(a, length))];
  },
  jvp: (args, tangents, p) => {
    const { body, numConsts: nc, numCarry: ncar, length, reverse } = p;
    if (tangents.every((t) => t === null)) return [bind(scanP, args, p), body.jaxpr.outs.map(() => null)];
    const consts = args.slice(0, nc);
    const carry = args.slice(nc, nc + ncar);
    const wrt = [...tangents.slice(0, nc).map((t) => t !== null), ...carry.map((c) => isFloat(c.dtype)), ...tangents.slice(nc + ncar).map((t) => t !== null)];
    const lin = linearizeJaxpr(body, wrt);
    const nOut = lin.numOuts;
    // Residuals that are loop invariant (a const of the body or a concrete constant) are passed once; the rest are stacked per step.
    const kj = lin.known.jaxpr;
    const kind = lin.resAvals.map((_, r) => {
      const o = kj.outs[nOut + r]!;
      if (o instanceof Lit) return { inv: o.val as Array };
      const ci = kj.invars.indexOf(o as Var);
      if (ci >= 0 && ci < nc) return { inv: consts[ci]! };
      const cv = kj.constvars.indexOf(o as Var);
      if (cv >= 0) return { inv: lin.known.consts[cv]! };
      return { inv: null as Array | null };
    });
    const iterIdx = kind.map((k, r) => (k.inv === null ? r : -1)).filter((r) => r >= 0);
    const invIdx = kind.map((k, r) => (k.inv !== null ? r : -1)).filter((r) => r >= 0);
    const knownBody = traceConcrete(
      "scan_known",
      (...xs2) => {
        const r = runClosed(lin.known, xs2);
        return [...r.slice(0, nOut), ...iterIdx.map((i) => r[nOut + i]!)];
      },
      body.jaxpr.inAvals,
    );
    const all = bind(scanP, args, { ...p, body: knownBody });
    const carryOut = all.slice(0, ncar);
    const ys = all.slice(ncar, nOut);
    const stackedRes = all.slice(nOut);
    const invRes = invIdx.map((r) => kind[r]!.inv!);
    const tC = tangents.slice(0, nc).filter((t): t is Array => t !== null);
    const tCar = carry.map((c, i) => (isFloat(c.dtype) ? (tangents[nc + i] ?? zerosOf(c.aval)) : null)).filter((t): t is Array => t !== null);
    const tX = tangents.slice(nc + ncar).filter((t): t is Array => t !== null);
    const nI = invRes.length;
    const nTC = tC.length;
    const nTCar = tCar.length;
    const nIR = iterIdx.length;
    const yFloat = body.jaxpr.outAvals.slice(ncar).map((a) => isFloat(a.dtype));
    const carryFloat = carry.map((c) => isFloat(c.dtype));
    const linBody = traceConcrete(
      "scan_lin",
      (...a) => {
        const inv = a.slice(0, nI);
        const tc = a.slice(nI, nI + nTC);
        const tcar = a.slice(nI + nTC, nI + nTC + nTCar);
        const ir = a.slice(nI + nTC + nTCar, nI + nTC + nTCar + nIR);
        const tx = a.slice(nI + nTC + nTCar + nIR);
        const res = new globalThis.Array<Array>(lin.resAvals.length);
        invIdx.forEach((r, k) => (res[r] = inv[k]!));
        iterIdx.forEach((r, k) => (res[r] = ir[k]!));
        const outsT = runClosed(lin.linear, [...res, ...tc, ...tcar, ...tx]);
        return [...outsT.slice(0, ncar).filter((_, k) => carryFloat[k]), ...outsT.slice(ncar).filter((_, k) => yFloat[k])];
      },
      [...invRes.map((x) => x.aval), ...tC.map((t) => strong(t.aval)), ...tCar.map((t) => strong(t.aval)), ...stackedRes.map((x) => unstacked(x.aval)), ...tX.map((t) => unstacked(strong(t.aval)))],
    );
    const touts = bind(scanP, [...invRes, ...tC, ...tCar, ...stackedRes, ...tX], { body: linBody, numConsts: nI + nTC, numCarry: nTCar, length, reverse });
    let j = 0;
    const carryT = carryFloat.map((f) => (f ? touts[j++]! : null));
    const yT = yFloat.map((f) => (f ? touts[j++]! : null));
    return [[...carryOut, ...ys], [...carryT, ...yT]];
  },
  transpose: (cts, args, p) => {
    const { body, numConsts: nc, numCarry: ncar, length, reverse } = p;
    const consts = args.slice(0, nc);
    const carry = args.slice(nc, nc + ncar);
    const xs = args.slice(nc + ncar);
    // Every carry of a linear scan is a tangent; one that is a concrete zero (an instantiated symbolic
    // zero) is still transposed as linear, and its cotangent is dropped.
    const constLin = consts.map((c) => c instanceof UndefPrimal);
    const xsLin = xs.map((x) => x instanceof UndefPrimal);
    const mask = [...constLin, ...carry.map(() => true), ...xsLin];
    const tBody = transposeJaxpr(body, mask);
    const knownConsts = consts.filter((c) => !(c instanceof UndefPrimal)) as Array[];
    const knownXs = xs.filter((x) => !(x instanceof UndefPrimal)) as Array[];
    const linConstAvals = consts.filter((c) => c instanceof UndefPrimal).map((c) => strong(avalOf(c)));
    const outAvals = body.jaxpr.outAvals;
    const ctCarry = cts.slice(0, ncar).map((c, k) => c ?? zerosOf(outAvals[k]!));
    const ctYs = cts.slice(ncar).map((c, k) => c ?? zerosOf(stacked(outAvals[ncar + k]!, length)));
    const nKC = knownConsts.length;
    const nLC = linConstAvals.length;
    const nKX = knownXs.length;
    const tb = traceConcrete(
      "scan_transpose",
      (...a) => {
        const kc = a.slice(0, nKC);
        const acc = a.slice(nKC, nKC + nLC);
        const cc = a.slice(nKC + nLC, nKC + nLC + ncar);
        const kx = a.slice(nKC + nLC + ncar, nKC + nLC + ncar + nKX);
        const cy = a.slice(nKC + nLC + ncar + nKX);
        const r = runClosed(tBody, [...kc, ...kx, ...cc, ...cy]);
        return [...acc.map((x, i) => add(x, r[i]!)), ...r.slice(nLC)];
      },
      [...knownConsts.map((c) => c.aval), ...linConstAvals, ...ctCarry.map((c) => strong(c.aval)), ...knownXs.map((x) => unstacked(x.aval)), ...ctYs.map((c) => unstacked(strong(c.aval)))],
    );
    const res = bind(scanP, [...knownConsts, ...linConstAvals.map(zerosOf), ...ctCarry, ...knownXs, ...ctYs], {
      body: tb,
      numConsts: nKC,
      numCarry: nLC + ncar,
      length,
      reverse: !reverse,
    });
    const ctLinConsts = res.slice(0, nLC);
    const ctInit = res.slice(nLC, nLC + ncar);
    const ctXs = res.slice(nLC + ncar);
    let a = 0;
    let b = 0;
    return [...consts.map((c) => (c instanceof UndefPrimal ? ctLinConsts[a++]! : null)), ...ctInit.map((c, i) => (carry[i] instanceof UndefPrimal ? c : null)), ...xs.map((x) => (x instanceof UndefPrimal ? ctXs[b++]! : null))] as Tangent[];
  },
  batch: (args, dims, p, size) => {
    const { body, numConsts: nc, numCarry: ncar } = p;
    const consts = args.slice(0, nc).map((c, i) => (dims[i] === null ? c : moveAxis(c, dims[i]!, 0)));
    const carry = args.slice(nc, nc + ncar).map((c, i) => batchToFront(c, dims[nc + i]!, size));
    const xs = args.slice(nc + ncar).map((x, i) => {
      const d = dims[nc + ncar + i]!;
      return d === null ? x : moveAxis(x, d, 1);
    });
    const bodyDims = [...dims.slice(0, nc).map((d) => (d === null ? null : 0)), ...carry.map(() => 0), ...dims.slice(nc + ncar).map((d) => (d === null ? null : 0))];
    const bodyAvals = [...consts.map((c) => c.aval), ...carry.map((c) => c.aval), ...xs.map((x) => unstacked(x.aval))];
    const bb = batchJaxpr(body, bodyAvals, bodyDims, size);
    const outs = bind(scanP, [...consts, ...carry, ...xs], { ...p, body: bb });
    return [outs, outs.map((_, k) => (k < ncar ? 0 : 1))];
  },
  printParams: (p) => `length=${p.length} reverse=${p.reverse ? "True" : "False"} num_consts=${p.numConsts} num_carry=${p.numCarry}`,
});

function storageFor(a: ShapedArray): { new (n: number): any } {
  return ({ float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array, bool: Uint8Array } as const)[a.dtype];
}

// ---------------------------------------------------------------------------------------------
// while

/** Parameters of `while`: `cond(condConsts, carry) -> bool[]`, `body(bodyConsts, carry) -> carry`. */
export interface WhileParams {
  cond: ClosedJaxpr;
  body: ClosedJaxpr;
  condNConsts: number;
  bodyNConsts: number;
}

/** Repeat `body` while `cond` holds. Forward-mode differentiable; reverse mode is an error (as in JAX). */
export const whileP: Primitive<WhileParams> = definePrimitive<WhileParams>({
  name: "while",
  impl: (args, { cond, body, condNConsts: a, bodyNConsts: b }) => {
    const cc = args.slice(0, a);
    const bc = args.slice(a, a + b);
    let carry: Array[] = args.slice(a + b);
    const debugNans = flagsNow().debugNans;
    while (ConcreteArray.dataOf(runBody(cond, [...cc, ...carry], debugNans)[0] as ConcreteArray)[0]) carry = runBody(body, [...bc, ...carry], debugNans);
    return carry as ConcreteArray[];
  },
  abstractEval: (avals, { cond, body, condNConsts: a, bodyNConsts: b }) => {
    const carry = avals.slice(a + b);
    const c = cond.jaxpr.outAvals;
    if (c.length !== 1 || c[0]!.dtype !== "bool" || c[0]!.shape.length !== 0) {
      throw new DTypeError("whileLoop", `the condition must return a bool scalar, got (${c.map(avalStr).join(", ")})`);
    }
    const o = body.jaxpr.outAvals;
    if (o.length !== carry.length || o.some((x, k) => !sameType(x, carry[k]!))) {
      throw new ShapeError("whileLoop", `the body must return the carry's type: (${carry.map(avalStr).join(", ")}) in, (${o.map(avalStr).join(", ")}) out`);
    }
    return carry;
  },
  jvp: (args, tangents, p) => {
    const { cond, body, condNConsts: a, bodyNConsts: b } = p;
    if (tangents.every((t) => t === null)) return [bind(whileP, args, p), args.slice(a + b).map(() => null)];
    if (tangents.some((t) => t instanceof JaxprTracer && t.trace.main.name === "linearize")) {
      throw new ValueError(
        "whileLoop",
        "reverse-mode differentiation (grad/vjp) of whileLoop is not supported, as in JAX: its trip count is only known at run time, so the residuals of every iteration cannot be stored. Use lax.scan, or lax.foriLoop with static (JS number) bounds, which lowers to scan.",
      );
    }
    const cc = args.slice(0, a);
    const bc = args.slice(a, a + b);
    const carry = args.slice(a + b);
    const tbc = tangents.slice(a, a + b);
    const wrtC = tbc.map((t) => t !== null);
    const tbcArgs = tbc.filter((t): t is Array => t !== null);
    const carryFloat = carry.map((c) => isFloat(c.dtype));
    const tcar = carry.flatMap((c, i) => (carryFloat[i] ? [tangents[a + b + i] ?? zerosOf(c.aval)] : []));
    const nb = bc.length;
    const nt = tbcArgs.length;
    const nc = carry.length;
    const jbody = traceConcrete(
      "while_jvp",
      (...xs) => {
        const bcs = xs.slice(0, nb);
        const tb = xs.slice(nb, nb + nt);
        const cs = xs.slice(nb + nt, nb + nt + nc);
        const tcs = xs.slice(nb + nt + nc);
        let k = 0;
        let m = 0;
        const [o, t] = jvpFlat((...ys) => runClosed(body, ys), [...bcs, ...cs], [...wrtC.map((w) => (w ? tb[k++]! : null)), ...carryFloat.map((f) => (f ? tcs[m++]! : null))]);
        return [...o, ...t.flatMap((ti, i) => (carryFloat[i] ? [ti ?? zerosOf(o[i]!.aval)] : []))];
      },
      [...bc.map((x) => x.aval), ...tbcArgs.map((t) => strong(t.aval)), ...carry.map((x) => x.aval), ...tcar.map((t) => strong(t.aval))],
    );
    const jcond = traceConcrete("while_cond", (...xs) => runClosed(cond, xs.slice(0, a + nc)), [...cc.map((x) => x.aval), ...carry.map((x) => x.aval), ...tcar.map((t) => strong(t.aval))]);
    const outs = bind(whileP, [...cc, ...bc, ...tbcArgs, ...carry, ...tcar], { cond: jcond, body: jbody, condNConsts: a, bodyNConsts: nb + nt });
    let j = nc;
    return [outs.slice(0, nc), carryFloat.map((f) => (f ? outs[j++]! : null))];
  },
  batch: (args, dims, p, size) => {
    const { cond, body, condNConsts: a, bodyNConsts: b } = p;
    const consts = args.slice(0, a + b).map((c, i) => (dims[i] === null ? c : moveAxis(c, dims[i]!, 0)));
    const carry = args.slice(a + b).map((c, i) => batchToFront(c, dims[a + b + i]!, size));
    const cDims = dims.slice(0, a).map((d) => (d === null ? null : 0));
    const bDims = dims.slice(a, a + b).map((d) => (d === null ? null : 0));
    const carryDims = carry.map(() => 0);
    const cc = consts.slice(0, a);
    const bc = consts.slice(a);
    // The predicate may differ per example: loop while any example continues, and freeze finished ones.
    const bcond = batchJaxpr(cond, [...cc, ...carry].map((x) => x.aval), [...cDims, ...carryDims], size);
    const bbody = batchJaxpr(body, [...bc, ...carry].map((x) => x.aval), [...bDims, ...carryDims], size);
    const anyCond = traceConcrete("while_any", (...xs) => [bind1(reduceOrP, [runClosed(bcond, xs)[0]!], { axes: [0] })], [...cc, ...carry].map((x) => x.aval));
    const nc = cc.length;
    const stepBody = traceConcrete(
      "while_select",
      (...xs) => {
        const ccs = xs.slice(0, nc);
        const bcs = xs.slice(nc, nc + bc.length);
        const cs = xs.slice(nc + bc.length);
        const pred = runClosed(bcond, [...ccs, ...cs])[0]!;
        const next = runClosed(bbody, [...bcs, ...cs]);
        return next.map((n, k) => select(reshape(pred, [size, ...new globalThis.Array<number>(n.ndim - 1).fill(1)]), n, cs[k]!));
      },
      [...cc, ...bc, ...carry].map((x) => x.aval),
    );
    const outs = bind(whileP, [...cc, ...cc, ...bc, ...carry], { cond: anyCond, body: stepBody, condNConsts: nc, bodyNConsts: nc + bc.length });
    return [outs, outs.map(() => 0)];
  },
  printParams: (p) => `cond_nconsts=${p.condNConsts} body_nconsts=${p.bodyNConsts}`,
});


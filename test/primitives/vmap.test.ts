/**
 * @file Batching rules of every primitive, driven by the spec table: `vmap(f)(xs)` equals the
 * stack of `f(x_i)` with the batch on axis 0, on the last axis (non-zero `inAxes`, also negative,
 * with `outAxes` -1), and with the first argument unbatched (`null`, or `axisSize` when nothing
 * else is batched). Stacking and axis moves are done in plain JS so that the reference does not
 * depend on the primitives under test.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Array } from "../../src/core/array.js";
import { ConcreteArray } from "../../src/core/concrete.js";
import { allocate } from "../../src/core/dtype.js";
import { stridesOf } from "../../src/core/shape.js";
import { gather, scatter } from "../../src/primitives/indexing.js";
import { isFloat } from "../../src/core/dtype.js";
import { arrays } from "../../src/testing/arbitraries.js";
import { jvp, vjp } from "../../src/transforms/autodiff.js";
import { vmap } from "../../src/transforms/vmap.js";
import { expectClose, f64, fromFlat } from "../helpers/close.js";
import { batches, fcParams, outList, samples, SPECS } from "./spec.js";

const NUM_RUNS = 10;
const TOL = { atol: 1e-12, rtol: 1e-9 };

/** Stack same-shaped arrays along a new leading axis. */
function stack(xs: readonly Array[]): Array {
  const x0 = xs[0]!;
  const n = x0.size;
  const data = allocate(x0.dtype, n * xs.length);
  xs.forEach((x, b) => data.set(x.dataSync(), b * n));
  return new ConcreteArray(data, [xs.length, ...x0.shape], x0.dtype);
}

/** Move axis 0 of `x` to position `to` (plain JS strided copy). */
function moveFront(x: Array, to: number): Array {
  const nd = x.ndim;
  const perm = Array_range(nd).slice(1);
  perm.splice(to, 0, 0); // output axis j holds input axis perm[j]
  const outShape = perm.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const src = x.dataSync();
  const data = allocate(x.dtype, src.length);
  const idx = new globalThis.Array<number>(nd).fill(0);
  for (let q = 0; q < src.length; q++) {
    let off = 0;
    for (let j = 0; j < nd; j++) off += idx[j]! * inStrides[perm[j]!]!;
    data[q] = src[off]!;
    for (let j = nd - 1; j >= 0; j--) {
      if (++idx[j]! < outShape[j]!) break;
      idx[j] = 0;
    }
  }
  return new ConcreteArray(data, outShape, x.dtype);
}

/** `[B, ...s]` to `[...s, B]`. */
const frontToBack = (x: Array) => moveFront(x, x.ndim - 1);

const column = (examples: Array[][], i: number) => examples.map((ex) => ex[i]!);

/** Per-example outputs stacked on axis 0, one array per output. */
function reference(f: (...xs: Array[]) => Array | Array[], examples: Array[][]): Array[] {
  const outs = examples.map((ex) => outList(f(...ex)));
  return outs[0]!.map((_, k) => stack(outs.map((o) => o[k]!)));
}

describe("vmap(f)(xs) equals the stack of f(x_i) for every primitive", () => {
  for (const spec of SPECS) {
    describe(spec.name, () => {
      it("batch axis 0", () => {
        fc.assert(
          fc.property(batches(spec), ({ c, examples }) => {
            const f = spec.fn(c.params);
            const nargs = examples[0]!.length;
            const got = outList(vmap(f)(...Array_range(nargs).map((i) => stack(column(examples, i)))));
            expectClose(got, reference(f, examples), TOL, `vmap(${spec.name})`);
          }),
          fcParams(`vmap0:${spec.name}`, NUM_RUNS),
        );
      });

      it("batch axis last (inAxes ndim / -1) and outAxes -1", () => {
        fc.assert(
          fc.property(batches(spec), ({ c, examples }) => {
            const f = spec.fn(c.params);
            const nargs = examples[0]!.length;
            const inAxes = Array_range(nargs).map((i) => (i % 2 === 0 ? examples[0]![i]!.ndim : -1));
            const args = Array_range(nargs).map((i) => frontToBack(stack(column(examples, i))));
            const got = outList(vmap(f, inAxes, -1)(...args));
            expectClose(got, reference(f, examples).map(frontToBack), TOL, `vmap(${spec.name}, ${JSON.stringify(inAxes)}, -1)`);
          }),
          fcParams(`vmapLast:${spec.name}`, NUM_RUNS),
        );
      });

      it("random batch axes in and out (also negative)", () => {
        const withAxes = batches(spec).chain((b) =>
          fc.tuple(
            fc.constant(b),
            fc.tuple(...b.examples[0]!.map((x) => fc.integer({ min: 0, max: x.ndim }))),
            fc.tuple(...outList(spec.fn(b.c.params)(...b.examples[0]!)).map((y) => fc.integer({ min: 0, max: y.ndim }))),
            fc.boolean(),
          ),
        );
        fc.assert(
          fc.property(withAxes, ([{ c, examples }, ins, outs, negative]) => {
            const f = spec.fn(c.params);
            const nargs = examples[0]!.length;
            const args = Array_range(nargs).map((i) => moveFront(stack(column(examples, i)), ins[i]!));
            // Negative axes count from the end of the batched array (rank + 1).
            const inAxes = ins.map((a, i) => (negative ? a - (examples[0]![i]!.ndim + 1) : a));
            const single = !globalThis.Array.isArray(f(...examples[0]!));
            const outAxes = single ? outs[0]! : outs;
            const got = outList(vmap(f, inAxes, outAxes)(...args));
            const want = reference(f, examples).map((r, k) => moveFront(r, outs[k]!));
            expectClose(got, want, TOL, `vmap(${spec.name}, ${JSON.stringify(inAxes)}, ${JSON.stringify(outAxes)})`);
          }),
          fcParams(`vmapRandom:${spec.name}`, NUM_RUNS),
        );
      });

      it("nested vmap (two batch axes)", () => {
        const nested = batches(spec).chain((b) => fc.array(fc.tuple(...spec.args(b.c)), { minLength: b.examples.length, maxLength: b.examples.length }).map((more) => ({ ...b, more })));
        fc.assert(
          fc.property(nested, ({ c, examples, more }) => {
            const f = spec.fn(c.params);
            const nargs = examples[0]!.length;
            // Outer batch of 2: the examples, and a second set of examples.
            const sets = [examples, more];
            const args = Array_range(nargs).map((i) => stack(sets.map((set) => stack(column(set, i)))));
            const got = outList(vmap(vmap(f))(...args));
            const refs = sets.map((set) => reference(f, set));
            expectClose(got, refs[0]!.map((_, k) => stack(refs.map((r) => r[k]!))), TOL, `vmap(vmap(${spec.name}))`);
          }),
          fcParams(`vmapNested:${spec.name}`, Math.ceil(NUM_RUNS / 2)),
        );
      });

      it("first argument unbatched (inAxes null)", () => {
        fc.assert(
          fc.property(batches(spec), ({ c, examples }) => {
            const f = spec.fn(c.params);
            const nargs = examples[0]!.length;
            const fixed = examples[0]![0]!;
            const withFixed = examples.map((ex) => [fixed, ...ex.slice(1)]);
            const inAxes = [null, ...Array_range(nargs - 1).map(() => 0)];
            const args = [fixed, ...Array_range(nargs - 1).map((i) => stack(column(examples, i + 1)))];
            const opts = nargs === 1 ? { axisSize: examples.length } : {};
            const got = outList(vmap(f, inAxes, 0, opts)(...args));
            expectClose(got, reference(f, withFixed), TOL, `vmap(${spec.name}, ${JSON.stringify(inAxes)})`);
          }),
          fcParams(`vmapNull:${spec.name}`, NUM_RUNS),
        );
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Batched derivatives: vmap of jvp over tangents (jacfwd's path: primals unbatched, tangents
// batched) and vmap of a vjp pullback over cotangents (jacrev's path).

/** The entry's function on its float arguments only (integer/bool arguments closed over). */
function onFloats(f: (...xs: Array[]) => Array | Array[], xs: Array[]) {
  const fl = xs.map((x, i) => (isFloat(x.dtype) ? i : -1)).filter((i) => i >= 0);
  const g = (...ys: Array[]) => {
    const full = [...xs];
    fl.forEach((i, k) => (full[i] = ys[k]!));
    return outList(f(...full));
  };
  return { g, floats: fl.map((i) => xs[i]!) };
}

describe("vmap of jvp and of vjp pullbacks equals the loop, for every differentiable primitive", () => {
  for (const spec of SPECS) {
    const grad = spec.grad;
    if (grad.kind !== "check") continue;
    const modes = grad.modes ?? ["fwd", "rev"];
    if (modes.includes("fwd")) {
      it(`${spec.name}: vmap over tangents of jvp`, () => {
        const arb = samples(spec).chain((smp) => {
          const { floats } = onFloats(spec.fn(smp.c.params), smp.xs);
          return fc.tuple(fc.constant(smp), fc.array(fc.tuple(...floats.map((x) => arrays({ shape: x.shape }))), { minLength: 1, maxLength: 3 }));
        });
        fc.assert(
          fc.property(arb, ([{ c, xs }, tangents]) => {
            const { g, floats } = onFloats(spec.fn(c.params), xs);
            const push = (...ts: Array[]) => jvp(g, floats, ts)[1] as unknown as Array[];
            const got = outList(vmap(push)(...floats.map((_, i) => stack(column(tangents, i)))));
            expectClose(got, reference(push, tangents), TOL, `vmap(jvp(${spec.name}))`);
          }),
          fcParams(`vmapJvp:${spec.name}`, Math.ceil(NUM_RUNS / 2)),
        );
      });
    }
    if (modes.includes("rev")) {
      it(`${spec.name}: vmap over cotangents of a vjp pullback`, () => {
        const arb = samples(spec).chain((smp) => {
          const { g, floats } = onFloats(spec.fn(smp.c.params), smp.xs);
          const outs = g(...floats);
          return fc.tuple(fc.constant(smp), fc.array(fc.tuple(...outs.map((y) => arrays({ shape: y.shape, dtype: y.dtype }))), { minLength: 1, maxLength: 3 }));
        });
        fc.assert(
          fc.property(arb, ([{ c, xs }, cts]) => {
            const { g, floats } = onFloats(spec.fn(c.params), xs);
            const [, pullback] = vjp(g, ...floats);
            const pull = (...ys: Array[]) => pullback(ys as never) as unknown as Array[];
            const got = outList(vmap(pull)(...cts[0]!.map((_, i) => stack(column(cts, i)))));
            expectClose(got, reference(pull, cts), TOL, `vmap(vjp(${spec.name}))`);
          }),
          fcParams(`vmapVjp:${spec.name}`, Math.ceil(NUM_RUNS / 2)),
        );
      });
    }
  }
});

function Array_range(n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => i);
}

describe("regressions", () => {
  it("gather/scatter with empty index rows (k = 0) address the whole operand", () => {
    // Found by the vmap property above: the eager kernel counted rows from the (empty) index
    // data and returned zeros; the batched path (k = 1) was right.
    const x = f64([1, 2, 3]);
    expectClose(gather(x, fromFlat([], [2, 0], "int32")), [
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expectClose(scatter(x, fromFlat([], [0], "int32"), f64([7, 8, 9]), "set"), [7, 8, 9]);
    expectClose(scatter(x, fromFlat([], [2, 0], "int32"), f64([[7, 8, 9], [1, 1, 1]]), "add"), [9, 11, 13]);
  });

  it("vmap of a spec entry returns one output per primitive output (sort with two operands)", () => {
    const spec = SPECS.find((s) => s.name === "sort:keys_and_values")!;
    const f = spec.fn({ axis: 0 });
    const out = vmap(f)(f64([[3, 1, 2]]), f64([[30, 10, 20]])) as unknown as Array[];
    expect(out.length).toBe(2);
    expectClose(out, [f64([[1, 2, 3]]), f64([[10, 20, 30]])]);
  });
});

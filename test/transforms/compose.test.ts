/**
 * @file The composition matrix (autodidax's "compositionality stress test"): `jit`, `grad`, `vmap`,
 * `jvp` and `jacfwd` applied in every order of length <= 3 to an elementwise chain and a small
 * MLP loss, each checked against the untransformed math computed independently in the test with
 * truncated Taylor series (jets) in plain JS.
 *
 * Every function here maps a scalar to a scalar, so each transformation has an elementwise
 * meaning: `grad` differentiates `x => sum(h(x))` (the elementwise derivative when h is batched),
 * `jvp` pushes a tangent of ones, `jacfwd` is taken on scalar inputs only, and `vmap` adds a batch
 * axis to the input. The expected value of a composition is then `f^(k)` applied elementwise,
 * where k counts the derivative transformations.
 */
import { describe, expect, it } from "vitest";
import { type Array, grad, jacfwd, jit, jvp, lax, np, vmap } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

// ---------------------------------------------------------------------------------------------
// Jets: truncated Taylor series a0 + a1 t + a2 t² + a3 t³ (exact derivatives up to order 3).

type Jet = [number, number, number, number];

const jadd = (a: Jet, b: Jet): Jet => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
const jscale = (a: Jet, k: number): Jet => [a[0] * k, a[1] * k, a[2] * k, a[3] * k];
const jconst = (c: number): Jet => [c, 0, 0, 0];
const jmul = (a: Jet, b: Jet): Jet => [
  a[0] * b[0],
  a[0] * b[1] + a[1] * b[0],
  a[0] * b[2] + a[1] * b[1] + a[2] * b[0],
  a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0],
];
/** φ(a) from φ and its first three derivatives at a0 (Faà di Bruno, truncated at t³). */
function junary(a: Jet, d: [number, number, number, number]): Jet {
  const [, a1, a2, a3] = a;
  const dl: Jet = [0, a1, a2, a3];
  const dl2: Jet = [0, 0, a1 * a1, 2 * a1 * a2];
  const dl3: Jet = [0, 0, 0, a1 * a1 * a1];
  return jadd(jadd(jconst(d[0]), jscale(dl, d[1])), jadd(jscale(dl2, d[2] / 2), jscale(dl3, d[3] / 6)));
}
const jsin = (a: Jet) => junary(a, [Math.sin(a[0]), Math.cos(a[0]), -Math.sin(a[0]), -Math.cos(a[0])]);
const jexp = (a: Jet) => {
  const e = Math.exp(a[0]);
  return junary(a, [e, e, e, e]);
};
const jtanh = (a: Jet) => {
  const t = Math.tanh(a[0]);
  const s = 1 - t * t;
  return junary(a, [t, s, -2 * t * s, -2 * s * (1 - 3 * t * t)]);
};

/** The k-th derivative (k <= 3) of a jet function at x. */
function derivative(fj: (x: Jet) => Jet, x: number, k: number): number {
  const c = fj([x, 1, 0, 0]);
  return c[k]! * [1, 1, 2, 6][k]!;
}

// ---------------------------------------------------------------------------------------------
// The functions: library form (scalar Array -> scalar Array) and jet form

interface Fn {
  name: string;
  lib: (x: Array) => Array;
  jet: (x: Jet) => Jet;
}

// tanh(sin(x) e^{x/2}) + x²/4
const chain: Fn = {
  name: "elementwise chain",
  lib: (x) => np.tanh(np.sin(x).mul(np.exp(x.mul(0.5)))).add(x.square().mul(0.25)),
  jet: (x) => jadd(jtanh(jmul(jsin(x), jexp(jscale(x, 0.5)))), jscale(jmul(x, x), 0.25)),
};

// (Σ_j v_j tanh(w_j x + b_j) − y)² with three hidden units.
const W = [0.7, -1.2, 0.4];
const B = [0.1, 0.3, -0.5];
const V = [1.5, -0.8, 0.6];
const Y = 0.25;
const mlpLoss: Fn = {
  name: "MLP loss",
  lib: (x) => {
    const f = (v: number[]) => np.array(v, { dtype: "float64" });
    const out = np.sum(np.tanh(x.mul(f(W)).add(f(B))).mul(f(V)));
    return np.square(out.sub(Y));
  },
  jet: (x) => {
    let out = jconst(-Y);
    for (let j = 0; j < 3; j++) out = jadd(out, jscale(jtanh(jadd(jscale(x, W[j]!), jconst(B[j]!))), V[j]!));
    return jmul(out, out);
  },
};

// ---------------------------------------------------------------------------------------------
// Transformations with their elementwise meaning

type T = "jit" | "grad" | "vmap" | "jvp" | "jacfwd";
const TS: T[] = ["jit", "grad", "vmap", "jvp", "jacfwd"];
type Fun = (x: Array) => Array;

function apply(t: T, h: Fun): Fun {
  switch (t) {
    case "jit":
      return jit(h);
    case "grad":
      return grad((x: Array) => np.sum(h(x)));
    case "vmap":
      return vmap(h);
    case "jvp":
      return (x: Array) => jvp(h, [x], [np.onesLike(x)])[1];
    case "jacfwd":
      return jacfwd(h);
  }
}

/** Sequences of length 1..3, applied first to last (`["vmap", "grad"]` is grad(vmap(f))). */
function sequences(maxLen: number): T[][] {
  const out: T[][] = [];
  const rec = (prefix: T[]) => {
    if (prefix.length > 0) out.push(prefix);
    if (prefix.length === maxLen) return;
    for (const t of TS) {
      // jacfwd of a function of a batched input is a (block-)diagonal Jacobian, not elementwise:
      // only apply it while the input is still a scalar.
      if (t === "jacfwd" && prefix.includes("vmap")) continue;
      rec([...prefix, t]);
    }
  };
  rec([]);
  return out;
}

const describeSeq = (seq: T[]) => seq.reduce((inner, t) => `${t}(${inner})`, "f");

/** Deterministic inputs of the batch shape given by the number of vmaps. */
function inputFor(numVmaps: number): { x: Array; values: number[]; shape: number[] } {
  const shape = [2, 2, 3].slice(3 - numVmaps);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = globalThis.Array.from({ length: n }, (_, i) => -1.3 + 0.37 * i);
  return { x: np.array(values, { dtype: "float64" }).reshape(shape), values, shape };
}

function checkSequence(fn: Fn, seq: T[]): void {
  const h = seq.reduce((acc, t) => apply(t, acc), fn.lib);
  const k = seq.filter((t) => t === "grad" || t === "jvp" || t === "jacfwd").length;
  const { x, values, shape } = inputFor(seq.filter((t) => t === "vmap").length);
  const got = h(x);
  expect(got.shape).toEqual(shape);
  expectClose(
    got.dataSync(),
    values.map((v) => derivative(fn.jet, v, k)),
    { atol: 1e-10, rtol: 1e-10 },
    `${describeSeq(seq)} for the ${fn.name}`,
  );
}

describe("composition matrix: every order of length <= 2", () => {
  for (const fn of [chain, mlpLoss]) {
    describe(fn.name, () => {
      it("untransformed values match the jet reference", () => {
        for (const v of [-1.3, 0, 0.8, 2.2]) expectClose(fn.lib(np.array(v, { dtype: "float64" })), derivative(fn.jet, v, 0), { atol: 1e-12, rtol: 1e-12 });
      });
      for (const seq of sequences(2)) it(describeSeq(seq), () => checkSequence(fn, seq));
    });
  }
});

describe("composition matrix: every order of length 3", () => {
  for (const fn of [chain, mlpLoss]) {
    it(fn.name, () => {
      const seqs = sequences(3).filter((s) => s.length === 3);
      expect(seqs.length).toBeGreaterThan(80);
      for (const seq of seqs) checkSequence(fn, seq);
    });
  }
});

describe("composition matrix sanity", () => {
  it("the matrix covers all 5 transformations in every position", () => {
    const two = sequences(2).filter((s) => s.length === 2);
    for (const a of TS) for (const b of TS) if (!(b === "jacfwd" && a === "vmap")) expect(two).toContainEqual([a, b]);
  });
});

// ---------------------------------------------------------------------------------------------
// Control flow: a scan-based RNN and a cond-based piecewise function go through the same matrix.

// h_{t+1} = tanh(0.8 h_t + x c_t), h_0 = 0.1, over c = [0.5, -0.3, 0.9]; returns h_T + Σ_t h_t.
const C = [0.5, -0.3, 0.9];
const rnn: Fn = {
  name: "scan-based RNN",
  lib: (x) => {
    const [h, hs] = lax.scan(
      (hPrev: Array, ct: Array) => {
        const next = np.tanh(hPrev.mul(0.8).add(x.mul(ct)));
        return [next, next];
      },
      np.array(0.1, { dtype: "float64" }),
      np.array(C, { dtype: "float64" }),
    );
    return (h as Array).add(np.sum(hs as Array));
  },
  jet: (x) => {
    let h = jconst(0.1);
    let total = jconst(0);
    for (const c of C) {
      h = jtanh(jadd(jscale(h, 0.8), jscale(x, c)));
      total = jadd(total, h);
    }
    return jadd(h, total);
  },
};

// x > 0 ? sin(x)·x : e^x − 1 (smooth on each side; the inputs stay away from 0).
const piecewise: Fn = {
  name: "cond-based piecewise function",
  lib: (x) => lax.cond(x.gt(0), (y: Array) => np.sin(y).mul(y), (y: Array) => np.exp(y).sub(1), x),
  jet: (x) => (x[0] > 0 ? jmul(jsin(x), x) : jadd(jexp(x), jconst(-1))),
};

describe("composition matrix with control flow: every order of length <= 2", () => {
  for (const fn of [rnn, piecewise]) {
    describe(fn.name, () => {
      it("untransformed values match the jet reference", () => {
        for (const v of [-1.3, -0.4, 0.8, 2.2]) expectClose(fn.lib(np.array(v, { dtype: "float64" })), derivative(fn.jet, v, 0), { atol: 1e-12, rtol: 1e-12 });
      });
      for (const seq of sequences(2)) it(describeSeq(seq), () => checkSequence(fn, seq));
    });
  }
});

describe("composition matrix with control flow: a sample of length 3", () => {
  for (const fn of [rnn, piecewise]) {
    it(fn.name, () => {
      const seqs = sequences(3).filter((s) => s.length === 3);
      // Every fourth order keeps this fast while still mixing all five transformations.
      for (const seq of seqs.filter((_, i) => i % 4 === 0)) checkSequence(fn, seq);
    });
  }
});

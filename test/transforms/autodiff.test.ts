/**
 * @file The autodiff API through the public entry point: higher-order derivatives checked against
 * formulas worked out by hand (a scalar function, Rosenbrock, a one-hidden-unit tanh network),
 * jvp/vjp/linearize on pytrees, valueAndGrad with argnums lists and hasAux, per-example gradients,
 * customJvp, customVjp, checkpoint and stopGradient.
 */
import { describe, expect, it } from "vitest";
import {
  type Array,
  checkpoint,
  customJvp,
  customVjp,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  MissingRuleError,
  np,
  stopGradient,
  valueAndGrad,
  vjp,
  vmap,
} from "../../src/index.js";
import { checkGrads } from "../../src/testing/index.js";
import { expectClose } from "../helpers/close.js";

const f64 = (v: number | number[] | number[][]) => np.array(v, { dtype: "float64" });
const num = (x: Array) => x.item() as number;

// ---------------------------------------------------------------------------------------------
// Higher order

describe("higher-order derivatives match formulas worked out by hand", () => {
  // f(x) = x³ sin x
  // f'(x)  = 3x² sin x + x³ cos x
  // f''(x) = 6x sin x + 6x² cos x − x³ sin x
  // f'''(x) = 6 sin x + 18x cos x − 9x² sin x − x³ cos x
  const f = (x: Array) => x.pow(3).mul(np.sin(x));
  const d1 = (x: number) => 3 * x ** 2 * Math.sin(x) + x ** 3 * Math.cos(x);
  const d2 = (x: number) => 6 * x * Math.sin(x) + 6 * x ** 2 * Math.cos(x) - x ** 3 * Math.sin(x);
  const d3 = (x: number) => 6 * Math.sin(x) + 18 * x * Math.cos(x) - 9 * x ** 2 * Math.sin(x) - x ** 3 * Math.cos(x);

  it("grad, grad(grad), grad(grad(grad)) of x³ sin x", () => {
    for (const x of [-2, -0.5, 0.3, 1.7]) {
      expectClose(num(grad(f)(f64(x))), d1(x), { rtol: 1e-12, atol: 1e-12 });
      expectClose(num(grad(grad(f))(f64(x))), d2(x), { rtol: 1e-12, atol: 1e-12 });
      expectClose(num(grad(grad(grad(f)))(f64(x))), d3(x), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("every mix of forward and reverse mode gives the same second derivative", () => {
    const x = 0.8;
    const fwd = (g: (x: Array) => Array) => (y: Array) => jvp(g, [y], [f64(1)])[1];
    const rev = (g: (x: Array) => Array) => grad(g);
    for (const [name, h] of [
      ["rev∘rev", rev(rev(f))],
      ["fwd∘rev", fwd(rev(f))],
      ["rev∘fwd", rev(fwd(f))],
      ["fwd∘fwd", fwd(fwd(f))],
      ["jit∘rev∘rev", jit(rev(rev(f)))],
      ["rev∘jit∘rev", rev(jit(rev(f)))],
    ] as const) {
      expectClose(num(h(f64(x))), d2(x), { rtol: 1e-12, atol: 1e-12 }, name);
    }
  });

  it("jacfwd(jacrev(f)) of f(x) = x0² x1 + sin x1 is [[2 x1, 2 x0], [2 x0, −sin x1]]", () => {
    const g = (x: Array) => x.slice(0).square().mul(x.slice(1)).add(np.sin(x.slice(1)));
    const [a, b] = [1.5, -0.7];
    const want = [
      [2 * b, 2 * a],
      [2 * a, -Math.sin(b)],
    ];
    expectClose(jacfwd(jacrev(g))(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
    expectClose(jacrev(jacfwd(g))(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
    expectClose(jacfwd(jacfwd(g))(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
    expectClose(hessian(g)(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
  });

  it("jacobians of a vector function: J of [x0 x1, sin x0, x1²] (shape [3, 2])", () => {
    const g = (x: Array) => np.stack([x.slice(0).mul(x.slice(1)), np.sin(x.slice(0)), x.slice(1).square()]);
    const [a, b] = [0.4, 2];
    const want = [
      [b, a],
      [Math.cos(a), 0],
      [0, 2 * b],
    ];
    expectClose(jacfwd(g)(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
    expectClose(jacrev(g)(f64([a, b])), want, { rtol: 1e-12, atol: 1e-12 });
  });

  // Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)²:
  // ∇f = [−2(1 − x) − 400 x (y − x²), 200 (y − x²)]
  // H  = [[2 − 400 (y − x²) + 800 x², −400 x], [−400 x, 200]]
  const rosen = (p: Array) => {
    const x = p.slice(0);
    const y = p.slice(1);
    return np.square(x.neg().add(1)).add(np.square(y.sub(x.square())).mul(100));
  };
  const rosenGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
  const rosenHess = (x: number, y: number) => [
    [2 - 400 * (y - x * x) + 800 * x * x, -400 * x],
    [-400 * x, 200],
  ];

  it("Rosenbrock: gradient and hessian (= jacfwd(jacrev)) at several points, including the minimum", () => {
    for (const [x, y] of [
      [1, 1],
      [-1.2, 1],
      [0.5, -0.3],
      [2, 3.5],
    ] as const) {
      expectClose(grad(rosen)(f64([x, y])), rosenGrad(x, y), { rtol: 1e-12, atol: 1e-10 });
      expectClose(hessian(rosen)(f64([x, y])), rosenHess(x, y), { rtol: 1e-12, atol: 1e-10 });
      expectClose(jacfwd(jacrev(rosen))(f64([x, y])), rosenHess(x, y), { rtol: 1e-12, atol: 1e-10 });
    }
    expectClose(hessian(rosen)(f64([1, 1])), [
      [802, -400],
      [-400, 200],
    ]);
  });

  // A tanh network with one hidden unit, parameters θ = [w, b, v], input x and target y:
  //   a = w x + b,  t = tanh a,  s = 1 − t² (= tanh'),  r = v t − y,  L = r².
  // ∇r = [v s x, v s, t]; since s' = −2 t s:
  // ∇²r = [[−2 v t s x², −2 v t s x, s x], [−2 v t s x, −2 v t s, s], [s x, s, 0]]
  // ∇L = 2 r ∇r;  ∇²L = 2 (∇r ∇rᵀ + r ∇²r).
  const mlp = (theta: Array, x: Array, y: Array) => {
    const [w, b, v] = [theta.slice(0), theta.slice(1), theta.slice(2)];
    return np.square(v.mul(np.tanh(w.mul(x).add(b))).sub(y));
  };
  function mlpByHand(w: number, b: number, v: number, x: number, y: number) {
    const t = Math.tanh(w * x + b);
    const s = 1 - t * t;
    const r = v * t - y;
    const gr = [v * s * x, v * s, t];
    const hr = [
      [-2 * v * t * s * x * x, -2 * v * t * s * x, s * x],
      [-2 * v * t * s * x, -2 * v * t * s, s],
      [s * x, s, 0],
    ];
    return { grad: gr.map((g) => 2 * r * g), hess: hr.map((row, i) => row.map((h, j) => 2 * (gr[i]! * gr[j]! + r * h))) };
  }

  it("tanh network with one hidden unit: gradient and hessian in the parameters", () => {
    for (const [w, b, v, x, y] of [
      [0.5, -0.2, 1.3, 0.7, 0.1],
      [-1.1, 0.4, -0.6, 2, -0.5],
      [2, 1, 0.3, -1.5, 1],
    ] as const) {
      const theta = f64([w, b, v]);
      const want = mlpByHand(w, b, v, x, y);
      expectClose(grad(mlp)(theta, f64(x), f64(y)), want.grad, { rtol: 1e-12, atol: 1e-12 });
      expectClose(hessian(mlp)(theta, f64(x), f64(y)), want.hess, { rtol: 1e-12, atol: 1e-12 });
      expectClose(jacrev(jacrev(mlp))(theta, f64(x), f64(y)), want.hess, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("hessian with argnums differentiates the chosen argument", () => {
    // ∂²L/∂x² for the same network: r_x = v s w, r_xx = −2 v t s w², L_xx = 2 (r_x² + r r_xx).
    const [w, b, v, x, y] = [0.9, 0.1, -1.4, 0.3, 0.2];
    const t = Math.tanh(w * x + b);
    const s = 1 - t * t;
    const r = v * t - y;
    const want = 2 * ((v * s * w) ** 2 + r * (-2 * v * t * s * w * w));
    expectClose(hessian(mlp, { argnums: 1 })(f64([w, b, v]), f64(x), f64(y)), want, { rtol: 1e-12, atol: 1e-12 });
  });
});

// ---------------------------------------------------------------------------------------------
// jvp / vjp / linearize on pytrees

describe("jvp, vjp and linearize take and return pytrees", () => {
  // f({a, b: [c, d]}) = { s: a * c, t: [sin(d), a + d] }   (a, c, d are [2]-vectors)
  type In = { a: Array; b: [Array, Array] };
  const f = (p: In) => ({ s: p.a.mul(p.b[0]), t: [np.sin(p.b[1]), p.a.add(p.b[1])] });
  const p: In = { a: f64([1, 2]), b: [f64([3, -1]), f64([0.5, 0.25])] };
  const dp: In = { a: f64([0.1, 0.2]), b: [f64([1, 0]), f64([0, 1])] };

  it("jvp: tangents have the output's structure", () => {
    const [out, tan] = jvp(f, [p], [dp]);
    expectClose(out, { s: f64([3, -2]), t: [np.sin(f64([0.5, 0.25])), f64([1.5, 2.25])] });
    // d s = da * c + a * dc; d t0 = cos(d) dd; d t1 = da + dd
    expectClose(tan, { s: f64([0.1 * 3 + 1 * 1, 0.2 * -1 + 0]), t: [f64([0, Math.cos(0.25)]), f64([0.1, 1.2])] }, { atol: 1e-12 });
  });

  it("linearize: the linear map agrees with jvp and can be applied many times", () => {
    const [out, fJvp] = linearize(f, p);
    expectClose(out, f(p));
    expectClose(fJvp(dp), jvp(f, [p], [dp])[1], { atol: 1e-12 });
    const dp2: In = { a: f64([1, 1]), b: [f64([0, 0]), f64([2, 2])] };
    expectClose(fJvp(dp2), jvp(f, [p], [dp2])[1], { atol: 1e-12 });
  });

  it("vjp: cotangents come back with the inputs' structure, and <ct, J dp> = <J^T ct, dp>", () => {
    const [out, pullback] = vjp(f, p);
    expectClose(out, f(p));
    const ct = { s: f64([1, -1]), t: [f64([2, 0.5]), f64([0, 3])] };
    const [g] = pullback(ct) as unknown as [In];
    // a: ct.s * c + ct.t1; c: ct.s * a; d: ct.t0 cos(d) + ct.t1
    expectClose(g, { a: f64([1 * 3 + 0, -1 * -1 + 3]), b: [f64([1, -2]), f64([2 * Math.cos(0.5), 0.5 * Math.cos(0.25) + 3])] }, { atol: 1e-12 });
    const [, tan] = jvp(f, [p], [dp]);
    const inner = (u: any, v: any): number =>
      u instanceof Object && !(u as any).shape
        ? Object.keys(u).reduce((s, k) => s + inner(u[k], v[k]), 0)
        : (np.sum((u as Array).mul(v as Array)).item() as number);
    expectClose(inner(ct, tan), inner(g, dp), { atol: 1e-12, rtol: 1e-12 });
  });

  it("vjp of a function of several arguments returns one cotangent per argument", () => {
    const h = (x: Array, y: { w: Array }) => np.sum(x.mul(y.w));
    const [, pb] = vjp(h, f64([1, 2]), { w: f64([3, 4]) });
    expectClose(pb(f64(2)), [f64([6, 8]), { w: f64([2, 4]) }]);
  });
});

// ---------------------------------------------------------------------------------------------
// valueAndGrad / grad options

describe("valueAndGrad and grad options", () => {
  const loss = (w: Array, b: Array, x: Array) => np.sum(np.square(x.mul(w).add(b)));

  it("argnums as a number, a list, and negative", () => {
    const [w, b, x] = [f64([1, -2]), f64(0.5), f64([3, 4])];
    // L = Σ (x w + b)²; ∂L/∂w = 2 (x w + b) x; ∂L/∂b = Σ 2 (x w + b); ∂L/∂x = 2 (x w + b) w
    const r = [3 * 1 + 0.5, 4 * -2 + 0.5];
    const gw = [2 * r[0]! * 3, 2 * r[1]! * 4];
    const gb = 2 * (r[0]! + r[1]!);
    const gx = [2 * r[0]! * 1, 2 * r[1]! * -2];
    const [value, g0] = valueAndGrad(loss)(w, b, x);
    expectClose(value, r[0]! ** 2 + r[1]! ** 2);
    expectClose(g0, gw);
    expectClose(grad(loss, { argnums: 1 })(w, b, x), gb);
    expectClose(grad(loss, { argnums: [0, 2] })(w, b, x), [f64(gw), f64(gx)]);
    expectClose(grad(loss, { argnums: [1] })(w, b, x), [f64(gb)]);
    expectClose(grad(loss, { argnums: -1 })(w, b, x), gx);
  });

  it("hasAux: the auxiliary output is passed through, not differentiated", () => {
    const withAux = (w: Array, x: Array) => {
      const pred = x.mul(w);
      return [np.sum(np.square(pred)), { pred, n: x.size }] as const;
    };
    const [w, x] = [f64([2, 3]), f64([1, -1])];
    const [[value, aux], g] = valueAndGrad(withAux, { hasAux: true })(w, x);
    expectClose(value, 13);
    expectClose(aux.pred, [2, -3]);
    expectClose(aux.n, 2);
    expectClose(g, [4, 6]);
    const [g2, aux2] = grad(withAux, { hasAux: true, argnums: [0, 1] })(w, x);
    expectClose(g2, [f64([4, 6]), f64([8, -18])]);
    expectClose(aux2.pred, [2, -3]);
  });

  it("gradients of a pytree of parameters have the same structure", () => {
    const params = { dense: { w: f64([[1, 2]]), b: f64([0.5]) }, scale: f64(2) };
    const l = (p: typeof params, x: Array) => np.sum(x.matmul(p.dense.w).add(p.dense.b).mul(p.scale));
    const g = grad(l)(params, f64([[3], [4]]));
    // out = (x w + b) * scale summed: ∂/∂w = scale * Σ_rows x, ∂/∂b = scale * rows * cols, ∂/∂scale = Σ (x w + b)
    expectClose(g, { dense: { w: f64([[14, 14]]), b: f64([8]) }, scale: f64(3.5 + 6.5 + 4.5 + 8.5) });
  });
});

// ---------------------------------------------------------------------------------------------
// Per-example gradients

describe("per-example gradients", () => {
  it("vmap(grad(loss), [null, 0, 0]) equals a loop of single-example gradients", () => {
    const loss = (params: { w: Array; b: Array }, x: Array, y: Array) => np.square(np.tanh(np.dot(x, params.w).add(params.b)).sub(y));
    const params = { w: f64([0.3, -0.8, 0.5]), b: f64(0.1) };
    const xs = f64([
      [1, 2, 3],
      [-1, 0, 0.5],
      [0.2, 0.2, -2],
      [4, -3, 1],
    ]);
    const ys = f64([0.5, -0.5, 1, 0]);
    const batched = vmap(grad(loss), [null, 0, 0])(params, xs, ys) as { w: Array; b: Array };
    expect(batched.w.shape).toEqual([4, 3]);
    expect(batched.b.shape).toEqual([4]);
    for (let i = 0; i < 4; i++) {
      const gi = grad(loss)(params, xs.slice(i), ys.slice(i));
      expectClose(batched.w.slice(i), gi.w, { atol: 1e-12, rtol: 1e-12 });
      expectClose(batched.b.slice(i), gi.b, { atol: 1e-12, rtol: 1e-12 });
    }
    const jitted = jit(vmap(grad(loss), [null, 0, 0]))(params, xs, ys);
    expectClose(jitted, batched, { atol: 1e-12, rtol: 1e-12 });
  });
});

// ---------------------------------------------------------------------------------------------
// Custom rules, checkpoint, stopGradient

describe("customJvp", () => {
  // log(1 + e^x): the naive derivative e^x / (1 + e^x) overflows to inf/inf = NaN for large x.
  const naive = (x: Array) => np.log(np.exp(x).add(1));
  const log1pexp = customJvp(naive, ([x], [t]) => [naive(x), t.mul(np.reciprocal(np.exp(x.neg()).add(1)))]);

  it("a stable custom derivative: grad at x = 100 is finite (1), where the naive one is NaN", () => {
    const x = np.array(100);
    expect(Number.isNaN(num(grad(naive)(x)))).toBe(true);
    expectClose(num(grad(log1pexp)(x)), 1);
    expectClose(num(grad(log1pexp)(np.array(0))), 0.5);
  });

  it("works under jvp, vmap(grad), jit(grad) and to second order", () => {
    const xs = f64([-3, 0, 2, 100]);
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(vmap(grad(log1pexp))(xs), [-3, 0, 2, 100].map(sigmoid), { atol: 1e-12 });
    expectClose(jit(grad(log1pexp))(f64(2)), sigmoid(2), { atol: 1e-12 });
    expectClose(jvp(log1pexp, [f64(2)], [f64(3)])[1], 3 * sigmoid(2), { atol: 1e-12 });
    // The second derivative differentiates the rule's tangent: σ'(x) = σ(x)(1 − σ(x)).
    expectClose(grad(grad(log1pexp))(f64(0.5)), sigmoid(0.5) * (1 - sigmoid(0.5)), { atol: 1e-12 });
    checkGrads(log1pexp, [f64([-1, 0.3, 2])], { order: 2 });
  });

  it("a pytree input and output", () => {
    const f = customJvp(
      (p: { x: Array; y: Array }) => ({ prod: p.x.mul(p.y) }),
      ([p], [t]) => [{ prod: p.x.mul(p.y) }, { prod: t.x.mul(p.y).add(p.x.mul(t.y)) }],
    );
    const g = grad((p: { x: Array; y: Array }) => np.sum(f(p).prod))({ x: f64([2]), y: f64([5]) });
    expectClose(g, { x: f64([5]), y: f64([2]) });
  });
});

describe("customVjp", () => {
  // Identity in the forward pass; the backward pass clips the cotangent to [-1, 1].
  const clipGradient = customVjp(
    (x: Array) => x,
    (x: Array) => [x, null] as [Array, null],
    (_res: null, ct: Array) => [np.clip(ct, -1, 1)],
  );

  it("gradient clipping in bwd, under grad", () => {
    const f = (x: Array) => np.sum(clipGradient(x).mul(f64([10, 0.5, -3])));
    expectClose(f(f64([1, 2, 3])), 10 + 1 - 9);
    expectClose(grad(f)(f64([1, 2, 3])), [1, 0.5, -1]);
  });

  it("under vmap(grad) and jit(grad)", () => {
    const f = (x: Array, c: Array) => np.sum(clipGradient(x).mul(c));
    const xs = f64([
      [1, 2],
      [3, 4],
    ]);
    const cs = f64([
      [5, 0.2],
      [-0.7, -8],
    ]);
    expectClose(vmap(grad(f))(xs, cs), [
      [1, 0.2],
      [-0.7, -1],
    ]);
    expectClose(jit(grad(f))(xs, cs), [
      [1, 0.2],
      [-0.7, -1],
    ]);
  });

  it("residuals flow from fwd to bwd; higher order goes through fwd and bwd", () => {
    // f(x) = sin(x) with bwd using the saved cos(x).
    const sinV = customVjp(
      (x: Array) => np.sin(x),
      (x: Array) => [np.sin(x), np.cos(x)] as [Array, Array],
      (c: Array, ct: Array) => [ct.mul(c)],
    );
    expectClose(grad((x: Array) => np.sum(sinV(x)))(f64([0.3, 1])), [Math.cos(0.3), Math.cos(1)], { atol: 1e-12 });
    expectClose(grad(grad((x: Array) => sinV(x)))(f64(0.3)), -Math.sin(0.3), { atol: 1e-12 });
  });

  it("forward mode of a customVjp function is a clear error (as in JAX)", () => {
    expect(() => jvp(clipGradient, [f64([1])], [f64([1])])).toThrow(MissingRuleError);
    expect(() => jvp(clipGradient, [f64([1])], [f64([1])])).toThrow(/forward-mode differentiation .* customVjp function is not supported/);
  });
});

describe("checkpoint", () => {
  const block = (x: Array) => np.tanh(np.sin(x).mul(x).add(np.cos(x.mul(2))));
  const model = (x: Array) => np.sum(block(block(x)));
  const remat = (x: Array) => np.sum(checkpoint(block)(checkpoint(block)(x)));
  const x = f64([0.3, -1.2, 2]);

  it("gives the same values and gradients as without it", () => {
    expectClose(remat(x), model(x), { atol: 1e-14 });
    expectClose(grad(remat)(x), grad(model)(x), { atol: 1e-12 });
    expectClose(jit(grad(remat))(x), grad(model)(x), { atol: 1e-12 });
    expectClose(vmap(grad(remat))(x), vmap(grad(model))(x), { atol: 1e-12 });
  });

  it("and the same higher derivatives (grad of grad, jacfwd, hessian)", () => {
    expectClose(hessian(remat)(x), hessian(model)(x), { atol: 1e-10 });
    expectClose(jacfwd(grad(remat))(x), jacfwd(grad(model))(x), { atol: 1e-10 });
    expectClose(grad((y: Array) => np.sum(grad(remat)(y)))(x), grad((y: Array) => np.sum(grad(model)(y)))(x), { atol: 1e-10 });
  });

  it("the backward pass recomputes the checkpointed function instead of storing its intermediates", () => {
    let calls = 0;
    const counted = checkpoint((y: Array) => {
      calls++;
      return block(y);
    });
    const [, pullback] = vjp((y: Array) => np.sum(counted(y)), x);
    const before = calls;
    const [g] = pullback(f64(1)) as unknown as [Array];
    // The backward pass runs the checkpointed function again (to linearize it), exactly once.
    expect(calls - before).toBe(1);
    expectClose(g, grad((y: Array) => np.sum(block(y)))(x), { atol: 1e-12 });
    // Without checkpoint, the backward pass does not call the function at all.
    let plain = 0;
    const [, pb2] = vjp((y: Array) => {
      plain++;
      return np.sum(block(y));
    }, x);
    const before2 = plain;
    pb2(f64(1));
    expect(plain - before2).toBe(0);
  });
});

describe("stopGradient", () => {
  it("zeroes the derivative of what it wraps, in every mode", () => {
    const f = (x: Array) => np.sum(x.mul(stopGradient(x)));
    const x = f64([1, -2, 3]);
    expectClose(f(x), 14);
    expectClose(grad(f)(x), [1, -2, 3]); // d/dx of x * c at c = x
    expectClose(jvp(f, [x], [f64([1, 1, 1])])[1], 2);
    expectClose(grad(grad((y: Array) => stopGradient(y.square()).add(y.square()).sum()))(f64(3)), 2);
    expectClose(grad((y: Array) => np.sum(stopGradient(np.exp(y))))(x), [0, 0, 0]);
  });

  it("works on pytrees", () => {
    const t = stopGradient({ a: f64([1]), b: [f64([2])] });
    expectClose(t, { a: f64([1]), b: [f64([2])] });
    const g = grad((p: { a: Array; b: Array }) => {
      const s = stopGradient(p);
      return np.sum(s.a.mul(p.b));
    })({ a: f64([3]), b: f64([4]) });
    expectClose(g, { a: f64([0]), b: f64([3]) });
  });
});

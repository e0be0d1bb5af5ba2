/**
 * @file Float64 reference implementations, in plain JS numbers and loops (no Tessera), of each
 * optimizer's published update equations, plus the two test problems (a quadratic and a 2-3-1
 * tanh MLP) with hand-written gradients. Parameters are lists of leaves (flat number lists, in
 * pytree flatten order: sorted object keys).
 */

export type Leaves = number[][];

/** One optimizer step: new parameters from the current parameters and gradients. */
export type RefStep = (params: Leaves, grads: Leaves) => Leaves;

const zerosLike = (x: Leaves): Leaves => x.map((l) => l.map(() => 0));
const fullLike = (x: Leaves, v: number): Leaves => x.map((l) => l.map(() => v));
const l2 = (l: number[]): number => Math.sqrt(l.reduce((s, v) => s + v * v, 0));

/** A schedule in JS numbers; `count` is the number of updates done before this one. */
export type RefLr = (count: number) => number;
const asLr = (lr: number | RefLr): RefLr => (typeof lr === "number" ? () => lr : lr);

/** SGD (Robbins & Monro), with momentum / Nesterov momentum (Sutskever et al. 2013): m ← g + μm. */
export function refSgd(lr: number | RefLr, momentum: number | null = null, nesterov = false): RefStep {
  const eta = asLr(lr);
  let m: Leaves | null = null;
  let t = 0;
  return (p, g) => {
    const a = eta(t++);
    if (momentum === null) return p.map((l, i) => l.map((x, j) => x - a * g[i]![j]!));
    m ??= zerosLike(p);
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        m![i]![j] = gi + momentum * m![i]![j]!;
        const d = nesterov ? gi + momentum * m![i]![j]! : m![i]![j]!;
        return x - a * d;
      }),
    );
  };
}

export interface RefAdamOpts {
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Adam (Kingma & Ba 2014, Algorithm 1), AdamW (Loshchilov & Hutter 2019: decoupled decay times
 * the learning rate) and NAdam in optax's form (Dozat 2016).
 */
export function refAdam(lr: number | RefLr, o: RefAdamOpts = {}): RefStep {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, weightDecay = 0, nesterov = false } = o;
  const eta = asLr(lr);
  let m: Leaves | null = null;
  let v: Leaves | null = null;
  let t = 0;
  return (p, g) => {
    m ??= zerosLike(p);
    v ??= zerosLike(p);
    const a = eta(t);
    t += 1;
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        m![i]![j] = b1 * m![i]![j]! + (1 - b1) * gi;
        v![i]![j] = b2 * v![i]![j]! + (1 - b2) * gi * gi;
        const mHat = nesterov
          ? (b1 * m![i]![j]!) / (1 - Math.pow(b1, t + 1)) + ((1 - b1) * gi) / (1 - Math.pow(b1, t))
          : m![i]![j]! / (1 - Math.pow(b1, t));
        const vHat = v![i]![j]! / (1 - Math.pow(b2, t));
        return x - a * (mHat / (Math.sqrt(vHat + epsRoot) + eps) + weightDecay * x);
      }),
    );
  };
}

/** AdaMax (Kingma & Ba 2014, Algorithm 2) with optax's eps inside the max. */
export function refAdamax(lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): RefStep {
  let m: Leaves | null = null;
  let u: Leaves | null = null;
  let t = 0;
  return (p, g) => {
    m ??= zerosLike(p);
    u ??= zerosLike(p);
    t += 1;
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        m![i]![j] = b1 * m![i]![j]! + (1 - b1) * gi;
        u![i]![j] = Math.max(b2 * u![i]![j]!, Math.abs(gi) + eps);
        return x - (lr / (1 - Math.pow(b1, t))) * (m![i]![j]! / u![i]![j]!);
      }),
    );
  };
}

export interface RefRmsOpts {
  decay?: number;
  eps?: number;
  initialScale?: number;
  centered?: boolean;
  momentum?: number | null;
}

/** RMSProp (Hinton's lecture 6e), centered (Graves 2013), with momentum on the scaled step. */
export function refRmsprop(lr: number, o: RefRmsOpts = {}): RefStep {
  const { decay = 0.9, eps = 1e-8, initialScale = 0, centered = false, momentum = null } = o;
  let v: Leaves | null = null;
  let mg: Leaves | null = null;
  let buf: Leaves | null = null;
  return (p, g) => {
    v ??= fullLike(p, initialScale);
    mg ??= zerosLike(p);
    buf ??= zerosLike(p);
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        v![i]![j] = decay * v![i]![j]! + (1 - decay) * gi * gi;
        mg![i]![j] = decay * mg![i]![j]! + (1 - decay) * gi;
        const denom = centered ? v![i]![j]! - mg![i]![j]! ** 2 : v![i]![j]!;
        const s = (lr * gi) / Math.sqrt(denom + eps);
        if (momentum === null) return x - s;
        buf![i]![j] = s + momentum * buf![i]![j]!;
        return x - buf![i]![j]!;
      }),
    );
  };
}

/** AdaGrad (Duchi et al. 2011, diagonal form) with optax's initial accumulator and eps. */
export function refAdagrad(lr: number, initial = 0.1, eps = 1e-7): RefStep {
  let s: Leaves | null = null;
  return (p, g) => {
    s ??= fullLike(p, initial);
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        s![i]![j] = s![i]![j]! + gi * gi;
        return x - (lr * gi) / Math.sqrt(s![i]![j]! + eps);
      }),
    );
  };
}

/** AdaDelta (Zeiler 2012, Algorithm 1), step scaled by `lr`, optional L2 weight decay on g. */
export function refAdadelta(lr: number, rho = 0.9, eps = 1e-6, weightDecay = 0): RefStep {
  let eg: Leaves | null = null;
  let ex: Leaves | null = null;
  return (p, g) => {
    eg ??= zerosLike(p);
    ex ??= zerosLike(p);
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]! + weightDecay * x;
        eg![i]![j] = rho * eg![i]![j]! + (1 - rho) * gi * gi;
        const dx = (Math.sqrt(ex![i]![j]! + eps) / Math.sqrt(eg![i]![j]! + eps)) * gi;
        ex![i]![j] = rho * ex![i]![j]! + (1 - rho) * dx * dx;
        return x - lr * dx;
      }),
    );
  };
}

/** Lion (Chen et al. 2023, Program 1). */
export function refLion(lr: number, b1 = 0.9, b2 = 0.99, weightDecay = 1e-3): RefStep {
  let m: Leaves | null = null;
  return (p, g) => {
    m ??= zerosLike(p);
    return p.map((l, i) =>
      l.map((x, j) => {
        const gi = g[i]![j]!;
        const c = Math.sign((1 - b1) * gi + b1 * m![i]![j]!);
        m![i]![j] = b2 * m![i]![j]! + (1 - b2) * gi;
        return x - lr * (c + weightDecay * x);
      }),
    );
  };
}

/** LAMB (You et al. 2019, Algorithm 2) with φ = identity and per-leaf (layer) trust ratios. */
export function refLamb(lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-6, weightDecay = 0): RefStep {
  let m: Leaves | null = null;
  let v: Leaves | null = null;
  let t = 0;
  return (p, g) => {
    m ??= zerosLike(p);
    v ??= zerosLike(p);
    t += 1;
    return p.map((l, i) => {
      const r = l.map((x, j) => {
        const gi = g[i]![j]!;
        m![i]![j] = b1 * m![i]![j]! + (1 - b1) * gi;
        v![i]![j] = b2 * v![i]![j]! + (1 - b2) * gi * gi;
        const mHat = m![i]![j]! / (1 - Math.pow(b1, t));
        const vHat = v![i]![j]! / (1 - Math.pow(b2, t));
        return mHat / (Math.sqrt(vHat) + eps) + weightDecay * x;
      });
      const pn = l2(l);
      const rn = l2(r);
      const ratio = pn === 0 || rn === 0 ? 1 : pn / rn;
      return l.map((x, j) => x - lr * ratio * r[j]!);
    });
  };
}

/** Clip by global norm (Pascanu et al. 2013) in front of another reference step. */
export function refClipByGlobalNorm(maxNorm: number, inner: RefStep): RefStep {
  return (p, g) => {
    const norm = Math.sqrt(g.reduce((s, l) => s + l.reduce((a, v) => a + v * v, 0), 0));
    const c = norm < maxNorm ? g : g.map((l) => l.map((v) => (v / norm) * maxNorm));
    return inner(p, c);
  };
}

/** Gradient accumulation: every k-th call, `inner` steps with the mean of the last k gradients. */
export function refMultiSteps(k: number, inner: RefStep): RefStep {
  let acc: Leaves | null = null;
  let n = 0;
  return (p, g) => {
    acc ??= zerosLike(p);
    acc = acc.map((l, i) => l.map((a, j) => a + g[i]![j]!));
    n += 1;
    if (n < k) return p.map((l) => l.slice());
    const mean = acc.map((l) => l.map((a) => a / k));
    acc = zerosLike(p);
    n = 0;
    return inner(p, mean);
  };
}

// ---------------------------------------------------------------------------------------------
// test problems

/** The quadratic ½ Σ kᵢ (xᵢ − cᵢ)² over leaves `a` (3) and `b` (2×2); leaves in order [a, b]. */
export const quad = {
  x0: [[1.5, -0.7, 2.2], [0.3, -1.9, 0.8, 1.1]] as Leaves,
  k: [[1, 2.5, 0.5], [4, 0.3, 1.7, 3]] as Leaves,
  c: [[0.2, 0.1, -0.4], [1, -0.5, 0.25, 0]] as Leaves,
  loss(x: Leaves): number {
    let s = 0;
    x.forEach((l, i) => l.forEach((v, j) => (s += 0.5 * quad.k[i]![j]! * (v - quad.c[i]![j]!) ** 2)));
    return s;
  },
  grad(x: Leaves): Leaves {
    return x.map((l, i) => l.map((v, j) => quad.k[i]![j]! * (v - quad.c[i]![j]!)));
  },
};

/**
 * A 2-3-1 tanh MLP with mean squared error on 4 samples. Leaves in flatten order:
 * [b1 (3), b2 (1), w1 (2×3 row-major), w2 (3×1)].
 */
export const mlp = {
  x: [[0.5, -1.2], [1.5, 0.3], [-0.7, 0.9], [0.1, 2.0]],
  y: [0.3, -0.8, 0.5, 1.1],
  p0: [[0.1, -0.2, 0.05], [0.3], [0.4, -0.6, 0.25, 0.7, 0.2, -0.5], [0.8, -0.4, 0.6]] as Leaves,
  forward(p: Leaves, xn: number[]): { h: number[]; out: number } {
    const [b1, b2, w1, w2] = p as [number[], number[], number[], number[]];
    const h = [0, 1, 2].map((j) => Math.tanh(xn[0]! * w1[j]! + xn[1]! * w1[3 + j]! + b1[j]!));
    return { h, out: h[0]! * w2[0]! + h[1]! * w2[1]! + h[2]! * w2[2]! + b2[0]! };
  },
  loss(p: Leaves): number {
    return mlp.x.reduce((s, xn, n) => s + (mlp.forward(p, xn).out - mlp.y[n]!) ** 2, 0) / mlp.x.length;
  },
  grad(p: Leaves): Leaves {
    const [, , , w2] = p as [number[], number[], number[], number[]];
    const g: Leaves = [[0, 0, 0], [0], [0, 0, 0, 0, 0, 0], [0, 0, 0]];
    mlp.x.forEach((xn, n) => {
      const { h, out } = mlp.forward(p, xn);
      const dOut = (2 * (out - mlp.y[n]!)) / mlp.x.length;
      g[1]![0]! += dOut;
      for (let j = 0; j < 3; j++) {
        g[3]![j]! += dOut * h[j]!;
        const dz = dOut * w2[j]! * (1 - h[j]! * h[j]!);
        g[0]![j]! += dz;
        g[2]![j]! += dz * xn[0]!;
        g[2]![3 + j]! += dz * xn[1]!;
      }
    });
    return g;
  },
};

/** Run `steps` reference steps from `x0`, returning every iterate (x0 first). */
export function refTrajectory(step: RefStep, grad: (x: Leaves) => Leaves, x0: Leaves, steps: number): Leaves[] {
  const out: Leaves[] = [x0.map((l) => l.slice())];
  let x = out[0]!;
  for (let s = 0; s < steps; s++) {
    x = step(x, grad(x));
    out.push(x);
  }
  return out;
}

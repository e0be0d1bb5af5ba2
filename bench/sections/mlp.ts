/**
 * @file The 784-128-10 MLP at batch 128: forward pass, `valueAndGrad` of the cross-entropy loss
 * (the ratio to the forward pass should stay under 4x), and a full Adam training step under `jit`
 * beside jax-js (`jit`) and TensorFlow.js (wasm). The Adam update is written out here so that the
 * three libraries run exactly the same math. Every subject's step consumes the previous
 * parameters and optimizer state: ours donates them (`donateArgnums`, as JAX training loops do),
 * jax-js's `jit` takes ownership of arguments passed without `.ref`, and TF.js updates its
 * variables in place.
 */
import { np, nn, jit, valueAndGrad, type Array } from "../../src/index.js";
import { loadJax, setTfBackend, tryPeer } from "../peers.js";
import { medianMs, type Row } from "../timing.js";

const B = 128;
// Training steps are measured in steady state: every subject gets the same 30 untimed warm-up steps
// (V8 tier-up, trace caches, worker start-up), as a training loop would after its first batches.
const STEADY = { warmup: 300, minRuns: 300, maxRuns: 300 };
const lr = 1e-3;
const b1 = 0.9;
const b2 = 0.999;
const eps = 1e-8;

function rand(n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (Math.random() * 2 - 1) * scale;
  return a;
}

function data() {
  const x = rand(B * 784, 1);
  const y = new Float32Array(B * 10);
  for (let i = 0; i < B; i++) y[i * 10 + ((i * 7) % 10)] = 1;
  return { x, y, w1: rand(784 * 128, 0.05), w2: rand(128 * 10, 0.1) };
}

interface Params {
  w1: Array;
  b1: Array;
  w2: Array;
  b2: Array;
}

function logits(p: Params, x: Array): Array {
  const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
  return np.matmul(h, p.w2).add(p.b2);
}

function loss(p: Params, x: Array, y: Array): Array {
  const z = logits(p, x);
  const m = np.max(z, -1, { keepdims: true });
  const lse = np.log(np.sum(np.exp(z.sub(m)), -1, { keepdims: true })).add(m);
  return np.mean(np.sum(y.mul(lse.sub(z)), -1));
}

export async function run(): Promise<Row[]> {
  const d = data();
  const x = np.array(d.x, { shape: [B, 784] });
  const y = np.array(d.y, { shape: [B, 10] });
  const params: Params = { w1: np.array(d.w1, { shape: [784, 128] }), b1: np.zeros([128]), w2: np.array(d.w2, { shape: [128, 10] }), b2: np.zeros([10]) };
  const fwd = await medianMs(() => loss(params, x, y).item());
  const vg = valueAndGrad(loss);
  const back = await medianMs(() => vg(params, x, y)[0].item());

  const zeros = (p: Params): Params => ({ w1: np.zerosLike(p.w1), b1: np.zerosLike(p.b1), w2: np.zerosLike(p.w2), b2: np.zerosLike(p.b2) });
  const keys = ["w1", "b1", "w2", "b2"] as const;
  const step = jit((p: Params, m: Params, v: Params, t: Array, xb: Array, yb: Array) => {
    const [l, g] = vg(p, xb, yb) as [Array, Params];
    const t1 = t.add(1);
    const c1 = np.subtract(1, np.power(b1, t1));
    const c2 = np.subtract(1, np.power(b2, t1));
    const nm = {} as Params;
    const nv = {} as Params;
    const np2 = {} as Params;
    for (const k of keys) {
      nm[k] = m[k].mul(b1).add(g[k].mul(1 - b1));
      nv[k] = v[k].mul(b2).add(g[k].square().mul(1 - b2));
      np2[k] = p[k].sub(nm[k].div(c1).mul(lr).div(np.sqrt(nv[k].div(c2)).add(eps)));
    }
    return [np2, nm, nv, t1, l] as const;
  }, { donateArgnums: [0, 1, 2] }); // p, m, v are consumed, as jax-js's jit consumes its (un-.ref'd) inputs
  let state: [Params, Params, Params, Array] = [params, zeros(params), zeros(params), np.array(0)];
  const adamMs = await medianMs(() => {
    const [p2, m2, v2, t2, l] = step(...state, x, y);
    state = [p2, m2, v2, t2];
    return l.item();
  }, STEADY);

  const jaxStep = await tryPeer("jax-js", () => jaxAdamStep(d));
  const tfStep = await tryPeer("tfjs-wasm", () => tfAdamStep(d));
  return [
    { name: "mlp 784-128-10 b128: forward (eager)", unit: "ms", tessera: fwd, peers: {} },
    { name: "mlp: valueAndGrad (eager)", unit: "ms", tessera: back, peers: {}, note: `valueAndGrad / forward = ${(back / fwd).toFixed(2)}x` },
    { name: "mlp: Adam train step (jit)", unit: "ms", tessera: adamMs, peers: { "jax-js": jaxStep, "tfjs-wasm": tfStep } },
  ];
}

async function jaxAdamStep(d: ReturnType<typeof data>): Promise<number> {
  const jax = await loadJax();
  const jnp = jax.numpy;
  const x = jnp.array(d.x, { shape: [B, 784] });
  const y = jnp.array(d.y, { shape: [B, 10] });
  const p0 = { w1: jnp.array(d.w1, { shape: [784, 128] }), b1: jnp.zeros([128]), w2: jnp.array(d.w2, { shape: [128, 10] }), b2: jnp.zeros([10]) };
  const jloss = (p: any, xb: any, yb: any) => {
    const h = jax.nn.relu(jnp.matmul(xb, p.w1).add(p.b1));
    const z = jnp.matmul(h, p.w2).add(p.b2);
    const lse = jax.nn.logsumexp(z.ref, -1, { keepdims: true } as any);
    return jnp.mean(jnp.sum(yb.mul(lse.sub(z)), -1));
  };
  const keys = ["w1", "b1", "w2", "b2"];
  const step = jax.jit((p: any, m: any, v: any, t: any, xb: any, yb: any) => {
    const pr = { w1: p.w1.ref, b1: p.b1.ref, w2: p.w2.ref, b2: p.b2.ref };
    const [l, g] = jax.valueAndGrad(jloss)(pr, xb, yb) as any;
    const t1 = t.add(1);
    const c1 = jnp.subtract(1, jnp.power(b1, t1.ref));
    const c2 = jnp.subtract(1, jnp.power(b2, t1.ref));
    const out: any = { p: {}, m: {}, v: {} };
    for (const k of keys) {
      out.m[k] = m[k].mul(b1).add(g[k].ref.mul(1 - b1));
      out.v[k] = v[k].mul(b2).add(g[k].ref.mul(g[k]).mul(1 - b2));
      out.p[k] = p[k].sub(out.m[k].ref.div(c1.ref).mul(lr).div(jnp.sqrt(out.v[k].ref.div(c2.ref)).add(eps)));
    }
    c1.dispose();
    c2.dispose();
    return [out.p, out.m, out.v, t1, l];
  });
  const z = (a: any) => jnp.zerosLike(a.ref);
  let st: any[] = [p0, { w1: z(p0.w1), b1: z(p0.b1), w2: z(p0.w2), b2: z(p0.b2) }, { w1: z(p0.w1), b1: z(p0.b1), w2: z(p0.w2), b2: z(p0.b2) }, jnp.array(0)];
  return medianMs(async () => {
    const [p, m, v, t, l] = step(st[0], st[1], st[2], st[3], x.ref, y.ref) as any;
    st = [p, m, v, t];
    await l.data();
  }, STEADY);
}

async function tfAdamStep(d: ReturnType<typeof data>): Promise<number> {
  const tf = await setTfBackend("wasm");
  const x = tf.tensor2d(d.x, [B, 784]);
  const y = tf.tensor2d(d.y, [B, 10]);
  const w1 = tf.variable(tf.tensor2d(d.w1, [784, 128]));
  const bb1 = tf.variable(tf.zeros([128]));
  const w2 = tf.variable(tf.tensor2d(d.w2, [128, 10]));
  const bb2 = tf.variable(tf.zeros([10]));
  const opt = tf.train.adam(lr, b1, b2, eps);
  return medianMs(() => {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.relu(tf.matMul(x, w1).add(bb1)), w2).add(bb2)) as any, true, [w1, bb1, w2, bb2]);
    l!.dataSync();
    l!.dispose();
  }, STEADY);
}

/**
 * @file The fused elementwise chain `sqrt(x*x + y*y) * tanh(x) + 1` on 1M and 10M float32
 * elements: our eager (one kernel and one fresh array per op) and our `jit` (one fused Wasm SIMD
 * kernel) beside jax-js's `jit` (wasm) and TensorFlow.js (wasm), in ns per element, as ratios.
 * Every library's result is materialized in JS-readable memory (ours is a plain array; jax-js
 * `await y.data()`, TF.js `dataSync()`). Also the call overhead of a jitted tiny function.
 */
import { jit, np, type Array } from "../../src/index.js";
import { jitStats, resetJitStats } from "../../src/jit/memory.js";
import { loadJax, setTfBackend, tryPeer } from "../peers.js";
import { medianMs, perCallUs, type Row } from "../timing.js";

const chain = (x: Array, y: Array): Array => np.sqrt(x.mul(x).add(y.mul(y))).mul(np.tanh(x)).add(1);

function inputs(n: number): [Float32Array, Float32Array] {
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = Math.random() * 6 - 3;
    b[i] = Math.random() * 6 - 3;
  }
  return [a, b];
}

async function jaxChain(xs: Float32Array, ys: Float32Array): Promise<number> {
  const jax = await loadJax();
  const jnp = jax.numpy;
  const x = jnp.array(xs);
  const y = jnp.array(ys);
  const f = jax.jit((a: any, b: any) => jnp.sqrt(a.ref.mul(a.ref).add(b.ref.mul(b))).mul(jnp.tanh(a)).add(1));
  const ms = await medianMs(async () => {
    const z = f(x.ref, y.ref) as any;
    await z.data();
  });
  x.dispose();
  y.dispose();
  return ms;
}

async function tfChain(xs: Float32Array, ys: Float32Array): Promise<number> {
  const tf = await setTfBackend("wasm");
  const x = tf.tensor1d(xs);
  const y = tf.tensor1d(ys);
  const ms = await medianMs(() => {
    const z = tf.tidy(() => tf.sqrt(x.mul(x).add(y.mul(y))).mul(tf.tanh(x)).add(1));
    z.dataSync();
    z.dispose();
  });
  x.dispose();
  y.dispose();
  return ms;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const a = np.array([1, 2, 3, 4]);
  const b = np.array([5, 6, 7, 8]);
  const tiny = jit((u: Array, v: Array) => u.add(v).mul(2));
  tiny(a, b);
  rows.push({
    name: "fused: jit call overhead, tiny function (cache hit)",
    unit: "µs/call",
    tessera: perCallUs(() => tiny(a, b), 5000),
    peers: {},
    note: "(a + b) * 2 on f32[4]: trace-cache lookup, one fused JS kernel, one output array",
  });
  for (const n of [1_000_000, 10_000_000]) {
    const [xs, ys] = inputs(n);
    const x = np.array(xs);
    const y = np.array(ys);
    const f = jit(chain);
    f(x, y);
    resetJitStats();
    const jitMs = await medianMs(() => f(x, y));
    const st = jitStats();
    const eagerMs = await medianMs(() => chain(x, y), { budgetMs: 1000, minRuns: 3 });
    const jaxMs = await tryPeer("jax-js", () => jaxChain(xs, ys));
    const tfMs = await tryPeer("tfjs-wasm", () => tfChain(xs, ys));
    const ns = (ms: number | undefined) => (ms === undefined ? undefined : (ms * 1e6) / n);
    const label = n >= 1e7 ? "10M" : "1M";
    rows.push({
      name: `fused chain f32 ${label}: jit`,
      unit: "ns/element",
      tessera: ns(jitMs),
      peers: { "tessera-eager": ns(eagerMs), "jax-js-jit": ns(jaxMs), "tfjs-wasm": ns(tfMs) },
      note: `sqrt(x*x + y*y) * tanh(x) + 1; jit ran ${st.kernelLaunches / Math.max(1, st.kernelLaunches)} fused kernel per call (${st.wasmLaunches > 0 ? "Wasm SIMD" : "JS"}), ${(st.bytesAllocated / Math.max(1, st.allocations) / 4).toFixed(0)} float32 elements allocated per call (the output only)`,
    });
  }
  return rows;
}

/**
 * @file Dispatch cost of a tiny operation (`add` of two float32[4] arrays) eagerly, the call overhead
 * of a jitted tiny function on a cache hit, and the time from import to the first op.
 */
import { execFileSync } from "node:child_process";
import { np, jit } from "../../src/index.js";
import { loadJax, setTfBackend, tryPeer } from "../peers.js";
import { perCallUs, perCallUsAsync, type Row } from "../timing.js";

export async function run(): Promise<Row[]> {
  const x = np.array([1, 2, 3, 4]);
  const y = np.array([5, 6, 7, 8]);
  const ours = perCallUs(() => np.add(x, y));
  const tfCpu = await tryPeer("tfjs cpu", async () => {
    const tf = await setTfBackend("cpu");
    const a = tf.tensor1d([1, 2, 3, 4]);
    const b = tf.tensor1d([5, 6, 7, 8]);
    return perCallUs(() => tf.add(a, b).dispose());
  });
  const jaxJs = await tryPeer("jax-js", async () => {
    const { numpy: jnp } = await loadJax();
    const a = jnp.array([1, 2, 3, 4]);
    const b = jnp.array([5, 6, 7, 8]);
    return perCallUsAsync(async () => {
      const c = jnp.add(a.ref, b.ref);
      await c.data();
    }, 300, 5);
  });
  const f = jit((a: typeof x, b: typeof x) => a.add(b).mul(2));
  f(x, y);
  const jitUs = perCallUs(() => f(x, y), 5000);
  const importMs = measureImport();
  return [
    { name: "dispatch: add f32[4] eager", unit: "µs/op", tessera: ours, peers: { "tfjs-cpu": tfCpu, "jax-js": jaxJs } },
    { name: "dispatch: jit call, cache hit", unit: "µs/call", tessera: jitUs, peers: {}, note: "a jitted (a + b) * 2 on f32[4], including trace-cache lookup" },
    { name: "import to first op", unit: "ms", tessera: importMs, peers: {}, note: "fresh node process, built dist/ (npm run build), import + np.add" },
  ];
}

/** Time from `import("tessera")` to the first op's result, in a fresh Node process using the built package. */
function measureImport(): number | undefined {
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "ignore" });
    const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)}); m.np.add(m.np.array([1, 2]), 1).dataSync(); console.log(performance.now() - t0);`;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(Number(execFileSync("node", ["--input-type=module", "-e", script]).toString().trim()));
    times.sort((a, b) => a - b);
    return times[2];
  } catch (e) {
    console.error(`  (import timing failed: ${(e as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

/**
 * @file Loading the peers we measure against in the same run: TensorFlow.js (cpu and wasm
 * backends) and jax-js (wasm). Each loader runs once; a peer that fails to load is reported as
 * missing instead of failing the whole benchmark.
 */

type Tf = typeof import("@tensorflow/tfjs");
type JaxJs = typeof import("@jax-js/jax");

let tf: Promise<Tf> | undefined;
let jax: Promise<JaxJs> | undefined;

/** TensorFlow.js with its wasm backend registered; switch backends with `setTfBackend`. */
export function loadTf(): Promise<Tf> {
  tf ??= (async () => {
    const t = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    return t;
  })();
  return tf;
}

/** Select a TF.js backend ("cpu" or "wasm") and wait until it is ready. */
export async function setTfBackend(backend: "cpu" | "wasm"): Promise<Tf> {
  const t = await loadTf();
  if (!(await t.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialize`);
  await t.ready();
  return t;
}

/** jax-js on its wasm device. */
export function loadJax(): Promise<JaxJs> {
  jax ??= (async () => {
    const j = await import("@jax-js/jax");
    const devices = await j.init("wasm");
    if (!devices.includes("wasm")) throw new Error("jax-js: the wasm device is unavailable");
    j.defaultDevice("wasm");
    return j;
  })();
  return jax;
}

/** Run a peer measurement, returning undefined (and a note) when the peer fails. */
export async function tryPeer<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    console.error(`  (${name} failed: ${(e as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

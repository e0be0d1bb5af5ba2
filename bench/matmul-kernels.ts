/**
 * @file Matmul kernel benchmark: float32 GFLOP/s of Tessera's `gemm` beside TensorFlow.js (wasm, cpu) and jax-js (wasm).
 *
 * Run with `npx tsx bench/matmul-kernels.ts [N ...]`. Every subject multiplies two random N × N
 * float32 matrices and delivers the product to JS memory (TF.js `dataSync`, jax-js `data()`; ours
 * returns a fresh Float32Array, copying the operands into Wasm memory on every call). Figures are
 * medians over several timed runs after warm-up. The measuring functions are exported for the main
 * bench suite.
 */

import os from "node:os";
import { pathToFileURL } from "node:url";
import { configureMatmul, DEFAULT_PARALLEL_THRESHOLD, gemm, warmUpWorkers } from "../src/backend/matmul.js";

/** How long / how often to time one subject. */
export interface TimingOptions {
  /** Untimed runs first (JIT tier-up, caches). Default 2. */
  warmup?: number;
  /** At least this many timed runs. Default 5. */
  minRuns?: number;
  /** At most this many timed runs. Default 50. */
  maxRuns?: number;
  /** Keep timing until this much time is spent (ms), within the run limits. Default 1500. */
  budgetMs?: number;
  /** If one warm-up run takes longer than this (ms), report it alone instead of timing more. Default 4000. */
  slowRunMs?: number;
}

/** Median wall time in ms of `run` (awaited when it returns a promise). */
export async function medianMs(run: () => unknown, options: TimingOptions = {}): Promise<number> {
  const { warmup = 2, minRuns = 5, maxRuns = 50, budgetMs = 1500, slowRunMs = 4000 } = options;
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    if (ms > slowRunMs) return ms;
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/** GFLOP/s of an N × N × N matmul (2·N³ flops) taking `ms`. */
export function matmulGflops(n: number, ms: number): number {
  return (2 * n ** 3) / (ms * 1e6);
}

function randomMatrix(n: number): Float32Array {
  const x = new Float32Array(n * n);
  for (let i = 0; i < x.length; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Tessera's `gemm` at size N; `threads: 1` keeps it on the calling thread, otherwise workers help. */
export async function measureTessera(n: number, options: { threads?: 1 | "all" } & TimingOptions = {}): Promise<number> {
  const single = options.threads === 1;
  if (!single) await warmUpWorkers();
  configureMatmul({ parallelThreshold: single ? Infinity : DEFAULT_PARALLEL_THRESHOLD });
  try {
    const a = randomMatrix(n);
    const b = randomMatrix(n);
    return matmulGflops(n, await medianMs(() => gemm("float32", 1, n, n, n, a, false, b, false), options));
  } finally {
    configureMatmul({ parallelThreshold: DEFAULT_PARALLEL_THRESHOLD });
  }
}

type Tf = typeof import("@tensorflow/tfjs");
let tfLoaded: Promise<Tf> | undefined;

/** Load TF.js with its wasm backend registered, silencing its "install tfjs-node" banner. */
function loadTf(): Promise<Tf> {
  tfLoaded ??= (async () => {
    const log = console.log;
    const warn = console.warn;
    console.log = console.warn = () => {};
    try {
      const tf = await import("@tensorflow/tfjs");
      await import("@tensorflow/tfjs-backend-wasm");
      await tf.setBackend("cpu");
      tf.tensor([1]).dataSync();
      return tf;
    } finally {
      console.log = log;
      console.warn = warn;
    }
  })();
  return tfLoaded;
}

/** TensorFlow.js `matMul` + `dataSync` at size N on its `"wasm"` (XNNPACK) or `"cpu"` (plain JS) backend. */
export async function measureTfjs(backend: "wasm" | "cpu", n: number, options: TimingOptions = {}): Promise<number> {
  const tf = await loadTf();
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialize`);
  const a = tf.tensor2d(randomMatrix(n), [n, n]);
  const b = tf.tensor2d(randomMatrix(n), [n, n]);
  try {
    const ms = await medianMs(() => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }, options);
    return matmulGflops(n, ms);
  } finally {
    a.dispose();
    b.dispose();
  }
}

type JaxJs = typeof import("@jax-js/jax");
let jaxLoaded: Promise<JaxJs> | undefined;

/** Load jax-js and make its (possibly multi-threaded) Wasm backend the default device. */
function loadJax(): Promise<JaxJs> {
  jaxLoaded ??= (async () => {
    const jax = await import("@jax-js/jax");
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error("jax-js: the wasm device is unavailable");
    jax.defaultDevice("wasm");
    return jax;
  })();
  return jaxLoaded;
}

/** jax-js `np.matmul` + `await data()` at size N on its wasm device (arrays freed by hand, as jax-js requires). */
export async function measureJaxJs(n: number, options: TimingOptions = {}): Promise<number> {
  const { numpy: np } = await loadJax();
  const a = np.array(randomMatrix(n), { shape: [n, n] });
  const b = np.array(randomMatrix(n), { shape: [n, n] });
  try {
    const ms = await medianMs(async () => {
      const c = np.matmul(a.ref, b.ref);
      await c.data();
    }, options);
    return matmulGflops(n, ms);
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** One row of results: GFLOP/s per subject at size N (undefined when a subject failed). */
export interface MatmulKernelRow {
  /** Matrix size. */
  n: number;
  /** Tessera with worker threads. */
  tessera: number | undefined;
  /** Tessera on the calling thread only. */
  tessera1t: number | undefined;
  /** TensorFlow.js wasm backend. */
  tfjsWasm: number | undefined;
  /** TensorFlow.js cpu backend. */
  tfjsCpu: number | undefined;
  /** jax-js wasm device. */
  jaxJs: number | undefined;
}

async function attempt(f: () => Promise<number>): Promise<number | undefined> {
  try {
    return await f();
  } catch (e) {
    console.error(String(e));
    return undefined;
  }
}

/**
 * Measure every subject at every size. Peers are measured library by library (TF.js first, jax-js
 * last) so that one library's idle threads never share a run with another's.
 */
export async function benchMatmulKernels(sizes: readonly number[] = [128, 256, 512, 1024, 2048]): Promise<MatmulKernelRow[]> {
  const rows: MatmulKernelRow[] = sizes.map((n) => ({
    n, tessera: undefined, tessera1t: undefined, tfjsWasm: undefined, tfjsCpu: undefined, jaxJs: undefined,
  }));
  for (const r of rows) r.tessera1t = await attempt(() => measureTessera(r.n, { threads: 1 }));
  for (const r of rows) r.tessera = await attempt(() => measureTessera(r.n));
  for (const r of rows) r.tfjsWasm = await attempt(() => measureTfjs("wasm", r.n));
  // TF.js cpu runs at ~1 GFLOP/s: fewer runs, and N = 2048 (17 GFLOP) is timed once.
  for (const r of rows) r.tfjsCpu = await attempt(() => measureTfjs("cpu", r.n, { warmup: 1, minRuns: 3, budgetMs: 500 }));
  for (const r of rows) r.jaxJs = await attempt(() => measureJaxJs(r.n));
  return rows;
}

/** Render rows as a fixed-width table with ratios of our best figure to each peer. */
export function formatMatmulKernelTable(rows: readonly MatmulKernelRow[]): string {
  const f = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(1));
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}x`;
  const head = ["N", "tessera", "tessera 1T", "tfjs-wasm", "tfjs-cpu", "jax-js", "vs tfjs-wasm", "vs jax-js"];
  const body = rows.map((r) => [
    String(r.n), f(r.tessera), f(r.tessera1t), f(r.tfjsWasm), f(r.tfjsCpu), f(r.jaxJs),
    ratio(r.tessera, r.tfjsWasm), ratio(r.tessera, r.jaxJs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

/** A one-line description of the machine. */
export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, Node ${process.versions.node}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).map(Number).filter((x) => Number.isInteger(x) && x > 0);
  const sizes = args.length > 0 ? args : [128, 256, 512, 1024, 2048];
  console.log(`matmul float32 N×N×N, GFLOP/s (median) — ${machineDescription()}`);
  console.log("tessera = with worker threads, tessera 1T = calling thread only; ratios use tessera\n");
  const rows = await benchMatmulKernels(sizes);
  console.log(formatMatmulKernelTable(rows));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0), // jax-js / TF.js may keep handles open; ours never do.
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

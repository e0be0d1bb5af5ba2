/**
 * @file A `worker_threads` pool that runs lists of WebAssembly calls over a shared linear memory, synchronously.
 *
 * A job is a list of export calls. The caller posts the job to every ready worker and then works on
 * it itself: each thread repeatedly claims the next call with `Atomics.add` on a shared counter, so
 * a slow or descheduled thread simply does less (the other core may be busy with another process).
 * Calls before a barrier index (packing) all finish before any call after it (multiplying) starts.
 * The caller then blocks in `Atomics.wait` until every call has completed, so kernels built on it
 * stay synchronous. Workers are `unref`'d and never keep the process alive.
 *
 * Failure handling: a worker that throws, exits or misses the deadline is terminated and replaced.
 * If every call still completed (the caller picked up the rest), the result stands; otherwise
 * {@link WorkerPool.run} returns false and the caller must abandon that memory (a terminated worker
 * may still be writing to it for a moment) and redo the work on its own thread.
 *
 * `node:worker_threads` is loaded with a dynamic import so this module also loads in browsers, where
 * no worker ever becomes ready. Loading and thread start-up are asynchronous: until they are done,
 * {@link WorkerPool.readyWorkers} is empty and callers run everything on their own thread.
 */

import type { Worker as NodeWorker } from "node:worker_threads";
import type { TypedArray } from "../core/dtype.js";
import type { WasmMemory, WasmModule } from "./wasm/wasm-api.js";

// Per-worker control words, written by the worker so the caller can observe start-up, completion
// and death synchronously (without its event loop): last finished job sequence number, that job's
// status (1 ok, 2 error), life state (0 starting, 1 running, 2 exited), and a sticky fault flag
// (some job failed), so a failure is seen even after later jobs overwrote the status.
const CTRL_DONE = 0;
const CTRL_STATUS = 1;
const CTRL_STATE = 2;
const CTRL_FAULTED = 3;
const STATE_RUNNING = 1;
const STATE_EXITED = 2;

// Per-job scheduling words shared by all threads of the job: next call to claim, calls finished
// before the barrier, calls finished in total, and a failure flag that stops everyone waiting.
const SCHED_NEXT = 0;
const SCHED_BARRIER = 1;
const SCHED_DONE = 2;
const SCHED_FAILED = 3;

/** The script each worker runs (CommonJS via `eval: true`: no loader or file path needed). */
const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const ctrl = workerData.ctrl;
const instances = new Map(); // module key -> exports, for the current memory
let memory;
let current; // scheduling words of the job in progress
function fail(s) {
  Atomics.store(s, ${SCHED_FAILED}, 1);
  Atomics.notify(s, ${SCHED_BARRIER});
  Atomics.notify(s, ${SCHED_DONE});
}
function awaitCount(s, index, target, deadline) {
  for (;;) {
    const v = Atomics.load(s, index);
    if (v >= target) return;
    if (Atomics.load(s, ${SCHED_FAILED})) throw new Error("job failed elsewhere");
    const left = deadline - Date.now();
    if (left <= 0) throw new Error("job timed out");
    Atomics.wait(s, index, v, left);
  }
}
// Copies between shared arrays and the memory: quads [array, array start, memory element, length].
function transfer(arrays, quads, into) {
  for (let q = 0; q < quads.length; q += 4) {
    const a = arrays[quads[q]];
    const m = new a.constructor(memory.buffer);
    const s = quads[q + 1], d = quads[q + 2], n = quads[q + 3];
    if (into) m.set(a.subarray(s, s + n), d);
    else a.set(m.subarray(d, d + n), s);
  }
}
process.on("exit", () => {
  if (current) fail(current);
  Atomics.store(ctrl, ${CTRL_STATE}, ${STATE_EXITED});
  Atomics.notify(ctrl, ${CTRL_DONE});
});
function handle(msg) {
  const s = msg.sched;
  current = s;
  let status = 1;
  try {
    if (msg.memory) { memory = msg.memory; instances.clear(); }
    if (msg.module) instances.set(msg.key, new WebAssembly.Instance(msg.module, { env: { memory } }).exports);
    const ex = instances.get(msg.key);
    if (msg.fault) {
      Atomics.add(s, ${SCHED_NEXT}, 1); // claim a call and never finish it
      if (msg.fault === "hang") for (;;) {}
      if (msg.fault === "crash") process.exit(1);
      throw new Error("injected fault");
    }
    const deadline = Date.now() + msg.timeoutMs;
    for (;;) {
      const c = Atomics.add(s, ${SCHED_NEXT}, 1);
      if (c >= msg.calls.length) break;
      if (c >= msg.barrier) awaitCount(s, ${SCHED_BARRIER}, msg.barrier, deadline);
      const call = msg.calls[c];
      if (call.copyIn) transfer(msg.arrays, call.copyIn, true);
      ex[call.fn](...call.args);
      if (call.copyOut) transfer(msg.arrays, call.copyOut, false);
      if (msg.progress) Atomics.store(msg.progress, c, 1);
      if (c < msg.barrier) { Atomics.add(s, ${SCHED_BARRIER}, 1); Atomics.notify(s, ${SCHED_BARRIER}); }
      Atomics.add(s, ${SCHED_DONE}, 1);
      Atomics.notify(s, ${SCHED_DONE});
    }
  } catch {
    status = 2;
    Atomics.store(ctrl, ${CTRL_FAULTED}, 1);
    fail(s);
  }
  current = undefined;
  Atomics.store(ctrl, ${CTRL_STATUS}, status);
  Atomics.store(ctrl, ${CTRL_DONE}, msg.seq);
  Atomics.notify(ctrl, ${CTRL_DONE});
}
parentPort.on("message", handle);
Atomics.store(ctrl, ${CTRL_STATE}, ${STATE_RUNNING});
`;

/** One call of a job: `exports[fn](...args)`, with optional copies before and after it. */
export interface WasmCall {
  /** Export name. */
  readonly fn: string;
  /** Numeric arguments. */
  readonly args: readonly number[];
  /**
   * Copies into the memory before the call, as quads `[array, start, memoryElement, length]`:
   * elements `start..start+length` of `job.arrays[array]` go to element `memoryElement` of a view
   * of the memory with that array's element type. Lets every thread move its own share of data.
   */
  readonly copyIn?: readonly number[];
  /** Copies out of the memory after the call, the same quads in the other direction. */
  readonly copyOut?: readonly number[];
}

/** Calls to spread over threads, all against one module instantiated over one shared memory. */
export interface WasmJob {
  /** Stable key identifying `module` (workers keep one instance per key and memory). */
  readonly key: string;
  /** The compiled module; it must import its memory as `env.memory`. */
  readonly module: WasmModule;
  /** The shared memory the calls work in. */
  readonly memory: WasmMemory;
  /** The calls, claimed in order. */
  readonly calls: readonly WasmCall[];
  /** Calls `[0, barrier)` all complete before any later call starts. */
  readonly barrier: number;
  /** Deadline for the whole job, in ms. */
  readonly timeoutMs: number;
  /**
   * Optional completion flags (one word per call, over a `SharedArrayBuffer`): a worker sets word
   * `c` to 1 once call `c` has returned, so the caller can consume results while the job runs.
   * Calls run by the caller itself are not flagged (its `local` knows when they finish).
   */
  readonly progress?: Int32Array;
  /** Arrays the calls' copies refer to; they must be backed by `SharedArrayBuffer`s. */
  readonly arrays?: readonly TypedArray[];
}

/** Test-only fault injection: the worker claims one call of its next job, then misbehaves. */
export type WorkerFault = "hang" | "crash" | "throw";

interface Slot {
  readonly worker: NodeWorker;
  readonly ctrl: Int32Array;
  seq: number;
  memory: WasmMemory | undefined;
  readonly keys: Set<string>;
  alive: boolean;
  /** The last job posted whose completion report has not been seen yet, with its deadline. */
  pending: { seq: number; deadline: number } | undefined;
}

/** Options of the pool. */
export interface WorkerPoolOptions {
  /** Number of worker threads (default: available cores − 1, at most 7). */
  threads?: number;
  /** Fixed deadline per job in ms, replacing the caller's estimate (tests use a short one). */
  timeoutMs?: number;
}

type WorkerThreads = typeof import("node:worker_threads");
type Os = typeof import("node:os");

/** Import a Node built-in through a variable, so browser bundlers do not try to resolve it. */
function importBuiltin<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<T>;
}

/** Thrown inside {@link WorkerPool.run} when the job cannot complete (deadline or a failed thread). */
class JobAborted extends Error {}

/**
 * A fixed-size pool of worker threads for synchronous, shared-memory WebAssembly jobs.
 * Use {@link workerPool} to get the process-wide instance.
 */
export class WorkerPool {
  private readonly slots: (Slot | undefined)[] = [];
  private wt: WorkerThreads | undefined;
  private loading: Promise<void> | undefined;
  private threads: number;
  private timeoutOverride: number | undefined;
  private readonly faults: (WorkerFault | undefined)[] = [];
  private replacedCount = 0;

  /** Create an idle pool; threads start on the first {@link WorkerPool.start} or {@link WorkerPool.readyWorkers}. */
  constructor(options: WorkerPoolOptions = {}) {
    this.threads = options.threads ?? -1;
    this.timeoutOverride = options.timeoutMs;
  }

  /** Change the thread count (workers beyond it are stopped) or the fixed timeout (`undefined` clears it). */
  configure(options: WorkerPoolOptions): void {
    if (options.threads !== undefined) {
      this.threads = Math.max(0, Math.floor(options.threads));
      for (let i = this.threads; i < this.slots.length; i++) this.retire(i);
      this.slots.length = Math.min(this.slots.length, this.threads);
    }
    if ("timeoutMs" in options) this.timeoutOverride = options.timeoutMs;
  }

  /**
   * Begin loading `node:worker_threads` and spawning workers (idempotent, non-blocking). The
   * promise resolves once the workers are spawned; they become ready shortly after.
   */
  start(): Promise<void> {
    // Node ≥ 20.16 can load builtins synchronously: then threads spawn at once, so a synchronous
    // training loop that never yields to the event loop still gets its workers (readiness is
    // signalled through shared memory, not messages).
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (this.loading === undefined && typeof getBuiltin === "function") {
      try {
        const wt = getBuiltin("node:worker_threads") as WorkerThreads | undefined;
        const os = getBuiltin("node:os") as Os | undefined;
        if (wt !== undefined && os !== undefined) {
          const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
          this.wt = wt;
          if (this.threads < 0) this.threads = Math.max(0, Math.min(7, cores - 1));
          this.loading = Promise.resolve();
        }
      } catch {
        // fall through to the asynchronous path
      }
    }
    this.loading ??= Promise.all([importBuiltin<WorkerThreads>("node:worker_threads"), importBuiltin<Os>("node:os")]).then(
      ([wt, os]) => {
        const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
        this.wt = wt;
        if (this.threads < 0) this.threads = Math.max(0, Math.min(7, cores - 1));
      },
      () => {
        this.threads = 0;
      },
    );
    return this.loading.then(() => this.spawnAll());
  }

  /** Number of worker threads the pool aims for (0 until `node:worker_threads` has loaded). */
  get size(): number {
    return this.wt === undefined ? 0 : Math.max(0, this.threads);
  }

  /** How many workers have been terminated and replaced after a failure (diagnostics and tests). */
  get replacements(): number {
    return this.replacedCount;
  }

  /** Indices of the workers that can take a job right now; starts or respawns missing ones (ready later). */
  readyWorkers(): number[] {
    if (this.wt === undefined) {
      void this.start();
      return [];
    }
    this.spawnAll();
    const out: number[] = [];
    this.slots.forEach((s, i) => {
      if (s !== undefined && this.healthy(i, s) && usable(s)) out.push(i);
    });
    return out;
  }

  /**
   * Wait (up to `timeoutMs`) for every worker to report on the jobs it was given, replacing any
   * that failed, died or hung. {@link WorkerPool.run} does not wait for these reports (a worker
   * that woke up too late to take part in a job is not waited for), so tests and shutdown code
   * call this to observe the pool in a settled state.
   */
  settle(timeoutMs = 10_000): void {
    const deadline = performance.now() + timeoutMs;
    this.slots.forEach((s, i) => {
      if (s === undefined) return;
      if (s.pending !== undefined && !this.finished(i, s.pending.seq, Math.min(deadline, s.pending.deadline))) this.replace(i);
      else if (Atomics.load(s.ctrl, CTRL_FAULTED) !== 0) this.replace(i);
      else s.pending = undefined;
    });
  }

  /**
   * Run `job` on this thread (through `local`) together with `workers`, blocking until every call
   * has completed. Returns false if some call did not complete: the job's memory must then be
   * abandoned and the work redone by the caller. Exceptions thrown by `local` propagate (after the
   * workers are stopped).
   */
  run(job: WasmJob, local: (call: WasmCall) => void, workers: readonly number[]): boolean {
    const sched = new Int32Array(new SharedArrayBuffer(16));
    const timeoutMs = this.timeoutOverride ?? job.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    const tickets: { worker: number; seq: number }[] = [];
    for (const w of workers) {
      const seq = this.dispatch(w, job, sched, timeoutMs);
      if (seq !== undefined) tickets.push({ worker: w, seq });
    }
    try {
      for (;;) {
        const c = Atomics.add(sched, SCHED_NEXT, 1);
        if (c >= job.calls.length) break;
        if (c >= job.barrier) awaitCount(sched, SCHED_BARRIER, job.barrier, deadline);
        local(job.calls[c]!);
        if (c < job.barrier) {
          Atomics.add(sched, SCHED_BARRIER, 1);
          Atomics.notify(sched, SCHED_BARRIER);
        }
        Atomics.add(sched, SCHED_DONE, 1);
      }
      awaitCount(sched, SCHED_DONE, job.calls.length, deadline);
    } catch (e) {
      abort(sched);
      for (const t of tickets) this.replace(t.worker);
      if (e instanceof JobAborted) return false;
      throw e;
    }
    // Every call is done, so the result stands. Workers that have not reported yet (one may have
    // woken up after the caller took every call) are not waited for: their reports are checked
    // when workers are next handed out (see `healthy`), so a failed or hung one is still replaced.
    for (const t of tickets) {
      const slot = this.slots[t.worker];
      if (slot !== undefined) slot.pending = { seq: t.seq, deadline };
      if (slot !== undefined) this.healthy(t.worker, slot);
    }
    return true;
  }

  /** Make worker `index` misbehave on its next job (tests of the recovery path). */
  injectFault(index: number, fault: WorkerFault): void {
    this.faults[index] = fault;
  }

  /** Stop every worker; the pool respawns them on demand. */
  terminate(): void {
    for (let i = 0; i < this.slots.length; i++) this.retire(i);
  }

  /** Post the job to worker `index`; returns the job's sequence number, or undefined if the worker is not ready. */
  private dispatch(index: number, job: WasmJob, sched: Int32Array, timeoutMs: number): number | undefined {
    const slot = this.slots[index];
    if (slot === undefined || !usable(slot)) return undefined;
    const seq = ++slot.seq;
    const msg: Record<string, unknown> = {
      seq, sched, key: job.key, calls: job.calls, barrier: job.barrier, timeoutMs,
    };
    if (job.progress !== undefined) msg.progress = job.progress;
    if (job.arrays !== undefined) msg.arrays = job.arrays;
    if (slot.memory !== job.memory) {
      msg.memory = job.memory;
      slot.memory = job.memory;
      slot.keys.clear();
    }
    if (!slot.keys.has(job.key)) {
      msg.module = job.module;
      slot.keys.add(job.key);
    }
    const fault = this.faults[index];
    if (fault !== undefined) {
      msg.fault = fault;
      this.faults[index] = undefined;
    }
    slot.worker.postMessage(msg);
    return seq;
  }

  /**
   * Check worker `index`'s reports without waiting: false (and the worker is replaced) when it
   * reported a failure or has missed the deadline of a job it was given.
   */
  private healthy(index: number, slot: Slot): boolean {
    if (Atomics.load(slot.ctrl, CTRL_FAULTED) !== 0) {
      this.replace(index);
      return false;
    }
    const p = slot.pending;
    if (p === undefined) return true;
    if (Atomics.load(slot.ctrl, CTRL_DONE) >= p.seq) {
      slot.pending = undefined;
      return true;
    }
    if (performance.now() > p.deadline) {
      this.replace(index);
      return false;
    }
    return true;
  }

  /** Wait until worker `index` has finished job `seq` successfully; false on error, exit or deadline. */
  private finished(index: number, seq: number, deadline: number): boolean {
    const slot = this.slots[index];
    if (slot === undefined) return false;
    for (;;) {
      const done = Atomics.load(slot.ctrl, CTRL_DONE);
      if (done === seq) return Atomics.load(slot.ctrl, CTRL_STATUS) === 1;
      if (Atomics.load(slot.ctrl, CTRL_STATE) === STATE_EXITED) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(slot.ctrl, CTRL_DONE, done, left);
    }
  }

  private spawnAll(): void {
    if (this.wt === undefined) return;
    for (let i = 0; i < this.threads; i++) {
      const s = this.slots[i];
      if (s === undefined || !s.alive || Atomics.load(s.ctrl, CTRL_STATE) === STATE_EXITED) {
        if (s !== undefined) this.retire(i);
        this.slots[i] = this.spawn(this.wt, i);
      }
    }
  }

  private spawn(wt: WorkerThreads, index: number): Slot {
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    // execArgv: [] so the parent's flags (loaders such as tsx, --input-type=module) cannot change
    // how the plain CommonJS worker script is read. V8 flags are process-wide and still apply.
    const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl }, execArgv: [] });
    worker.unref();
    const slot: Slot = { worker, ctrl, seq: 0, memory: undefined, keys: new Set(), alive: true, pending: undefined };
    const die = (): void => {
      slot.alive = false;
      if (this.slots[index] === slot) this.slots[index] = undefined;
    };
    worker.once("exit", die);
    worker.on("error", die);
    return slot;
  }

  private replace(index: number): void {
    this.retire(index);
    this.replacedCount++;
    if (this.wt !== undefined && index < this.threads) this.slots[index] = this.spawn(this.wt, index);
  }

  private retire(index: number): void {
    const slot = this.slots[index];
    if (slot === undefined) return;
    slot.alive = false;
    this.slots[index] = undefined;
    void slot.worker.terminate();
  }
}

function usable(slot: Slot): boolean {
  return slot.alive && Atomics.load(slot.ctrl, CTRL_STATE) === STATE_RUNNING;
}

/** Block until `sched[index] >= target`; throws {@link JobAborted} on failure flag or deadline. */
function awaitCount(sched: Int32Array, index: number, target: number, deadline: number): void {
  for (;;) {
    // Completion first: a worker may fail after the others finished every call, and that result stands.
    const v = Atomics.load(sched, index);
    if (v >= target) return;
    if (Atomics.load(sched, SCHED_FAILED) !== 0) throw new JobAborted("a worker failed");
    const left = deadline - performance.now();
    if (left <= 0) throw new JobAborted("deadline passed");
    Atomics.wait(sched, index, v, left);
  }
}

/** Raise the failure flag so every thread of the job stops waiting. */
function abort(sched: Int32Array): void {
  Atomics.store(sched, SCHED_FAILED, 1);
  Atomics.notify(sched, SCHED_BARRIER);
  Atomics.notify(sched, SCHED_DONE);
}

let pool: WorkerPool | undefined;

/** The process-wide pool used by the kernels. */
export function workerPool(): WorkerPool {
  return (pool ??= new WorkerPool());
}

/**
 * Configure the process-wide pool: `threads: 0` disables workers (everything runs on the calling
 * thread), `timeoutMs` fixes the per-job deadline.
 */
export function configureWorkers(options: WorkerPoolOptions): void {
  workerPool().configure(options);
}

/**
 * Start the process-wide pool and resolve with the number of ready workers once all have started
 * (giving up after `timeoutMs`). Optional: kernels use workers as soon as they are up.
 */
export async function warmUpWorkers(timeoutMs = 10_000): Promise<number> {
  const p = workerPool();
  await p.start();
  const deadline = performance.now() + timeoutMs;
  while (p.readyWorkers().length < p.size && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return p.readyWorkers().length;
}

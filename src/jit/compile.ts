/**
 * @file The jit compiler's driver: jaxpr → simplified jaxpr (`passes.ts`) → schedule of fused
 * clusters and plain equations (`fuse.ts`) → one kernel per cluster (`codegenWasm.ts` for float
 * SIMD, `codegenJs.ts` otherwise) → an executable that runs the schedule over a flat slot array.
 *
 * `jit` caches one executable per input signature (it holds the closure returned by
 * {@link compileJaxpr}); compilation itself happens lazily on the first call, so `lower()` and
 * tracing under other transformations never pay for it. Non-fused equations (dot_general, gather,
 * sort, control flow, ...) run through their primitive's eager `impl`.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray, isExclusive } from "../core/concrete.js";
import { storageOf, type DType, type TypedArray } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { Lit, Var, type Atom, type Jaxpr } from "../ir/jaxpr.js";
import { compileJsKernel, type JsKernel } from "./codegenJs.js";
import { compileWasmKernel, WASM_MIN_ELEMENTS } from "./codegenWasm.js";
import { fuse, type Cluster, type Step } from "./fuse.js";
import { allocateOutput, countDonated, countImpl, countLaunch, PrivateBuffers } from "./memory.js";
import { optimize } from "./passes.js";
import { setBodyCompiler } from "../interpreters/jaxprTransforms.js";

/** Which kernels fused clusters use: `"auto"` (Wasm SIMD where it applies, else JS) or `"js"` only. */
export type JitBackend = "auto" | "js";

let backend: JitBackend = "auto";

/**
 * Choose the kernel generator for programs compiled from now on (already compiled ones keep
 * theirs). `"js"` forces the portable path, e.g. to compare against it in tests.
 */
export function setJitBackend(b: JitBackend): void {
  backend = b;
}

/** The current kernel generator choice. */
export function getJitBackend(): JitBackend {
  return backend;
}

type Env = (Array | undefined)[];
type Runner = (env: Env, priv: PrivateBuffers) => void;

/**
 * Non-fused primitives whose eager kernels always return fresh storage. The outputs of any other
 * non-fused equation (reshape, control flow, ...) may share an input's memory, so donation treats
 * them as aliases of their inputs.
 */
const FRESH_OUTPUT = new Set([
  "dot_general", "conv_general_dilated", "transpose", "broadcast_in_dim", "slice", "pad", "concatenate", "rev", "iota",
  "gather", "scatter", "sort", "reduce_window_sum", "reduce_window_max", "reduce_window_min", "select_and_gather_add",
  "select_and_scatter_add",
]);

/** Storage of a donated argument that outputs of one call may take over. */
interface Donated {
  readonly data: TypedArray;
  /** The last step that reads the argument (or a view of it). */
  readonly lastRead: number;
}

/** A compiled program: the schedule, its kernels and the slot layout. */
export class Executable {
  /** The simplified program the schedule was built from. */
  readonly jaxpr: Jaxpr;
  /** The schedule: fused clusters and plain equations, in execution order. */
  readonly steps: readonly Step[];
  private readonly runners: Runner[] = [];
  private readonly frees: number[][] = [];
  private readonly nslots: number;
  private readonly outReaders: ((env: Env) => Array)[];
  private readonly priv = new PrivateBuffers();
  private depth = 0;
  /** For each invar: the last step reading it or a view of it (-1: never read). */
  private readonly invarLastRead: number[];
  /** For each invar: whether it or a view of it is an output (its storage is then never donated). */
  private readonly invarExposed: boolean[];
  /** Donated storage of the call in progress (see {@link Executable.run}). */
  private donations: Donated[] | null = null;
  /** For each cluster step, whether it runs as WebAssembly. */
  readonly wasmClusters: boolean[] = [];

  constructor(source: Jaxpr, kernelBackend: JitBackend = backend) {
    this.jaxpr = optimize(source);
    this.steps = fuse(this.jaxpr);
    const slot = new Map<Var, number>();
    const slotOf = (v: Var) => {
      let s = slot.get(v);
      if (s === undefined) slot.set(v, (s = slot.size));
      return s;
    };
    this.jaxpr.invars.forEach(slotOf);
    const isOutput = new Set(this.jaxpr.outs.filter((o): o is Var => o instanceof Var));
    // Readers of each variable, to find private values and last uses.
    const readers = new Map<Var, number[]>();
    const addReader = (v: Atom, i: number) => {
      if (v instanceof Var) {
        const r = readers.get(v);
        if (r === undefined) readers.set(v, [i]);
        else r.push(i);
      }
    };
    this.steps.forEach((st, i) => {
      if (st.kind === "eqn") st.eqn.inputs.forEach((a) => addReader(a, i));
      else st.cluster.leaves.forEach((l) => addReader(l.var, i));
    });
    // A value is private when nothing outside this call can see its buffer: every reader is a fused
    // kernel, or a reshape (which shares the buffer) whose result is itself private.
    const privateMemo = new Map<Var, boolean>();
    const isPrivate = (v: Var): boolean => {
      let p = privateMemo.get(v);
      if (p !== undefined) return p;
      privateMemo.set(v, false); // cycles cannot occur, but stay safe
      p =
        !isOutput.has(v) &&
        (readers.get(v) ?? []).every((i) => {
          const st = this.steps[i]!;
          return st.kind === "cluster" || (st.eqn.prim.name === "reshape" && isPrivate(st.eqn.outvars[0]!));
        });
      privateMemo.set(v, p);
      return p;
    };
    // Which invars each value may share memory with, for donation.
    const nIn = this.jaxpr.invars.length;
    const roots = new Map<Var, Set<number>>();
    this.jaxpr.invars.forEach((v, i) => roots.set(v, new Set([i])));
    this.invarLastRead = new globalThis.Array<number>(nIn).fill(-1);
    this.steps.forEach((st, k) => {
      const ins = st.kind === "eqn" ? st.eqn.inputs : st.cluster.leaves.map((l) => l.var);
      const rs = new Set<number>();
      for (const a of ins) {
        if (!(a instanceof Var)) continue;
        for (const r of roots.get(a) ?? []) {
          rs.add(r);
          this.invarLastRead[r] = k;
        }
      }
      if (st.kind === "eqn" && rs.size > 0 && !FRESH_OUTPUT.has(st.eqn.prim.name)) for (const w of st.eqn.outvars) roots.set(w, rs);
    });
    this.invarExposed = new globalThis.Array<boolean>(nIn).fill(false);
    for (const o of this.jaxpr.outs) if (o instanceof Var) for (const r of roots.get(o) ?? []) this.invarExposed[r] = true;

    let nextPrivate = 0;
    this.steps.forEach((st, stepIndex) => {
      if (st.kind === "eqn") {
        const e = st.eqn;
        const ins = e.inputs.map((a) => (a instanceof Lit ? a.val : slotOf(a)));
        const outs = e.outvars.map(slotOf);
        const prim = e.prim;
        const params = e.params;
        this.runners.push((env) => {
          const args = ins.map((x) => (typeof x === "number" ? env[x]! : x)) as ConcreteArray[];
          countImpl();
          const res = prim.impl(args, params);
          for (let k = 0; k < outs.length; k++) env[outs[k]!] = res[k];
        });
      } else {
        const c = st.cluster;
        const { kernel, wasm } = chooseKernel(c, kernelBackend);
        this.wasmClusters.push(wasm);
        const leafSlots = c.leaves.map((l) => slotOf(l.var));
        const outSpecs = c.outputs.map((o) => ({
          slot: slotOf(o.var),
          aval: o.var.aval,
          n: sizeOf(o.var.aval.shape),
          priv: isPrivate(o.var) ? nextPrivate++ : -1,
        }));
        this.runners.push((env, priv) => {
          const leaves: TypedArray[] = leafSlots.map((s) => ConcreteArray.dataOf(env[s] as ConcreteArray));
          const outs: TypedArray[] = outSpecs.map((o) =>
            o.priv >= 0 ? priv.get(o.priv, o.aval.dtype, o.n) : (this.takeDonated(o.aval.dtype, o.n, stepIndex) ?? allocateOutput(o.aval.dtype, o.n)),
          );
          countLaunch(wasm);
          kernel(leaves, outs);
          for (let k = 0; k < outSpecs.length; k++) {
            const o = outSpecs[k]!;
            env[o.slot] = new ConcreteArray(outs[k]!, o.aval.shape, o.aval.dtype, o.aval.weakType);
          }
        });
      }
    });
    // Drop references after their last use so large intermediates can be collected mid-call.
    const lastUse = new Map<number, number>();
    readers.forEach((rs, v) => {
      if (!isOutput.has(v) && slot.has(v)) lastUse.set(slot.get(v)!, Math.max(...rs));
    });
    this.frees = this.steps.map(() => []);
    lastUse.forEach((step, s) => this.frees[step]!.push(s));
    this.nslots = slot.size;
    this.outReaders = this.jaxpr.outs.map((o) => {
      if (o instanceof Lit) return () => o.val;
      const s = slotOf(o);
      return (env: Env) => env[s]!;
    });
  }

  /**
   * Run the program on concrete arguments (one per invar, constants first). Where `donated[i]`
   * is set, the caller gives up argument `i` (it will be marked deleted): outputs of the same
   * dtype and size may then be written into its storage instead of fresh memory, once nothing
   * reads the argument any more, or by the fused kernel that reads it last: a kernel reads an
   * input of its output's size at the element it writes (same loop order), before writing it,
   * both in the JS loops and in the Wasm runners (which copy each chunk or block in before
   * copying the same range out).
   */
  run(args: readonly Array[], donated?: readonly boolean[]): Array[] {
    const env: Env = new globalThis.Array(this.nslots);
    for (let i = 0; i < args.length; i++) env[i] = args[i];
    // A recursive call (e.g. from inside a control-flow body) must not share private buffers.
    const priv = this.depth === 0 ? this.priv : new PrivateBuffers();
    const outer = this.donations;
    this.donations = this.depth === 0 && donated !== undefined ? this.donatable(args, donated) : null;
    this.depth++;
    try {
      for (let i = 0; i < this.runners.length; i++) {
        this.runners[i]!(env, priv);
        const fr = this.frees[i]!;
        for (let k = 0; k < fr.length; k++) env[fr[k]!] = undefined;
      }
      return this.outReaders.map((r) => r(env));
    } finally {
      this.depth--;
      this.donations = outer;
    }
  }

  /** The storage of donated arguments that outputs may take over in this call. */
  private donatable(args: readonly Array[], donated: readonly boolean[]): Donated[] | null {
    const out: Donated[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (donated[i] !== true || this.invarExposed[i] || !(a instanceof ConcreteArray) || a.isDeleted()) continue;
      const data = ConcreteArray.dataOf(a);
      if (!isExclusive(data)) continue;
      // The same storage passed again (as another argument) is still read through that argument;
      // views of it (other TypedArrays) were marked shared when they were made.
      const aliased = args.some((b, j) => j !== i && b instanceof ConcreteArray && !b.isDeleted() && ConcreteArray.dataOf(b) === data);
      if (!aliased) out.push({ data, lastRead: this.invarLastRead[i]! });
    }
    return out.length > 0 ? out : null;
  }

  /** Donated storage for an output of cluster step `k`, if any fits. */
  private takeDonated(dtype: DType, n: number, k: number): TypedArray | undefined {
    const pool = this.donations;
    if (pool === null) return undefined;
    const ctor = storageOf[dtype];
    for (let i = 0; i < pool.length; i++) {
      const d = pool[i]!;
      if (d.data.length === n && d.data instanceof ctor && d.lastRead <= k) {
        pool.splice(i, 1);
        countDonated();
        return d.data;
      }
    }
    return undefined;
  }

  /** A readable summary of the schedule: one line per step, clusters with their equations. */
  describe(): string {
    let ci = 0;
    return this.steps
      .map((st) => {
        if (st.kind === "eqn") return `${st.eqn.prim.name}`;
        const c = st.cluster;
        const kind = this.wasmClusters[ci++] ? "wasm" : "js";
        return `fused[${kind}] shape=[${c.shape.join(",")}] ${c.eqns.map((e) => e.prim.name).join(" ")} -> ${c.outputs.length} output(s)`;
      })
      .join("\n");
  }
}

function chooseKernel(c: Cluster, b: JitBackend): { kernel: JsKernel; wasm: boolean } {
  if (b === "auto" && sizeOf(c.shape) >= WASM_MIN_ELEMENTS) {
    const k = compileWasmKernel(c);
    if (k !== null) return { kernel: k, wasm: true };
  }
  return { kernel: compileJsKernel(c), wasm: false };
}

/**
 * Compile `jaxpr` (no constvars: constants are leading invars, as `jit` passes them) into a
 * function from concrete arguments to outputs. Compilation happens on the first call.
 */
export function compileJaxpr(jaxpr: Jaxpr): (args: Array[], donated?: readonly boolean[]) => Array[] {
  let exe: Executable | null = null;
  return (args, donated) => (exe ??= new Executable(jaxpr)).run(args, donated);
}

// Hot control-flow bodies (cond branches, scan and while bodies) run through this compiler.
setBodyCompiler(compileJaxpr);

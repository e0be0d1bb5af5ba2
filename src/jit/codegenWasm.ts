/**
 * @file The SIMD code generator: a fused float32 (or float64) cluster becomes a WebAssembly
 * function that runs the cluster's loop nest four (two) lanes at a time, with the vector
 * transcendentals of `vecmath.ts` inline. Operations without a vector form call the eager scalar
 * formula per lane through an import, so every fusible primitive is covered with eager's results.
 *
 * Data movement. Kernels only see Wasm linear memory, while arrays live in GC-managed
 * TypedArrays, so the runner streams: the outermost loop is cut into chunks of about
 * {@link CHUNK_ELEMENTS} elements; for each chunk the full-size inputs are copied into scratch
 * regions (which stay in cache), the kernel runs, and the outputs are copied to their arrays.
 * Each element thus crosses main memory once on the way in and once on the way out, as in a
 * native kernel. Broadcast (smaller) inputs are copied once per call; reduction accumulators stay
 * in Wasm memory until the end. Float32 sums and products accumulate in float64, as eager does.
 *
 * Classes a cluster must fit (else the JS generator takes it): every value float32 or bool
 * (lane width 32) or every value float64 or bool (lane width 64); reductions sum/prod/max/min of
 * float values. Inside a kernel a bool is a lane mask (all ones or all zeros, as the float
 * comparisons produce it, so `select` is a `v128.bitselect`); bool arrays (one 0/1 byte per
 * element) are read by widening their bytes to lane masks and written by narrowing masks to 0/1
 * bytes, which keeps relu-style masks (`x > 0`, `select(mask, g, 0)`) in SIMD.
 */
import { isShared, type TypedArray } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { FunctionBuilder } from "../backend/wasm/function-builder.js";
import { hasWasmSimd } from "../backend/wasm/simd.js";
import { requireWasmApi, type WasmInstance, type WasmModule } from "../backend/wasm/wasm-api.js";
import { workerPool, type WasmCall } from "../backend/workers.js";
import { mathHelpers } from "../backend/cpu/mathHelpers.js";
import type { JsKernel } from "./codegenJs.js";
import { JS_FORMULAS } from "./codegenJs.js";
import type { Cluster, FusedNode, ReduceKind } from "./fuse.js";
import { clusterPortStrides, planLoops, type LoopPlan } from "./loops.js";
import { abandonSharedKernelMemory, kernelMemory, sharedKernelMemory } from "./memory.js";
import { expF32, logF32, logisticF32, sinCosF32, tanhF32, Vec } from "./vecmath.js";
import { C, KernelModule, S, ValType } from "./wasmOps.js";

/** Clusters smaller than this run as JS: copying into Wasm memory would cost more than it saves. */
export const WASM_MIN_ELEMENTS = 256;

/** Elements per streamed chunk (per array): big enough to amortize a call, small enough for L2. */
export const CHUNK_ELEMENTS = 8192;

/**
 * Elementwise clusters (no reductions, no scalar imports, one loop) of at least this many
 * elements split their kernel calls across the worker pool (see {@link makeParallelRunner}).
 */
let parallelMinElements = 1 << 19;

/** Elements per kernel call of a threaded run (a multiple of every lane count). */
const PARALLEL_BLOCK = 1 << 16;

/** Larger threaded runs (all their ports side by side in shared memory) stay on one thread. */
const PARALLEL_MAX_BYTES = 1 << 29;

/** Change the size from which elementwise kernels use worker threads (tests; `Infinity` disables). */
export function setJitParallelThreshold(elements: number): void {
  parallelMinElements = elements;
}

// Every region gets this much slack: a tail vector may read or write past the last element.
const PAD = 64;

type FloatDType = "float32" | "float64";

interface LaneClass {
  readonly dtype: FloatDType;
  readonly lanes: 2 | 4;
  readonly es: 4 | 8;
}

const F32: LaneClass = { dtype: "float32", lanes: 4, es: 4 };
const F64: LaneClass = { dtype: "float64", lanes: 2, es: 8 };

/** Ops with a native vector lowering (the rest of the float ops go through per-lane imports). */
const VECTOR_OPS = new Set([
  "add", "sub", "mul", "div", "neg", "abs", "sqrt", "rsqrt", "max", "min", "floor", "ceil", "trunc", "round",
  "sign", "is_nan", "is_finite", "eq", "ne", "lt", "le", "gt", "ge", "select", "convert_element_type",
]);
const F32_VECMATH = new Set(["exp", "log", "tanh", "logistic", "sin", "cos"]);
const BOOL_OPS = new Set(["and", "or", "xor", "not", "eq", "ne", "add", "mul", "max", "min", "select"]);
const FLOAT_SCALAR_OPS = new Set([
  "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp", "exp2", "expm1", "log", "log1p",
  "cbrt", "logistic", "erf", "erf_inv", "sin", "cos", "tanh", "pow", "rem", "atan2", "nextafter",
]);

function classify(c: Cluster): LaneClass | null {
  const cls = c.nodes.some((n) => n.dtype === "float64") ? F64 : c.nodes.some((n) => n.dtype === "float32") ? F32 : null;
  if (cls === null) return null;
  for (const n of c.nodes) {
    if (n.dtype !== cls.dtype && n.dtype !== "bool") return null;
    if (n.kind === "leaf" && n.dtype !== cls.dtype && n.dtype !== "bool") return null;
    if (n.kind !== "op") continue;
    const opDtype = c.nodes[n.args[n.prim === "select" ? 1 : 0]!]!.dtype;
    if (n.prim === "convert_element_type") {
      const from = n.params.from as string;
      const to = n.params.to as string;
      if (!((from === cls.dtype || from === "bool") && (to === cls.dtype || to === "bool"))) return null;
      continue;
    }
    if (opDtype === "bool") {
      if (!BOOL_OPS.has(n.prim)) return null;
    } else if (!VECTOR_OPS.has(n.prim) && !FLOAT_SCALAR_OPS.has(n.prim) && !(cls === F32 && F32_VECMATH.has(n.prim))) {
      return null;
    }
  }
  for (const o of c.outputs) {
    const d = o.var.aval.dtype;
    if (d !== cls.dtype && !(d === "bool" && o.reduce === null)) return null;
    if (c.nodes[o.node]!.dtype !== d) return null;
    if (o.reduce === "and" || o.reduce === "or") return null;
  }
  return cls;
}

type PortKind = "leaf" | "store" | "acc";

interface Port {
  readonly kind: PortKind;
  /** Bytes per element in Wasm memory (1 for bool arrays, stored as 0/1 bytes). */
  readonly es: number;
  /** Element strides per loop of the plan. */
  readonly strides: readonly number[];
  /** For accumulators: the reduction and the node reduced. */
  readonly reduce?: ReduceKind;
  readonly node?: number;
  /** For accumulators of a float32 cluster summing/multiplying in float64. */
  readonly wide?: boolean;
}

const IDENTITY: Record<ReduceKind, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, and: 1, or: 0 };

function portsOf(c: Cluster, cls: LaneClass, plan: LoopPlan): Port[] {
  const nl = c.leaves.length;
  return plan.strides.map((strides, i) => {
    if (i < nl) return { kind: "leaf", es: c.leaves[i]!.dtype === "bool" ? 1 : cls.es, strides };
    const o = c.outputs[i - nl]!;
    if (o.reduce === null) return { kind: "store", es: o.var.aval.dtype === "bool" ? 1 : cls.es, strides };
    const wide = cls === F32 && (o.reduce === "sum" || o.reduce === "prod");
    return { kind: "acc", es: wide ? 8 : cls.es, strides, reduce: o.reduce, node: o.node, wide };
  });
}

/** Scalar fallbacks imported per (primitive, operand dtype): the eager formula on float64 values. */
interface Imports {
  readonly index: Map<string, number>;
  readonly fns: Record<string, unknown>;
}

function scalarFunction(prim: string, dtype: FloatDType, arity: number): (...xs: number[]) => number {
  if (prim === "sin") return Math.sin;
  if (prim === "cos") return Math.cos;
  const formula = JS_FORMULAS[prim]!(dtype);
  const params = ["a", "b", "c"].slice(0, arity).join(", ");
  return new Function("M", `return (${params}) => ${formula};`)(mathHelpers) as (...xs: number[]) => number;
}

/** Emits one kernel body. Deterministic, so it can run twice (see `Vec.hoisting`). */
class KernelEmitter {
  private readonly v: Vec;
  private readonly f: FunctionBuilder;
  private mask: number | null = null; // tail lane mask (32-bit lanes, or 64-bit for F64)

  constructor(
    v: Vec,
    private readonly c: Cluster,
    private readonly cls: LaneClass,
    private readonly plan: LoopPlan,
    private readonly ports: readonly Port[],
    private readonly imports: Imports,
  ) {
    this.v = v;
    this.f = v.f;
  }

  /** The whole body: loop nest over the plan, params = port pointers then the row count. */
  emit(): void {
    const ptrs = this.ports.map((_, i) => i);
    const count = this.ports.length;
    this.level(0, ptrs, count);
  }

  private level(k: number, ptrs: readonly number[], count: number): void {
    const f = this.f;
    const r = this.plan.dims.length;
    if (k === r - 1) {
      this.inner(ptrs, k === 0 ? count : null);
      return;
    }
    const moving = this.ports.map((p, i) => i).filter((i) => this.ports[i]!.strides[k] !== 0);
    const cur = ptrs.map((p, i) => {
      if (!moving.includes(i)) return p;
      const l = f.local(ValType.i32);
      f.get(p).set(l);
      return l;
    });
    const ctr = f.local(ValType.i32);
    if (k === 0) f.get(count).set(ctr);
    else f.i32(this.plan.dims[k]!).set(ctr);
    f.repeat(ctr, 1, () => {
      this.level(k + 1, cur, count);
      for (const i of moving) {
        const p = this.ports[i]!;
        f.get(cur[i]!).i32(p.strides[k]! * p.es).op(C.i32_add).set(cur[i]!);
      }
    });
  }

  /** The innermost loop: `len` elements (static, or the `dynLen` param when this is the only loop). */
  private inner(ptrs: readonly number[], dynLen: number | null): void {
    const { f, v, cls, plan, ports } = this;
    const r = plan.dims.length;
    const lanes = cls.lanes;
    const shift = lanes === 4 ? 2 : 1;
    // Row-invariant leaves (stride 0 in this loop): one splat load per row.
    const values = new Map<number, number>();
    this.c.nodes.forEach((n, id) => {
      if (n.kind === "leaf" && ports[n.leaf]!.strides[r - 1] === 0) {
        if (ports[n.leaf]!.es === 1) {
          // A bool byte to a splatted lane mask: 0 - (byte != 0).
          f.i32(0).get(ptrs[n.leaf]!).mem(C.i32_load8_u, 0, 0).i32(0).op(C.i32_ne).op(C.i32_sub);
          v.op(S.i32x4_splat);
        } else f.get(ptrs[n.leaf]!).simdMem(cls.es === 4 ? S.v128_load32_splat : S.v128_load64_splat, 0, cls.es === 4 ? 2 : 3);
        values.set(id, v.save());
      }
    });
    // Register accumulators for reductions along this loop.
    const regAcc = new Map<number, number[]>();
    ports.forEach((p, i) => {
      if (p.kind === "acc" && p.strides[r - 1] === 0) {
        const regs = p.wide ? [this.identity(p, true), this.identity(p, true)] : [this.identity(p, false)];
        regAcc.set(i, regs);
      }
    });
    // Running pointers for ports that move along this loop.
    const run = ptrs.map((p, i) => {
      if (ports[i]!.strides[r - 1] === 0) return p;
      const l = f.local(ValType.i32);
      f.get(p).set(l);
      return l;
    });
    const step = (i: number) => lanes * ports[i]!.es;
    const advance = () => {
      ports.forEach((p, i) => {
        if (p.strides[r - 1] !== 0) f.get(run[i]!).i32(step(i)).op(C.i32_add).set(run[i]!);
      });
    };
    const nvec = f.local(ValType.i32);
    if (dynLen !== null) f.get(dynLen).i32(shift).op(0x76 /* i32.shr_u */).set(nvec);
    else f.i32(Math.floor(plan.dims[r - 1]! / lanes)).set(nvec);
    // Full vectors, two per iteration: the chains of consecutive vectors are independent, and
    // putting them side by side lets the CPU overlap their latencies (measured ~15% on tanh chains).
    const pairs = f.local(ValType.i32);
    f.get(nvec).i32(1).op(0x76 /* i32.shr_u */).tee(pairs).i32(0).op(C.i32_gt_s);
    f.ifElse(() => {
      f.repeat(pairs, 1, () => {
        this.body(values, run, regAcc, false, 0);
        this.body(values, run, regAcc, false, 1);
        advance();
        advance();
      });
    });
    f.get(nvec).i32(1).op(C.i32_and);
    f.ifElse(() => {
      this.body(values, run, regAcc, false, 0);
      advance();
    });
    // Tail: one vector with the remaining lanes (its extra lanes are masked out of reductions).
    const rem = dynLen === null ? plan.dims[r - 1]! % lanes : -1;
    if (dynLen !== null || rem > 0) {
      const emitTail = () => {
        this.mask = this.tailMask(dynLen, rem);
        this.body(values, run, regAcc, true, 0);
        this.mask = null;
      };
      if (dynLen !== null) {
        f.get(dynLen).i32(lanes - 1).op(C.i32_and);
        f.ifElse(emitTail);
      } else emitTail();
    }
    // Fold register accumulators into memory.
    regAcc.forEach((regs, i) => this.foldScalar(ports[i]!, regs, ptrs[i]!));
  }

  private tailMask(dynLen: number | null, rem: number): number {
    const { f, v, cls } = this;
    const pattern = cls.lanes === 4 ? [0, 1, 2, 3] : [0, 0, 1, 1];
    if (dynLen === null) {
      v.i32x4(pattern.map((p) => (p < rem ? -1 : 0)));
    } else {
      v.i32x4(pattern);
      f.get(dynLen).i32(cls.lanes - 1).op(C.i32_and);
      v.op(S.i32x4_splat).op(S.i32x4_lt_s);
    }
    return v.save();
  }

  /** A register holding the reduction identity (f64x2 when `wide`). */
  private identity(p: Port, wide: boolean): number {
    const id = IDENTITY[p.reduce!];
    if (wide || this.cls === F64) this.v.f64(id);
    else this.v.f32(id);
    return this.v.save();
  }

  /** One vector of the loop body; `k` selects the k-th vector after the running pointers. */
  private body(values: Map<number, number>, run: readonly number[], regAcc: Map<number, number[]>, tail: boolean, k: number): void {
    const { f, v, cls, ports } = this;
    const r = this.plan.dims.length;
    const at = (i: number) => k * cls.lanes * ports[i]!.es; // static byte offset of this vector
    const val = new Map(values);
    this.c.nodes.forEach((n, id) => {
      if (val.has(id)) return;
      if (n.kind === "leaf") {
        if (ports[n.leaf]!.es === 1) this.loadBoolMask(run[n.leaf]!, at(n.leaf));
        else f.get(run[n.leaf]!).simdMem(S.v128_load, at(n.leaf), 2);
        val.set(id, v.save());
      } else if (n.kind === "const") {
        if (n.dtype === "bool") v.i32(n.value ? -1 : 0);
        else if (cls === F64) v.f64(n.value);
        else v.f32(n.value);
        val.set(id, v.save());
      } else {
        val.set(id, this.op(n, n.args.map((a) => val.get(a)!)));
      }
    });
    ports.forEach((p, i) => {
      if (p.kind === "store") {
        const node = this.c.outputs[i - this.c.leaves.length]!.node;
        if (p.es === 1) this.storeBoolMask(run[i]!, val.get(node)!, at(i));
        else f.get(run[i]!).get(val.get(node)!).simdMem(S.v128_store, at(i), 2);
      } else if (p.kind === "acc") {
        let x = val.get(p.node!)!;
        if (tail) {
          // Lanes past the end contribute the identity.
          if (cls === F64) v.get(x).f64(IDENTITY[p.reduce!]);
          else v.get(x).f32(IDENTITY[p.reduce!]);
          v.get(this.mask!).op(S.v128_bitselect);
          x = v.save();
        }
        if (p.strides[r - 1] === 0) this.combineRegs(p, regAcc.get(i)!, x);
        else this.combineMemory(p, run[i]!, x, at(i));
      }
    });
  }

  /** Push the lane masks of `lanes` bool bytes at `ptr + off` (any nonzero byte is true). */
  private loadBoolMask(ptr: number, off: number): void {
    const { f, v, cls } = this;
    f.get(ptr).simdMem(cls === F32 ? S.v128_load32_zero : S.v128_load16_splat, off, 0);
    v.i32(0).op(S.i8x16_ne).op(S.i16x8_extend_low_i8x16_s).op(S.i32x4_extend_low_i16x8_s);
    if (cls === F64) v.op(S.i64x2_extend_low_i32x4_s);
  }

  /** Store the lane masks in `x` as `lanes` 0/1 bytes at `ptr + off`. */
  private storeBoolMask(ptr: number, x: number, off: number): void {
    const { f, v, cls } = this;
    f.get(ptr);
    v.get(x).get(x);
    // The first byte of each lane to the low bytes, then 0xff -> 0x01.
    f.shuffle(cls === F32 ? [0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12] : [0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8, 0, 8]);
    v.op(S.i8x16_neg);
    f.simdMem(cls === F32 ? S.v128_store32_lane : S.v128_store16_lane, off, 0).op(0); // lane 0
  }

  /** Vector combine of value `x` into register accumulators. */
  private combineRegs(p: Port, regs: number[], x: number): void {
    const { f, v } = this;
    if (p.wide) {
      const [lo, hi] = this.widen(x);
      const op = p.reduce === "sum" ? S.f64x2_add : S.f64x2_mul;
      v.get(regs[0]!).get(lo).op(op);
      f.set(regs[0]!);
      v.get(regs[1]!).get(hi).op(op);
      f.set(regs[1]!);
      return;
    }
    this.combineVec(p.reduce!, () => v.get(regs[0]!), () => v.get(x));
    f.set(regs[0]!);
  }

  /** Push combine(acc, x) for same-width lanes; `acc()`/`x()` push the operands. */
  private combineVec(kind: ReduceKind, acc: () => void, x: () => void): void {
    const { v, cls } = this;
    const f32 = cls === F32;
    switch (kind) {
      case "sum":
        acc();
        x();
        v.op(f32 ? S.f32x4_add : S.f64x2_add);
        return;
      case "prod":
        acc();
        x();
        v.op(f32 ? S.f32x4_mul : S.f64x2_mul);
        return;
      case "max":
      case "min": {
        // Eager: take x when x beats acc or x is NaN (so NaN sticks).
        x();
        acc();
        x();
        acc();
        v.op(kind === "max" ? (f32 ? S.f32x4_gt : S.f64x2_gt) : f32 ? S.f32x4_lt : S.f64x2_lt);
        x();
        x();
        v.op(f32 ? S.f32x4_ne : S.f64x2_ne).op(S.v128_or);
        v.op(S.v128_bitselect);
        return;
      }
      default:
        throw new Error(`jit: unsupported vector reduction ${kind}`);
    }
  }

  /** Split a float32 vector into two float64 vectors (lanes 0-1, 2-3). */
  private widen(x: number): [number, number] {
    const { f, v } = this;
    v.get(x).op(S.f64x2_promote_low_f32x4);
    const lo = v.save();
    v.get(x).get(x);
    f.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    v.op(S.f64x2_promote_low_f32x4);
    const hi = v.save();
    return [lo, hi];
  }

  /** Read-modify-write of a vector of accumulators at `ptr` (reductions over outer loops). */
  private combineMemory(p: Port, ptr: number, x: number, off: number): void {
    const { f, v } = this;
    if (p.wide) {
      const [lo, hi] = this.widen(x);
      const op = p.reduce === "sum" ? S.f64x2_add : S.f64x2_mul;
      f.get(ptr);
      f.get(ptr).simdMem(S.v128_load, off, 3);
      v.get(lo).op(op);
      f.simdMem(S.v128_store, off, 3);
      f.get(ptr);
      f.get(ptr).simdMem(S.v128_load, off + 16, 3);
      v.get(hi).op(op);
      f.simdMem(S.v128_store, off + 16, 3);
      return;
    }
    const old = v.local();
    f.get(ptr).simdMem(S.v128_load, off, 2).set(old);
    f.get(ptr);
    this.combineVec(p.reduce!, () => v.get(old), () => v.get(x));
    f.simdMem(S.v128_store, off, 2);
  }

  /** Horizontal combine of register accumulators and read-modify-write into the scalar at `ptr`. */
  private foldScalar(p: Port, regs: number[], ptr: number): void {
    const { f, v, cls } = this;
    const wideOrF64 = p.wide || cls === F64;
    if (wideOrF64) {
      const op = p.reduce === "sum" ? S.f64x2_add : p.reduce === "prod" ? S.f64x2_mul : -1;
      let t = regs[0]!;
      if (regs.length === 2) {
        v.get(regs[0]!).get(regs[1]!).op(op);
        t = v.save();
      }
      const scalarOp = p.reduce === "sum" ? C.f64_add : p.reduce === "prod" ? C.f64_mul : p.reduce === "max" ? C.f64_max : C.f64_min;
      f.get(ptr);
      f.get(ptr).mem(C.f64_load, 0, 3);
      f.get(t).simdLane(S.f64x2_extract_lane, 0).op(scalarOp);
      f.get(t).simdLane(S.f64x2_extract_lane, 1).op(scalarOp);
      f.mem(C.f64_store, 0, 3);
      return;
    }
    const scalarOp = p.reduce === "max" ? C.f32_max : p.reduce === "min" ? C.f32_min : p.reduce === "sum" ? C.f32_add : C.f32_mul;
    f.get(ptr);
    f.get(ptr).mem(C.f32_load, 0, 2);
    for (let lane = 0; lane < 4; lane++) f.get(regs[0]!).simdLane(S.f32x4_extract_lane, lane).op(scalarOp);
    f.mem(C.f32_store, 0, 2);
  }

  /** Emit one operation; returns the local holding its result. */
  private op(n: FusedNode & { kind: "op" }, a: number[]): number {
    const { v, cls } = this;
    const f32 = cls === F32;
    const argDtype = this.c.nodes[n.args[n.prim === "select" ? 1 : 0]!]!.dtype;
    const x = a[0]!;
    const y = a[1]!;
    const bin = (op32: number, op64: number) => {
      v.get(x).get(y).op(f32 ? op32 : op64);
      return v.save();
    };
    const un = (op32: number, op64: number) => {
      v.get(x).op(f32 ? op32 : op64);
      return v.save();
    };
    if (argDtype === "bool") return this.boolOp(n, a);
    switch (n.prim) {
      case "add":
        return bin(S.f32x4_add, S.f64x2_add);
      case "sub":
        return bin(S.f32x4_sub, S.f64x2_sub);
      case "mul":
        return bin(S.f32x4_mul, S.f64x2_mul);
      case "div":
        return bin(S.f32x4_div, S.f64x2_div);
      case "neg":
        return un(S.f32x4_neg, S.f64x2_neg);
      case "abs":
        return un(S.f32x4_abs, S.f64x2_abs);
      case "sqrt":
        return un(S.f32x4_sqrt, S.f64x2_sqrt);
      case "rsqrt":
        if (f32) v.f32(1);
        else v.f64(1);
        v.get(x).op(f32 ? S.f32x4_sqrt : S.f64x2_sqrt).op(f32 ? S.f32x4_div : S.f64x2_div);
        return v.save();
      case "floor":
        return un(S.f32x4_floor, S.f64x2_floor);
      case "ceil":
        return un(S.f32x4_ceil, S.f64x2_ceil);
      case "trunc":
        return un(S.f32x4_trunc, S.f64x2_trunc);
      case "round":
        return un(S.f32x4_nearest, S.f64x2_nearest); // round half to even, like M.roundHalfEven
      case "max":
      case "min":
        return this.minMax(n.prim, n.args, x, y);
      case "eq":
        return bin(S.f32x4_eq, S.f64x2_eq);
      case "ne":
        return bin(S.f32x4_ne, S.f64x2_ne);
      case "lt":
        return bin(S.f32x4_lt, S.f64x2_lt);
      case "le":
        return bin(S.f32x4_le, S.f64x2_le);
      case "gt":
        return bin(S.f32x4_gt, S.f64x2_gt);
      case "ge":
        return bin(S.f32x4_ge, S.f64x2_ge);
      case "is_nan":
        v.get(x).get(x).op(f32 ? S.f32x4_ne : S.f64x2_ne);
        return v.save();
      case "is_finite":
        v.get(x).op(f32 ? S.f32x4_abs : S.f64x2_abs);
        if (f32) v.f32(Infinity);
        else v.f64(Infinity);
        v.op(f32 ? S.f32x4_lt : S.f64x2_lt);
        return v.save();
      case "sign": {
        // Math.sign: copysign(1, x), except that ±0 and NaN map to themselves.
        v.get(x);
        if (f32) v.i32(0x80000000).op(S.v128_and).f32(1);
        else v.i64(-0x8000000000000000n).op(S.v128_and).f64(1);
        v.op(S.v128_or);
        const ones = v.save();
        v.get(x);
        if (f32) v.f32(0);
        else v.f64(0);
        v.op(f32 ? S.f32x4_eq : S.f64x2_eq);
        v.get(x).get(x).op(f32 ? S.f32x4_ne : S.f64x2_ne).op(S.v128_or);
        const keep = v.save();
        v.get(x).get(ones).get(keep).op(S.v128_bitselect);
        return v.save();
      }
      case "select":
        v.get(a[1]!).get(a[2]!).get(a[0]!).op(S.v128_bitselect);
        return v.save();
      case "convert_element_type": {
        const to = n.params.to as string;
        if (to === "bool") {
          v.get(x);
          if (f32) v.f32(0);
          else v.f64(0);
          v.op(f32 ? S.f32x4_ne : S.f64x2_ne);
          return v.save();
        }
        return x; // same float type (only the weak flag changed)
      }
      default:
        if (f32 && F32_VECMATH.has(n.prim)) return this.vecmath(n.prim, x);
        return this.scalarCall(n.prim, a);
    }
  }

  private minMax(prim: string, args: readonly number[], x: number, y: number): number {
    const { v, cls } = this;
    const f32 = cls === F32;
    // Eager: NaN if either is NaN, else (x > y ? x : y) for max. pmax(y, x) = y < x ? x : y.
    v.get(y).get(x).op(prim === "max" ? (f32 ? S.f32x4_pmax : S.f64x2_pmax) : f32 ? S.f32x4_pmin : S.f64x2_pmin);
    const r0 = v.save();
    const nanChecks = [x, y].filter((_, i) => {
      const node = this.c.nodes[args[i]!]!;
      return !(node.kind === "const" && !Number.isNaN(node.value));
    });
    if (nanChecks.length === 0) return r0;
    v.get(x).get(y).op(f32 ? S.f32x4_add : S.f64x2_add); // NaN when either is NaN
    v.get(r0);
    nanChecks.forEach((z, i) => {
      v.get(z).get(z).op(f32 ? S.f32x4_ne : S.f64x2_ne);
      if (i > 0) v.op(S.v128_or);
    });
    v.op(S.v128_bitselect);
    return v.save();
  }

  private boolOp(n: FusedNode & { kind: "op" }, a: number[]): number {
    const { v } = this;
    const [x, y] = a;
    switch (n.prim) {
      case "and":
      case "mul":
      case "min":
        v.get(x!).get(y!).op(S.v128_and);
        break;
      case "or":
      case "add":
      case "max":
        v.get(x!).get(y!).op(S.v128_or);
        break;
      case "xor":
      case "ne":
        v.get(x!).get(y!).op(S.v128_xor);
        break;
      case "eq":
        v.get(x!).get(y!).op(S.v128_xor).op(S.v128_not);
        break;
      case "not":
        v.get(x!).op(S.v128_not);
        break;
      case "select":
        v.get(a[1]!).get(a[2]!).get(a[0]!).op(S.v128_bitselect);
        break;
      case "convert_element_type":
        if (n.params.to === "bool") return x!; // bool -> bool (only the weak flag changed)
        // bool -> float: 1.0 where set
        v.get(x!);
        if (this.cls === F32) v.f32(1);
        else v.f64(1);
        v.op(S.v128_and);
        break;
      default:
        throw new Error(`jit: unsupported bool op ${n.prim}`);
    }
    return v.save();
  }

  private vecmath(prim: string, x: number): number {
    const v = this.v;
    switch (prim) {
      case "exp":
        return expF32(v, x);
      case "log":
        return logF32(v, x);
      case "tanh":
        return tanhF32(v, x);
      case "logistic":
        return logisticF32(v, x);
      case "sin":
      case "cos":
        return sinCosF32(v, x, prim, this.imports.index.get(`${prim}:1`)!);
      default:
        throw new Error(`jit: no vector ${prim}`);
    }
  }

  /** Per-lane call of the eager scalar formula (exact, slow; for rare operations). */
  private scalarCall(prim: string, a: number[]): number {
    const { f, v, cls } = this;
    const fn = this.imports.index.get(`${prim}:${a.length}`)!;
    const res = v.local();
    f.get(a[0]!).set(res);
    for (let lane = 0; lane < cls.lanes; lane++) {
      f.get(res);
      for (const x of a) {
        if (cls === F32) f.get(x).simdLane(S.f32x4_extract_lane, lane).op(C.f64_promote_f32);
        else f.get(x).simdLane(S.f64x2_extract_lane, lane);
      }
      f.call(fn);
      if (cls === F32) f.op(C.f32_demote_f64).simdLane(S.f32x4_replace_lane, lane);
      else f.simdLane(S.f64x2_replace_lane, lane);
      f.set(res);
    }
    return res;
  }
}

/** Memory layout of one kernel call (byte offsets; all static since shapes are). */
interface Layout {
  readonly rowElems: number;
  readonly rows: number;
  readonly rowsPerChunk: number;
  readonly streamed: readonly boolean[];
  readonly offsets: readonly number[];
  readonly total: number;
}

function layout(c: Cluster, plan: LoopPlan, ports: readonly Port[], whole = false): Layout {
  const rows = plan.dims[0]!;
  const rowElems = sizeOf(plan.dims.slice(1));
  const rowMajor = plan.dims.map((_, k) => sizeOf(plan.dims.slice(k + 1)));
  const contiguous = (p: Port) => p.strides.every((s, k) => s === rowMajor[k]);
  let rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowElems));
  if (plan.dims.length === 1) rowsPerChunk = CHUNK_ELEMENTS; // a multiple of every lane count
  rowsPerChunk = whole ? rows : Math.min(rowsPerChunk, rows);
  const streamed = ports.map((p) => p.kind !== "acc" && contiguous(p) && rowsPerChunk < rows);
  const offsets: number[] = [];
  let off = 0;
  ports.forEach((p, i) => {
    offsets.push(off);
    const elems = streamed[i] ? rowsPerChunk * rowElems : p.kind === "leaf" ? c.leaves[i]!.var.aval.shape.reduce((a, b) => a * b, 1) : p.kind === "store" ? rows * rowElems : sizeOf(c.outputs[i - c.leaves.length]!.var.aval.shape);
    off += Math.ceil((elems * p.es + PAD) / 16) * 16;
  });
  return { rowElems, rows, rowsPerChunk, streamed, offsets, total: off };
}

/** Identical clusters (e.g. the same optimizer update for every parameter of one shape) share a module. */
interface CachedKernel {
  readonly instance: WasmInstance;
  readonly memory: unknown;
  /** The same kernel importing a shared memory, for threaded runs (when the cluster qualifies). */
  readonly parallel: { readonly module: WasmModule; readonly key: string } | null;
}
const moduleCache = new Map<string, CachedKernel>();
let parallelKeys = 0;
const MAX_CACHED_MODULES = 1024;
let simdAvailable: boolean | undefined;

/** A stable text key of everything the generated code depends on. */
function clusterKey(c: Cluster, plan: LoopPlan): string {
  return JSON.stringify([
    plan,
    c.nodes.map((n) => (n.kind === "const" ? { ...n, value: Object.is(n.value, -0) ? "-0" : String(n.value) } : n)),
    c.leaves.map((l) => l.dtype),
    c.outputs.map((o) => [o.node, o.reduce, o.var.aval.dtype]),
  ]);
}

/**
 * Compile a cluster to a Wasm SIMD kernel with its streaming runner, or return null when the
 * cluster is outside the supported classes (or the platform lacks WebAssembly SIMD).
 */
export function compileWasmKernel(c: Cluster): JsKernel | null {
  simdAvailable ??= hasWasmSimd();
  if (!simdAvailable) return null;
  const mem = kernelMemory();
  if (mem === null) return null;
  const cls = classify(c);
  if (cls === null || sizeOf(c.shape) === 0) return null;
  const plan = planLoops(c.shape, c.reduceAxes, clusterPortStrides(c));
  const r = plan.dims.length;
  if (plan.strides.some((s) => s[r - 1] !== 0 && s[r - 1] !== 1)) return null;
  const ports = portsOf(c, cls, plan);
  const lay = layout(c, plan, ports);

  const key = `${cls.dtype}|${clusterKey(c, plan)}`;
  let cached = moduleCache.get(key);
  // Threaded runs need a plain elementwise kernel: one loop (so blocks of whole vectors never
  // write into each other), no accumulators, and no JS imports (workers only provide the memory).
  const parallelShape = r === 1 && ports.every((p) => p.kind !== "acc") && plan.dims[0]! >= parallelMinElements;
  if (cached === undefined || cached.memory !== mem.memory || (parallelShape && cached.parallel === null)) {
    const km = new KernelModule();
    const index = new Map<string, number>();
    const fns: Record<string, unknown> = {};
    for (const n of c.nodes) {
      if (n.kind !== "op" || c.nodes[n.args[0]!]!.dtype === "bool") continue;
      const needsScalar = FLOAT_SCALAR_OPS.has(n.prim) && !(cls === F32 && F32_VECMATH.has(n.prim) && n.prim !== "sin" && n.prim !== "cos");
      const k = `${n.prim}:${n.args.length}`;
      if (!needsScalar || index.has(k)) continue;
      const name = `f${index.size}`;
      const arity = n.prim === "sin" || n.prim === "cos" ? 1 : n.args.length;
      index.set(k, km.importFunction({ module: "env", name, params: new Array(arity).fill(ValType.f64), results: [ValType.f64] }));
      fns[name] = scalarFunction(n.prim, cls.dtype, arity);
    }
    const params = [...ports.map(() => ValType.i32), ValType.i32];
    const fn = km.function(params, [], "kernel");
    const scratch = new FunctionBuilder(0, params, []);
    Vec.hoisting(fn, scratch, (v) => new KernelEmitter(v, c, cls, plan, ports, { index, fns }).emit());
    const api = requireWasmApi();
    const instance = new api.Instance(new api.Module(km.toBytes()), { env: { memory: mem.memory, ...fns } });
    const parallel =
      parallelShape && index.size === 0 && sharedKernelMemory() !== null
        ? { module: new api.Module(km.toBytes(1, true)), key: `jit-elementwise-${parallelKeys++}` }
        : null;
    cached = { instance, memory: mem.memory, parallel };
    if (moduleCache.size >= MAX_CACHED_MODULES) moduleCache.clear(); // bounded; executables keep their own kernels
    moduleCache.set(key, cached);
  }
  const kernel = cached.instance.exports.kernel as (...args: number[]) => void;
  const single = makeRunner(c, cls, ports, lay, kernel);
  if (!parallelShape || cached.parallel === null) return single;
  return makeParallelRunner(c, cls, ports, layout(c, plan, ports, true), cached.parallel, single);
}

/**
 * The threaded runner of a large elementwise kernel. The kernel runs over blocks of
 * {@link PARALLEL_BLOCK} elements claimed by this thread and the pool's workers (each block a full
 * run of the same kernel, so every element gets the same instructions as on one thread: results
 * are bit-identical). Inputs and outputs in shared storage (large arrays are; see `allocateShareable`) are
 * copied block by block by whichever thread runs the block, so the copies and the page faults of
 * fresh outputs are split between cores too. Other inputs are copied whole on this thread first;
 * other outputs are copied out here, in order, as workers flag their blocks done in the job's
 * `progress` words. Without ready workers, or when a worker fails, `single` redoes the work on
 * this thread (a terminated worker can at worst still write the same correct values it computed).
 */
function makeParallelRunner(
  c: Cluster, cls: LaneClass, ports: readonly Port[], lay: Layout,
  par: { readonly module: WasmModule; readonly key: string }, single: JsKernel,
): JsKernel {
  const nl = c.leaves.length;
  const { rows, offsets, total } = lay;
  let inst: { memory: unknown; kernel: (...args: number[]) => void } | null = null;
  let u8: Uint8Array | null = null;
  return (leaves: readonly TypedArray[], outs: readonly TypedArray[]) => {
    const mem = sharedKernelMemory();
    const pool = workerPool();
    const workers = mem === null ? [] : pool.readyWorkers();
    if (mem === null || workers.length === 0 || total > PARALLEL_MAX_BYTES || !mem.ensure(total)) {
      single(leaves, outs);
      return;
    }
    if (inst?.memory !== mem.memory) {
      const api = requireWasmApi();
      const ex = new api.Instance(par.module, { env: { memory: mem.memory } }).exports;
      inst = { memory: mem.memory, kernel: ex.kernel as (...args: number[]) => void };
    }
    const kernel = inst.kernel;
    const view: TypedArray = cls === F32 ? mem.float32() : mem.float64();
    if (u8?.buffer !== view.buffer) u8 = new Uint8Array(view.buffer);
    const viewOf = (p: Port): TypedArray => (p.es === 1 ? u8! : view);
    // A port moves per block when its array is shared, full length, and of the memory view's own
    // type (other types are converted by a whole copy through the view, as on one thread).
    const perBlock = (p: Port, a: TypedArray): boolean =>
      p.strides[0] === 1 && a.length === rows && isShared(a) && a.constructor === viewOf(p).constructor;
    const arrays: TypedArray[] = [];
    const moved: { port: number; array: number }[] = [];
    for (let i = 0; i < ports.length; i++) {
      const a = i < nl ? leaves[i]! : outs[i - nl]!;
      if (perBlock(ports[i]!, a)) {
        moved.push({ port: i, array: arrays.length });
        arrays.push(a);
      } else if (i < nl) viewOf(ports[i]!).set(a, offsets[i]! / ports[i]!.es);
    }
    const movedOut = new Set(moved.filter((m) => m.port >= nl).map((m) => m.port));
    const calls: WasmCall[] = [];
    const blockOf = new Map<WasmCall, number>();
    for (let e0 = 0; e0 < rows; e0 += PARALLEL_BLOCK) {
      const n = Math.min(PARALLEL_BLOCK, rows - e0);
      const args = ports.map((p, i) => offsets[i]! + e0 * p.strides[0]! * p.es);
      args.push(n);
      const copyIn: number[] = [];
      const copyOut: number[] = [];
      for (const m of moved) (m.port < nl ? copyIn : copyOut).push(m.array, e0, offsets[m.port]! / ports[m.port]!.es + e0, n);
      const call = { fn: "kernel", args, copyIn, copyOut };
      blockOf.set(call, calls.length);
      calls.push(call);
    }
    const transfer = (quads: readonly number[], into: boolean): void => {
      for (let q = 0; q < quads.length; q += 4) {
        const a = arrays[quads[q]!]!;
        const m = a instanceof Uint8Array ? u8! : view;
        const s0 = quads[q + 1]!, d = quads[q + 2]!, n = quads[q + 3]!;
        if (into) m.set(a.subarray(s0, s0 + n), d);
        else a.set(m.subarray(d, d + n), s0);
      }
    };
    // Outputs not moved per block are copied out in order as soon as their blocks are done, so
    // this thread's copying overlaps the workers' compute.
    const progress = new Int32Array(new SharedArrayBuffer(4 * calls.length));
    let copied = 0;
    const copyRest = (all: boolean) => {
      for (; copied < calls.length && (all || Atomics.load(progress, copied) !== 0); copied++) {
        const e0 = copied * PARALLEL_BLOCK;
        const e1 = Math.min(rows, e0 + PARALLEL_BLOCK);
        for (let i = nl; i < ports.length; i++) {
          if (movedOut.has(i)) continue;
          const p = ports[i]!;
          const o = offsets[i]! / p.es;
          outs[i - nl]!.set(viewOf(p).subarray(o + e0, o + e1), e0);
        }
      }
    };
    const allMoved = movedOut.size === ports.length - nl;
    const local = (call: WasmCall) => {
      transfer(call.copyIn!, true);
      kernel(...call.args);
      transfer(call.copyOut!, false);
      if (allMoved) return;
      Atomics.store(progress, blockOf.get(call)!, 1);
      copyRest(false);
    };
    // Generous deadline: 2 s plus 100 ns per element (the kernels run at ~1-2 ns per element).
    const job = {
      key: par.key, module: par.module, memory: mem.memory, calls, barrier: 0, timeoutMs: 2000 + rows * 1e-4,
      arrays, ...(allMoved ? {} : { progress }),
    };
    if (!pool.run(job, local, workers)) {
      abandonSharedKernelMemory();
      inst = null;
      single(leaves, outs);
      return;
    }
    if (!allMoved) copyRest(true);
  };
}

function makeRunner(c: Cluster, cls: LaneClass, ports: readonly Port[], lay: Layout, kernel: (...args: number[]) => void): JsKernel {
  const mem = kernelMemory()!;
  const nl = c.leaves.length;
  const args = new Array<number>(ports.length + 1).fill(0);
  const { rows, rowElems, rowsPerChunk, streamed, offsets, total } = lay;
  const hasBool = ports.some((p) => p.es === 1);
  let u8: Uint8Array | null = null;
  return (leaves: readonly TypedArray[], outs: readonly TypedArray[]) => {
    if (!mem.ensure(total)) throw new Error(`jit: a fused kernel needs ${total} bytes of WebAssembly memory, more than the 4 GiB limit`);
    const f32 = mem.float32();
    const f64 = mem.float64();
    const view = cls === F32 ? f32 : f64;
    if (hasBool && u8?.buffer !== f32.buffer) u8 = new Uint8Array(f32.buffer);
    // The view a port's elements are copied through (bool ports hold bytes).
    const viewOf = (p: Port): TypedArray => (p.es === 1 ? u8! : view);
    // Once per call: broadcast leaves in, accumulators to their identity.
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      if (p.kind === "leaf" && !streamed[i]) viewOf(p).set(leaves[i]!, offsets[i]! / p.es);
      else if (p.kind === "acc") {
        const n = outs[i - nl]!.length;
        const v = p.es === 4 ? f32 : f64;
        v.fill(IDENTITY[p.reduce!], offsets[i]! / p.es, offsets[i]! / p.es + n);
      }
    }
    for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
      const nrows = Math.min(rowsPerChunk, rows - r0);
      const e0 = r0 * rowElems;
      const e1 = e0 + nrows * rowElems;
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i]!;
        if (streamed[i]) {
          args[i] = offsets[i]!;
          if (p.kind === "leaf") viewOf(p).set(leaves[i]!.subarray(e0, e1), offsets[i]! / p.es);
        } else args[i] = offsets[i]! + r0 * p.strides[0]! * p.es;
      }
      args[ports.length] = nrows;
      kernel(...args);
      for (let i = nl; i < ports.length; i++) {
        const p = ports[i]!;
        if (p.kind !== "store") continue;
        const o = offsets[i]! / p.es;
        outs[i - nl]!.set(viewOf(p).subarray(o, o + (e1 - e0)), e0);
      }
    }
    for (let i = nl; i < ports.length; i++) {
      const p = ports[i]!;
      if (p.kind !== "acc") continue;
      const out = outs[i - nl]!;
      const v = p.es === 4 ? f32 : f64;
      const o = offsets[i]! / p.es;
      out.set(v.subarray(o, o + out.length));
    }
  };
}

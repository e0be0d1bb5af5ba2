/**
 * @file The WebAssembly opcodes the fusion code generator needs beyond the shared table in
 * `backend/wasm/opcodes.ts` (which lists only what the GEMM uses), and a module assembler that
 * also supports *function imports*: fused kernels call back into JS (`Math.*` and the eager
 * scalar helpers) for the rare operations that have no vector implementation, so that they keep
 * eager's exact results. Opcode values are those of the WebAssembly 2.0 core and SIMD128 specs.
 */
import { ByteWriter } from "../backend/wasm/encoding.js";
import { FunctionBuilder } from "../backend/wasm/function-builder.js";
import { Op, SimdOp, ValType } from "../backend/wasm/opcodes.js";

/** Core (single-byte) opcodes used by the kernels. */
export const C = {
  ...Op,
  i32_load: 0x28,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  f32_max: 0x97,
  f32_min: 0x96,
  f64_min: 0xa4,
  f64_max: 0xa5,
  f32_demote_f64: 0xb6,
  f64_promote_f32: 0xbb,
} as const;

/** SIMD128 sub-opcodes (emitted after the 0xfd prefix). */
export const S = {
  ...SimdOp,
  v128_load16_splat: 0x08,
  i32x4_splat: 0x11,
  i64x2_splat: 0x12,
  i32x4_extract_lane: 0x1b,
  i8x16_ne: 0x24,
  i32x4_eq: 0x37,
  i32x4_lt_s: 0x39,
  i32x4_gt_s: 0x3b,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  f64x2_eq: 0x47,
  f64x2_ne: 0x48,
  f64x2_lt: 0x49,
  f64x2_gt: 0x4a,
  f64x2_le: 0x4b,
  f64x2_ge: 0x4c,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  v128_any_true: 0x53,
  v128_store16_lane: 0x59,
  v128_store32_lane: 0x5a,
  f32x4_demote_f64x2_zero: 0x5e,
  i8x16_neg: 0x61,
  f64x2_promote_low_f32x4: 0x5f,
  f32x4_ceil: 0x67,
  f32x4_floor: 0x68,
  f32x4_trunc: 0x69,
  f32x4_nearest: 0x6a,
  f64x2_ceil: 0x74,
  f64x2_floor: 0x75,
  f64x2_trunc: 0x7a,
  f64x2_nearest: 0x94,
  i16x8_extend_low_i8x16_s: 0x87,
  i32x4_extend_low_i16x8_s: 0xa7,
  i32x4_shl: 0xab,
  i32x4_shr_s: 0xac,
  i32x4_shr_u: 0xad,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  i64x2_extend_low_i32x4_s: 0xc7,
  i64x2_shl: 0xcb,
  i64x2_add: 0xce,
  i64x2_sub: 0xd1,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f32x4_pmin: 0xea,
  f32x4_pmax: 0xeb,
  f64x2_abs: 0xec,
  f64x2_neg: 0xed,
  f64x2_sqrt: 0xef,
  f64x2_div: 0xf3,
  f64x2_min: 0xf4,
  f64x2_max: 0xf5,
  f64x2_pmin: 0xf6,
  f64x2_pmax: 0xf7,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  f32x4_convert_i32x4_s: 0xfa,
} as const;

/** A function imported from JS, e.g. `Math.exp` as `(f64) -> f64`. */
export interface FuncImport {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/**
 * A small module assembler: one imported memory (`env.memory`), any number of imported
 * functions, and defined functions built with the shared {@link FunctionBuilder}. The shared
 * `ModuleBuilder` has no function imports, and its internals are private, hence this sibling.
 */
export class KernelModule {
  private readonly imports: FuncImport[] = [];
  private readonly functions: FunctionBuilder[] = [];
  private readonly exportsList: { name: string; index: number }[] = [];
  private sealedImports = false;

  /** Declare an imported function (before any defined function); returns its function index. */
  importFunction(imp: FuncImport): number {
    if (this.sealedImports) throw new Error("KernelModule: imports must be declared before functions");
    this.imports.push(imp);
    return this.imports.length - 1;
  }

  /** Declare a defined function; exported under `exportName` when given. */
  function(params: readonly ValType[], results: readonly ValType[], exportName?: string): FunctionBuilder {
    this.sealedImports = true;
    const fn = new FunctionBuilder(this.imports.length + this.functions.length, params, results);
    this.functions.push(fn);
    if (exportName !== undefined) this.exportsList.push({ name: exportName, index: fn.index });
    return fn;
  }

  /**
   * Encode the module (memory imported as `env.memory`, at least `minPages` pages; when `shared`,
   * a shared memory of at most 65536 pages, as worker threads need).
   */
  toBytes(minPages = 1, shared = false): Uint8Array {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const sigKey = (p: readonly ValType[], r: readonly ValType[]) => `${p.join(",")}->${r.join(",")}`;
    const typeIndex = new Map<string, number>();
    const sigs: [readonly ValType[], readonly ValType[]][] = [];
    const typeOf = (p: readonly ValType[], r: readonly ValType[]): number => {
      const k = sigKey(p, r);
      let i = typeIndex.get(k);
      if (i === undefined) {
        i = sigs.push([p, r]) - 1;
        typeIndex.set(k, i);
      }
      return i;
    };
    const importTypes = this.imports.map((imp) => typeOf(imp.params, imp.results));
    const funcTypes = this.functions.map((f) => typeOf(f.params, f.results));

    const types = new ByteWriter().u32(sigs.length);
    for (const [p, r] of sigs) types.byte(0x60).u32(p.length).bytes(p).u32(r.length).bytes(r);
    out.byte(1).sized(types);

    const imps = new ByteWriter().u32(this.imports.length + 1);
    imps.name("env").name("memory").byte(0x02);
    if (shared) imps.byte(0x03).u32(minPages).u32(65536);
    else imps.byte(0x00).u32(minPages);
    this.imports.forEach((imp, i) => imps.name(imp.module).name(imp.name).byte(0x00).u32(importTypes[i]!));
    out.byte(2).sized(imps);

    const funcs = new ByteWriter().u32(this.functions.length);
    for (const t of funcTypes) funcs.u32(t);
    out.byte(3).sized(funcs);

    const exps = new ByteWriter().u32(this.exportsList.length);
    for (const e of this.exportsList) exps.name(e.name).byte(0x00).u32(e.index);
    out.byte(7).sized(exps);

    const code = new ByteWriter().u32(this.functions.length);
    for (const fn of this.functions) code.sized(fn.encode());
    out.byte(10).sized(code);
    return out.finish();
  }
}

export { ValType };

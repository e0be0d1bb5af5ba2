/**
 * @file Emitters shared by the register-blocked kernels (GEMM and direct convolution): moving an
 * `mr × nv`-vector tile of C between linear memory and its accumulator locals.
 */
import type { FunctionBuilder } from "./function-builder.js";
import { Op, SimdOp } from "./opcodes.js";

/**
 * Load the C tile at `pC` (rows `ldc` bytes apart) into `acc` when the `accumulate` local is
 * non-zero, else zero the accumulators. `row` is a scratch i32 local.
 */
export function emitTileLoadOrZero(f: FunctionBuilder, accumulate: number, pC: number, ldc: number, acc: readonly (readonly number[])[], row: number): void {
  f.get(accumulate).ifElse(
    () => {
      f.get(pC).set(row);
      acc.forEach((vecs, r) => {
        if (r > 0) f.get(row).get(ldc).op(Op.i32_add).set(row);
        vecs.forEach((a, j) => f.get(row).simdMem(SimdOp.v128_load, j * 16).set(a));
      });
    },
    () => {
      for (const vecs of acc) for (const a of vecs) f.v128Zero().set(a);
    },
  );
}

/** Store the accumulators `acc` to the C tile at `pC` (rows `ldc` bytes apart). `row` is a scratch i32 local. */
export function emitTileStore(f: FunctionBuilder, pC: number, ldc: number, acc: readonly (readonly number[])[], row: number): void {
  f.get(pC).set(row);
  acc.forEach((vecs, r) => {
    if (r > 0) f.get(row).get(ldc).op(Op.i32_add).set(row);
    vecs.forEach((a, j) => f.get(row).get(a).simdMem(SimdOp.v128_store, j * 16));
  });
}

/** The tile's registers: accumulators `acc[r][j]`, the B vectors of one step, and an A broadcast. */
export interface TileLocals {
  readonly acc: readonly (readonly number[])[];
  readonly bv: readonly number[];
  readonly av: number;
}

/**
 * One rank-1 update of the tile (k step `u` of an unrolled group): `nv` vector loads of packed B
 * at `pb`, then for each row `r` a broadcast of A's element (`loadA(r, splatOp)` pushes that
 * load) multiplied into the row's accumulators.
 */
export function emitRank1Update(
  f: FunctionBuilder, f32: boolean, nr: number, pb: number, u: number, t: TileLocals, loadA: (r: number, splatOp: number) => void,
): void {
  const es = f32 ? 4 : 8;
  const lanes = 16 / es;
  const add = f32 ? SimdOp.f32x4_add : SimdOp.f64x2_add;
  const mul = f32 ? SimdOp.f32x4_mul : SimdOp.f64x2_mul;
  const splat = f32 ? SimdOp.v128_load32_splat : SimdOp.v128_load64_splat;
  t.bv.forEach((b, j) => f.get(pb).simdMem(SimdOp.v128_load, (u * nr + j * lanes) * es).set(b));
  t.acc.forEach((vecs, r) => {
    loadA(r, splat);
    f.set(t.av);
    vecs.forEach((a, j) => f.get(a).get(t.av).get(t.bv[j]!).simd(mul).simd(add).set(a));
  });
}

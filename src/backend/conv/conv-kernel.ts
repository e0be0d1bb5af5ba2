/**
 * @file Generates the direct ("implicit GEMM") convolution WebAssembly module.
 *
 * The convolution is a product out[rows, O] = A[rows, K] · B[K, O] where a row is one output
 * position (batch element and spatial position), a column of A is one (tap, input feature) pair
 * and B is the packed kernel. A is never built: the input sits in linear memory in a padded,
 * channels-last layout (see `conv-layout.ts`), so row r of A at tap t is a contiguous *run* of
 * features starting at `rowBase[r] + tapOffset[t]`. The micro-kernel reads those runs directly,
 * broadcasting one element per row per step exactly where the GEMM micro-kernel would read its
 * packed A sliver, so convolution gets GEMM speed without an im2col matrix (which for the
 * benchmark shape is 9x the input, 29 MB written, copied and packed per call).
 *
 * B is packed (by the caller) into `nr`-column slivers, k-major, block by block; each K block
 * covers a range of taps and a range of the run (long runs are cut so a block's slice of B stays
 * in cache). C tiles are `mr` rows by `nr` columns held in SIMD locals for a whole block.
 *
 * A second micro-kernel (`convLanes`) serves grouped convolutions with few outputs per group
 * (depthwise ones above all), where the product above would compute a whole `nr`-wide sliver per
 * group to use one column of it. Its lanes run across output features of all groups instead: the
 * canonical input then holds one lane per output feature (see `conv-plan.ts`), every K step is a
 * (tap, input feature) pair found through the tap table, and each step multiplies `nv` vectors of
 * input lanes per row by the same lanes of B (unpacked: K rows of lanes), elementwise. The driver
 * is shared.
 */

import { FunctionBuilder } from "../wasm/function-builder.js";
import { moduleImportingMemory } from "../wasm/module-builder.js";
import { Op, SimdOp, ValType } from "../wasm/opcodes.js";
import { gemmGeometry, type GemmGeometry } from "../wasm/gemm-kernel.js";
import { emitRank1Update, emitTileLoadOrZero, emitTileStore } from "../wasm/tile.js";
import { emitCopy4, emitPackSlivers } from "./copy-kernel.js";

/** The register tile of a micro-kernel. */
export interface ConvTile {
  /** Output rows (positions) per micro-tile. */
  readonly mr: number;
  /** SIMD vectors of output features per micro-tile (`nr = nrVectors × lanes`). */
  readonly nrVectors: number;
  /** K steps per loop iteration of the micro-kernel. */
  readonly unroll: number;
}

/** Tile sizes of a generated convolution module: the GEMM-like kernel's, and the channelwise kernel's. */
export interface ConvKernelConfig extends ConvTile {
  /** Element type. */
  readonly dtype: "float32" | "float64";
  /** The channelwise (`convLanes`) kernel's tile. */
  readonly lanes: ConvTile;
}

/**
 * 4 × 2 vectors of accumulators, as the GEMM (the largest tile V8 keeps in registers on x64);
 * unrolling by 2 with an exit test after each step, for the reason given in `gemm-kernel.ts`.
 * The channelwise kernel: 3 × 2 vectors. Measured on depthwise 3x3 convolutions and their
 * weight gradients (whose 9 rows are 3 tiles), 4 × 2, 2 × 4, 2 × 2 and 6 × 2 were within 10%
 * forward and 10-20% slower on the weight gradient; 3 or more vectors per row spill.
 */
export const CONV_KERNELS: Readonly<Record<"float32" | "float64", ConvKernelConfig>> = {
  float32: { dtype: "float32", mr: 4, nrVectors: 2, unroll: 2, lanes: { mr: 3, nrVectors: 2, unroll: 2 } },
  float64: { dtype: "float64", mr: 4, nrVectors: 2, unroll: 2, lanes: { mr: 3, nrVectors: 2, unroll: 2 } },
};

/** Bytes per entry of the block table: five i32 words (see {@link ConvExports.convRows}). */
export const CONV_BLOCK_BYTES = 20;

/** The module's exports. Pointers are byte offsets into the imported memory. */
export interface ConvExports {
  /**
   * C[tiles·mr rows, slivers·nr columns] (row stride `ldcBytes`) = A · B over every K block.
   * Row `r` of A starts at byte `i32[pRows + 4r] + base`. Block `b` is five i32 words at
   * `pBlocks + 20b`: the tap-offset table (`i32` byte offsets), its length, a byte offset added to
   * every row for this block (the start of the block's part of the run), the run length, and its
   * packed B (sliver `j` at `pB + j·taps·run·nr·es`). Only slivers `[j0, j0 + slivers)` are
   * computed (C's column 0 is that of sliver 0). The first block overwrites C, later ones add.
   */
  convRows(pRows: number, tiles: number, pBlocks: number, nBlocks: number, j0: number, slivers: number, pC: number, ldcBytes: number, base: number): void;
  /**
   * The channelwise product, with the arguments of `convRows` (a block's run must be 1, its B is
   * rows of lanes `ldcBytes` apart, and `base` should include `j0·nr·es`): C[r, lanes] =
   * Σ over tap table entries t of X[row r + t, lanes] · B[t, lanes], where the lanes of sliver j
   * are `j·nr·es` bytes into each row of X, B and C. Its tile is `cfg.lanes`.
   */
  convLanes(pRows: number, tiles: number, pBlocks: number, nBlocks: number, j0: number, slivers: number, pC: number, ldcBytes: number, base: number): void;
  /** A 4-d strided copy (see `emitCopy4`). */
  copy4(src: number, dst: number, n0: number, n1: number, n2: number, n3: number, s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, d3: number): void;
  /** Does nothing: a call made only for the copies the worker pool does around it. */
  nop(): void;
  /** Zero `bytes` bytes from `dst` (`memory.fill`). */
  zero(dst: number, bytes: number): void;
  /** Pack kernel slivers through an offset table (see `emitPackSlivers`). */
  packSlivers(pW: number, pKOff: number, taps: number, kStride: number, count: number, oOff: number, sO: number, valid: number, pDst: number): void;
}

const I32 = ValType.i32;
const V128 = ValType.v128;
/** `i32.load` (not in the shared opcode table, which only lists what the GEMM needs). */
const I32_LOAD = 0x28;
/** `memory.fill` of memory 0 (bulk memory: prefix 0xfc, opcode 11, memory index). */
const MEMORY_FILL = [0xfc, 0x0b, 0x00] as const;

/** Build the module bytes for `cfg`; it imports `env.memory` (shared when `sharedMemory`). */
export function buildConvModule(cfg: ConvKernelConfig, sharedMemory: boolean): Uint8Array {
  const ok = (t: ConvTile): boolean => t.mr >= 1 && t.nrVectors >= 1 && t.unroll >= 1;
  if (!ok(cfg) || !ok(cfg.lanes)) throw new RangeError(`buildConvModule: bad tile configuration ${JSON.stringify(cfg)}`);
  const geo = gemmGeometry(cfg);
  const lanesGeo = gemmGeometry({ dtype: cfg.dtype, nrVectors: cfg.lanes.nrVectors });
  const mb = moduleImportingMemory(sharedMemory);
  // ukernel(row pointers × mr, pTaps, nTaps, run, pB, pC, ldcBytes, accumulate)
  const ukernelType = (mr: number): ValType[] => [...Array<ValType>(mr).fill(I32), I32, I32, I32, I32, I32, I32, I32];
  const ukernel = mb.function(ukernelType(cfg.mr), []);
  const lanesKernel = mb.function(ukernelType(cfg.lanes.mr), []);
  const convRows = mb.function(Array<ValType>(9).fill(I32), [], "convRows");
  const convLanes = mb.function(Array<ValType>(9).fill(I32), [], "convLanes");
  const copy4 = mb.function(Array<ValType>(14).fill(I32), [], "copy4");
  const packSlivers = mb.function(Array<ValType>(9).fill(I32), [], "packSlivers");
  mb.function([], [], "nop"); // a call that only carries copies (see `gather` in conv-layout.ts)
  mb.function([I32, I32], [], "zero").get(0).i32(0).get(1).op(MEMORY_FILL[0]).op(MEMORY_FILL[1]).op(MEMORY_FILL[2]);
  emitMicroKernel(ukernel, cfg, geo);
  emitLanesMicroKernel(lanesKernel, cfg.dtype === "float32", cfg.lanes);
  emitDriver(convRows, ukernel, cfg.mr, geo, false);
  emitDriver(convLanes, lanesKernel, cfg.lanes.mr, lanesGeo, true);
  emitCopy4(copy4, geo.es);
  emitPackSlivers(packSlivers, geo.es, geo.nr);
  return mb.toBytes();
}

/**
 * The micro-kernel: C[mr × nr] (+)= Σ over taps t, run steps k of A[r](t, k) · Bsliver[(t, k), :].
 * Per step: nv vector loads of B and mr broadcast loads of A, one from each row's run.
 */
function emitMicroKernel(f: FunctionBuilder, cfg: ConvKernelConfig, geo: GemmGeometry): void {
  const { mr, nrVectors: nv, unroll } = cfg;
  const { es, nr } = geo;
  const rows = Array.from({ length: mr }, (_, r) => r);
  const [pTaps, nTaps, run, pB, pC, ldc, accumulate] = [mr, mr + 1, mr + 2, mr + 3, mr + 4, mr + 5, mr + 6];
  const f32 = cfg.dtype === "float32";

  const acc = rows.map(() => Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const a = rows.map(() => f.local(I32));
  const k = f.local(I32);
  const pb = f.local(I32);
  const pbTap = f.local(I32);
  const runBytesB = f.local(I32);
  const off = f.local(I32);
  const row = f.local(I32);

  emitTileLoadOrZero(f, accumulate, pC, ldc, acc, row);

  const step = (u: number): void => emitRank1Update(f, f32, nr, pb, u, { acc, bv, av }, (r, splat) => f.get(a[r]!).simdMem(splat, u * es));

  f.get(run).i32(nr * es).op(Op.i32_mul).set(runBytesB);
  f.get(pB).set(pbTap);
  f.loop((tapLoop) => {
    f.get(pTaps).mem(I32_LOAD, 0, 2).set(off);
    for (let r = 0; r < mr; r++) f.get(rows[r]!).get(off).op(Op.i32_add).set(a[r]!);
    f.get(pbTap).set(pb);
    f.get(run).set(k);
    f.block((done) => {
      f.loop((top) => {
        for (let u = 0; u < unroll; u++) {
          step(u);
          f.get(k).i32(1).op(Op.i32_sub).tee(k);
          if (u < unroll - 1) f.op(Op.i32_eqz).brIf(done);
        }
        for (let r = 0; r < mr; r++) f.get(a[r]!).i32(unroll * es).op(Op.i32_add).set(a[r]!);
        f.get(pb).i32(unroll * nr * es).op(Op.i32_add).set(pb);
        f.brIf(top);
      });
    });
    // The step loop may exit mid-iteration, so the next tap's B starts from its own pointer.
    f.get(pbTap).get(runBytesB).op(Op.i32_add).set(pbTap);
    f.get(pTaps).i32(4).op(Op.i32_add).set(pTaps);
    f.get(nTaps).i32(1).op(Op.i32_sub).tee(nTaps).brIf(tapLoop);
  });

  emitTileStore(f, pC, ldc, acc, row);
}

/**
 * The channelwise micro-kernel: C[mr × nr] (+)= Σ over tap table entries t of
 * X[row r + off(t), nr lanes] ⊙ B[t, nr lanes]. Per step: one table load, nv vector loads of B and
 * mr × nv of X, each multiplied into its own accumulator. Same parameters as the GEMM-like
 * micro-kernel (`run` is 1 and unused); B's rows are as wide as C's (`ldc` bytes apart), and
 * the same exit test follows every step.
 */
function emitLanesMicroKernel(f: FunctionBuilder, f32: boolean, tile: ConvTile): void {
  const { mr, nrVectors: nv, unroll } = tile;
  const [pTaps, nTaps, , pB, pC, ldc, accumulate] = [mr, mr + 1, mr + 2, mr + 3, mr + 4, mr + 5, mr + 6];
  const [add, mul] = f32 ? [SimdOp.f32x4_add, SimdOp.f32x4_mul] : [SimdOp.f64x2_add, SimdOp.f64x2_mul];
  const acc = Array.from({ length: mr }, () => Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const off = f.local(I32);
  const row = f.local(I32);

  emitTileLoadOrZero(f, accumulate, pC, ldc, acc, row);
  f.block((done) => {
    f.loop((top) => {
      for (let u = 0; u < unroll; u++) {
        f.get(pTaps).mem(I32_LOAD, 4 * u, 2).set(off);
        bv.forEach((b, j) => f.get(pB).simdMem(SimdOp.v128_load, j * 16).set(b));
        acc.forEach((vecs, r) => {
          vecs.forEach((a, j) => f.get(a).get(r).get(off).op(Op.i32_add).simdMem(SimdOp.v128_load, j * 16).get(bv[j]!).simd(mul).simd(add).set(a));
        });
        f.get(pB).get(ldc).op(Op.i32_add).set(pB);
        f.get(nTaps).i32(1).op(Op.i32_sub).tee(nTaps);
        if (u < unroll - 1) f.op(Op.i32_eqz).brIf(done);
      }
      f.get(pTaps).i32(unroll * 4).op(Op.i32_add).set(pTaps);
      f.brIf(top);
    });
  });
  emitTileStore(f, pC, ldc, acc, row);
}

/**
 * `convRows` / `convLanes` (see {@link ConvExports}): K blocks outermost (so a block's slice of B
 * stays in cache across all tiles), then row tiles, then column slivers (the tile's rows stay in
 * L1 across slivers). For `convRows` every sliver reads the same rows of A and its own packed
 * sliver of B; for `convLanes` (`lanes`) a sliver is `nr` lanes further along both the rows of A
 * and the rows of B.
 */
function emitDriver(f: FunctionBuilder, ukernel: FunctionBuilder, mr: number, geo: GemmGeometry, lanes: boolean): void {
  const [pRows, tiles, pBlocks, nBlocks, j0, slivers, pC, ldc, base] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const { es, nr } = geo;
  const [blk, pTaps, nTaps, runOff, run, pB, sliverBytes, acc, tile, pRow, pCt, j, pBj, pCj] = Array.from({ length: 14 }, () => f.local(I32));
  const r = Array.from({ length: mr }, () => f.local(I32));
  const word = (i: number, dst: number) => f.get(pBlocks).mem(I32_LOAD, 4 * i, 2).set(dst);

  f.i32(0).set(blk);
  f.loop((blkLoop) => {
    word(0, pTaps);
    word(1, nTaps);
    word(2, runOff);
    word(3, run);
    word(4, pB);
    if (lanes) f.i32(nr * es).set(sliverBytes);
    else f.get(nTaps).get(run).op(Op.i32_mul).i32(nr * es).op(Op.i32_mul).set(sliverBytes);
    f.get(blk).i32(0).op(Op.i32_ne).set(acc);
    f.i32(0).set(tile);
    f.get(pRows).set(pRow);
    f.get(pC).get(j0).i32(nr * es).op(Op.i32_mul).op(Op.i32_add).set(pCt);
    f.get(pB).get(j0).get(sliverBytes).op(Op.i32_mul).op(Op.i32_add).set(pB);
    f.loop((tileLoop) => {
      for (let q = 0; q < mr; q++) {
        f.get(pRow).mem(I32_LOAD, 4 * q, 2).get(base).op(Op.i32_add).get(runOff).op(Op.i32_add).set(r[q]!);
      }
      f.i32(0).set(j);
      f.get(pB).set(pBj);
      f.get(pCt).set(pCj);
      f.loop((sliverLoop) => {
        for (let q = 0; q < mr; q++) f.get(r[q]!);
        f.get(pTaps).get(nTaps).get(run).get(pBj).get(pCj).get(ldc).get(acc).call(ukernel);
        f.get(pBj).get(sliverBytes).op(Op.i32_add).set(pBj);
        f.get(pCj).i32(nr * es).op(Op.i32_add).set(pCj);
        if (lanes) for (const q of r) f.get(q).i32(nr * es).op(Op.i32_add).set(q);
        f.get(j).i32(1).op(Op.i32_add).tee(j).get(slivers).op(Op.i32_lt_s).brIf(sliverLoop);
      });
      f.get(pRow).i32(4 * mr).op(Op.i32_add).set(pRow);
      f.get(pCt).get(ldc).i32(mr).op(Op.i32_mul).op(Op.i32_add).set(pCt);
      f.get(tile).i32(1).op(Op.i32_add).tee(tile).get(tiles).op(Op.i32_lt_s).brIf(tileLoop);
    });
    f.get(pBlocks).i32(CONV_BLOCK_BYTES).op(Op.i32_add).set(pBlocks);
    f.get(blk).i32(1).op(Op.i32_add).tee(blk).get(nBlocks).op(Op.i32_lt_s).brIf(blkLoop);
  });
}

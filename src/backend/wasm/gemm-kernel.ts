/**
 * @file Generates the blocked SIMD GEMM WebAssembly module (packing, micro-kernel, cache-blocked driver).
 *
 * The design follows the Goto/BLIS decomposition: K is cut into `kc` blocks, op(A) into `mc × kc`
 * blocks and op(B) into `kc × nc` panels, each packed into contiguous slivers (`mr` rows of A,
 * `nr` columns of B, k-major), and a register-blocked micro-kernel multiplies one A sliver by one B
 * sliver keeping the `mr × nr` tile of C in SIMD locals for the whole `kc` loop. Unlike BLIS, both
 * operands are packed up front (`prepackA`, `prepackB`) into whole-matrix buffers, so any
 * mc-aligned row range or nc-aligned column range of C is an independent `gemmPacked` call: the
 * unit of work threads claim. All sizes handed to the module are padded by the caller (M to `mr`,
 * N to `nr`, K to {@link GEMM_K_ALIGN}), so the generated code has no edge cases.
 */

import { FunctionBuilder } from "./function-builder.js";
import { moduleImportingMemory } from "./module-builder.js";
import { Op, SimdOp, ValType } from "./opcodes.js";
import { emitRank1Update, emitTileLoadOrZero, emitTileStore } from "./tile.js";

/** Tile and block sizes of a generated GEMM module (all in elements). */
export interface GemmKernelConfig {
  /** Element type. */
  readonly dtype: "float32" | "float64";
  /** Rows of C per micro-tile. */
  readonly mr: number;
  /** SIMD vectors per micro-tile row (`nr = nrVectors × lanes` columns). */
  readonly nrVectors: number;
  /** K steps per micro-kernel loop iteration (each followed by its own exit test, see the micro-kernel). */
  readonly unroll: number;
  /** Rows of A per packed block (multiple of `mr`). */
  readonly mc: number;
  /** Depth of a packed block (multiple of {@link GEMM_K_ALIGN}). */
  readonly kc: number;
  /** Columns of B per packed panel (multiple of `nr`). */
  readonly nc: number;
}

/** K is padded to a multiple of this (the packing routines transpose 4 × 4 squares). */
export const GEMM_K_ALIGN = 4;

/** Derived facts about a {@link GemmKernelConfig}. */
export interface GemmGeometry {
  /** Bytes per element. */
  readonly es: number;
  /** Elements per v128. */
  readonly lanes: number;
  /** Columns of C per micro-tile. */
  readonly nr: number;
}

/** Compute the derived sizes of a configuration. */
export function gemmGeometry(cfg: Pick<GemmKernelConfig, "dtype" | "nrVectors">): GemmGeometry {
  const es = cfg.dtype === "float32" ? 4 : 8;
  const lanes = 16 / es;
  const nr = cfg.nrVectors * lanes;
  return { es, lanes, nr };
}

/**
 * The module's exports. Pointers are byte offsets into the imported memory, leading dimensions and
 * sizes are in elements, `trans*` flags are 0/1, and M, N, K must be padded as described above.
 * A product is `prepackA` + `prepackB` then `gemmPacked`; each call may cover an aligned slice, so
 * threads can share one problem without packing anything twice.
 */
export interface GemmExports {
  /** Pack op(A) (M × K) into `pAp` (M·K elements), see the file header. */
  prepackA(pA: number, lda: number, transA: number, M: number, K: number, pAp: number): void;
  /** Pack op(B) (K × N) into `pBp` (K·N elements). */
  prepackB(pB: number, ldb: number, transB: number, K: number, N: number, pBp: number): void;
  /** C (M × N, row stride ldc) = packed A · packed B. */
  gemmPacked(M: number, N: number, K: number, pAp: number, pBp: number, pC: number, ldc: number): void;
}

const I32 = ValType.i32;
const V128 = ValType.v128;

/** Build the module bytes for `cfg`; it imports `env.memory` (shared when `sharedMemory`). */
export function buildGemmModule(cfg: GemmKernelConfig, sharedMemory: boolean): Uint8Array {
  validate(cfg);
  const geo = gemmGeometry(cfg);
  const mb = moduleImportingMemory(sharedMemory);
  const ukernel = mb.function([I32, I32, I32, I32, I32, I32], []);
  const packGatherA = mb.function([I32, I32, I32, I32, I32], []);
  const packContigA = mb.function([I32, I32, I32, I32, I32], []);
  const packGatherB = mb.function([I32, I32, I32, I32, I32], []);
  const packContigB = mb.function([I32, I32, I32, I32, I32], []);
  const macro = mb.function([I32, I32, I32, I32, I32, I32, I32, I32], []);
  const prepackA = mb.function([I32, I32, I32, I32, I32, I32], [], "prepackA");
  const prepackB = mb.function([I32, I32, I32, I32, I32, I32], [], "prepackB");
  const gemmPacked = mb.function([I32, I32, I32, I32, I32, I32, I32], [], "gemmPacked");

  emitMicroKernel(ukernel, cfg, geo);
  emitPackGather(packGatherA, cfg.mr, geo);
  emitPackContig(packContigA, cfg.mr, geo);
  emitPackGather(packGatherB, geo.nr, geo);
  emitPackContig(packContigB, geo.nr, geo);
  emitMacroKernel(macro, ukernel, cfg, geo);
  emitPrepackA(prepackA, packGatherA, packContigA, cfg, geo.es);
  emitPrepackB(prepackB, packGatherB, packContigB, cfg, geo.es);
  emitGemmPacked(gemmPacked, macro, cfg, geo.es);
  return mb.toBytes();
}

function validate(cfg: GemmKernelConfig): void {
  const { nr } = gemmGeometry(cfg);
  const ok =
    cfg.mr >= 1 && cfg.nrVectors >= 1 && cfg.unroll >= 1 &&
    cfg.mc % cfg.mr === 0 && cfg.kc % GEMM_K_ALIGN === 0 && cfg.nc % nr === 0;
  if (!ok) throw new RangeError(`buildGemmModule: inconsistent tile configuration ${JSON.stringify(cfg)}`);
}

/** `i += step; push(i < end)` — the tail of a do-while counting loop, followed by `brIf(top)`. */
function stepAndTest(f: FunctionBuilder, i: number, step: number, end: number): FunctionBuilder {
  return f.get(i).i32(step).op(Op.i32_add).tee(i).get(end).op(Op.i32_lt_s);
}

/**
 * The micro-kernel: C[mr × nr] (+)= Apack[kc × mr]ᵀ · Bpack[kc × nr].
 * Params: kc, pa, pb, pc, ldcBytes, accumulate.
 *
 * Why the loop looks the way it does (measured on V8/TurboFan, x64): V8 keeps wasm loads in program
 * order but schedules the pure arithmetic late, so a plainly unrolled body issues all of its loads
 * first and then spills the accumulators (x64 has 15 allocatable xmm registers). Giving every k step
 * its own `kc == 0` exit branch ends a basic block after each step, which pins the step's arithmetic
 * before the next step's loads while still amortizing the loop's stack check and pointer bumps.
 * 8 accumulators (e.g. 4 × 2 vectors) is the largest tile that fits without spills.
 */
function emitMicroKernel(f: FunctionBuilder, cfg: GemmKernelConfig, geo: GemmGeometry): void {
  const [kc, pa, pb, pc, ldc, accumulate] = [0, 1, 2, 3, 4, 5];
  const { mr, nrVectors: nv, unroll } = cfg;
  const { es, nr } = geo;
  const f32 = cfg.dtype === "float32";

  const acc: number[][] = [];
  for (let r = 0; r < mr; r++) acc.push(Array.from({ length: nv }, () => f.local(V128)));
  const bv = Array.from({ length: nv }, () => f.local(V128));
  const av = f.local(V128);
  const row = f.local(I32);

  // Load (or zero) the C tile into the accumulators.
  emitTileLoadOrZero(f, accumulate, pc, ldc, acc, row);

  // One rank-1 update of the tile: nv vector loads of B, mr broadcasts of A.
  const step = (u: number): void => emitRank1Update(f, f32, nr, pb, u, { acc, bv, av }, (r, splat) => f.get(pa).simdMem(splat, (u * mr + r) * es));
  f.block((done) => {
    f.loop((top) => {
      for (let u = 0; u < unroll; u++) {
        step(u);
        f.get(kc).i32(1).op(Op.i32_sub).tee(kc);
        if (u < unroll - 1) f.op(Op.i32_eqz).brIf(done);
      }
      f.get(pa).i32(unroll * mr * es).op(Op.i32_add).set(pa);
      f.get(pb).i32(unroll * nr * es).op(Op.i32_add).set(pb);
      f.brIf(top);
    });
  });

  emitTileStore(f, pc, ldc, acc, row);
}

/**
 * Pack slivers from a matrix whose element (s, k) sits at `src + (k·ld + s)·es` (the sliver
 * dimension is contiguous): each k step is a straight copy of `width` elements.
 * Params: pSrc, ld, count (multiple of width), kc, pDst.
 */
function emitPackContig(f: FunctionBuilder, width: number, geo: GemmGeometry): void {
  const [pSrc, ld, count, kc, pDst] = [0, 1, 2, 3, 4];
  const { es, lanes } = geo;
  const s = f.local(I32);
  const k = f.local(I32);
  const src = f.local(I32);
  const ldBytes = f.local(I32);
  f.get(ld).i32(es).op(Op.i32_mul).set(ldBytes);
  f.i32(0).set(s);
  f.loop((sl) => {
    f.get(pSrc).get(s).i32(es).op(Op.i32_mul).op(Op.i32_add).set(src);
    f.get(kc).set(k);
    f.repeat(k, 1, () => {
      let off = 0;
      for (; off + lanes <= width; off += lanes) {
        f.get(pDst).get(src).simdMem(SimdOp.v128_load, off * es).simdMem(SimdOp.v128_store, off * es);
      }
      const [load, store, align] = es === 4 ? [Op.f32_load, Op.f32_store, 2] : [Op.f64_load, Op.f64_store, 3];
      for (; off < width; off++) f.get(pDst).get(src).mem(load, off * es, align).mem(store, off * es, align);
      f.get(src).get(ldBytes).op(Op.i32_add).set(src);
      f.get(pDst).i32(width * es).op(Op.i32_add).set(pDst);
    });
    stepAndTest(f, s, width, count).brIf(sl);
  });
}

/**
 * Pack slivers from a matrix whose element (s, k) sits at `src + (s·ld + k)·es` (the depth dimension
 * is contiguous): load `lanes` consecutive k for `lanes` rows and transpose the square in registers.
 * Params: pSrc, ld, count (multiple of width), kc (multiple of lanes), pDst.
 */
function emitPackGather(f: FunctionBuilder, width: number, geo: GemmGeometry): void {
  const [pSrc, ld, count, kc, pDst] = [0, 1, 2, 3, 4];
  const { es, lanes } = geo;
  const s = f.local(I32);
  const k = f.local(I32);
  const ldBytes = f.local(I32);
  const rowPtr = Array.from({ length: width }, () => f.local(I32));
  const vecs = Array.from({ length: lanes }, () => f.local(V128));
  const tmp = Array.from({ length: lanes }, () => f.local(V128));
  f.get(ld).i32(es).op(Op.i32_mul).set(ldBytes);
  f.i32(0).set(s);
  f.loop((sl) => {
    for (let r = 0; r < width; r++) {
      if (r === 0) f.get(s).get(ldBytes).op(Op.i32_mul).get(pSrc).op(Op.i32_add).set(rowPtr[0]!);
      else f.get(rowPtr[r - 1]!).get(ldBytes).op(Op.i32_add).set(rowPtr[r]!);
    }
    f.get(kc).set(k);
    f.repeat(k, lanes, () => {
      for (let g = 0; g < width; g += lanes) {
        const rows = Math.min(lanes, width - g);
        for (let q = 0; q < lanes; q++) {
          if (q < rows) f.get(rowPtr[g + q]!).simdMem(SimdOp.v128_load).set(vecs[q]!);
          else f.v128Zero().set(vecs[q]!);
        }
        transposeSquare(f, vecs, tmp, lanes);
        // vecs[kk] now holds rows g..g+lanes-1 at depth k+kk.
        for (let kk = 0; kk < lanes; kk++) {
          if (rows === lanes) f.get(pDst).get(vecs[kk]!).simdMem(SimdOp.v128_store, (kk * width + g) * es);
          else storeLanes(f, pDst, vecs[kk]!, (kk * width + g) * es, rows, geo);
        }
      }
      for (let r = 0; r < width; r++) f.get(rowPtr[r]!).i32(lanes * es).op(Op.i32_add).set(rowPtr[r]!);
      f.get(pDst).i32(lanes * width * es).op(Op.i32_add).set(pDst);
    });
    stepAndTest(f, s, width, count).brIf(sl);
  });
}

/** Store the first `n` lanes of a vector local as scalars. */
function storeLanes(f: FunctionBuilder, base: number, vec: number, offset: number, n: number, geo: GemmGeometry): void {
  const f32 = geo.es === 4;
  for (let l = 0; l < n; l++) {
    f.get(base).get(vec);
    f.simdLane(f32 ? SimdOp.f32x4_extract_lane : SimdOp.f64x2_extract_lane, l);
    f.mem(f32 ? Op.f32_store : Op.f64_store, offset + l * geo.es, f32 ? 2 : 3);
  }
}

/** Byte-lane indices of an i8x16.shuffle that picks element lanes `picks` (0..2·lanes-1). */
function shuffleLanes(picks: readonly number[], es: number): number[] {
  const out: number[] = [];
  for (const p of picks) for (let b = 0; b < es; b++) out.push(p * es + b);
  return out;
}

/** Transpose a lanes×lanes square held in `v` (row q in v[q]) in place, using `t` as scratch. */
function transposeSquare(f: FunctionBuilder, v: number[], t: number[], lanes: number): void {
  const shuf = (a: number, b: number, picks: number[], dst: number, es: number): void => {
    f.get(a).get(b).shuffle(shuffleLanes(picks, es)).set(dst);
  };
  if (lanes === 2) {
    shuf(v[0]!, v[1]!, [0, 2], t[0]!, 8);
    shuf(v[0]!, v[1]!, [1, 3], t[1]!, 8);
    f.get(t[0]!).set(v[0]!).get(t[1]!).set(v[1]!);
    return;
  }
  // 4×4 of 32-bit lanes: interleave pairs of rows, then pairs of 64-bit halves.
  shuf(v[0]!, v[1]!, [0, 4, 1, 5], t[0]!, 4);
  shuf(v[0]!, v[1]!, [2, 6, 3, 7], t[1]!, 4);
  shuf(v[2]!, v[3]!, [0, 4, 1, 5], t[2]!, 4);
  shuf(v[2]!, v[3]!, [2, 6, 3, 7], t[3]!, 4);
  shuf(t[0]!, t[2]!, [0, 1, 4, 5], v[0]!, 4);
  shuf(t[0]!, t[2]!, [2, 3, 6, 7], v[1]!, 4);
  shuf(t[1]!, t[3]!, [0, 1, 4, 5], v[2]!, 4);
  shuf(t[1]!, t[3]!, [2, 3, 6, 7], v[3]!, 4);
}

/**
 * The macro-kernel: every micro-tile of an `mc × nc` block of C against packed A and B.
 * Params: mc, nc, kc, pApack, pBpack, pC, ldcBytes, accumulate. B slivers stay in L1 while the
 * A block streams from L2.
 */
function emitMacroKernel(f: FunctionBuilder, ukernel: FunctionBuilder, cfg: GemmKernelConfig, geo: GemmGeometry): void {
  const [mc, nc, kc, pa, pb, pc, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7];
  const { es, nr } = geo;
  const jr = f.local(I32);
  const ir = f.local(I32);
  const pbj = f.local(I32);
  const pcj = f.local(I32);
  const pai = f.local(I32);
  const pcij = f.local(I32);
  const aStride = f.local(I32);
  const bStride = f.local(I32);
  const cRowStride = f.local(I32);
  f.get(kc).i32(cfg.mr * es).op(Op.i32_mul).set(aStride);
  f.get(kc).i32(nr * es).op(Op.i32_mul).set(bStride);
  f.get(ldc).i32(cfg.mr).op(Op.i32_mul).set(cRowStride);
  f.i32(0).set(jr);
  f.get(pb).set(pbj);
  f.get(pc).set(pcj);
  f.loop((jl) => {
    f.i32(0).set(ir);
    f.get(pa).set(pai);
    f.get(pcj).set(pcij);
    f.loop((il) => {
      f.get(kc).get(pai).get(pbj).get(pcij).get(ldc).get(accumulate).call(ukernel);
      f.get(pai).get(aStride).op(Op.i32_add).set(pai);
      f.get(pcij).get(cRowStride).op(Op.i32_add).set(pcij);
      stepAndTest(f, ir, cfg.mr, mc).brIf(il);
    });
    f.get(pbj).get(bStride).op(Op.i32_add).set(pbj);
    f.get(pcj).i32(nr * es).op(Op.i32_add).set(pcj);
    stepAndTest(f, jr, nr, nc).brIf(jl);
  });
}

/**
 * `for (i = 0; i < total; i += step) { eff = min(step, total - i); body(); }` over i32 locals, as a
 * do-while (callers guarantee total > 0).
 */
function blocks(f: FunctionBuilder, i: number, total: number, step: number, eff: number, body: () => void): void {
  f.i32(0).set(i);
  f.loop((top) => {
    f.get(total).get(i).op(Op.i32_sub).set(eff);
    f.i32(step).get(eff).i32(step).get(eff).op(Op.i32_lt_s).op(Op.select).set(eff);
    body();
    stepAndTest(f, i, step, total).brIf(top);
  });
}

/** `dst = base + (x·y + z)·es` for i32 locals. */
function offsetOf(f: FunctionBuilder, dst: number, base: number, x: number, y: number, z: number, es: number): void {
  f.get(x).get(y).op(Op.i32_mul).get(z).op(Op.i32_add).i32(es).op(Op.i32_mul).get(base).op(Op.i32_add).set(dst);
}

/**
 * `prepackA(pA, lda, transA, M, K, pAp)`: pack all of op(A) (M × K) into mc × kc blocks; block
 * (ic, pc) starts at element `ic·K + pc·mcEff`. Row ranges aligned to mc can be packed separately
 * (offset pA and pAp), which is how the work is split between threads.
 */
function emitPrepackA(f: FunctionBuilder, gather: FunctionBuilder, contig: FunctionBuilder, cfg: GemmKernelConfig, es: number): void {
  const [pA, lda, transA, M, K, pAp] = [0, 1, 2, 3, 4, 5];
  const [ic, pc, mcEff, kcEff, src, dst] = Array.from({ length: 6 }, () => f.local(I32));
  blocks(f, ic, M, cfg.mc, mcEff, () => {
    blocks(f, pc, K, cfg.kc, kcEff, () => {
      // dst = pAp + (ic·K + pc·mcEff)·es
      f.get(ic).get(K).op(Op.i32_mul).get(pc).get(mcEff).op(Op.i32_mul).op(Op.i32_add).i32(es).op(Op.i32_mul);
      f.get(pAp).op(Op.i32_add).set(dst);
      f.get(transA).ifElse(
        () => {
          // A stored K × M: element (i, k) at k·lda + i.
          offsetOf(f, src, pA, pc, lda, ic, es);
          f.get(src).get(lda).get(mcEff).get(kcEff).get(dst).call(contig);
        },
        () => {
          offsetOf(f, src, pA, ic, lda, pc, es);
          f.get(src).get(lda).get(mcEff).get(kcEff).get(dst).call(gather);
        },
      );
    });
  });
}

/**
 * `prepackB(pB, ldb, transB, K, N, pBp)`: pack all of op(B) (K × N) into kc × nc panels; panel
 * (pc, jc) starts at element `jc·K + pc·ncEff`. Column ranges aligned to nc can be packed separately.
 */
function emitPrepackB(f: FunctionBuilder, gather: FunctionBuilder, contig: FunctionBuilder, cfg: GemmKernelConfig, es: number): void {
  const [pB, ldb, transB, K, N, pBp] = [0, 1, 2, 3, 4, 5];
  const [jc, pc, ncEff, kcEff, src, dst] = Array.from({ length: 6 }, () => f.local(I32));
  blocks(f, jc, N, cfg.nc, ncEff, () => {
    blocks(f, pc, K, cfg.kc, kcEff, () => {
      // dst = pBp + (jc·K + pc·ncEff)·es
      f.get(jc).get(K).op(Op.i32_mul).get(pc).get(ncEff).op(Op.i32_mul).op(Op.i32_add).i32(es).op(Op.i32_mul);
      f.get(pBp).op(Op.i32_add).set(dst);
      f.get(transB).ifElse(
        () => {
          // B stored N × K: element (k, j) at j·ldb + k.
          offsetOf(f, src, pB, jc, ldb, pc, es);
          f.get(src).get(ldb).get(ncEff).get(kcEff).get(dst).call(gather);
        },
        () => {
          offsetOf(f, src, pB, pc, ldb, jc, es);
          f.get(src).get(ldb).get(ncEff).get(kcEff).get(dst).call(contig);
        },
      );
    });
  });
}

/**
 * `gemmPacked(M, N, K, pAp, pBp, pC, ldc)`: C (M × N, leading dimension ldc) = packed A · packed B.
 * Loop order jc → pc → ic keeps one kc × nc panel of B hot in L2 while A blocks stream past it;
 * row ranges aligned to mc and column ranges aligned to nc are independent calls.
 */
function emitGemmPacked(f: FunctionBuilder, macro: FunctionBuilder, cfg: GemmKernelConfig, es: number): void {
  const [M, N, K, pAp, pBp, pC, ldc] = [0, 1, 2, 3, 4, 5, 6];
  const [jc, pc, ic, ncEff, kcEff, mcEff, aBlk, bBlk, cBlk, ldcBytes] = Array.from({ length: 10 }, () => f.local(I32));
  f.get(ldc).i32(es).op(Op.i32_mul).set(ldcBytes);
  blocks(f, jc, N, cfg.nc, ncEff, () => {
    blocks(f, pc, K, cfg.kc, kcEff, () => {
      f.get(jc).get(K).op(Op.i32_mul).get(pc).get(ncEff).op(Op.i32_mul).op(Op.i32_add).i32(es).op(Op.i32_mul);
      f.get(pBp).op(Op.i32_add).set(bBlk);
      blocks(f, ic, M, cfg.mc, mcEff, () => {
        f.get(ic).get(K).op(Op.i32_mul).get(pc).get(mcEff).op(Op.i32_mul).op(Op.i32_add).i32(es).op(Op.i32_mul);
        f.get(pAp).op(Op.i32_add).set(aBlk);
        offsetOf(f, cBlk, pC, ic, ldc, jc, es);
        f.get(mcEff).get(ncEff).get(kcEff).get(aBlk).get(bBlk).get(cBlk).get(ldcBytes);
        f.get(pc).i32(0).op(Op.i32_ne);
        f.call(macro);
      });
    });
  });
}

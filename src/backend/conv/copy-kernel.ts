/**
 * @file Data-movement functions of the convolution module: a 4-d strided copy (layout changes of
 * the input and the output run in Wasm, and so on every thread, instead of as JS element loops)
 * and the packing of kernel slivers through a table of offsets.
 */

import type { FunctionBuilder } from "../wasm/function-builder.js";
import { Op, SimdOp, ValType } from "../wasm/opcodes.js";

/** `i32.load` (not in the shared opcode table). */
const I32_LOAD = 0x28;

/**
 * `copy4(src, dst, n0, n1, n2, n3, s0, s1, s2, s3, d0, d1, d2, d3)`: for every index
 * `(i0, i1, i2, i3) < (n0, n1, n2, n3)` (i3 innermost), copy the element at
 * `src + Σ i·s` to `dst + Σ i·d`. Pointers and strides are in bytes; any size 0 copies nothing.
 * An innermost axis contiguous on both sides is copied 16 bytes at a time.
 */
export function emitCopy4(f: FunctionBuilder, es: number): void {
  const [src, dst] = [0, 1];
  const n = [2, 3, 4, 5];
  const s = [6, 7, 8, 9];
  const d = [10, 11, 12, 13];
  const [load, store, align] = es === 4 ? [Op.f32_load, Op.f32_store, 2] : [Op.f64_load, Op.f64_store, 3];
  const i = n.map(() => f.local(ValType.i32));
  const ps = n.map(() => f.local(ValType.i32));
  const pd = n.map(() => f.local(ValType.i32));
  const contiguous = f.local(ValType.i32);
  const advance = (l: number): void => {
    f.get(ps[l]!).get(s[l]!).op(Op.i32_add).set(ps[l]!);
    f.get(pd[l]!).get(d[l]!).op(Op.i32_add).set(pd[l]!);
  };
  // The innermost axis element by element (i[3] of them, at least one).
  const elements = (): void =>
    void f.repeat(i[3]!, 1, () => {
      f.get(pd[3]!).get(ps[3]!).mem(load, 0, align).mem(store, 0, align);
      advance(3);
    });
  f.get(s[3]!).i32(es).op(Op.i32_eq).get(d[3]!).i32(es).op(Op.i32_eq).op(Op.i32_and).set(contiguous);
  f.block((done) => {
    for (const k of n) f.get(k).op(Op.i32_eqz).brIf(done);
    const level = (l: number): void => {
      f.get(l === 0 ? src : ps[l - 1]!).set(ps[l]!);
      f.get(l === 0 ? dst : pd[l - 1]!).set(pd[l]!);
      f.get(n[l]!).set(i[l]!);
      if (l === 3) {
        f.get(contiguous).ifElse(
          () => {
            // Whole vectors while 4 or more elements (f32; 2 for f64) are left, then single elements.
            const vec = 16 / es;
            f.block((tail) => {
              f.loop((top) => {
                f.get(i[3]!).i32(vec).op(Op.i32_lt_s).brIf(tail);
                f.get(pd[3]!).get(ps[3]!).simdMem(SimdOp.v128_load).simdMem(SimdOp.v128_store);
                f.get(ps[3]!).i32(16).op(Op.i32_add).set(ps[3]!);
                f.get(pd[3]!).i32(16).op(Op.i32_add).set(pd[3]!);
                f.get(i[3]!).i32(vec).op(Op.i32_sub).set(i[3]!);
                f.br(top);
              });
            });
            f.block((end) => {
              f.get(i[3]!).op(Op.i32_eqz).brIf(end);
              elements();
            });
          },
          elements,
        );
        return;
      }
      f.repeat(i[l]!, 1, () => {
        level(l + 1);
        advance(l);
      });
    };
    level(0);
  });
}

/**
 * `packSlivers(pW, pKOff, taps, kStride, count, oOff, sO, valid, pDst)`: write `taps × count`
 * rows of `nr` elements at `pDst`. Row (t, r) holds `valid` elements read from
 * `pW + i32[pKOff + t·kStride + 4r] + oOff` with stride `sO` (bytes), then zeros. Full rows of
 * contiguous elements (the usual case) are moved as whole vectors.
 */
export function emitPackSlivers(f: FunctionBuilder, es: number, nr: number): void {
  const [pW, pKOff, taps, kStride, count, oOff, sO, valid, pDst] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [load, store, align] = es === 4 ? [Op.f32_load, Op.f32_store, 2] : [Op.f64_load, Op.f64_store, 3];
  const vectors = (nr * es) / 16;
  const [t, r, pk, src, q, fast, a, b] = Array.from({ length: 8 }, () => f.local(ValType.i32));
  f.get(sO).i32(es).op(Op.i32_eq).get(valid).i32(nr).op(Op.i32_eq).op(Op.i32_and).set(fast);
  f.get(taps).set(t);
  f.repeat(t, 1, () => {
    f.get(pKOff).set(pk);
    f.get(count).set(r);
    f.repeat(r, 1, () => {
      f.get(pW).get(pk).mem(I32_LOAD, 0, 2).op(Op.i32_add).get(oOff).op(Op.i32_add).set(src);
      f.get(fast).ifElse(
        () => {
          for (let v = 0; v < vectors; v++) f.get(pDst).get(src).simdMem(SimdOp.v128_load, v * 16).simdMem(SimdOp.v128_store, v * 16);
        },
        () => {
          for (let v = 0; v < vectors; v++) f.get(pDst).v128Zero().simdMem(SimdOp.v128_store, v * 16);
          f.get(valid).set(q);
          f.get(src).set(a);
          f.get(pDst).set(b);
          f.repeat(q, 1, () => {
            f.get(b).get(a).mem(load, 0, align).mem(store, 0, align);
            f.get(a).get(sO).op(Op.i32_add).set(a);
            f.get(b).i32(es).op(Op.i32_add).set(b);
          });
        },
      );
      f.get(pDst).i32(nr * es).op(Op.i32_add).set(pDst);
      f.get(pk).i32(4).op(Op.i32_add).set(pk);
    });
    f.get(pKOff).get(kStride).op(Op.i32_add).set(pKOff);
  });
}

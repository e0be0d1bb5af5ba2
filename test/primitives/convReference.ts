/**
 * @file The naive convolution reference shared by the convolution tests: plain-array helpers,
 * a direct nested-loop `conv_general_dilated` in the canonical layout, random convolution cases
 * (fast-check) over shapes, layouts, strides, padding, dilations, groups and dtypes, and
 * `checkCase`, which runs one case through the primitive and compares it with the reference.
 */
import fc from "fast-check";
import { expect } from "vitest";

import { ConcreteArray } from "../../src/core/concrete.js";
import type { DType } from "../../src/core/dtype.js";
import { bind1 } from "../../src/core/trace.js";
import { convGeneralDilatedP, type ConvParams } from "../../src/primitives/conv.js";
import { indices, prod, rng, stridesOf } from "../helpers/plain.js";

// ---------------------------------------------------------------------------------------------
// Plain-array helpers and the naive reference

export { indices, prod, rng, stridesOf };

export function randomData(n: number, seed: number): number[] {
  const r = rng(seed);
  return globalThis.Array.from({ length: n }, () => r() * 2 - 1);
}

export function arr(data: readonly number[], shape: readonly number[], dtype: DType = "float64"): ConcreteArray {
  const d = dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data);
  return new ConcreteArray(d, [...shape], dtype);
}

export function randomArray(shape: readonly number[], seed: number, dtype: DType = "float64"): ConcreteArray {
  return arr(randomData(prod(shape), seed), shape, dtype);
}

/** Plain-JS transpose: result axis j is input axis perm[j]. */
export function permute(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): { data: number[]; shape: number[] } {
  const st = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const out: number[] = [];
  for (const idx of indices(outShape)) out.push(data[idx.reduce((s, v, j) => s + v * st[perm[j]!]!, 0)]!);
  return { data: out, shape: outShape };
}

/** The inverse of a permutation. */
export function inverse(perm: readonly number[]): number[] {
  const inv = new globalThis.Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export const dil = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));

export interface RefParams {
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  G: number;
  B: number;
}

/**
 * Direct convolution in the canonical layout: x [N, C, ...in], w [O, I, ...k] -> [N/B, O, ...out].
 * out[n, o, y] = sum_{i, k} x[n', c, (y·s + k·rd - lo) / ld] · w[o, i, k], where the group of
 * output feature o picks c (feature groups) or n' (batch groups).
 */
export function refConv(x: ArrayLike<number>, xs: readonly number[], w: ArrayLike<number>, wsh: readonly number[], p: RefParams): { data: number[]; shape: number[] } {
  const [N, , ...inSp] = xs as number[];
  const [O, I, ...kSp] = wsh as number[];
  const D = inSp.length;
  const outSp = inSp.map((n, d) => Math.floor((dil(n, p.lhsDilation[d]!) + p.padding[d]![0] + p.padding[d]![1] - dil(kSp[d]!, p.rhsDilation[d]!)) / p.strides[d]!) + 1);
  const Nout = N! / p.B;
  const Og = O! / (p.G * p.B);
  const xst = stridesOf(xs);
  const wst = stridesOf(wsh);
  const out: number[] = [];
  const kIdx = indices(kSp);
  for (let n = 0; n < Nout; n++) {
    for (let o = 0; o < O!; o++) {
      const g = Math.floor(o / Og);
      const nIn = p.B > 1 ? g * Nout + n : n;
      for (const y of indices(outSp)) {
        let sum = 0;
        for (let i = 0; i < I!; i++) {
          const c = p.G > 1 ? g * I! + i : i;
          for (const k of kIdx) {
            let off = nIn * xst[0]! + c * xst[1]!;
            let ok = true;
            for (let d = 0; d < D && ok; d++) {
              const pos = y[d]! * p.strides[d]! + k[d]! * p.rhsDilation[d]! - p.padding[d]![0];
              if (pos < 0 || pos % p.lhsDilation[d]! !== 0 || pos / p.lhsDilation[d]! >= inSp[d]!) ok = false;
              else off += (pos / p.lhsDilation[d]!) * xst[2 + d]!;
            }
            if (!ok) continue;
            const woff = o * wst[0]! + i * wst[1]! + k.reduce((s, v, d) => s + v * wst[2 + d]!, 0);
            sum += x[off]! * w[woff]!;
          }
        }
        out.push(sum);
      }
    }
  }
  return { data: out, shape: [Nout, O!, ...outSp] };
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what = ""): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what} mismatch at flat index ${i}: got ${g}, want ${w}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Random convolution cases

export interface ConvCase {
  ns: number;
  N: number;
  G: number;
  B: number;
  I: number;
  Og: number;
  inSp: number[];
  kSp: number[];
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  lhsPerm: readonly number[];
  rhsPerm: readonly number[];
  outPerm: readonly number[];
  dtype: DType;
  seed: number;
}

/** Size limits of generated cases (the defaults keep the naive reference fast). */
export interface CaseLimits {
  /** Largest spatial extent per axis (1-2 spatial dims; 3 spatial dims use at most 4). */
  spatial: number;
  /** Largest kernel extent per axis. */
  kernel: number;
  /** Largest batch (per batch group), input features per group and output features per group. */
  N: number;
  I: number;
  Og: number;
  /** Probability-free switch: when set, layouts are always shuffled. */
  alwaysShuffle: boolean;
  /** `[featureGroupCount, batchGroupCount]` pairs (default: mostly ungrouped, some 2-3 feature or 2 batch groups). */
  groups?: fc.Arbitrary<[number, number]>;
  /** Layouts (default: identity or, half the time, shuffled; see `alwaysShuffle`). */
  layouts?: fc.Arbitrary<"shuffled" | "NCHW" | "NHWC">;
}

export const DEFAULT_LIMITS: CaseLimits = { spatial: 7, kernel: 3, N: 3, I: 3, Og: 3, alwaysShuffle: false };

export const dimArb = (ns: number, lim: CaseLimits = DEFAULT_LIMITS) =>
  fc.record({
    n: fc.integer({ min: 1, max: ns === 3 ? Math.min(4, lim.spatial) : lim.spatial }),
    k: fc.integer({ min: 1, max: lim.kernel }),
    s: fc.integer({ min: 1, max: 3 }),
    ld: fc.integer({ min: 1, max: 2 }),
    rd: fc.integer({ min: 1, max: 2 }),
    lo: fc.integer({ min: -1, max: 2 }),
    hi: fc.integer({ min: -1, max: 2 }),
  });

export const permArb = (n: number, shuffle: boolean) =>
  shuffle ? fc.shuffledSubarray([...globalThis.Array(n).keys()], { minLength: n, maxLength: n }) : fc.constant([...globalThis.Array(n).keys()]);

/** Specs of the channels-last layouts (`NHWC` and its 1-d / 3-d forms) and of `HWIO`. */
export const channelsLast = (ns: number): number[] => [0, ns + 1, ...globalThis.Array.from({ length: ns }, (_, i) => i + 1)];
export const kernelLast = (ns: number): number[] => [ns + 1, ns, ...globalThis.Array.from({ length: ns }, (_, i) => i)];

/** Random convolution cases within `lim`: 1-3 spatial dims, groups, layouts, float32/float64. */
export const convCaseArbWith = (lim: CaseLimits): fc.Arbitrary<ConvCase> =>
  fc.integer({ min: 1, max: 3 }).chain((ns) =>
    fc
      .record({
        dims: fc.array(dimArb(ns, lim), { minLength: ns, maxLength: ns }),
        N: fc.integer({ min: 1, max: lim.N }),
        groups: lim.groups ?? fc.constantFrom<[number, number]>([1, 1], [1, 1], [2, 1], [3, 1], [1, 2]),
        I: fc.integer({ min: 1, max: lim.I }),
        Og: fc.integer({ min: 1, max: lim.Og }),
        layouts: lim.layouts ?? (lim.alwaysShuffle ? fc.constant("shuffled" as const) : fc.constantFrom("shuffled" as const, "NCHW" as const)),
        dtype: fc.constantFrom<DType>("float32", "float64"),
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      })
      .chain((r) =>
        (r.layouts === "NHWC" ? fc.constant({ lhsPerm: channelsLast(ns), rhsPerm: kernelLast(ns), outPerm: channelsLast(ns) })
          : fc.record({ lhsPerm: permArb(ns + 2, r.layouts === "shuffled"), rhsPerm: permArb(ns + 2, r.layouts === "shuffled"), outPerm: permArb(ns + 2, r.layouts === "shuffled") })
        ).map((perms) => {
          const padding = r.dims.map((d): [number, number] => {
            // Keep the padded input at least as large as the dilated kernel.
            let hi = d.hi;
            while (dil(d.n, d.ld) + d.lo + hi < dil(d.k, d.rd)) hi++;
            return [d.lo, hi];
          });
          const [G, B] = r.groups;
          return {
            ns,
            N: r.N * B,
            G,
            B,
            I: r.I,
            Og: r.Og,
            inSp: r.dims.map((d) => d.n),
            kSp: r.dims.map((d) => d.k),
            strides: r.dims.map((d) => d.s),
            padding,
            lhsDilation: r.dims.map((d) => d.ld),
            rhsDilation: r.dims.map((d) => d.rd),
            ...perms,
            dtype: r.dtype,
            seed: r.seed,
          };
        }),
      ),
  );

export const convCaseArb: fc.Arbitrary<ConvCase> = convCaseArbWith(DEFAULT_LIMITS);

/**
 * Build the operands of a case in its layout, run the primitive, compare with the reference and
 * return the primitive's output data (as stored, in the case's output layout).
 */
export function checkCase(c: ConvCase): ArrayLike<number> {
  const C = c.I * c.G;
  const O = c.Og * c.G * c.B;
  const canonX = [c.N, C, ...c.inSp];
  const canonW = [O, c.I, ...c.kSp];
  const xData = randomData(prod(canonX), c.seed);
  const wData = randomData(prod(canonW), c.seed + 1);
  // Store the canonical data in the case's layout: actual axis a holds canonical axis inverse(perm)[a].
  const xa = permute(xData, canonX, inverse(c.lhsPerm));
  const wa = permute(wData, canonW, inverse(c.rhsPerm));
  const x = arr(xa.data, xa.shape, c.dtype);
  const w = arr(wa.data, wa.shape, c.dtype);
  const p: ConvParams = {
    windowStrides: c.strides,
    padding: c.padding,
    lhsDilation: c.lhsDilation,
    rhsDilation: c.rhsDilation,
    dimensionNumbers: { lhsSpec: c.lhsPerm, rhsSpec: c.rhsPerm, outSpec: c.outPerm },
    featureGroupCount: c.G,
    batchGroupCount: c.B,
  };
  const y = bind1(convGeneralDilatedP, [x, w], p);
  // Reference on the data as stored (rounded to float32 when the operands are).
  const xr = permute(x.dataSync(), xa.shape, c.lhsPerm);
  const wr = permute(w.dataSync(), wa.shape, c.rhsPerm);
  const want = refConv(xr.data, xr.shape, wr.data, wr.shape, { strides: c.strides, padding: c.padding, lhsDilation: c.lhsDilation, rhsDilation: c.rhsDilation, G: c.G, B: c.B });
  const got = permute(y.dataSync(), y.shape, c.outPerm);
  expect(got.shape).toEqual(want.shape);
  expect(y.dtype).toBe(c.dtype);
  // float32: the GEMM kernel may accumulate in float32 (sums of up to 81 products of magnitude <= 1).
  const tol = c.dtype === "float32" ? 1e-4 : 1e-12;
  expectClose(got.data, want.data, tol, tol, JSON.stringify(c));
  return y.dataSync();
}

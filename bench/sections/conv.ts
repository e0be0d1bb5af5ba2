/**
 * @file conv2d forward + backward: a 32x28x28x32 float32 batch convolved with 3x3x32x32 kernels,
 * stride 1, SAME padding. Every subject computes the output `y = conv(x, w)` and the VJP of a
 * fixed random cotangent `ct` with respect to both the input and the kernel (`[y, dx, dw]`), and
 * delivers all three to JS memory. Subjects: ours eagerly (`vjp`) and under `jit`; TensorFlow.js
 * (`tf.valueAndGrads` with `dy = ct`) on its cpu and wasm backends; jax-js (`jit` of `vjp` of
 * `lax.convGeneralDilated`, wasm device). A forward-only row (`y` alone) sits beside it.
 *
 * Then the same for depthwise convolutions (MobileNet's): a 32x56x56x64 batch, 3x3x1x64 kernels
 * (`featureGroupCount` 64), SAME, stride 1 and stride 2; TF.js runs `tf.depthwiseConv2d`.
 *
 * Peer quirks shape the setup:
 * - TF.js 4.22's wasm backend has no `Conv2DBackpropFilter` kernel, so `tf.conv2d`'s gradient
 *   fails there. Its best wasm route is the same convolution written as `tf.conv3d` with a depth
 *   of 1 (input `[N, 1, H, W, C]`, kernel `[1, 3, 3, C, O]`), whose forward and both gradients all
 *   have wasm kernels; that is what the fwd+bwd tfjs-wasm figure measures. Its forward-only figure
 *   is plain `tf.conv2d` (XNNPACK).
 * - Nor has it `DepthwiseConv2dNativeBackpropInput` / `...Filter`, and no other wasm op computes
 *   a depthwise gradient, so it has no depthwise fwd+bwd figure (its cpu backend has one).
 * - jax-js's convolution takes only the NCHW / OIHW layout, so it gets the same data transposed.
 *
 * A layout-independent checksum (sum of squares of `dw`) is compared across subjects, so a subject
 * computing different math would show in the notes. Every subject gets one untimed call first (jit
 * compilation, Wasm tier-up), except that a call over 20 s is reported alone (TF.js cpu's gradient;
 * over 5 s for its depthwise gradient).
 */
import { jit, lax, np, vjp, type Array } from "../../src/index.js";
import { loadJax, setTfBackend, tryPeer } from "../peers.js";
import { medianMs, type Row, type TimingOptions } from "../timing.js";

/** One benchmarked convolution: NHWC input, HWIO kernel, SAME padding, `groups` feature groups. */
interface Case {
  readonly N: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly O: number;
  readonly K: number;
  readonly stride: number;
  /** 1 (dense) or C (depthwise: one input feature per group). */
  readonly groups: number;
}

const DENSE: Case = { N: 32, H: 28, W: 28, C: 32, O: 32, K: 3, stride: 1, groups: 1 };
const DEPTHWISE: readonly Case[] = [1, 2].map((stride) => ({ N: 32, H: 56, W: 56, C: 64, O: 64, K: 3, stride, groups: 64 }));

/** Output spatial sizes (SAME). */
const outHW = (c: Case): [number, number] => [Math.ceil(c.H / c.stride), Math.ceil(c.W / c.stride)];
/** FLOPs of one convolution (2 per multiply-add); the two gradients cost one convolution each. */
const convFlops = (c: Case): number => 2 * c.N * outHW(c)[0] * outHW(c)[1] * c.O * c.K * c.K * (c.C / c.groups);
/** Kernel shape, HWIO. */
const kernelShape = (c: Case): [number, number, number, number] => [c.K, c.K, c.C / c.groups, c.O];

/** Timing for subjects that take from tens of ms to seconds per call: one untimed call, then at least one timed call and up to 3 s of them. */
const TIMING: TimingOptions = { warmup: 1, minRuns: 1, maxRuns: 20, budgetMs: 3000, slowRunMs: Infinity };
/** TF.js cpu's conv2d gradient takes 25-40 s per call and compiles nothing, so its first call is its figure. */
const TF_CPU_FWD_BWD: TimingOptions = { ...TIMING, slowRunMs: 20000 };
/** Its depthwise gradient takes about 10 s (stride 1). */
const TF_CPU_DEPTHWISE_FWD_BWD: TimingOptions = { ...TIMING, slowRunMs: 5000 };

/** Deterministic uniform(-1, 1) floats (a tiny LCG) so every subject sees the same numbers. */
function seeded(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return a;
}

interface ConvData {
  /** Input, NHWC. */
  x: Float32Array;
  /** Kernel, HWIO. */
  w: Float32Array;
  /** Output cotangent, NHWC. */
  ct: Float32Array;
}

function makeData(c: Case): ConvData {
  const [Ho, Wo] = outHW(c);
  return { x: seeded(c.N * c.H * c.W * c.C, 1), w: seeded(c.K * c.K * (c.C / c.groups) * c.O, 2, 0.1), ct: seeded(c.N * Ho * Wo * c.O, 3) };
}

/** Transpose a row-major 4-d array: output axis `i` is input axis `perm[i]` (NHWC → NCHW is `[0, 3, 1, 2]`, HWIO → OIHW `[3, 2, 0, 1]`). */
function transpose4(src: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  const strides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const os = perm.map((p) => shape[p]!);
  let o = 0;
  for (let i0 = 0; i0 < os[0]!; i0++)
    for (let i1 = 0; i1 < os[1]!; i1++)
      for (let i2 = 0; i2 < os[2]!; i2++)
        for (let i3 = 0; i3 < os[3]!; i3++) {
          const idx = [0, 0, 0, 0];
          idx[perm[0]!] = i0;
          idx[perm[1]!] = i1;
          idx[perm[2]!] = i2;
          idx[perm[3]!] = i3;
          out[o++] = src[idx[0]! * strides[0]! + idx[1]! * strides[1]! + idx[2]! * strides[2]! + idx[3]!]!;
        }
  return out;
}

function sumSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/** Forward-only and forward+backward times (ms) of one subject. */
interface Times {
  fwd: number | undefined;
  fwdBwd: number | undefined;
}

/** `checksums[name]`: sum of squares of the last `dw` subject `name` produced. */
type Checksums = Record<string, number>;

async function ours(c: Case, d: ConvData, checksums: Checksums): Promise<{ eager: Times; jitted: number | undefined }> {
  const [Ho, Wo] = outHW(c);
  const x = np.array(d.x, { shape: [c.N, c.H, c.W, c.C] });
  const w = np.array(d.w, { shape: kernelShape(c) });
  const ct = np.array(d.ct, { shape: [c.N, Ho, Wo, c.O] });
  const conv = (a: Array, b: Array): Array =>
    lax.convGeneralDilated(a, b, [c.stride, c.stride], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: c.groups });
  const fwdBwd = (a: Array, b: Array, g: Array): [Array, Array, Array] => {
    const [y, back] = vjp(conv, a, b);
    const [dx, dw] = back(g);
    return [y, dx, dw];
  };
  const timeFwdBwd = async (name: string, f: typeof fwdBwd): Promise<number> => {
    let last: Float32Array | undefined;
    const ms = await medianMs(() => {
      const [y, dx, dw] = f(x, w, ct);
      y.dataSync();
      dx.dataSync();
      last = dw.dataSync() as Float32Array;
    }, TIMING);
    checksums[name] = sumSquares(last!);
    return ms;
  };
  const fwd = await tryPeer("tessera forward", () => medianMs(() => conv(x, w).dataSync(), TIMING));
  const eager = await tryPeer("tessera eager", () => timeFwdBwd("tessera eager", fwdBwd));
  const jitted = await tryPeer("tessera jit", () => timeFwdBwd("tessera jit", jit(fwdBwd)));
  return { eager: { fwd, fwdBwd: eager }, jitted };
}

async function tfjs(c: Case, d: ConvData, backend: "cpu" | "wasm", checksums: Checksums): Promise<Times> {
  const tf = await setTfBackend(backend);
  const [Ho, Wo] = outHW(c);
  const depthwise = c.groups > 1;
  const x = tf.tensor4d(d.x, [c.N, c.H, c.W, c.C]);
  // tf.depthwiseConv2d's kernel is [K, K, C, multiplier]: the same numbers as our HWIO [K, K, 1, C].
  const w = tf.tensor4d(d.w, depthwise ? [c.K, c.K, c.C, c.O / c.C] : kernelShape(c));
  const ct = tf.tensor4d(d.ct, [c.N, Ho, Wo, c.O]);
  const s = c.stride;
  // dense wasm: conv3d with depth 1 (see the file comment); depthwise wasm: no gradient at all.
  const conv3d = !depthwise && backend === "wasm";
  const args = conv3d ? [x.reshape([c.N, 1, c.H, c.W, c.C]), w.reshape([1, c.K, c.K, c.C, c.O]), ct.reshape([c.N, 1, Ho, Wo, c.O])] : [x, w, ct];
  const vg = depthwise
    ? tf.valueAndGrads((a, b) => tf.depthwiseConv2d(a as any, b as any, s, "same"))
    : conv3d
      ? tf.valueAndGrads((a, b) => tf.conv3d(a as any, b as any, s, "same"))
      : tf.valueAndGrads((a, b) => tf.conv2d(a as any, b as any, s, "same"));
  try {
    const fwd = await medianMs(() => {
      const y = depthwise ? tf.depthwiseConv2d(x, w, s, "same") : tf.conv2d(x, w, s, "same");
      y.dataSync();
      y.dispose();
    }, TIMING);
    if (depthwise && backend === "wasm") return { fwd, fwdBwd: undefined };
    let last: Float32Array | undefined;
    const fwdBwd = await medianMs(() => {
      const { value, grads } = vg([args[0]!, args[1]!], args[2]!);
      value.dataSync();
      grads[0]!.dataSync();
      last = grads[1]!.dataSync() as Float32Array;
      tf.dispose([value, ...grads]);
    }, backend === "wasm" ? TIMING : depthwise ? TF_CPU_DEPTHWISE_FWD_BWD : TF_CPU_FWD_BWD);
    checksums[`tfjs-${backend}`] = sumSquares(last!);
    return { fwd, fwdBwd };
  } finally {
    tf.dispose([x, w, ct, ...args]);
  }
}

async function jaxJs(c: Case, d: ConvData, checksums: Checksums): Promise<Times> {
  const jax = await loadJax();
  const jnp = jax.numpy;
  const [Ho, Wo] = outHW(c);
  const ks = kernelShape(c);
  const x = jnp.array(transpose4(d.x, [c.N, c.H, c.W, c.C], [0, 3, 1, 2]), { shape: [c.N, c.C, c.H, c.W] });
  const w = jnp.array(transpose4(d.w, ks, [3, 2, 0, 1]), { shape: [ks[3], ks[2], ks[0], ks[1]] });
  const ct = jnp.array(transpose4(d.ct, [c.N, Ho, Wo, c.O], [0, 3, 1, 2]), { shape: [c.N, c.O, Ho, Wo] });
  const conv = (a: any, b: any) => jax.lax.convGeneralDilated(a, b, [c.stride, c.stride], "SAME", { featureGroupCount: c.groups });
  const step = jax.jit((a: any, b: any, g: any) => {
    const [y, back] = jax.vjp(conv, [a, b]) as any;
    const [dx, dw] = back(g);
    back.dispose();
    return [y, dx, dw];
  });
  try {
    const fwd = await medianMs(async () => {
      await conv(x.ref, w.ref).data();
    }, TIMING);
    let last: Float32Array | undefined;
    const fwdBwd = await medianMs(async () => {
      const [y, dx, dw] = step(x.ref, w.ref, ct.ref) as any;
      await y.data();
      await dx.data();
      last = (await dw.data()) as Float32Array;
    }, TIMING);
    checksums["jax-js"] = sumSquares(last!);
    return { fwd, fwdBwd };
  } finally {
    x.dispose();
    w.dispose();
    ct.dispose();
    step.dispose();
  }
}

/** Every subject on case `c`: ours, TF.js cpu and wasm, jax-js. */
async function measure(c: Case) {
  const d = makeData(c);
  const checksums: Checksums = {};
  const { eager, jitted } = await ours(c, d, checksums);
  const tfCpu = await tryPeer("tfjs-cpu", () => tfjs(c, d, "cpu", checksums));
  const tfWasm = await tryPeer("tfjs-wasm", () => tfjs(c, d, "wasm", checksums));
  const jx = await tryPeer("jax-js", () => jaxJs(c, d, checksums));
  const peers = (k: keyof Times) => ({ "tfjs-wasm": tfWasm?.[k], "tfjs-cpu": tfCpu?.[k], "jax-js": jx?.[k] });
  const flops = convFlops(c);
  const gflops = (ms: number | undefined, f = 3 * flops) => (ms === undefined ? "—" : (f / (ms * 1e6)).toFixed(1));
  const bestTf = (k: keyof Times) => {
    const w = tfWasm?.[k];
    const cpu = tfCpu?.[k];
    return w === undefined && cpu === undefined ? "—" : cpu === undefined || (w !== undefined && w <= cpu) ? "wasm" : "cpu";
  };
  const ref = checksums["tfjs-wasm"] ?? checksums["tfjs-cpu"] ?? checksums["tessera eager"];
  const agree = ref === undefined ? "—" : Object.entries(checksums)
    .map(([k, v]) => `${k} ${Math.abs(v - ref) / Math.abs(ref) < 1e-3 ? "ok" : `DIFFERS (${(v / ref).toFixed(4)}x)`}`)
    .join(", ");
  return { eager, jitted, tfCpu, tfWasm, jx, peers, flops, gflops, bestTf, agree };
}

async function dense(): Promise<Row[]> {
  const { eager, jitted, tfCpu, tfWasm, jx, peers, flops, gflops, bestTf, agree } = await measure(DENSE);
  const shape = "conv2d f32 x[32,28,28,32] w[3,3,32,32] SAME";
  return [
    {
      name: `${shape} fwd+bwd: jit`,
      unit: "ms",
      tessera: jitted,
      peers: peers("fwdBwd"),
      note:
        `y, dx, dw for a fixed random cotangent, all read back to JS; ${((3 * flops) / 1e9).toFixed(2)} GFLOP per call. ` +
        `Effective GFLOP/s: tessera jit ${gflops(jitted)}, eager ${gflops(eager.fwdBwd)}, tfjs-wasm ${gflops(tfWasm?.fwdBwd)}, ` +
        `tfjs-cpu ${gflops(tfCpu?.fwdBwd)}, jax-js ${gflops(jx?.fwdBwd)}. TF.js best backend: ${bestTf("fwdBwd")}. ` +
        `tfjs-wasm runs it as conv3d with depth 1 (its wasm backend has no Conv2DBackpropFilter kernel); jax-js runs NCHW/OIHW (its only layout). ` +
        `${(tfCpu?.fwdBwd ?? 0) > 20000 ? "tfjs-cpu's fwd+bwd is its first and only call (over 20 s). " : ""}dw checksum vs TF.js: ${agree}`,
    },
    { name: `${shape} fwd+bwd: eager vjp`, unit: "ms", tessera: eager.fwdBwd, peers: peers("fwdBwd") },
    {
      name: `${shape} forward only: eager`,
      unit: "ms",
      tessera: eager.fwd,
      peers: peers("fwd"),
      note:
        `y read back to JS; tfjs-wasm is tf.conv2d (XNNPACK). Effective GFLOP/s: tessera ${gflops(eager.fwd, flops)}, ` +
        `tfjs-wasm ${gflops(tfWasm?.fwd, flops)}, tfjs-cpu ${gflops(tfCpu?.fwd, flops)}, jax-js ${gflops(jx?.fwd, flops)}`,
    },
  ];
}

/** The depthwise rows of one stride (exported so a script can run them alone). */
export async function depthwise(c: Case): Promise<Row[]> {
  const { eager, jitted, tfCpu, tfWasm, jx, peers, flops, gflops, agree } = await measure(c);
  const shape = `depthwise f32 x[32,56,56,64] w[3,3,1,64] SAME stride ${c.stride}`;
  return [
    {
      name: `${shape} forward only: eager`,
      unit: "ms",
      tessera: eager.fwd,
      peers: peers("fwd"),
      note:
        `y read back to JS; TF.js runs tf.depthwiseConv2d (tfjs-wasm: XNNPACK), jax-js NCHW/OIHW with featureGroupCount 64. ` +
        `Effective GFLOP/s: tessera ${gflops(eager.fwd, flops)}, tfjs-wasm ${gflops(tfWasm?.fwd, flops)}, tfjs-cpu ${gflops(tfCpu?.fwd, flops)}, jax-js ${gflops(jx?.fwd, flops)}`,
    },
    {
      name: `${shape} fwd+bwd: jit`,
      unit: "ms",
      tessera: jitted,
      peers: peers("fwdBwd"),
      note:
        `y, dx, dw read back to JS. tfjs-wasm has no figure: its wasm backend has no depthwise gradient kernels (DepthwiseConv2dNativeBackpropInput/Filter). ` +
        `Effective GFLOP/s: tessera jit ${gflops(jitted)}, eager ${gflops(eager.fwdBwd)}, tfjs-cpu ${gflops(tfCpu?.fwdBwd)}, jax-js ${gflops(jx?.fwdBwd)}. ` +
        `${(tfCpu?.fwdBwd ?? 0) > 5000 ? "tfjs-cpu's fwd+bwd is its first and only call (over 5 s). " : ""}dw checksum vs TF.js: ${agree}`,
    },
  ];
}

export async function run(): Promise<Row[]> {
  const rows = await dense();
  for (const c of DEPTHWISE) rows.push(...(await depthwise(c)));
  return rows;
}

/**
 * @file conv2d forward + backward: a 32x28x28x32 float32 batch convolved with 3x3x32x32 kernels,
 * stride 1, SAME padding. Every subject computes the output `y = conv(x, w)` and the VJP of a
 * fixed random cotangent `ct` with respect to both the input and the kernel (`[y, dx, dw]`), and
 * delivers all three to JS memory. Subjects: ours eagerly (`vjp`) and under `jit`; TensorFlow.js
 * (`tf.valueAndGrads` with `dy = ct`) on its cpu and wasm backends; jax-js (`jit` of `vjp` of
 * `lax.convGeneralDilated`, wasm device). A forward-only row (`y` alone) sits beside it.
 *
 * Two peer quirks shape the setup:
 * - TF.js 4.22's wasm backend has no `Conv2DBackpropFilter` kernel, so `tf.conv2d`'s gradient
 *   fails there. Its best wasm route is the same convolution written as `tf.conv3d` with a depth
 *   of 1 (input `[N, 1, H, W, C]`, kernel `[1, 3, 3, C, O]`), whose forward and both gradients all
 *   have wasm kernels; that is what the fwd+bwd tfjs-wasm figure measures. Its forward-only figure
 *   is plain `tf.conv2d` (XNNPACK).
 * - jax-js's convolution takes only the NCHW / OIHW layout, so it gets the same data transposed.
 *
 * A layout-independent checksum (sum of squares of `dw`) is compared across subjects, so a subject
 * computing different math would show in the notes. Every subject gets one untimed call first (jit
 * compilation, Wasm tier-up), except that a call over 20 s is reported alone (TF.js cpu's gradient).
 */
import { jit, lax, np, vjp, type Array } from "../../src/index.js";
import { loadJax, setTfBackend, tryPeer } from "../peers.js";
import { medianMs, type Row, type TimingOptions } from "../timing.js";

const N = 32;
const H = 28;
const W = 28;
const C = 32;
const O = 32;
const K = 3;
/** FLOPs per call (2 per multiply-add): the forward convolution and the two gradients cost one convolution each. */
const FLOPS = 3 * 2 * N * H * W * O * K * K * C;

/** Timing for subjects that take from tens of ms to seconds per call: one untimed call, then at least one timed call and up to 3 s of them. */
const TIMING: TimingOptions = { warmup: 1, minRuns: 1, maxRuns: 20, budgetMs: 3000, slowRunMs: Infinity };
/** TF.js cpu's conv2d gradient takes 25-40 s per call and compiles nothing, so its first call is its figure. */
const TF_CPU_FWD_BWD: TimingOptions = { ...TIMING, slowRunMs: 20000 };

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

function makeData(): ConvData {
  return { x: seeded(N * H * W * C, 1), w: seeded(K * K * C * O, 2, 0.1), ct: seeded(N * H * W * O, 3) };
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

/** The last `dw` each subject produced, for the cross-subject checksum. */
const checksums: Record<string, number> = {};

/** Forward-only and forward+backward times (ms) of one subject. */
interface Times {
  fwd: number | undefined;
  fwdBwd: number | undefined;
}

async function ours(d: ConvData): Promise<{ eager: Times; jitted: number | undefined }> {
  const x = np.array(d.x, { shape: [N, H, W, C] });
  const w = np.array(d.w, { shape: [K, K, C, O] });
  const ct = np.array(d.ct, { shape: [N, H, W, O] });
  const conv = (a: Array, b: Array): Array => lax.convGeneralDilated(a, b, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
  const fwdBwd = (a: Array, b: Array, c: Array): [Array, Array, Array] => {
    const [y, back] = vjp(conv, a, b);
    const [dx, dw] = back(c);
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

async function tfjs(d: ConvData, backend: "cpu" | "wasm"): Promise<Times> {
  const tf = await setTfBackend(backend);
  const x = tf.tensor4d(d.x, [N, H, W, C]);
  const w = tf.tensor4d(d.w, [K, K, C, O]);
  const ct = tf.tensor4d(d.ct, [N, H, W, O]);
  // wasm: conv3d with depth 1 (see the file comment); cpu: conv2d, which has every kernel there.
  const args = backend === "wasm" ? [x.reshape([N, 1, H, W, C]), w.reshape([1, K, K, C, O]), ct.reshape([N, 1, H, W, O])] : [x, w, ct];
  const vg = backend === "wasm" ? tf.valueAndGrads((a, b) => tf.conv3d(a as any, b as any, 1, "same")) : tf.valueAndGrads((a, b) => tf.conv2d(a as any, b as any, 1, "same"));
  try {
    const fwd = await medianMs(() => {
      const y = tf.conv2d(x, w, 1, "same");
      y.dataSync();
      y.dispose();
    }, TIMING);
    let last: Float32Array | undefined;
    const fwdBwd = await medianMs(() => {
      const { value, grads } = vg([args[0]!, args[1]!], args[2]!);
      value.dataSync();
      grads[0]!.dataSync();
      last = grads[1]!.dataSync() as Float32Array;
      tf.dispose([value, ...grads]);
    }, backend === "cpu" ? TF_CPU_FWD_BWD : TIMING);
    checksums[`tfjs-${backend}`] = sumSquares(last!);
    return { fwd, fwdBwd };
  } finally {
    tf.dispose([x, w, ct, ...args]);
  }
}

async function jaxJs(d: ConvData): Promise<Times> {
  const jax = await loadJax();
  const jnp = jax.numpy;
  const x = jnp.array(transpose4(d.x, [N, H, W, C], [0, 3, 1, 2]), { shape: [N, C, H, W] });
  const w = jnp.array(transpose4(d.w, [K, K, C, O], [3, 2, 0, 1]), { shape: [O, C, K, K] });
  const ct = jnp.array(transpose4(d.ct, [N, H, W, O], [0, 3, 1, 2]), { shape: [N, O, H, W] });
  const conv = (a: any, b: any) => jax.lax.convGeneralDilated(a, b, [1, 1], "SAME");
  const step = jax.jit((a: any, b: any, c: any) => {
    const [y, back] = jax.vjp(conv, [a, b]) as any;
    const [dx, dw] = back(c);
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

export async function run(): Promise<Row[]> {
  const d = makeData();
  const { eager, jitted } = await ours(d);
  const tfCpu = await tryPeer("tfjs-cpu", () => tfjs(d, "cpu"));
  const tfWasm = await tryPeer("tfjs-wasm", () => tfjs(d, "wasm"));
  const jx = await tryPeer("jax-js", () => jaxJs(d));
  const peers = (k: keyof Times) => ({ "tfjs-wasm": tfWasm?.[k], "tfjs-cpu": tfCpu?.[k], "jax-js": jx?.[k] });

  const gflops = (ms: number | undefined, flops = FLOPS) => (ms === undefined ? "—" : (flops / (ms * 1e6)).toFixed(1));
  const bestTf = (k: keyof Times) => {
    const w = tfWasm?.[k];
    const c = tfCpu?.[k];
    return w === undefined && c === undefined ? "—" : c === undefined || (w !== undefined && w <= c) ? "wasm" : "cpu";
  };
  const ref = checksums["tfjs-wasm"] ?? checksums["tfjs-cpu"] ?? checksums["tessera eager"];
  const agree = ref === undefined ? "—" : Object.entries(checksums)
    .map(([k, v]) => `${k} ${Math.abs(v - ref) / Math.abs(ref) < 1e-3 ? "ok" : `DIFFERS (${(v / ref).toFixed(4)}x)`}`)
    .join(", ");
  const shape = "conv2d f32 x[32,28,28,32] w[3,3,32,32] SAME";
  return [
    {
      name: `${shape} fwd+bwd: jit`,
      unit: "ms",
      tessera: jitted,
      peers: peers("fwdBwd"),
      note:
        `y, dx, dw for a fixed random cotangent, all read back to JS; ${(FLOPS / 1e9).toFixed(2)} GFLOP per call. ` +
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
        `y read back to JS; tfjs-wasm is tf.conv2d (XNNPACK). Effective GFLOP/s: tessera ${gflops(eager.fwd, FLOPS / 3)}, ` +
        `tfjs-wasm ${gflops(tfWasm?.fwd, FLOPS / 3)}, tfjs-cpu ${gflops(tfCpu?.fwd, FLOPS / 3)}, jax-js ${gflops(jx?.fwd, FLOPS / 3)}`,
    },
  ];
}

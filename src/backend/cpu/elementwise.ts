/**
 * @file Elementwise kernels generated at run time. A primitive gives its scalar formula as a JS
 * expression over `a`, `b`, `c` (e.g. `a + b`); we compile one monomorphic loop per formula and
 * broadcast pattern with `new Function`, so V8 sees a tight typed-array loop instead of a
 * megamorphic callback per element.
 */
import type { TypedArray } from "../../core/dtype.js";
import type { Shape } from "../../core/shape.js";
import { mathHelpers } from "./mathHelpers.js";

type Kernel = (ins: TypedArray[], out: TypedArray, outShape: Shape, strides: number[][]) => void;

const cache = new Map<string, Kernel>();
const NAMES = ["a", "b", "c", "d"];

/** Broadcast strides of an input shape against the output shape (0 where broadcast). */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const nd = outShape.length;
  const st = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    const o = nd - shape.length + i;
    st[o] = d === 1 && outShape[o] !== 1 ? 0 : acc;
    acc *= d;
  }
  return st;
}

// Input kinds: f = full (same size as out, contiguous), s = one element, g = general broadcast.
function compile(expr: string, kinds: string, general: boolean): Kernel {
  const k = kinds.length;
  const lines: string[] = [];
  for (let i = 0; i < k; i++) lines.push(`const A${i} = ins[${i}];`);
  for (let i = 0; i < k; i++) if (kinds[i] === "s") lines.push(`const ${NAMES[i]} = A${i}[0];`);
  if (!general) {
    lines.push("const n = out.length;");
    lines.push("for (let i = 0; i < n; i++) {");
    for (let i = 0; i < k; i++) if (kinds[i] === "f") lines.push(`const ${NAMES[i]} = A${i}[i];`);
    lines.push(`out[i] = ${expr};`, "}");
  } else {
    lines.push("const nd = outShape.length; const last = outShape[nd - 1]; const n = out.length;");
    lines.push("if (n === 0) return; const outer = n / last; const idx = new Int32Array(nd);");
    const gs = [...kinds].map((c, i) => (c === "g" ? i : -1)).filter((i) => i >= 0);
    for (const i of gs) lines.push(`const S${i} = strides[${i}]; const s${i} = S${i}[nd - 1]; let o${i} = 0;`);
    lines.push("let p = 0;", "for (let q = 0; q < outer; q++) {");
    for (const i of gs) lines.push(`let j${i} = o${i};`);
    lines.push("for (let j = 0; j < last; j++) {");
    for (const i of gs) lines.push(`const ${NAMES[i]} = A${i}[j${i}]; j${i} += s${i};`);
    for (let i = 0; i < k; i++) if (kinds[i] === "f") lines.push(`const ${NAMES[i]} = A${i}[p];`);
    lines.push(`out[p++] = ${expr};`, "}");
    lines.push("for (let d = nd - 2; d >= 0; d--) {", "idx[d]++;");
    for (const i of gs) lines.push(`o${i} += S${i}[d];`);
    lines.push("if (idx[d] < outShape[d]) break;");
    for (const i of gs) lines.push(`o${i} -= S${i}[d] * outShape[d];`);
    lines.push("idx[d] = 0;", "}", "}");
  }
  const body = lines.join("\n");
  return new Function("M", `return function kernel(ins, out, outShape, strides) {\n${body}\n};`)(mathHelpers) as Kernel;
}

/**
 * Compute `out[i] = expr(a[i], b[i], ...)` with NumPy broadcasting of the inputs to `outShape`.
 * `out` must be a fresh TypedArray of the output size.
 */
export function mapElementwise(expr: string, ins: TypedArray[], shapes: Shape[], outShape: Shape, out: TypedArray): void {
  const n = out.length;
  let kinds = "";
  let general = false;
  for (let i = 0; i < ins.length; i++) {
    const len = ins[i]!.length;
    if (len === n) kinds += "f";
    else if (len === 1) kinds += "s";
    else {
      kinds += "g";
      general = true;
    }
  }
  // A full-size input inside a general loop is indexed by the running output position `p`.
  const key = `${expr}|${kinds}|${general ? "g" : "f"}|${ins.map((x) => x.constructor.name).join(",")}|${out.constructor.name}`;
  let kernel = cache.get(key);
  if (kernel === undefined) {
    kernel = compile(expr, kinds, general);
    cache.set(key, kernel);
  }
  const strides = general ? shapes.map((s) => broadcastStrides(s, outShape)) : [];
  kernel(ins, out, outShape, strides);
}

/**
 * @file NumPy-style printing: `toString(x)` gives `array([[1., 2.],\n       [3., 4.]], dtype=float32)`.
 *
 * The layout follows NumPy's `arrayprint` (the `repr` of an ndarray): floats print their
 * shortest round-tripping digits (at most `precision` after the point) with decimal points
 * aligned, switching to scientific notation when the magnitudes span too much; rows wrap at
 * `linewidth`; arrays larger than `threshold` elements show `edgeitems` at each edge with `...`.
 * Unlike NumPy (and like JAX) the dtype is always printed. Tracers print their abstract value
 * (`Traced<f32[3]>`), since their data is not known while tracing.
 */
import type { Array } from "../core/array.js";
import { ConcreteArray } from "../core/concrete.js";
import { shortName, type DType, type TypedArray } from "../core/dtype.js";
import { stridesOf } from "../core/shape.js";

/** Options of {@link toString} (NumPy's print options, with NumPy's defaults). */
export interface PrintOptions {
  /** Maximum digits after the decimal point for floats (8). */
  precision?: number;
  /** Arrays with more elements than this are summarized with `...` (1000). */
  threshold?: number;
  /** Elements shown at each edge of a summarized axis (3). */
  edgeitems?: number;
  /** Characters per line before wrapping (75). */
  linewidth?: number;
}

type Formatter = (v: number) => string;

// ---------------------------------------------------------------------------------------------
// floats

/** The shortest decimal that reads back as `v` in `dtype` (JS gives it for float64; float32 needs a search). */
function shortest(v: number, dtype: DType): number {
  if (dtype !== "float32") return v;
  for (let p = 1; p < 10; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

/** Split a non-negative finite number's shortest decimal form into digits and a decimal exponent. */
function digitsOf(v: number): { digits: string; exp: number } {
  const [mant, e] = v.toExponential().split("e") as [string, string];
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

/** Positional text of |v| with at most `precision` fractional digits, trailing zeros trimmed ("1." for 1). */
function positional(v: number, precision: number): [string, string] {
  let s = String(v);
  if (s.includes("e") || (s.split(".")[1]?.length ?? 0) > precision) s = v.toFixed(precision).replace(/0+$/, "");
  const [i, f = ""] = s.split(".") as [string, string?];
  return [i, f.replace(/0+$/, "")];
}

/** Scientific text of |v|: mantissa digits after the point (untrimmed) and exponent. */
function scientific(v: number, precision: number): { int: string; frac: string; exp: number } {
  if (v === 0) return { int: "0", frac: "", exp: 0 };
  let { digits, exp } = digitsOf(v);
  if (digits.length - 1 > precision) {
    const [m, e] = v.toExponential(precision).split("e") as [string, string];
    digits = m.replace(".", "").replace(/0+$/, "") || "0";
    exp = Number(e);
  }
  digits = digits.replace(/0+$/, "") || "0";
  return { int: digits[0]!, frac: digits.slice(1), exp };
}

function floatFormatter(values: ArrayLike<number>, dtype: DType, precision: number): Formatter {
  const finite: number[] = [];
  let hasNegInf = false;
  let hasNonFinite = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
    else {
      hasNonFinite = true;
      if (v === -Infinity) hasNegInf = true;
    }
  }
  const sign = (v: number) => (v < 0 || Object.is(v, -0) ? "-" : "");
  const absNonZero = finite.filter((v) => v !== 0).map((v) => Math.abs(v));
  let expFormat = false;
  if (absNonZero.length > 0) {
    const mx = Math.max(...absNonZero);
    const mn = Math.min(...absNonZero);
    expFormat = mx >= 1e8 || mn < 1e-4 || mx / mn > 1e3;
  }
  let padLeft = 0;
  let padRight = 0;
  let fmt: Formatter;
  if (finite.length > 0 && expFormat) {
    const parts = finite.map((v) => ({ s: sign(v), ...scientific(shortest(Math.abs(v), dtype), precision) }));
    const fracDigits = Math.max(...parts.map((p) => p.frac.length));
    const expDigits = Math.max(2, ...parts.map((p) => String(Math.abs(p.exp)).length));
    padLeft = Math.max(...parts.map((p) => p.s.length + 1));
    padRight = expDigits + 2 + fracDigits;
    fmt = (v) => {
      const p = scientific(shortest(Math.abs(v), dtype), precision);
      let frac = p.frac;
      let { int, exp } = p;
      if (frac.length > fracDigits) {
        const [m, e] = Math.abs(v).toExponential(fracDigits).split("e") as [string, string];
        [int, frac = ""] = m.split(".") as [string, string?];
        exp = Number(e);
      }
      const text = `${sign(v)}${int}.${frac.padEnd(fracDigits, "0")}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(expDigits, "0")}`;
      return text.padStart(padLeft + padRight + 1);
    };
  } else if (finite.length > 0) {
    const parts = finite.map((v) => {
      const [i, f] = positional(shortest(Math.abs(v), dtype), precision);
      return [sign(v) + i, f] as const;
    });
    padLeft = Math.max(...parts.map((p) => p[0].length));
    padRight = Math.max(...parts.map((p) => p[1].length));
    fmt = (v) => {
      const [i, f] = positional(shortest(Math.abs(v), dtype), precision);
      return `${(sign(v) + i).padStart(padLeft)}.${f.padEnd(padRight)}`;
    };
  } else fmt = () => "";
  if (hasNonFinite) {
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + (hasNegInf ? 1 : 0) - offset);
  }
  const width = padLeft + padRight + 1;
  return (v) => {
    if (v !== v) return "nan".padStart(width);
    if (v === Infinity) return "inf".padStart(width);
    if (v === -Infinity) return "-inf".padStart(width);
    return fmt(v);
  };
}

// ---------------------------------------------------------------------------------------------
// layout

function formatterFor(values: ArrayLike<number>, dtype: DType, precision: number, is0d: boolean): Formatter {
  if (dtype === "bool") {
    // NumPy pads True to the width of False inside arrays: "[ True, False]".
    return is0d ? (v) => (v ? "True" : "False") : (v) => (v ? " True" : "False");
  }
  if (dtype === "int32" || dtype === "uint32") {
    let w = 0;
    for (let i = 0; i < values.length; i++) w = Math.max(w, String(values[i]).length);
    return (v) => String(v).padStart(w);
  }
  return floatFormatter(values, dtype, precision);
}

/** The elements that will be shown (all, or the edges of each axis when summarizing). */
function shownValues(data: TypedArray, shape: readonly number[], summarize: boolean, edge: number): ArrayLike<number> {
  if (!summarize) return data;
  const out: number[] = [];
  const strides = stridesOf(shape);
  const walk = (axis: number, off: number): void => {
    if (axis === shape.length) {
      out.push(data[off]!);
      return;
    }
    const n = shape[axis]!;
    for (let i = 0; i < n; i++) {
      if (2 * edge < n && i === edge) i = n - edge;
      walk(axis + 1, off + i * strides[axis]!);
    }
  };
  walk(0, 0);
  return out;
}

/** NumPy's `_formatArray`: nested brackets, wrapped rows, `...` for summarized axes. */
function formatNested(data: TypedArray, shape: readonly number[], fmt: Formatter, linePrefix: string, sep: string, linewidth: number, summarize: boolean, edge: number): string {
  const strides = stridesOf(shape);
  const sepTrim = sep.trimEnd();
  const extend = (s: string, line: string, word: string, width: number, indent: string): [string, string] => {
    // Wrap before a word that would pass the width, unless the line holds only the indent.
    if (line.length + word.length > width && line.length > indent.length) {
      s += line.trimEnd() + "\n";
      line = indent;
    }
    return [s, line + word];
  };
  const rec = (axis: number, off: number, indent: string, width: number): string => {
    if (axis === shape.length) return fmt(data[off]!);
    const n = shape[axis]!;
    const nextIndent = indent + " ";
    const nextWidth = width - 1;
    const summary = summarize && 2 * edge < n;
    const lead = summary ? edge : 0;
    const trail = summary ? edge : n;
    const item = (i: number) => rec(axis + 1, off + i * strides[axis]!, nextIndent, nextWidth);
    let s = "";
    const left = shape.length - axis;
    if (left === 1) {
      const elemWidth = width - Math.max(sepTrim.length, 1);
      let line = indent;
      for (let i = 0; i < lead; i++) {
        [s, line] = extend(s, line, item(i), elemWidth, indent);
        line += sep;
      }
      if (summary) {
        [s, line] = extend(s, line, "...", elemWidth, indent);
        line += sep;
      }
      for (let i = trail; i > 1; i--) {
        [s, line] = extend(s, line, item(n - i), elemWidth, indent);
        line += sep;
      }
      if (n > 0) [s, line] = extend(s, line, item(n - 1), elemWidth, indent);
      s += line;
    } else {
      const lineSep = sepTrim + "\n".repeat(left - 1);
      for (let i = 0; i < lead; i++) s += indent + item(i) + lineSep;
      if (summary) s += indent + "..." + lineSep;
      for (let i = trail; i > 1; i--) s += indent + item(n - i) + lineSep;
      if (n > 0) s += indent + item(n - 1);
    }
    return "[" + s.slice(indent.length) + "]";
  };
  return rec(0, 0, linePrefix, linewidth);
}

function body(x: ConcreteArray, prefix: string, sep: string, suffixLen: number, opts: PrintOptions): string {
  const precision = opts.precision ?? 8;
  const threshold = opts.threshold ?? 1000;
  const edge = opts.edgeitems ?? 3;
  const linewidth = (opts.linewidth ?? 75) - suffixLen;
  const data = ConcreteArray.dataOf(x);
  if (x.ndim === 0) return formatterFor(data, x.dtype, precision, true)(data[0]!);
  if (x.size === 0) return "[]";
  const summarize = x.size > threshold;
  const fmt = formatterFor(shownValues(data, x.shape, summarize, edge), x.dtype, precision, false);
  return formatNested(data, x.shape, fmt, " " + " ".repeat(prefix.length), sep, linewidth, summarize, edge);
}

/** `Traced<f32[3]>`: what printing shows for a value whose data is not known (a tracer). */
function tracedText(x: Array): string {
  return `Traced<${shortName[x.dtype]}[${x.shape.join(",")}]${x.weakType ? "{weak}" : ""}>`;
}

/**
 * NumPy-like text of an array (what `x.toString()` returns): `array([1., 2.], dtype=float32)`.
 * Weakly typed values (from JS numbers) add `weak_type=True`, as JAX prints them.
 * @param x - the array; a tracer prints its abstract value, e.g. `Traced<f32[3]>`.
 * @param opts - precision, threshold, edgeitems and linewidth (NumPy's print options).
 * @example
 * ```ts
 * np.array([[1, 2], [3, 4]]).toString();
 * // array([[1., 2.],
 * //        [3., 4.]], dtype=float32)
 * ```
 */
export function toString(x: Array, opts: PrintOptions = {}): string {
  if (!(x instanceof ConcreteArray)) return tracedText(x);
  const prefix = "array(";
  const lst = body(x, prefix, ", ", 1, opts);
  const extras: string[] = [];
  // As NumPy 2: the shape is also shown when the text cannot say it (an empty array that is not
  // [0], or a summarized one).
  if ((x.size === 0 && x.ndim !== 1) || x.size > (opts.threshold ?? 1000)) extras.push(`shape=(${x.shape.join(", ")}${x.ndim === 1 ? "," : ""})`);
  extras.push(`dtype=${x.dtype}`);
  if (x.weakType) extras.push("weak_type=True");
  const arrStr = prefix + lst + ",";
  const extraStr = extras.join(", ") + ")";
  const lastLine = arrStr.length - (arrStr.lastIndexOf("\n") + 1);
  const spacer = lastLine + extraStr.length + 1 > (opts.linewidth ?? 75) ? "\n" + " ".repeat(prefix.length) : " ";
  return arrStr + spacer + extraStr;
}

/** The same as {@link toString} (NumPy's `array_repr`). */
export function arrayRepr(x: Array, opts: PrintOptions = {}): string {
  return toString(x, opts);
}

/**
 * NumPy's `str(x)`: the elements only, space separated, without `array(...)` or the dtype.
 * @example
 * ```ts
 * np.arrayStr(np.array([1, 2.5])); // "[1.  2.5]"
 * ```
 */
export function arrayStr(x: Array, opts: PrintOptions = {}): string {
  if (!(x instanceof ConcreteArray)) return tracedText(x);
  return body(x, "", " ", 0, opts);
}

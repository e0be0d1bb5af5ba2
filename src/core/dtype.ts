/**
 * @file Dtypes, their storage, and JAX's type-promotion lattice with weak types.
 *
 * A JS number entering an operation is *weakly typed*: it takes the dtype of the array it meets
 * (`float32 * 2` stays float32), as JAX does for Python scalars.
 */

/** The element types an {@link Array} can hold. */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool";

/** All dtypes, in a fixed order. */
export const DTYPES: readonly DType[] = ["bool", "int32", "uint32", "float32", "float64"];

/** The TypedArray that stores each dtype (bool is stored as 0/1 bytes). */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : D extends "uint32"
        ? Uint32Array
        : Uint8Array;

/** Any storage an array may use. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Constructor of the storage for a dtype. */
export const storageOf: Record<DType, { new (n: number | ArrayBufferLike): TypedArray; BYTES_PER_ELEMENT: number }> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  bool: Uint8Array,
};

/** Allocate zeroed storage of `n` elements for `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  return new storageOf[dtype](n);
}

/**
 * Storage of at least this many bytes made by {@link allocateShareable} lives in a
 * `SharedArrayBuffer` (where one exists), so the worker pool can read and write it directly.
 */
export const SHARED_STORAGE_MIN_BYTES = 1 << 22;

const canShare = typeof SharedArrayBuffer === "function";

/**
 * Allocate zeroed storage that worker threads can access when it is large (see
 * {@link SHARED_STORAGE_MIN_BYTES}): used for arrays made from user data and for outputs of
 * compiled programs, so large fused kernels split their copies between cores instead of copying
 * whole arrays on the calling thread first. Eager primitives keep ordinary buffers: measured on
 * the 10M-element eager chain, short-lived shared buffers made it 40% slower (V8 collects them
 * less eagerly, so fresh pages are faulted in more often).
 */
export function allocateShareable(dtype: DType, n: number): TypedArray {
  const ctor = storageOf[dtype];
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  if (!canShare || bytes < SHARED_STORAGE_MIN_BYTES) return new ctor(n);
  const data = new ctor(new SharedArrayBuffer(bytes));
  gcWeight.set(data, new ArrayBuffer(Math.floor(bytes / 4)));
  return data;
}

/**
 * V8 does not count SharedArrayBuffer memory toward the external-memory pressure that triggers
 * garbage collection: measured here, a loop making 40 MB shared buffers reached 15 GB of resident
 * memory (120 MB with ordinary buffers) and ran 3x slower. So each shared buffer carries an
 * ordinary ArrayBuffer, never touched, of a quarter of its size: it costs only address space
 * (fresh zero pages are mapped lazily), makes V8 see the pair, and dies with it (a WeakMap entry
 * lives as long as its key). A loop of jitted 10M-element kernels then peaks at about 0.9 GB
 * (about 2 GB without it, 0.45 GB with ordinary outputs); a weight of the full size holds that to
 * 0.8 GB but collects so often that the kernels run 30% slower.
 */
const gcWeight = new WeakMap<TypedArray, ArrayBuffer>();

/** Whether `a` lives in a `SharedArrayBuffer` (worker threads can access it). */
export function isShared(a: TypedArray): boolean {
  return canShare && a.buffer instanceof SharedArrayBuffer;
}

/** Bytes per element of a dtype. */
export function itemsize(dtype: DType): number {
  return storageOf[dtype].BYTES_PER_ELEMENT;
}

/** True for a valid dtype name. */
export function isDType(x: unknown): x is DType {
  return x === "float32" || x === "float64" || x === "int32" || x === "uint32" || x === "bool";
}

/** True for float32 and float64. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** True for int32 and uint32. */
export function isInteger(dtype: DType): boolean {
  return dtype === "int32" || dtype === "uint32";
}

/** Short names used when printing jaxprs (`f32[3]`). */
export const shortName: Record<DType, string> = {
  float32: "f32",
  float64: "f64",
  int32: "i32",
  uint32: "u32",
  bool: "bool",
};

/** An abstract dtype for promotion: a dtype plus whether it came from a JS number (weak). */
export interface DTypeInfo {
  readonly dtype: DType;
  readonly weakType: boolean;
}

// Rank in the strong lattice bool < {int32, uint32} < float32 < float64.
const rank: Record<DType, number> = { bool: 0, int32: 1, uint32: 1, float32: 2, float64: 3 };

/**
 * Join two strong dtypes on JAX's lattice. int32 ⊔ uint32 is int64 in JAX; without 64-bit
 * integers (JAX's default `jax_enable_x64=False`) that canonicalizes to int32, and so do we.
 */
function joinStrong(a: DType, b: DType): DType {
  if (a === b) return a;
  if (rank[a] !== rank[b]) return rank[a] > rank[b] ? a : b;
  return "int32"; // int32 vs uint32
}

/**
 * JAX type promotion with weak types: a weak operand never widens a strong one of its kind
 * (`float32 * 2.5` stays float32, `int32 + 1` stays int32) but does lift a lower kind
 * (`int32 * 2.5` is float32, `bool + 1` is int32). Returns the result dtype and weakness.
 */
export function promoteTypes(a: DTypeInfo, b: DTypeInfo): DTypeInfo {
  if (a.weakType === b.weakType) return { dtype: joinStrong(a.dtype, b.dtype), weakType: a.weakType };
  const [weak, strong] = a.weakType ? [a, b] : [b, a];
  if (rank[weak.dtype] <= rank[strong.dtype] || (isFloat(strong.dtype) && isFloat(weak.dtype))) {
    return { dtype: strong.dtype, weakType: false };
  }
  // The weak operand is of a higher kind: the result is that weak kind (JAX: i32 ∨ f* = f*), at its default width.
  return { dtype: isFloat(weak.dtype) ? "float32" : "int32", weakType: true };
}

/** Promote any number of operands (left fold of {@link promoteTypes}). */
export function resultType(...infos: DTypeInfo[]): DTypeInfo {
  let acc = infos[0]!;
  for (let i = 1; i < infos.length; i++) acc = promoteTypes(acc, infos[i]!);
  return acc;
}

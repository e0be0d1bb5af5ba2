/**
 * @file Typed access to the global `WebAssembly` object.
 *
 * The project compiles against `lib: ES2022` + Node types, which declare no WebAssembly API, so the
 * few members the kernels use are typed here and the global is looked up at run time (it may be
 * missing, e.g. in a locked-down embedder).
 */

/** A linear memory (`WebAssembly.Memory`). */
export interface WasmMemory {
  /** The current backing buffer (replaced on growth). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grow by `pages` 64 KiB pages; returns the previous size in pages. */
  grow(pages: number): number;
}

/** A compiled module (`WebAssembly.Module`); opaque, but can be posted to workers. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** An instantiated module (`WebAssembly.Instance`). */
export interface WasmInstance {
  /** The module's exports. */
  readonly exports: Record<string, unknown>;
}

/** The subset of the `WebAssembly` namespace the backend uses. */
export interface WasmApi {
  /** `new WebAssembly.Memory(descriptor)`. */
  readonly Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  /** `new WebAssembly.Module(bytes)` (synchronous compilation). */
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  /** `new WebAssembly.Instance(module, imports)`. */
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  /** `WebAssembly.validate(bytes)`. */
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object, or undefined when the platform has none. */
export function wasmApi(): WasmApi | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return api !== undefined && typeof api.validate === "function" ? api : undefined;
}

/** The global `WebAssembly` object; throws a clear error when the platform has none. */
export function requireWasmApi(): WasmApi {
  const api = wasmApi();
  if (api === undefined) throw new Error("WebAssembly is not available on this platform");
  return api;
}

/** @file Assembles a WebAssembly binary module: types, imported memory, functions, exports, code. */

import { ByteWriter } from "./encoding.js";
import { FunctionBuilder } from "./function-builder.js";
import { MAX_WASM_PAGES } from "./linear-memory.js";
import { ValType } from "./opcodes.js";

/** Limits of an imported linear memory, in 64 KiB pages. */
export interface MemoryImport {
  /** Import module name. */
  readonly module: string;
  /** Import field name. */
  readonly name: string;
  /** Minimum size in pages. */
  readonly initial: number;
  /** Maximum size in pages (required when `shared`). */
  readonly maximum?: number;
  /** Whether the memory is shared between threads. */
  readonly shared?: boolean;
}

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const EXTERN_FUNC = 0x00;
const EXTERN_MEMORY = 0x02;
const FUNC_TYPE = 0x60;

/**
 * Collects functions and emits the module bytes. Functions are created first (so any function can
 * `call` any other by index), then filled in through their {@link FunctionBuilder}.
 */
export class ModuleBuilder {
  private memory: MemoryImport | undefined;
  private readonly functions: FunctionBuilder[] = [];
  private readonly exports: { name: string; index: number }[] = [];

  /** Import the module's linear memory (index 0). */
  importMemory(memory: MemoryImport): this {
    if (memory.shared && memory.maximum === undefined) {
      throw new Error("ModuleBuilder.importMemory: a shared memory needs a maximum");
    }
    this.memory = memory;
    return this;
  }

  /** Declare a function; fill its body through the returned builder. Exported when `exportName` is given. */
  function(params: readonly ValType[], results: readonly ValType[], exportName?: string): FunctionBuilder {
    const fn = new FunctionBuilder(this.functions.length, params, results);
    this.functions.push(fn);
    if (exportName !== undefined) this.exports.push({ name: exportName, index: fn.index });
    return fn;
  }

  /** Encode the whole module. */
  toBytes(): Uint8Array {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

    // Type section: one entry per distinct signature, in order of first use.
    const typeIndex = new Map<string, number>();
    const signatures: FunctionBuilder[] = [];
    const typeOf = this.functions.map((fn) => {
      const key = `${fn.params.join(",")}->${fn.results.join(",")}`;
      let idx = typeIndex.get(key);
      if (idx === undefined) {
        idx = signatures.push(fn) - 1;
        typeIndex.set(key, idx);
      }
      return idx;
    });
    const types = new ByteWriter().u32(signatures.length);
    for (const fn of signatures) {
      types.byte(FUNC_TYPE).u32(fn.params.length).bytes(fn.params).u32(fn.results.length).bytes(fn.results);
    }
    out.byte(SECTION.type).sized(types);

    if (this.memory) {
      const m = this.memory;
      const imports = new ByteWriter().u32(1).name(m.module).name(m.name).byte(EXTERN_MEMORY);
      const flags = (m.maximum !== undefined ? 1 : 0) | (m.shared ? 2 : 0);
      imports.byte(flags).u32(m.initial);
      if (m.maximum !== undefined) imports.u32(m.maximum);
      out.byte(SECTION.import).sized(imports);
    }

    const funcs = new ByteWriter().u32(this.functions.length);
    for (const t of typeOf) funcs.u32(t);
    out.byte(SECTION.function).sized(funcs);

    const exps = new ByteWriter().u32(this.exports.length);
    for (const e of this.exports) exps.name(e.name).byte(EXTERN_FUNC).u32(e.index);
    out.byte(SECTION.export).sized(exps);

    const code = new ByteWriter().u32(this.functions.length);
    for (const fn of this.functions) code.sized(fn.encode());
    out.byte(SECTION.code).sized(code);

    return out.finish();
  }
}

/**
 * A module importing its linear memory as `env.memory` (shared, with the maximum size a shared
 * memory must declare, when `sharedMemory`): how every kernel module here starts.
 */
export function moduleImportingMemory(sharedMemory: boolean): ModuleBuilder {
  return new ModuleBuilder().importMemory({
    module: "env",
    name: "memory",
    initial: 1,
    maximum: sharedMemory ? MAX_WASM_PAGES : undefined,
    shared: sharedMemory,
  });
}

/** @file Emits one WebAssembly function body: locals, stack instructions, structured control flow. */

import { ByteWriter } from "./encoding.js";
import { BLOCK_VOID, Op, SimdOp, ValType } from "./opcodes.js";

/** A branch target returned by {@link FunctionBuilder.block} / {@link FunctionBuilder.loop}. */
export interface Label {
  /** Nesting depth of the construct the label names (outermost body is depth 0). */
  readonly depth: number;
}

/**
 * Builds a function body as a stack-machine instruction stream. Methods append instructions and
 * return `this`, so code reads in evaluation order: `f.get(a).get(b).op(Op.i32_add)`.
 */
export class FunctionBuilder {
  /** The function's index in the module (imports first, then definitions in order). */
  readonly index: number;
  /** Parameter types; parameters are locals `0 .. params.length - 1`. */
  readonly params: readonly ValType[];
  /** Result types. */
  readonly results: readonly ValType[];
  private readonly code = new ByteWriter();
  private readonly locals: ValType[] = [];
  private depth = 0;

  /** Create a builder; use {@link ModuleBuilder.function} rather than calling this directly. */
  constructor(index: number, params: readonly ValType[], results: readonly ValType[]) {
    this.index = index;
    this.params = params;
    this.results = results;
  }

  /** Declare a new local of `type` and return its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** Append a single-byte core opcode. */
  op(code: number): this {
    this.code.byte(code);
    return this;
  }

  /** Append a SIMD opcode (0xfd prefix + LEB128 sub-opcode) with no immediates. */
  simd(code: number): this {
    this.code.byte(Op.simd_prefix).u32(code);
    return this;
  }

  /** `local.get`. */
  get(local: number): this {
    this.code.byte(Op.local_get).u32(local);
    return this;
  }

  /** `local.set`. */
  set(local: number): this {
    this.code.byte(Op.local_set).u32(local);
    return this;
  }

  /** `local.tee`. */
  tee(local: number): this {
    this.code.byte(Op.local_tee).u32(local);
    return this;
  }

  /** `i32.const`. */
  i32(value: number): this {
    this.code.byte(Op.i32_const).s64(value | 0);
    return this;
  }

  /** `f32.const`. */
  f32(value: number): this {
    this.code.byte(Op.f32_const).f32(value);
    return this;
  }

  /** `f64.const`. */
  f64(value: number): this {
    this.code.byte(Op.f64_const).f64(value);
    return this;
  }

  /** `v128.const` of all-zero bits. */
  v128Zero(): this {
    this.code.byte(Op.simd_prefix).u32(SimdOp.v128_const).bytes(new Uint8Array(16));
    return this;
  }

  /** A core memory access (`f32.load`, `f64.store`, ...) with static byte `offset`; `alignLog2` is a hint. */
  mem(code: number, offset = 0, alignLog2 = 0): this {
    this.code.byte(code).u32(alignLog2).u32(offset);
    return this;
  }

  /** A SIMD memory access (`v128.load`, `v128.load32_splat`, ...) with static byte `offset`. */
  simdMem(code: number, offset = 0, alignLog2 = 0): this {
    this.code.byte(Op.simd_prefix).u32(code).u32(alignLog2).u32(offset);
    return this;
  }

  /** A SIMD lane instruction (`f32x4.extract_lane`, ...) with its lane immediate. */
  simdLane(code: number, lane: number): this {
    this.code.byte(Op.simd_prefix).u32(code).byte(lane);
    return this;
  }

  /** `i8x16.shuffle` with 16 byte-lane indices (0..31 across both operands). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new RangeError(`FunctionBuilder.shuffle: need 16 lanes, got ${lanes.length}`);
    this.code.byte(Op.simd_prefix).u32(SimdOp.i8x16_shuffle).bytes(lanes);
    return this;
  }

  /** `call` a function by index. */
  call(fn: number | { readonly index: number }): this {
    this.code.byte(Op.call).u32(typeof fn === "number" ? fn : fn.index);
    return this;
  }

  /** A `block … end`; `br`/`brIf` to its label jump past the end. */
  block(body: (label: Label) => void): this {
    return this.structured(Op.block, body);
  }

  /** A `loop … end`; `br`/`brIf` to its label jump back to the top. */
  loop(body: (label: Label) => void): this {
    return this.structured(Op.loop, body);
  }

  /** `if … (else …) end` consuming an i32 condition from the stack. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.code.byte(Op.if).byte(BLOCK_VOID);
    this.depth++;
    then();
    if (otherwise) {
      this.code.byte(Op.else);
      otherwise();
    }
    this.depth--;
    this.code.byte(Op.end);
    return this;
  }

  /** Unconditional branch to `label`. */
  br(label: Label): this {
    this.code.byte(Op.br).u32(this.relative(label));
    return this;
  }

  /** Branch to `label` when the i32 on the stack is non-zero. */
  brIf(label: Label): this {
    this.code.byte(Op.br_if).u32(this.relative(label));
    return this;
  }

  /**
   * `do { body } while (--counter > 0)` over an i32 local: `body` runs `counter` times (at least once).
   * The counter counts down, so the loop test is a cheap decrement-and-branch.
   */
  repeat(counter: number, step: number, body: () => void): this {
    return this.loop((top) => {
      body();
      this.get(counter).i32(step).op(Op.i32_sub).tee(counter).i32(0).op(Op.i32_gt_s).brIf(top);
    });
  }

  /** Serialize the body: local declarations (run-length grouped) followed by code and `end`. */
  encode(): ByteWriter {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = new ByteWriter().u32(groups.length);
    for (const [count, type] of groups) body.u32(count).byte(type);
    body.bytes(this.code.finish()).byte(Op.end);
    return body;
  }

  private structured(opcode: number, body: (label: Label) => void): this {
    this.code.byte(opcode).byte(BLOCK_VOID);
    this.depth++;
    body({ depth: this.depth });
    this.depth--;
    this.code.byte(Op.end);
    return this;
  }

  private relative(label: Label): number {
    const rel = this.depth - label.depth;
    if (rel < 0) throw new Error("FunctionBuilder: branch to a label that is no longer in scope");
    return rel;
  }
}

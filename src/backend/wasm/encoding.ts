/** @file Growable byte buffer with the WebAssembly binary encodings (LEB128, IEEE floats, names). */

/** Appends WebAssembly binary-format values to a growable byte buffer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** Number of bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** Append one byte (0..255). */
  byte(b: number): this {
    this.reserve(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  /** Append raw bytes. */
  bytes(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    this.buf.set(bs, this.len);
    this.len += bs.length;
    return this;
  }

  /** Append an unsigned LEB128 integer (u32 range). */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`ByteWriter.u32: expected an integer in [0, 2^32), got ${value}`);
    }
    let v = value;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Append a signed LEB128 integer (i32 range, or any safe integer for i64 immediates). */
  s64(value: number): this {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`ByteWriter.s64: expected a safe integer, got ${value}`);
    }
    let v = value;
    for (;;) {
      // Math.floor keeps the arithmetic-shift semantics for negatives beyond 32 bits.
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const signBitSet = (b & 0x40) !== 0;
      if ((v === 0 && !signBitSet) || (v === -1 && signBitSet)) {
        this.byte(b);
        return this;
      }
      this.byte(b | 0x80);
    }
  }

  /** Append an IEEE-754 single, little-endian. */
  f32(value: number): this {
    const tmp = new Uint8Array(4);
    new DataView(tmp.buffer).setFloat32(0, value, true);
    return this.bytes(tmp);
  }

  /** Append an IEEE-754 double, little-endian. */
  f64(value: number): this {
    const tmp = new Uint8Array(8);
    new DataView(tmp.buffer).setFloat64(0, value, true);
    return this.bytes(tmp);
  }

  /** Append a length-prefixed UTF-8 name. */
  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** Append another writer's bytes prefixed by their length (the framing of sections and bodies). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.finish());
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/**
 * @file Threefry-2x32 (20 rounds), the counter-based block cipher behind JAX's default PRNG.
 *
 * The cipher is the one from Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC'11,
 * the Random123 library), with the rotation constants and key schedule that JAX's `threefry2x32_p`
 * uses. Everything here is plain uint32 arithmetic on `Uint32Array`s: additions wrap through
 * `(a + b) >>> 0` (exact, since a sum of two uint32 values stays below 2^53) and rotations are two
 * shifts and an OR, so the hot loop allocates nothing per element.
 */

/** Threefry's key-schedule parity constant: every derived key word is XORed with it. */
export const THREEFRY_PARITY = 0x1bd11bda;

/**
 * Encrypts the counter pairs `(x0[i], x1[i])` under the key `(k0, k1)` with 20-round Threefry-2x32.
 *
 * This is the function JAX calls `threefry2x32_p`: for each `i` it returns the cipher block of the
 * 64-bit counter whose words are `x0[i]` and `x1[i]`. Known answers (Random123, 20 rounds):
 * key `(0, 0)`, counter `(0, 0)` gives `(0x6b200159, 0x99ba4efe)`.
 *
 * @param k0 - first key word (an integer in `[0, 2^32)`; other numbers are reduced modulo 2^32).
 * @param k1 - second key word.
 * @param x0 - first counter word of every block.
 * @param x1 - second counter word of every block; must have the same length as `x0`.
 * @returns two new arrays `[y0, y1]`, the first and second output words of every block.
 * @throws RangeError if `x0` and `x1` differ in length.
 */
export function threefry2x32(k0: number, k1: number, x0: Uint32Array, x1: Uint32Array): [Uint32Array, Uint32Array] {
  if (x0.length !== x1.length) {
    throw new RangeError(
      `threefry2x32: the counter words must have the same length, got x0.length=${x0.length} and x1.length=${x1.length}`,
    );
  }
  const y0 = new Uint32Array(x0.length);
  const y1 = new Uint32Array(x1.length);
  threefry2x32Into(k0, k1, x0, x1, y0, y1);
  return [y0, y1];
}

/**
 * The same cipher as {@link threefry2x32}, writing into caller-owned output arrays.
 *
 * Lets the callers that generate many blocks (random bits, key splitting) reuse buffers. The outputs
 * may alias the inputs (`y0 === x0` is fine) because each block is read fully before it is written.
 *
 * @param k0 - first key word.
 * @param k1 - second key word.
 * @param x0 - first counter word of every block.
 * @param x1 - second counter word of every block.
 * @param y0 - receives the first output word of every block (length at least `x0.length`).
 * @param y1 - receives the second output word of every block (length at least `x0.length`).
 */
export function threefry2x32Into(
  k0: number,
  k1: number,
  x0: Uint32Array,
  x1: Uint32Array,
  y0: Uint32Array,
  y1: Uint32Array,
): void {
  // The three key-schedule words; the third makes the schedule's XOR parity equal THREEFRY_PARITY.
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = (ks0 ^ ks1 ^ THREEFRY_PARITY) >>> 0;
  const n = x0.length;
  for (let i = 0; i < n; i++) {
    let a = (x0[i]! + ks0) >>> 0;
    let b = (x1[i]! + ks1) >>> 0;

    // 20 rounds = 5 groups of 4. Groups alternate between rotation sets (13, 15, 26, 6) and
    // (17, 29, 16, 24); after group g (1-based) the key words ks[g % 3] and ks[(g + 1) % 3] + g are
    // injected. Unrolled by hand: this loop is the inner kernel of every random draw.
    // Each round: a += b; b = rotl(b, r) ^ a.
    // group 1
    a = (a + b) >>> 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) >>> 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) >>> 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) >>> 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks1) >>> 0; b = (b + ks2 + 1) >>> 0;
    // group 2
    a = (a + b) >>> 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) >>> 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) >>> 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) >>> 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks2) >>> 0; b = (b + ks0 + 2) >>> 0;
    // group 3
    a = (a + b) >>> 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) >>> 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) >>> 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) >>> 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks0) >>> 0; b = (b + ks1 + 3) >>> 0;
    // group 4
    a = (a + b) >>> 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) >>> 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) >>> 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) >>> 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks1) >>> 0; b = (b + ks2 + 4) >>> 0;
    // group 5
    a = (a + b) >>> 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) >>> 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) >>> 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) >>> 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks2) >>> 0; b = (b + ks0 + 5) >>> 0;

    // `b` may be a negative int32 after the XOR; the typed-array store reduces it modulo 2^32.
    y0[i] = a;
    y1[i] = b;
  }
}

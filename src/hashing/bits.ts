/**
 * Binary codes packed into 32-bit words, and the Hamming distance between them by popcount.
 */
import { UsageError } from '../errors.js';

/** n binary codes of `bits` bits, each in `words` = ceil(bits / 32) consecutive words, bit j of a code in word j >> 5. */
export interface PackedCodes {
  data: Uint32Array;
  n: number;
  bits: number;
  words: number;
}

/**
 * Packs n rows of `bits` values, thresholded (a value above `threshold` is a 1), into words.
 * @example
 * packCodes(Float32Array.of(0.9, 0.1, 0.7, 0.2, 0.6, 0.8), 3).data; // [0b101, 0b110]
 */
export function packCodes(values: ArrayLike<number>, bits: number, threshold = 0.5): PackedCodes {
  if (!(Number.isInteger(bits) && bits > 0) || values.length % bits !== 0) {
    throw new UsageError(`packCodes: ${values.length} values are not whole codes of ${bits} bits`);
  }
  const n = values.length / bits;
  const words = Math.ceil(bits / 32);
  const data = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < bits; j++) {
      if (values[i * bits + j] > threshold) data[i * words + (j >> 5)] |= 1 << (j & 31);
    }
  }
  return { data, n, bits, words };
}

/** The number of 1 bits in a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The Hamming distance between code i of `a` and code j of `b` (same width). */
export function hamming(a: Uint32Array, i: number, b: Uint32Array, j: number, words: number): number {
  let d = 0;
  for (let w = 0; w < words; w++) d += popcount32((a[i * words + w] ^ b[j * words + w]) >>> 0);
  return d;
}

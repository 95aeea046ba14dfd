/**
 * The reference backend's part for ranking binary codes by Hamming distance (native/hamming.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Backend } from '../backend.js';

/** The number of 1 bits in a 32-bit word (the SWAR count). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The hamming kernels of the Backend interface. */
export const hammingKernels: Pick<Backend, 'hammingRank'> = {
  hammingRank(codes, words, query, indices, distances): void {
    // A counting sort over the possible distances keeps equal distances in index order.
    const n = indices.length;
    const unsorted = new Uint8Array(n);
    const starts = new Uint32Array(257);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let w = 0; w < words; w++) d += popcount((query[w] ^ codes[i * words + w]) >>> 0);
      unsorted[i] = d;
      starts[d + 1]++;
    }
    for (let d = 1; d < starts.length; d++) starts[d] += starts[d - 1];
    for (let i = 0; i < n; i++) {
      const at = starts[unsorted[i]]++;
      indices[at] = i;
      distances[at] = unsorted[i];
    }
  },
};

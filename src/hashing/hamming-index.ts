/**
 * An index over binary codes for retrieval by Hamming distance: exhaustive ranking of the whole
 * database (a counting sort over the bits + 1 possible distances, ties by index), and lookup of
 * every address within a Hamming radius in a table of buckets, as in the "semantic address space"
 * of Salakhutdinov & Hinton's semantic hashing (2009): no scan of the database.
 */
import { UsageError } from '../errors.js';
import { getBackend } from '../tensor/index.js';
import type { PackedCodes } from './bits.js';

/** A ranked answer: database indices and their distances, nearest first (ties by index). */
export interface Neighbours {
  indices: Uint32Array;
  distances: Uint8Array;
}

/**
 * Binary codes, searchable by Hamming distance.
 * @example
 * const index = HammingIndex.build(packCodes(databaseCodes, 32));
 * index.search(packCodes(queryCode, 32), 10).indices; // the ten nearest, nearest first
 */
export class HammingIndex {
  private buckets: Map<string, number[]> | null = null;

  private constructor(readonly codes: PackedCodes) {}

  /** An index over `codes` (kept, not copied). */
  static build(codes: PackedCodes): HammingIndex {
    if (codes.bits > 255) throw new UsageError(`HammingIndex: codes of ${codes.bits} bits; at most 255`);
    return new HammingIndex(codes);
  }

  get size(): number {
    return this.codes.n;
  }

  /**
   * The whole database ranked by distance to query q, ties by index: a popcount pass and a
   * counting sort over the bits + 1 possible distances, O(n + bits), in the backend's kernel.
   */
  rank(queries: PackedCodes, q = 0): Neighbours {
    this.check(queries);
    const { data, n, words } = this.codes;
    const indices = new Uint32Array(n);
    const distances = new Uint8Array(n);
    getBackend().hammingRank(data, words, queries.data.subarray(q * words, (q + 1) * words), indices, distances);
    return { indices, distances };
  }

  /** The k nearest codes to query q (ties by index). */
  search(queries: PackedCodes, k: number, q = 0): Neighbours {
    const all = this.rank(queries, q);
    return { indices: all.indices.slice(0, k), distances: all.distances.slice(0, k) };
  }

  /**
   * Every code within Hamming distance r of query q, found by looking up each of the addresses
   * within r in a table of buckets (built on first use) rather than by scanning; sorted by
   * distance, then index.
   */
  withinRadius(queries: PackedCodes, r: number, q = 0): Neighbours {
    this.check(queries);
    const { bits, words } = this.codes;
    if (!(Number.isInteger(r) && r >= 0 && r <= bits)) throw new UsageError(`withinRadius: r must be a whole number in [0, ${bits}], got ${r}`);
    const table = this.table();
    const address = queries.data.slice(q * words, (q + 1) * words);
    const found: { index: number; distance: number }[] = [];
    // Flip every set of up to r bits of the query's address, each set once (positions increasing).
    const visit = (from: number, flipped: number): void => {
      for (const index of table.get(address.join(',')) ?? []) found.push({ index, distance: flipped });
      if (flipped === r) return;
      for (let b = from; b < bits; b++) {
        address[b >> 5] ^= 1 << (b & 31);
        visit(b + 1, flipped + 1);
        address[b >> 5] ^= 1 << (b & 31);
      }
    };
    visit(0, 0);
    found.sort((a, b) => a.distance - b.distance || a.index - b.index);
    return { indices: Uint32Array.from(found, (f) => f.index), distances: Uint8Array.from(found, (f) => f.distance) };
  }

  private table(): Map<string, number[]> {
    if (this.buckets) return this.buckets;
    const { data, n, words } = this.codes;
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = data.subarray(i * words, (i + 1) * words).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    this.buckets = buckets;
    return buckets;
  }

  private check(queries: PackedCodes): void {
    if (queries.bits !== this.codes.bits) throw new UsageError(`HammingIndex: queries have ${queries.bits} bits, the index ${this.codes.bits}`);
  }
}

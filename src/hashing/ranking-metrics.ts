/**
 * Retrieval quality of a ranking, where an item is relevant to a query when their labels match.
 */

/**
 * Average precision of a ranking over its first `depth` items: the mean, over the relevant items
 * among them, of the precision at each one's rank (the standard "mAP@depth" of the hashing papers:
 * divided by the relevant items retrieved, 0 when none is).
 * @param ranked database indices, best first
 * @param relevant whether database item i is relevant to the query
 * @example
 * // Relevant at ranks 1 and 3: (1/1 + 2/3) / 2 = 0.8333
 * averagePrecision(Uint32Array.of(4, 7, 2), (i) => i !== 7);
 */
export function averagePrecision(ranked: ArrayLike<number>, relevant: (index: number) => boolean, depth = ranked.length): number {
  let hits = 0;
  let sum = 0;
  const end = Math.min(depth, ranked.length);
  for (let k = 0; k < end; k++) {
    if (relevant(ranked[k])) {
      hits++;
      sum += hits / (k + 1);
    }
  }
  return hits === 0 ? 0 : sum / hits;
}

/** The share of relevant items among the first k of a ranking (of the ranking when shorter; 0 when empty). */
export function precisionAt(ranked: ArrayLike<number>, relevant: (index: number) => boolean, k = ranked.length): number {
  const end = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < end; i++) if (relevant(ranked[i])) hits++;
  return end === 0 ? 0 : hits / end;
}

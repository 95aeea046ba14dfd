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

/** The recall levels of the precision–recall curve: 0.1, 0.2, …, 1. */
export const RECALL_LEVELS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);

/**
 * Interpolated precision at each recall level of a full ranking: the best precision at any cut
 * whose recall reaches the level (so the curve never rises with recall), the usual way a
 * precision–recall curve is averaged over queries. 0 at every level when nothing is relevant.
 * @param ranked every database index, best first.
 * @param relevant whether database item i is relevant to the query.
 * @param levels recall levels in (0, 1], ascending; default RECALL_LEVELS.
 * @example
 * // Relevant at ranks 1 and 3 of 3: recall ½ at precision 1, recall 1 at precision ⅔.
 * precisionAtRecall(Uint32Array.of(4, 7, 2), (i) => i !== 7, [0.5, 1]); // [1, 0.6667]
 */
export function precisionAtRecall(ranked: ArrayLike<number>, relevant: (index: number) => boolean, levels: readonly number[] = RECALL_LEVELS): number[] {
  const hitsAt: number[] = [];
  for (let k = 0; k < ranked.length; k++) if (relevant(ranked[k])) hitsAt.push(k + 1);
  const total = hitsAt.length;
  const out = new Array<number>(levels.length).fill(0);
  if (total === 0) return out;
  // Walking from the last hit back, the best precision so far is the interpolated one there.
  let best = 0;
  let level = levels.length - 1;
  for (let h = total; h >= 1; h--) {
    best = Math.max(best, h / hitsAt[h - 1]);
    const recall = h / total;
    while (level >= 0 && levels[level] > (h - 1) / total && levels[level] <= recall + 1e-12) out[level--] = best;
  }
  return out;
}

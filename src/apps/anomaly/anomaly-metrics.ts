/**
 * Scoring an anomaly detector where labels exist, and choosing its threshold where they do not:
 * ROC-AUC and PR-AUC (average precision) computed exactly with tied scores handled, quantiles,
 * and thresholds from a contamination fraction or from normal validation scores. Pure functions
 * of arrays: a higher score means more anomalous, and label 1 marks an anomaly.
 */
import { UsageError } from '../../errors.js';

/** Counts of a labelled score set, checked. */
function checkLabelled(scores: ArrayLike<number>, labels: ArrayLike<number>, what: string): { positives: number; negatives: number } {
  if (scores.length !== labels.length) throw new UsageError(`${what}: ${scores.length} scores but ${labels.length} labels`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new UsageError(`${what}: label ${i} is ${l}; expected 0 (normal) or 1 (anomaly)`);
    if (!Number.isFinite(scores[i])) throw new UsageError(`${what}: score ${i} is ${scores[i]}; expected a finite number`);
    positives += l;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new UsageError(`${what}: needs both normal (0) and anomalous (1) examples; found ${negatives} normal and ${positives} anomalous`);
  }
  return { positives, negatives };
}

/** Indices of `scores` in ascending order of score (ties in index order). */
function ascending(scores: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[a] - scores[b] || a - b);
}

/**
 * The area under the ROC curve: the probability that a random anomaly scores above a random
 * normal example, a tie counting one half. Computed exactly in O(n log n) by the Mann–Whitney U
 * statistic with midranks (tied scores share the mean of the ranks they span).
 * @param scores one per example, higher = more anomalous
 * @param labels one per example: 1 anomaly, 0 normal; both must occur
 * @throws UsageError for lengths that differ, labels other than 0/1, a non-finite score, or one class only
 * @example
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75: the anomalies beat 3 of the 4 pairs
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { positives, negatives } = checkLabelled(scores, labels, 'rocAuc');
  const order = ascending(scores);
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let inGroup = 0;
    while (j < order.length && scores[order[j]] === scores[order[i]]) inGroup += labels[order[j++]];
    // Ranks i+1 .. j (1-based) share their mean.
    rankSum += inGroup * ((i + 1 + j) / 2);
    i = j;
  }
  // Exact in float64 up to 2^53 pairs (rankSum is a multiple of ½); the bound is kept for larger inputs.
  return Math.min(1, (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
}

/**
 * The area under the precision-recall curve as average precision: Σ (R_k − R_{k−1}) · P_k over
 * the thresholds k, from the highest score down, where tied scores form one threshold (as
 * scikit-learn's `average_precision_score`), so the order of tied examples cannot change it.
 * @param scores one per example, higher = more anomalous
 * @param labels one per example: 1 anomaly, 0 normal; both must occur
 * @throws UsageError as rocAuc
 * @example
 * prAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333 = ½ · 1 + ½ · ⅔
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { positives } = checkLabelled(scores, labels, 'prAuc');
  const order = ascending(scores).reverse();
  let truePositives = 0;
  let flagged = 0;
  let area = 0;
  for (let i = 0; i < order.length;) {
    let hits = 0;
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) hits += labels[order[j++]];
    truePositives += hits;
    flagged = j;
    // Summed as hits · precision and divided once: a perfect ranking then sums to exactly
    // `positives` (each precision is exactly 1), where adding hits/positives shares drifted past 1.
    area += hits * (truePositives / flagged);
    i = j;
  }
  // Each term is at most its hits, so the area is at most 1 but for rounding: never report more.
  return Math.min(1, area / positives);
}

/**
 * The q-quantile of `values` with linear interpolation between order statistics (NumPy's
 * default): the sorted value at position q·(n − 1), interpolated.
 * @param q in [0, 1]
 * @throws UsageError for no values or q outside [0, 1]
 * @example
 * quantile([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 0.9); // 6.3
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new UsageError('quantile: no values');
  if (!(q >= 0 && q <= 1)) throw new UsageError(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const h = q * (sorted.length - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The threshold that flags a share `contamination` of `scores` as anomalies when the data is
 * expected to hold that share of them: the (1 − contamination)-quantile of the scores themselves,
 * above which a score is flagged (as PyOD's `contamination`). Ties at the threshold are not flagged.
 * @param contamination the expected share of anomalies, in (0, 0.5]
 * @throws UsageError for a share outside (0, 0.5]
 * @example
 * const t = contaminationThreshold(scores, 0.05);
 * const flags = flagAbove(scores, t); // about 5% of the rows
 */
export function contaminationThreshold(scores: ArrayLike<number>, contamination: number): number {
  if (!(contamination > 0 && contamination <= 0.5)) {
    throw new UsageError(`contamination must be a share of anomalies in (0, 0.5], got ${contamination}`);
  }
  return quantile(scores, 1 - contamination);
}

/**
 * The threshold from scores of examples known to be normal (a validation set): their
 * q-quantile, so that about a share 1 − q of normal examples is flagged (a false alarm rate).
 * @param q in (0, 1]; 1 takes the largest normal score
 * @throws UsageError for q outside (0, 1] or no scores
 * @example
 * const t = validationThreshold(normalScores, 0.99); // about 1% false alarms
 */
export function validationThreshold(normalScores: ArrayLike<number>, q: number): number {
  if (!(q > 0 && q <= 1)) throw new UsageError(`the validation quantile must be in (0, 1], got ${q}`);
  return quantile(normalScores, q);
}

/**
 * One flag per score: 1 when it lies above `threshold`, else 0.
 * @example
 * flagAbove([0.2, 0.9, 0.5], 0.5); // Uint8Array [0, 1, 0]
 */
export function flagAbove(scores: ArrayLike<number>, threshold: number): Uint8Array {
  return Uint8Array.from({ length: scores.length }, (_, i) => (scores[i] > threshold ? 1 : 0));
}

/**
 * Points of the ROC curve (false positive rate, true positive rate), one per distinct score from
 * the highest down (tied scores move both rates at once), from (0, 0) to (1, 1), thinned to at
 * most `maxPoints` by keeping evenly spaced thresholds and both ends.
 * @param scores one per example, higher = more anomalous
 * @param labels one per example: 1 anomaly, 0 normal; both must occur
 * @param maxPoints at most this many points; default 200
 * @example
 * rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // (0,0) (0,0.5) (0.5,0.5) (0.5,1) (1,1)
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 200): { fpr: number; tpr: number }[] {
  const { positives, negatives } = checkLabelled(scores, labels, 'rocCurve');
  const order = ascending(scores).reverse();
  const points = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) {
      if (labels[order[j]] === 1) tp++;
      else fp++;
      j++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives });
    i = j;
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)]);
}

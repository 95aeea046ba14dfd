/**
 * ROC-AUC and PR-AUC against examples worked by hand (ties included) and against O(n²)
 * definitions on random data; quantiles and thresholds by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  contaminationThreshold, flagAbove, prAuc, quantile, rocAuc, rocCurve, validationThreshold,
} from '../../../src/apps/anomaly/anomaly-metrics.js';
import { UsageError } from '../../../src/errors.js';

const close = (actual: number, expected: number, tol = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} differs from ${expected}`);
const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);

test('AUC and PR-AUC by hand, without ties', () => {
  // Anomalies 0.35 and 0.8 against normals 0.1 and 0.4: 0.8 beats both, 0.35 beats 0.1 only: 3/4.
  close(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // Descending: 0.8 (anomaly) precision 1 at recall ½; 0.4 (normal); 0.35 (anomaly) precision ⅔ at
  // recall 1. AP = ½·1 + ½·⅔ = 5/6 (scikit-learn 1.2.1: 0.8333333333333333).
  close(prAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 5 / 6);
  // Perfectly separated, and reversed: the anomalies at ranks 4 and 5 of 5 give (¼ + ⅖) / 2.
  close(rocAuc([1, 2, 3, 4, 5], [0, 0, 0, 1, 1]), 1);
  close(prAuc([1, 2, 3, 4, 5], [0, 0, 0, 1, 1]), 1);
  close(rocAuc([1, 2, 3, 4, 5], [1, 1, 0, 0, 0]), 0);
  close(prAuc([1, 2, 3, 4, 5], [1, 1, 0, 0, 0]), 0.325);
});

test('a perfect ranking scores exactly 1, never more', () => {
  // Nine anomalies above one normal: each step adds recall 1/9 at precision 1, and 1/9 summed nine
  // times is 1.0000000000000002 in float64 (what --json printed for a perfect detector).
  const scores = Array.from({ length: 10 }, (_, i) => i);
  const labels = scores.map((i) => (i === 0 ? 0 : 1));
  assert.equal(prAuc(scores, labels), 1);
  assert.equal(rocAuc(scores, labels), 1);
});

test('AUC and PR-AUC by hand, with ties', () => {
  const scores = [1, 2, 2, 3, 3, 3];
  const labels = [0, 0, 1, 0, 1, 1];
  // Pairs (anomaly, normal) over anomalies {2, 3, 3} and normals {1, 2, 3}: the 2 beats 1, ties 2
  // (½), loses to 3: 1.5; each 3 beats 1 and 2 and ties 3: 2.5. (1.5 + 2 · 2.5) / 9 = 6.5 / 9.
  // Midranks: 1 → 1; 2, 2 → 2.5; 3, 3, 3 → 5. U = (2.5 + 5 + 5) − 3·4/2 = 6.5.
  close(rocAuc(scores, labels), 6.5 / 9);
  // Thresholds from the top, each tied group one step: at ≥ 3, 2 of 3 flagged are anomalies,
  // recall ⅔; at ≥ 2, 3 of 5, recall 1. AP = ⅔·⅔ + ⅓·⅗ = 29/45 (scikit-learn: 0.6444444444444444).
  close(prAuc(scores, labels), 29 / 45);
  // Everything tied: a coin's AUC, and AP the share of anomalies.
  close(rocAuc([5, 5, 5, 5], [0, 1, 0, 1]), 0.5);
  close(prAuc([5, 5, 5, 5], [0, 1, 0, 1]), 0.5);
  close(prAuc([7, 7, 7, 7, 7], [0, 1, 0, 0, 0]), 0.2);
});

/** The pair count: P(anomaly > normal) + ½ P(tie), over all pairs. */
function pairAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Average precision by its other definition: the mean over anomalies of the precision among all scores ≥ theirs. */
function pairAp(scores: number[], labels: number[]): number {
  let sum = 0;
  let anomalies = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    anomalies++;
    let above = 0;
    let hits = 0;
    for (let j = 0; j < scores.length; j++) {
      if (scores[j] >= scores[i]) {
        above++;
        hits += labels[j];
      }
    }
    sum += hits / above;
  }
  return sum / anomalies;
}

// Few distinct scores, so that most draws have ties; both classes present.
const labelled = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 60 })
  .filter((rows) => rows.some(([, l]) => l === 1) && rows.some(([, l]) => l === 0));

test('AUC equals the O(n²) pair count, and PR-AUC its O(n²) definition, on random tied data', () => {
  fc.assert(fc.property(labelled, (rows) => {
    const scores = rows.map(([s]) => s / 3);
    const labels = rows.map(([, l]) => l);
    close(rocAuc(scores, labels), pairAuc(scores, labels), 1e-12);
    close(prAuc(scores, labels), pairAp(scores, labels), 1e-12);
  }), { numRuns: 500, seed: 12 });
});

test('AUC and PR-AUC ignore the order of the rows and any increasing change of the scores', () => {
  fc.assert(fc.property(labelled, fc.nat(), (rows, shift) => {
    const scores = rows.map(([s]) => s);
    const labels = rows.map(([, l]) => l);
    const k = shift % rows.length;
    const rotated = (a: number[]) => [...a.slice(k), ...a.slice(0, k)];
    close(rocAuc(rotated(scores), rotated(labels)), rocAuc(scores, labels));
    close(prAuc(rotated(scores), rotated(labels)), prAuc(scores, labels));
    const squashed = scores.map((s) => Math.exp(s) * 10 + 3);
    close(rocAuc(squashed, labels), rocAuc(scores, labels));
    close(prAuc(squashed, labels), prAuc(scores, labels));
    // Flipping the labels and the scores' order gives the same AUC.
    close(rocAuc(scores.map((s) => -s), labels.map((l) => 1 - l)), rocAuc(scores, labels));
  }), { numRuns: 200, seed: 7 });
});

test('AUC and PR-AUC refuse labels they cannot score', () => {
  assert.throws(() => rocAuc([1, 2], [1, 1]), usage(/needs both normal \(0\) and anomalous \(1\) examples; found 0 normal and 2 anomalous/));
  assert.throws(() => prAuc([1, 2], [0, 0]), usage(/found 2 normal and 0 anomalous/));
  assert.throws(() => rocAuc([1, 2, 3], [0, 1]), usage(/3 scores but 2 labels/));
  assert.throws(() => rocAuc([1, 2], [0, 2]), usage(/label 1 is 2; expected 0 \(normal\) or 1 \(anomaly\)/));
  assert.throws(() => prAuc([1, Number.NaN], [0, 1]), usage(/score 1 is NaN/));
});

test('quantiles interpolate as NumPy does; thresholds from a contamination share or normal scores', () => {
  const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  // numpy.quantile(values, [0.9, 0.5, 0.25]) = [6.3, 3.5, 2.25]
  close(quantile(values, 0.9), 6.3, 1e-12);
  close(quantile(values, 0.5), 3.5);
  close(quantile(values, 0.25), 2.25);
  close(quantile(values, 0), 1);
  close(quantile(values, 1), 9);
  close(quantile([4], 0.3), 4);
  assert.throws(() => quantile([], 0.5), usage(/no values/));
  assert.throws(() => quantile(values, 1.5), usage(/q must be in \[0, 1\]/));

  // 100 distinct scores and 10% contamination: the 0.9-quantile lies between the 90th and 91st
  // smallest, so exactly the 10 largest are flagged.
  const scores = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  const t = contaminationThreshold(scores, 0.1);
  close(t, 89.1, 1e-9);
  const flags = flagAbove(scores, t);
  assert.equal(flags.reduce((s, v) => s + v, 0), 10);
  scores.forEach((s, i) => assert.equal(flags[i], s >= 90 ? 1 : 0));
  assert.equal(flagAbove(scores, contaminationThreshold(scores, 0.5)).reduce((s, v) => s + v, 0), 50);
  for (const bad of [0, -0.1, 0.6, Number.NaN]) assert.throws(() => contaminationThreshold(scores, bad), usage(/contamination must be a share of anomalies in \(0, 0\.5\]/));

  // The 0.99-quantile of normal scores 0..100: 99, so one normal score in 101 lies above.
  const normal = Array.from({ length: 101 }, (_, i) => i);
  close(validationThreshold(normal, 0.99), 99);
  close(validationThreshold(normal, 1), 100);
  assert.deepEqual([...flagAbove([98, 99.5, 101], validationThreshold(normal, 0.99))], [0, 1, 1]);
  assert.throws(() => validationThreshold(normal, 0), usage(/validation quantile must be in \(0, 1\]/));
});

test('ROC curve by hand, with a tie, and its area equals rocAuc', () => {
  // Highest first: 0.8 (anomaly), 0.4 (normal) and 0.4 (anomaly) tied, 0.1 (normal).
  const scores = [0.1, 0.4, 0.4, 0.8];
  const labels = [0, 0, 1, 1];
  assert.deepEqual(rocCurve(scores, labels), [{ fpr: 0, tpr: 0 }, { fpr: 0, tpr: 0.5 }, { fpr: 0.5, tpr: 1 }, { fpr: 1, tpr: 1 }]);
  // The trapezoids under the full curve are the AUC with ties counted one half.
  const rng = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 101) / 10);
  const flags = rng.map((_, i) => (i % 3 === 0 ? 1 : 0));
  const curve = rocCurve(rng, flags, 10_000);
  let area = 0;
  for (let i = 1; i < curve.length; i++) area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2;
  close(area, rocAuc(rng, flags), 1e-12);
  // Thinned to a budget, it keeps both ends.
  const thin = rocCurve(rng, flags, 5);
  assert.equal(thin.length, 5);
  assert.deepEqual([thin[0], thin[4]], [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }]);
});

test('property: ROC-AUC and PR-AUC stay within [0, 1] for any scores and labels, perfectly separated ones included', () => {
  const rows = fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 300 });
  const tied = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 300 });
  // Every anomaly above every normal example: PR-AUC summed as P terms of 1/P gave 1.0000000000000002.
  const separated = fc.tuple(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 150 })).map(([p, n]) => [
    ...Array.from({ length: p }, (_, i): [number, number] => [1 + i, 1]),
    ...Array.from({ length: n }, (_, i): [number, number] => [-i, 0]),
  ]);
  const labelled = fc.oneof(rows, tied, separated).filter((r) => r.some(([, l]) => l === 1) && r.some(([, l]) => l === 0));
  fc.assert(fc.property(labelled, (r) => {
    const scores = r.map(([s]) => s);
    const labels = r.map(([, l]) => l);
    for (const auc of [rocAuc(scores, labels), prAuc(scores, labels)]) assert.ok(auc >= 0 && auc <= 1, `AUC ${auc} outside [0, 1]`);
  }), { seed: 33, numRuns: 400 });
  // Perfect separation is exactly 1 at every size.
  for (let p = 1; p <= 200; p++) assert.equal(prAuc([...Array(p).keys()].map((i) => i + 1).concat([0]), [...Array(p).fill(1), 0]), 1);
});

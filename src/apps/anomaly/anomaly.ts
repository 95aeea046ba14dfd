/**
 * Anomaly scores from a trained autoencoder: how badly it reconstructs each example. An
 * autoencoder trained on normal data reconstructs normal examples well and others badly, so the
 * per-example reconstruction error (the model's own loss: summed squared error or summed binary
 * cross-entropy) is the score, and the squared error of each feature says where an example is
 * odd (H2O's per-feature reconstruction error).
 */
import { expectRowsFit, type Matrix } from '../../data/dataset.js';
import { UsageError } from '../../errors.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { activateOutput } from '../../models/output.js';
import { getBackend, noGrad, tidy } from '../../tensor/index.js';
import { forEachBatch } from '../../training/batches.js';
import { contaminationThreshold, flagAbove, validationThreshold } from './anomaly-metrics.js';

/**
 * Which reconstruction error scores an example: sse, bce, or `relative-sse`, the sse divided by
 * the square root of the example's own energy, sqrt(Σ x² + 1) (see `relativeSse`).
 */
export type ErrorMetric = 'sse' | 'bce' | 'relative-sse';

/** The metrics, as written on the command line. */
export const ERROR_METRICS = ['sse', 'bce', 'relative-sse'] as const;

/** The reconstruction errors of every example, one value each. */
export interface ReconstructionErrors {
  /** Σ over features of (x̂ − x)², pixels as the model sees them. */
  sse: Float64Array;
  /** Σ over features of the binary cross-entropy of x̂ = σ(logits) against x; null when the output is not a sigmoid. */
  bce: Float64Array | null;
}

/**
 * The score unless told otherwise: sse. On one-class MNIST it separates anomalies better than
 * bce, even for models trained with bce, because an image's bce also holds the entropy of its gray
 * pixels (Σ H(x), which no reconstruction removes) and so grows with the amount of ink
 * (README, "Anomaly scores").
 */
export const DEFAULT_ERROR_METRIC: ErrorMetric = 'sse';

/**
 * Each example's summed squared error and (for a sigmoid output) summed binary cross-entropy,
 * computed by the same kernels as the training loss, so their means are `evaluate`'s sse and bce.
 * @param data rows in the model's input space (scaled as its training data was)
 * @example
 * const { sse, bce } = reconstructionErrors(model, test); // sse[i]: example i's error
 */
export function reconstructionErrors(model: Autoencoder, data: Matrix, batchSize = 1000): ReconstructionErrors {
  checkWidth(model, data);
  const backend = getBackend();
  const f = data.features;
  const sse = new Float64Array(data.n);
  const bce = model.output.activation === 'sigmoid' ? new Float64Array(data.n) : null;
  noGrad(() => forEachBatch(data, batchSize, ({ x }, start, rows) => tidy(() => {
    const target = model.asInput(x);
    const logits = model.logits(model.encode(target));
    const recon = activateOutput(logits, model.output);
    for (let r = 0; r < rows; r++) {
      const t = target.data.subarray(r * f, (r + 1) * f);
      sse[start + r] = backend.squaredError(recon.data.subarray(r * f, (r + 1) * f), t, null, 1);
      if (bce) bce[start + r] = backend.bceWithLogits(logits.data.subarray(r * f, (r + 1) * f), t, null, 1);
    }
  })));
  return { sse, bce };
}

/**
 * One anomaly score per example: its reconstruction error by `metric` (default sse).
 * @throws UsageError for bce on a model whose output is not a sigmoid
 * @example
 * const scores = anomalyScores(model, test);          // higher = more anomalous
 * rocAuc(scores, isAnomaly);
 */
export function anomalyScores(model: Autoencoder, data: Matrix, metric: ErrorMetric = DEFAULT_ERROR_METRIC): Float64Array {
  if (metric === 'bce' && model.output.activation !== 'sigmoid') {
    throw new UsageError(`the bce score needs a model with a sigmoid output; this one's output is ${model.output.activation}: use sse`);
  }
  const errors = reconstructionErrors(model, data);
  return metric === 'bce' ? errors.bce! : metric === 'relative-sse' ? relativeSse(errors.sse, data) : errors.sse;
}

/**
 * sse / sqrt(Σ x² + 1) per example: the squared error relative to how much the example holds.
 * A bold digit's strokes are reconstructed as well as a thin one's but leave more squared error
 * behind (more edge pixels, each a little off), so the plain sse calls the boldest normal images
 * the most anomalous; dividing by the root of the ink takes most of that away. The exponent ½
 * and the 1 (which keeps a blank image finite) were chosen on held-out training digits of
 * one-class MNIST (README, "Anomaly scores").
 * @param data the scored rows, as the model saw them
 * @example
 * relativeSse(reconstructionErrors(model, test).sse, test);
 */
export function relativeSse(sse: Float64Array, data: Matrix): Float64Array {
  const f = data.features;
  return Float64Array.from(sse, (error, i) => {
    let energy = 0;
    for (let j = i * f; j < (i + 1) * f; j++) energy += data.x[j] * data.x[j];
    return error / Math.sqrt(energy + 1);
  });
}

/**
 * The squared reconstruction error of every feature of every example, (x̂ − x)², as an
 * n × features matrix (H2O's per-feature reconstruction error): which pixels or columns make an
 * example anomalous. Its row sums are the examples' sse.
 * @example
 * const perFeature = featureErrors(model, test); // perFeature.x[i * 784 + p]: pixel p of image i
 */
export function featureErrors(model: Autoencoder, data: Matrix, batchSize = 1000): Matrix {
  checkWidth(model, data);
  const f = data.features;
  const out = new Float32Array(data.n * f);
  noGrad(() => forEachBatch(data, batchSize, ({ x }, start, rows) => tidy(() => {
    const target = model.asInput(x);
    const recon = model.reconstruct(target).data;
    const t = target.data;
    for (let i = 0; i < rows * f; i++) {
      const d = recon[i] - t[i];
      out[start * f + i] = d * d;
    }
  })));
  return { x: out, n: data.n, features: f };
}

/** How to set the threshold above which a score is an anomaly. */
export type ThresholdRule =
  | { kind: 'contamination'; share: number }
  | { kind: 'validation'; normalScores: ArrayLike<number>; quantile: number };

/** Scores with their threshold and flags. */
export interface FlaggedScores {
  threshold: number;
  /** 1 for a score above the threshold. */
  flags: Uint8Array;
  /** How many were flagged. */
  anomalies: number;
}

/**
 * Flags the scores above the threshold a rule gives: the share of the scores themselves expected
 * to be anomalies, or a quantile of the scores of examples known to be normal.
 * @example
 * const { threshold, flags } = flagAnomalies(scores, { kind: 'contamination', share: 0.05 });
 */
export function flagAnomalies(scores: ArrayLike<number>, rule: ThresholdRule): FlaggedScores {
  const threshold = rule.kind === 'contamination'
    ? contaminationThreshold(scores, rule.share)
    : validationThreshold(rule.normalScores, rule.quantile);
  const flags = flagAbove(scores, threshold);
  return { threshold, flags, anomalies: flags.reduce((s, v) => s + v, 0) };
}

/** The spread of a set of scores, for a summary. */
export interface ScoreSummary {
  mean: number;
  min: number;
  median: number;
  max: number;
}

/**
 * Mean, smallest, median and largest score.
 * @example
 * summarizeScores([1, 2, 6]); // { mean: 3, min: 1, median: 2, max: 6 }
 */
export function summarizeScores(scores: ArrayLike<number>): ScoreSummary {
  if (scores.length === 0) throw new UsageError('summarizeScores: no scores');
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { mean: sorted.reduce((s, v) => s + v, 0) / n, min: sorted[0], median, max: sorted[n - 1] };
}

function checkWidth(model: Autoencoder, data: Matrix): void {
  expectRowsFit({ name: 'anomaly scores', features: data.features }, model.inputSize, { error: UsageError });
}

/**
 * Reconstruction metrics with one meaning everywhere (DESIGN.md §3): `sse` is the mean over
 * examples of the summed squared error, `mse` is sse per feature, `bce` the mean over examples
 * of the summed binary cross-entropy; and the mean objective of any trainable model.
 */
import { DataError } from '../errors.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { activateOutput, outputBce } from '../models/output.js';
import type { Trainable } from '../models/trainable.js';
import { INFERENCE } from '../nn/layer.js';
import { noGrad, squaredError, tidy } from '../tensor/index.js';
import { forEachBatch, type TrainingData } from './batches.js';

/** The reconstruction metrics of a dataset. */
export interface Metrics {
  sse: number;
  mse: number;
  /** Null when the model's output is not a probability (a linear output). */
  bce: number | null;
}

/**
 * Evaluates the model's reconstructions of `data` (features in the model's input space).
 * @example
 * const { sse } = evaluate(model, test);
 */
export function evaluate(model: Autoencoder, data: TrainingData, batchSize = 1000): Metrics {
  if (data.n === 0) throw new DataError('no examples to evaluate on: the metrics of an empty set are not defined');
  let sse = 0;
  let bce: number | null = null;
  noGrad(() => forEachBatch(data, batchSize, ({ x }) => tidy(() => {
    const target = model.asInput(x);
    const logits = model.logits(model.encode(target));
    sse += squaredError(activateOutput(logits, model.output), target).item();
    const batchBce = outputBce(logits, target, model.output);
    if (batchBce) bce = (bce ?? 0) + batchBce.item();
  })));
  return { sse: sse / data.n, mse: sse / data.n / data.features, bce: bce === null ? null : bce / data.n };
}

/**
 * The model's objective at inference (the data term: no noise, no penalties) averaged over the
 * examples of `data`.
 * @example
 * const valLoss = meanObjective(model, validation);
 */
export function meanObjective(model: Trainable, data: TrainingData, batchSize = 1000): number {
  if (data.n === 0) throw new DataError('no examples to evaluate on: the mean loss of an empty set is not defined');
  let total = 0;
  noGrad(() => forEachBatch(data, batchSize, (batch, _start, rows) => tidy(() => {
    total += model.objective(batch, INFERENCE).loss.item() * rows;
  })));
  return total / data.n;
}

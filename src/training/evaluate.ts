/**
 * Reconstruction metrics with one meaning everywhere (DESIGN.md §3): `sse` is the mean over
 * examples of the summed squared error, `mse` is sse per feature, `bce` the mean over examples
 * of the summed binary cross-entropy.
 */
import type { Autoencoder } from '../models/autoencoder.js';
import { bceWithLogits, noGrad, sigmoid, squaredError, tidy } from '../tensor/index.js';
import { forEachBatch, type Matrix } from './batches.js';

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
export function evaluate(model: Autoencoder, data: Matrix, batchSize = 1000): Metrics {
  const probabilistic = model.config.outputActivation === 'sigmoid';
  let sse = 0;
  let bce = 0;
  noGrad(() => forEachBatch(data, batchSize, (batch) => tidy(() => {
    if (probabilistic) {
      const logits = model.decodeLogits(model.encode(batch));
      bce += bceWithLogits(logits, batch).item();
      sse += squaredError(sigmoid(logits), batch).item();
    } else {
      sse += squaredError(model.reconstruct(batch), batch).item();
    }
  })));
  return { sse: sse / data.n, mse: sse / data.n / data.features, bce: probabilistic ? bce / data.n : null };
}

/** The model's training objective (as `model.loss`) averaged over a dataset. */
export function meanLoss(model: Autoencoder, data: Matrix, batchSize = 1000): number {
  let total = 0;
  noGrad(() => forEachBatch(data, batchSize, (batch, _start, rows) => tidy(() => {
    total += model.loss(batch).item() * rows;
  })));
  return total / data.n;
}

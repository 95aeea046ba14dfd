/**
 * Running a trained model over many rows in batches: encode to codes, decode codes, or
 * reconstruct inputs.
 */
import type { Matrix } from '../data/dataset.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { noGrad, type Tensor, tidy } from '../tensor/index.js';
import { forEachBatch } from '../training/batches.js';

/** What to compute for each row. */
export type Transform = 'encode' | 'decode' | 'reconstruct';

/**
 * Applies the model to every row of `data`, returning an n × (output size) matrix.
 * @example
 * const codes = transformRows(model, 'encode', test); // n × codeSize
 */
export function transformRows(model: Autoencoder, transform: Transform, data: Matrix, batchSize = 1000): Matrix {
  const features = transform === 'encode' ? model.codeSize : model.inputSize;
  const out = new Float32Array(data.n * features);
  const apply = (batch: Tensor): Tensor =>
    transform === 'encode' ? model.encode(batch) : transform === 'decode' ? model.decode(batch) : model.reconstruct(batch);
  noGrad(() => forEachBatch(data, batchSize, ({ x }, start) => tidy(() => {
    out.set(apply(x).data, start * features);
  })));
  return { x: out, n: data.n, features };
}

/**
 * A model's weights as named arrays (the "state dict"), for the model file, and back.
 */
import { DataError } from '../errors.js';
import type { Autoencoder } from './autoencoder.js';

/** One named weight array, with nn.Linear's [out, in] layout for weights. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The model's parameters (and its input mean, when it centres inputs) under their file names.
 * The arrays are the live weights, not copies.
 * @example
 * const tensors = stateDict(model); // [{ name: 'encoder.0.weight', shape: [1000, 784], … }, …]
 */
export function stateDict(model: Autoencoder): NamedArray[] {
  const params = model.parameters().map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data }));
  if (model.inputMean) params.push({ name: 'input_mean', shape: [model.inputSize], data: model.inputMean.data });
  return params;
}

/**
 * Copies `arrays` into the model's weights; every expected name must be there with its shape.
 * @param source names the file in error messages
 */
export function loadStateDict(model: Autoencoder, arrays: readonly NamedArray[], source: string): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const target of stateDict(model)) {
    const found = byName.get(target.name);
    if (!found) {
      const hint = /^decoder\.\d+\.weight$/.test(target.name) ? ' (a tied model stores only encoder weights; this model is not tied)' : '';
      throw new DataError(`${source}: tensor "${target.name}" is missing (expected shape [${target.shape.join(', ')}])${hint}`);
    }
    if (found.shape.join(',') !== target.shape.join(',')) {
      throw new DataError(`${source}: tensor "${target.name}" has shape [${found.shape.join(', ')}], expected [${target.shape.join(', ')}]`);
    }
    target.data.set(found.data);
  }
  // A tied decoder has no weight of its own: one in the file means the file and config disagree.
  const stray = model.config.tied ? arrays.find((a) => /^decoder\.\d+\.weight$/.test(a.name)) : undefined;
  if (stray) {
    throw new DataError(`${source}: holds "${stray.name}", but the model has tied weights (each decoder layer reuses its encoder partner's, stored once as encoder.N.weight)`);
  }
}

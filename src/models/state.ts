/**
 * A model's tensors as named arrays (the "state dict"), for the model file, and back.
 */
import { DataError } from '../errors.js';
import type { NamedBuffer } from '../nn/layer.js';
import type { Autoencoder } from './autoencoder.js';

/** One named array, with nn.Linear's [out, in] layout for dense weights. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The model's parameters and buffers (an input mean) under their file names. The arrays are the
 * live tensors, not copies.
 * @example
 * const tensors = stateDict(model); // [{ name: 'encoder.0.weight', shape: [1000, 784], … }, …]
 */
export function stateDict(model: Autoencoder): NamedArray[] {
  return [...model.parameters(), ...model.buffers()].map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data }));
}

/**
 * Copies `arrays` into the model: every tensor the model has must be there with its shape, and
 * the file may hold no other.
 * @param source names the file in error messages
 */
export function loadStateDict(model: Autoencoder, arrays: readonly NamedArray[], source: string): void {
  const tensors = [...model.parameters(), ...model.buffers()];
  loadTensors(tensors, arrays, source, { tied: model.config.decoder.some((s) => s.type === 'tied_dense') });
}

/**
 * Copies named arrays into named tensors (any model's, or a part's): every target must be there
 * with its shape and finite values, and no array may be left over; nothing is copied unless all fit.
 * @param source names the file in error messages
 * @param autoencoder for an autoencoder's tensors, whether its decoder is tied, for the hints about
 * decoder weights a tied model does (or an untied one does not) store
 * @throws DataError naming the file and the tensor
 * @example
 * loadTensors([...net.parameters(), ...net.buffers()], arrays, 'runs/segnet/model.safetensors');
 */
export function loadTensors(targets: readonly NamedBuffer[], arrays: readonly NamedArray[], source: string, autoencoder?: { tied: boolean }): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  const decoderWeight = /^decoder\.\d+\.weight$/;
  for (const { name, tensor } of targets) {
    const found = byName.get(name);
    if (!found) {
      const hint = autoencoder && !autoencoder.tied && decoderWeight.test(name) ? ' (a tied model stores only encoder weights; this model is not tied)' : '';
      throw new DataError(`${source}: tensor "${name}" is missing (expected shape [${tensor.shape.join(', ')}])${hint}`);
    }
    if (found.shape.join(',') !== tensor.shape.join(',')) {
      throw new DataError(`${source}: tensor "${name}" has shape [${found.shape.join(', ')}], expected [${tensor.shape.join(', ')}]`);
    }
    const bad = found.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DataError(`${source}: tensor "${name}" holds ${found.data[bad]} at index ${bad}; a model's weights must be finite`);
  }
  const expected = new Set(targets.map((t) => t.name));
  const stray = arrays.find((a) => !expected.has(a.name));
  if (stray) {
    const hint = autoencoder?.tied && decoderWeight.test(stray.name)
      ? ', but the model has tied weights (each decoder layer reuses its encoder partner\'s, stored once as encoder.N.weight)'
      : `, which the model does not have (it has ${[...expected].join(', ')})`;
    throw new DataError(`${source}: holds "${stray.name}"${hint}`);
  }
  for (const { name, tensor } of targets) tensor.data.set(byName.get(name)!.data);
}

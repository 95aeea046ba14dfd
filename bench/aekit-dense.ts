/**
 * The bench's dense model on an aekit backend, one Adam step per call, data cycled from a fixed
 * pool. No Node modules here: bench/wasm-bench.ts runs it in Node and
 * bench/browser/chromium-entry.ts in Chromium.
 */
import type { Backend } from '../src/backend/backend.js';
import { Autoencoder } from '../src/models/autoencoder.js';
import type { AutoencoderConfigInput } from '../src/models/config.js';
import { backward, setBackend, Tensor, tidy } from '../src/tensor/index.js';
import { Adam } from '../src/training/optimizers.js';
import { Prng } from '../src/util/prng.js';

/** 784-1000-500-250-30 mirrored, sigmoid hidden units, linear code, sigmoid output, squared error: the bench's dense model. */
export const DENSE_CONFIG: AutoencoderConfigInput = {
  layers: [784, 1000, 500, 250, 30], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'mse',
};

/** `rows` x 784 uniform random pixels from a fixed seed: the data every trainer of the bench cycles through. */
export function randomPool(rows = 2048, features = 784): Float32Array {
  const rng = new Prng(1);
  return Float32Array.from({ length: rows * features }, () => rng.uniform());
}

/**
 * A trainer of `config` on `backend`: each call of the result runs one Adam step (lr 1e-3) on the next batch.
 * @param pool rows of the model's input size, cycled through `batchSize` at a time
 */
export function aekitTrainer(backend: Backend, config: AutoencoderConfigInput, batchSize: number, pool: Float32Array): () => void {
  setBackend(backend);
  const model = Autoencoder.create(config, 0);
  const params = model.parameters();
  const adam = new Adam(params, { lr: 1e-3 });
  const rng = new Prng(0);
  const features = model.inputSize;
  const rows = pool.length / features;
  const batch = new Tensor(new Float32Array(batchSize * features), [batchSize, features]);
  let cursor = 0;
  return () => {
    setBackend(backend);
    if (cursor + batchSize > rows) cursor = 0;
    batch.data.set(pool.subarray(cursor * features, (cursor + batchSize) * features));
    cursor += batchSize;
    tidy(() => {
      for (const p of params) p.tensor.zeroGrad();
      const { loss } = model.objective({ x: batch }, { training: true, rng });
      backward(loss);
      adam.step();
    });
  };
}

/**
 * Max pooling's argmax indices live as long as the pooled output: they come from the buffer pool
 * and go back when the step's tidy() scope frees that output, so a steady-state training step of
 * a net with max pooling (a SegNet segmenter, a pooling autoencoder) allocates no index buffer;
 * two forward passes in one step keep their own indices; and indices from a finished scope are
 * never handed to an unpooling layer. On the reference, native (when built) and wasm backends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createNodeWasmBackend } from '../../src/backend/wasm/load-node.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Segmenter } from '../../src/models/segmenter.js';
import { INFERENCE } from '../../src/nn/layer.js';
import type { Batch, Trainable } from '../../src/models/trainable.js';
import { add, backward, getPool, Tensor, tidy, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { randomTensor } from '../helpers/gradcheck.js';

const backends: Backend[] = await availableBackends();
try {
  backends.push(createNodeWasmBackend());
} catch {
  // No aekit.wasm built here: the wasm tests report that on their own.
}

/** A backend that records the index buffer of every max pooling it runs. */
function recordingIndices(backend: Backend): { backend: Backend; seen: Int32Array[] } {
  const seen: Int32Array[] = [];
  const spy = Object.create(backend) as Backend;
  spy.maxPool2d = (x, y, indices, g) => {
    seen.push(indices);
    backend.maxPool2d(x, y, indices, g);
  };
  return { backend: spy, seen };
}

const poolingAutoencoder = () => Autoencoder.create({
  input: [1, 8, 8],
  encoder: [
    { type: 'conv2d', filters: 3, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 },
    { type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 },
  ],
  decoder: 'mirror',
  output: { activation: 'sigmoid', loss: 'bce' },
}, 1);

const segmenter = () => Segmenter.create({
  input: [1, 8, 8], classes: 3,
  encoder: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 }],
}, 1);

const rng = new Prng(5);
const images = (n: number) => randomTensor(rng, [n, 1, 8, 8], 0, 1, false);
const labels = (n: number) => Tensor.from(Array.from({ length: n * 64 }, (_, i) => (i * 7 + (i >> 4)) % 3), [n, 8, 8]);

const models: { name: string; make: () => Trainable; batch: (n: number) => Batch }[] = [
  { name: 'pooling autoencoder', make: poolingAutoencoder, batch: (n) => ({ x: images(n) }) },
  { name: 'SegNet segmenter', make: segmenter, batch: (n) => ({ x: images(n), y: labels(n) }) },
];

/** The parameters' gradients after a backward pass of `objective`, in a fresh tidy() scope. */
function gradients(model: Trainable, objective: () => Tensor): number[][] {
  const params = model.parameters();
  tidy(() => {
    for (const p of params) p.tensor.zeroGrad();
    backward(objective());
  });
  return params.map((p) => Array.from(p.tensor.grad!));
}

for (const backend of backends) {
  for (const m of models) {
    test(`${m.name}, ${backend.name}: every step after the first reuses the same index buffers and allocates nothing`, () => {
      const spy = recordingIndices(backend);
      const model = m.make();
      const batch = m.batch(4);
      const params = model.parameters();
      const step = () => tidy(() => {
        for (const p of params) p.tensor.zeroGrad();
        backward(model.objective(batch, { training: true, rng }).loss);
      });
      withBackend(spy.backend, () => {
        step();
        const first = new Set(spy.seen.splice(0));
        const bytes = getPool().totalAllocatedBytes;
        step();
        step();
        assert.equal(getPool().totalAllocatedBytes, bytes, 'bytes taken from the pool in the steady state');
        assert.ok(first.size > 0 && spy.seen.length === 2 * first.size, `${spy.seen.length} poolings in two steps, ${first.size} in one`);
        assert.ok(spy.seen.every((indices) => first.has(indices)), 'a pooling of a later step got a new index buffer');
      });
    });

    test(`${m.name}, ${backend.name}: two forward passes in one step keep their own indices`, () => withBackend(backend, () => {
      // The gradient of two batches' summed objectives is the sum of their gradients: it would not be
      // if the second pass overwrote the indices the first pass's backward reads.
      const model = m.make();
      const [a, b] = [m.batch(3), m.batch(3)];
      const objective = (batch: Batch) => model.objective(batch, INFERENCE).loss;
      const both = gradients(model, () => add(objective(a), objective(b)));
      const [ga, gb] = [gradients(model, () => objective(a)), gradients(model, () => objective(b))];
      both.forEach((g, p) => g.forEach((v, i) => {
        const want = ga[p][i] + gb[p][i];
        assert.ok(Math.abs(v - want) <= 1e-5 * (1 + Math.abs(want)), `parameter ${p}[${i}]: ${v} vs ${want}`);
      }));
    }));
  }

  test(`pooling autoencoder, ${backend.name}: codes kept from a finished scope do not decode with that scope's recycled indices`, () => withBackend(backend, () => {
    const model = poolingAutoencoder();
    const x = images(2);
    const want = model.reconstruct(x).toArray();
    // Within one scope the codes decode at their own indices, as reconstruct does.
    assert.deepEqual(tidy(() => model.decode(model.encode(x)).toArray()), want);
    // The pooled outputs, and with them their indices, go back to the pool when the scope ends (the
    // next pass to take a buffer of that size may overwrite them); only the codes, the last
    // pooling's output, were kept, so the first unpooling finds its indices and the second does not.
    const codes = tidy(() => model.encode(x));
    assert.throws(() => model.decode(codes), /needs the indices its partner "encoder.1" found for these same examples/);
  }));
}

/**
 * The threaded WebAssembly build (native/wasm/aekit-threads.wasm, workers on worker_threads over
 * one shared memory) gives the same bits as the one-thread build: every kernel splits its work
 * so that each output element's sums run in the same order whoever runs the chunk. Checked on
 * GEMMs of every transpose combination (one of them the shape whose A packing once spilled
 * into the neighbouring panel when another thread packed it first) and on whole training runs
 * of a dense and a convolutional model, and on the soft Jaccard loss; and the workers must
 * actually have run chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeWasmBackend } from '../../../src/backend/wasm/load-node.js';
import type { WasmBackend } from '../../../src/backend/wasm/wasm-backend.js';
import { getBackend, setBackend } from '../../../src/tensor/index.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { stateDict } from '../../../src/models/state.js';
import { fit } from '../../../src/training/fit.js';
import { PRESETS } from '../../../src/training/presets.js';
import { Prng } from '../../../src/util/prng.js';

const single = startNodeWasmBackend(1);
const threaded = startNodeWasmBackend(3);

function random(n: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, what);
  const ai = new Uint32Array(a.buffer, a.byteOffset, a.length), bi = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ai.length; i++) {
    if (ai[i] !== bi[i]) assert.fail(`${what}: element ${i} differs (${a[i]} one thread, ${b[i]} threaded)`);
  }
}

/** Waits until the workers have instantiated the module and entered the pool loop. */
async function workersRunning(backend: WasmBackend): Promise<void> {
  const m = 192, k = 512, n = 384;
  const a = random(m * k, 1), b = random(k * n, 2), c = new Float32Array(m * n);
  for (let tries = 0; tries < 200 && backend.workerChunks() === 0; tries++) {
    backend.gemm({ m, n, k, a, transA: false, b, transB: false, c, alpha: 1, beta: 0 });
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(backend.workerChunks() > 0, 'no worker ever ran a chunk');
}

test('threaded GEMMs give the one-thread bits, with the workers taking part', async () => {
  assert.equal(threaded.threads, 3);
  assert.equal(single.threads, 1);
  assert.equal(single.workerChunks(), 0);
  await workersRunning(threaded);
  const before = threaded.workerChunks();
  // 256 x 784 x 512 first: A packs in 3-row panels whose transposing store spilled 2 floats
  // into the next panel, harmless on one thread (the next pack overwrote them) and wrong rows
  // when a worker had packed that panel first.
  for (const [m, k, n] of [[256, 784, 512], [300, 1000, 130], [64, 33, 1000], [517, 129, 77]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = random(m * k, m + k), b = random(k * n, k + n), c0 = random(m * n, n);
        const c1 = c0.slice();
        single.gemm({ m, n, k, a, transA, b, transB, c: c0, alpha: 0.75, beta: 0.5 });
        threaded.gemm({ m, n, k, a, transA, b, transB, c: c1, alpha: 0.75, beta: 0.5 });
        sameBits(c0, c1, `gemm ${m}x${k}x${n} transA=${transA} transB=${transB}`);
      }
    }
  }
  assert.ok(threaded.workerChunks() > before, 'the workers ran none of these GEMMs\' chunks');
});

async function trainOnce(backend: WasmBackend, preset: 'deep' | 'conv'): Promise<{ loss: number[]; weights: Float32Array[] }> {
  const previous = getBackend();
  setBackend(backend);
  try {
    const rng = new Prng(5);
    const n = 192;
    const x = Float32Array.from({ length: n * 784 }, () => (rng.uniform() < 0.3 ? rng.uniform() : 0));
    const model = Autoencoder.create(PRESETS[preset].model, 7);
    const result = await fit(model, { x, n, features: 784 }, { ...PRESETS[preset].training, epochs: 1, batchSize: 64 });
    return { loss: result.trainLoss, weights: stateDict(model).map((t) => Float32Array.from(t.data)) };
  } finally {
    setBackend(previous);
  }
}

for (const preset of ['deep', 'conv'] as const) {
  test(`training the ${preset} preset's model threaded gives the one-thread weights`, async () => {
    await workersRunning(threaded);
    const before = threaded.workerChunks();
    const one = await trainOnce(single, preset);
    const three = await trainOnce(threaded, preset);
    assert.deepEqual(three.loss, one.loss);
    assert.equal(three.weights.length, one.weights.length);
    one.weights.forEach((w, i) => sameBits(w, three.weights[i], `${preset} weight ${i}`));
    assert.ok(threaded.workerChunks() > before, 'the workers ran no chunk of the training');
  });
}

test('the soft Jaccard loss and gradient, threaded, are the one-thread bits, with the workers taking part', async () => {
  await workersRunning(threaded);
  const before = threaded.workerChunks();
  // 3 tasks per example (4099 positions) and 2 tasks of whole small examples (55, then 9).
  for (const [n, classes, positions] of [[4, 11, 4099], [64, 5, 37]]) {
    const logits = random(n * classes * positions, n + positions);
    const rng = new Prng(positions);
    const labels = Float32Array.from({ length: n * positions }, () => Math.floor(rng.uniform() * classes));
    const g1 = new Float32Array(logits.length), g3 = new Float32Array(logits.length);
    const one = single.softJaccard(logits, labels, n, classes, positions, g1);
    const three = threaded.softJaccard(logits, labels, n, classes, positions, g3);
    assert.equal(three, one, `soft Jaccard [${n}, ${classes}, ${positions}] loss`);
    sameBits(g1, g3, `soft Jaccard [${n}, ${classes}, ${positions}] gradient`);
  }
  assert.ok(threaded.workerChunks() > before, 'the workers ran none of the soft Jaccard tasks');
});

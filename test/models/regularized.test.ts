/**
 * Regularized autoencoders end to end on small data: tied weights (one tensor, summed
 * gradients, stored once), L2 through the optimizer (exactly 2λθ), the penalties' gradients
 * through a whole model, and what each regularizer does to a trained model.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { selectBackend } from '../../src/backend/select.js';
import { DataError } from '../../src/errors.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import type { AutoencoderConfigInput, ShortFormInput } from '../../src/models/config.js';
import { PRESETS } from '../../src/training/presets.js';
import { loadStateDict, stateDict } from '../../src/models/state.js';
import { Dense } from '../../src/nn/dense.js';
import { contractivePenalty, l2Penalty } from '../../src/nn/regularizers.js';
import { TiedDense } from '../../src/nn/tied-dense.js';
import type { Matrix } from '../../src/data/dataset.js';
import type { Trainable } from '../../src/models/trainable.js';
import type { Layer } from '../../src/nn/layer.js';
import { add, mean, noGrad, setBackend, Tensor, tidy } from '../../src/tensor/index.js';
import { fit } from '../../src/training/fit.js';
import { Prng } from '../../src/util/prng.js';
import { lowRankData } from '../helpers/data.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { tempDir } from '../helpers/temp-dir.js';

// AEKIT_BACKEND picks the backend, as for the CLI.
setBackend(selectBackend());

const asTensor = (m: Matrix) => new Tensor(m.x, [m.n, m.features]);
const dense = (ae: Autoencoder, stack: 'encoder' | 'decoder', i: number) => ae[stack].layers[i] as Dense;
// A training context with a fresh generator, so every evaluation draws the same noise.
const training = (seed = 7) => ({ training: true, rng: new Prng(seed) });
const train = lowRankData(600, 64, 4, 1);
const heldOut = lowRankData(300, 64, 4, 2);

test('tied: each decoder layer reads its encoder partner\'s weight (n−1−i), one tensor per pair', () => {
  const ae = Autoencoder.create({ layers: [10, 6, 4, 3], tied: true }, 1);
  assert.equal(ae.decoder.layers.length, 3);
  ae.decoder.layers.forEach((layer, i) => {
    assert.ok(layer instanceof TiedDense);
    assert.equal(layer.sharedWeight, dense(ae, 'encoder', 2 - i).weight, `decoder ${i} ties to encoder ${2 - i}`);
    assert.deepEqual(layer.inputShape, [dense(ae, 'encoder', 2 - i).outputs]);
    assert.deepEqual(layer.outputShape, [dense(ae, 'encoder', 2 - i).inputs]);
  });
  const names = ae.parameters().map((p) => p.name);
  assert.deepEqual(names.filter((n) => n.endsWith('.weight')), ['encoder.0.weight', 'encoder.2.weight', 'encoder.4.weight']);
  assert.deepEqual(names.filter((n) => n.startsWith('decoder')), ['decoder.0.bias', 'decoder.2.bias', 'decoder.4.bias']);
  // Distinct tensors in memory: 3 weights + 3 encoder biases + 3 decoder biases.
  assert.equal(new Set(ae.parameters().map((p) => p.tensor)).size, 9);
  const untied = Autoencoder.create({ layers: [10, 6, 4, 3] }, 1);
  assert.ok(untied.decoder.layers.every((layer) => layer instanceof Dense));
  assert.equal(untied.parameters().length, 12);
});

test('tied: the decoder computes with Wᵀ, and the shared weight\'s gradient (both uses) passes a central-difference check', () => {
  const ae = Autoencoder.create({ layers: [6, 4, 3], hiddenActivation: 'tanh', codeActivation: 'sigmoid', tied: true }, 2);
  const x = asTensor(lowRankData(5, 6, 2, 3));
  // Same weights in an untied model with explicit transposed copies: the same reconstruction.
  const copy = Autoencoder.create({ layers: [6, 4, 3], hiddenActivation: 'tanh', codeActivation: 'sigmoid' }, 2);
  ae.encoder.layers.forEach((_, i) => {
    dense(copy, 'encoder', i).weight.data.set(dense(ae, 'encoder', i).weight.data);
    dense(copy, 'encoder', i).bias.data.set(dense(ae, 'encoder', i).bias.data);
  });
  ae.decoder.layers.forEach((layer, i) => {
    const w = (layer as TiedDense).sharedWeight;
    const target = dense(copy, 'decoder', i).weight;
    const [rows, cols] = w.shape;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) target.data[c * rows + r] = w.data[r * cols + c];
    (layer as TiedDense).bias.data.fill(0.1 * (i + 1));
    dense(copy, 'decoder', i).bias.data.fill(0.1 * (i + 1));
  });
  const a = noGrad(() => ae.reconstruct(x).toArray());
  const b = noGrad(() => copy.reconstruct(x).toArray());
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${v} vs ${b[i]}`));
  // A tied weight's gradient is the sum of its encoder and decoder uses; the check sees the sum.
  const [w0, w1] = [dense(ae, 'encoder', 0).weight, dense(ae, 'encoder', 1).weight];
  const [c0, c1] = [(ae.decoder.layers[0] as TiedDense).bias, (ae.decoder.layers[1] as TiedDense).bias];
  gradCheck('tied autoencoder loss', () => ae.loss(x), [w0, w1, c0, c1], { eps: 1e-3 });
});

test('tied: stored once in the file, loaded back, and a file that disagrees is refused', () => {
  const dir = tempDir('tied');
  const ae = Autoencoder.create({ layers: [8, 5, 3], tied: true }, 4);
  const path = join(dir, 'model.safetensors');
  writeSafetensors(path, Object.fromEntries(stateDict(ae).map((t) => [t.name, { shape: t.shape, data: t.data }])));
  const names = [...readSafetensors(path).tensors.keys()].sort();
  assert.deepEqual(names, ['decoder.0.bias', 'decoder.2.bias', 'encoder.0.bias', 'encoder.0.weight', 'encoder.2.bias', 'encoder.2.weight']);
  const arrays = [...readSafetensors(path).tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  const back = Autoencoder.create({ layers: [8, 5, 3], tied: true }, 99);
  loadStateDict(back, arrays, path);
  assert.deepEqual(dense(back, 'encoder', 1).weight.toArray(), dense(ae, 'encoder', 1).weight.toArray());
  // The decoder reads the loaded encoder weight: the same reconstruction as the saved model.
  const x = asTensor(lowRankData(3, 8, 2, 5));
  assert.deepEqual(noGrad(() => back.reconstruct(x).toArray()), noGrad(() => ae.reconstruct(x).toArray()));
  // An untied model wants decoder weights the file lacks; a tied model refuses a stray one.
  assert.throws(() => loadStateDict(Autoencoder.create({ layers: [8, 5, 3] }), arrays, path),
    (e) => e instanceof DataError && /decoder\.0\.weight" is missing.*tied/.test(e.message));
  const stray = [...arrays, { name: 'decoder.0.weight', shape: [5, 3], data: new Float32Array(15) }];
  assert.throws(() => loadStateDict(back, stray, path), (e) => e instanceof DataError && /holds "decoder\.0\.weight", but the model has tied weights/.test(e.message));
});

test('L2: the config\'s λ adds exactly 2λθ to the gradient of weights (and of biases only when asked)', async () => {
  const data = lowRankData(40, 12, 2, 7);
  const lr = 0.1;
  const lambda = 0.05;
  const config = (reg?: ShortFormInput['regularization']): AutoencoderConfigInput => ({ layers: [12, 4], codeActivation: 'sigmoid', regularization: reg });
  // One full-batch SGD step without momentum: θ' = θ − lr·(g + 2λθ).
  const oneStep = async (c: AutoencoderConfigInput, penalty?: (m: Autoencoder) => Tensor) => {
    const model = Autoencoder.create(c, 3);
    // fit would start the output bias at the data's mean first: θ is taken after that.
    model.prepare(data);
    const before = model.parameters().map((p) => p.tensor.data.slice());
    // With `penalty`, the same model trained through a wrapper that adds it to the objective.
    const trainable: Trainable = penalty
      ? { inputShape: model.inputShape, parameters: () => model.parameters(), objective: (b, ctx) => ({ loss: model.objective(b, ctx).loss, penalty: penalty(model) }) }
      : model;
    await fit(trainable, data, { epochs: 1, batchSize: 40, lr, optimizer: 'sgd', momentum: 0 });
    return { model, before };
  };
  const plain = await oneStep(config());
  for (const biases of [false, true]) {
    const decayed = await oneStep(config({ l2: lambda, l2Biases: biases }));
    decayed.model.parameters().forEach((p, i) => {
      const decays = p.kind === 'weight' || biases;
      const after0 = plain.model.parameters()[i].tensor.data;
      for (let j = 0; j < p.tensor.size; j++) {
        const extra = decays ? -lr * 2 * lambda * decayed.before[i][j] : 0;
        assert.ok(Math.abs(p.tensor.data[j] - after0[j] - extra) < 1e-6, `${p.name}[${j}] (l2Biases ${biases})`);
      }
    });
  }
  // The same step as the explicit penalty λ Σ ‖W‖² built from primitives.
  const viaConfig = await oneStep(config({ l2: lambda }));
  const viaPenalty = await oneStep(config(), (m) => l2Penalty(m.parameters().filter((p) => p.kind === 'weight').map((p) => p.tensor), lambda));
  viaConfig.model.parameters().forEach((p, i) => {
    const other = viaPenalty.model.parameters()[i].tensor.data;
    p.tensor.data.forEach((v, j) => assert.ok(Math.abs(v - other[j]) < 1e-6, `${p.name}[${j}]`));
  });
});

test('L2: the weight norm falls as λ rises', async () => {
  const norms: number[] = [];
  for (const l2 of [0, 1e-3, 1e-2, 1e-1]) {
    const model = Autoencoder.create({ layers: [64, 16], codeActivation: 'sigmoid', regularization: { l2 } }, 1);
    await fit(model, train, { epochs: 6, batchSize: 50, lr: 1e-2, seed: 1 });
    norms.push(Math.sqrt(model.parameters().filter((p) => p.kind === 'weight').reduce((s, p) => s + p.tensor.toArray().reduce((a, v) => a + v * v, 0), 0)));
  }
  for (let i = 1; i < norms.length; i++) assert.ok(norms[i] < norms[i - 1], `norms ${norms.map((n) => n.toFixed(3)).join(' > ')}`);
});

test('every penalty of a model config passes a central-difference check, tied and corrupted input included', () => {
  const ae = Autoencoder.create({
    layers: [6, 4], codeActivation: 'sigmoid', tied: true,
    regularization: { sparsity: { rho: 0.1, beta: 2 }, l1Activity: 0.3, contractive: 0.5, noise: 'mask:0.25' },
  }, 5);
  const x = asTensor(lowRankData(5, 6, 2, 9));
  const first = dense(ae, 'encoder', 1);
  const [w, b, c] = [first.weight, first.bias, (ae.decoder.layers[0] as TiedDense).bias];
  gradCheck('activity penalties', () => ae.objective({ x }, training()).penalty!, [w, b], { eps: 1e-3 });
  gradCheck('objective', () => {
    const { loss, penalty } = ae.objective({ x }, training());
    return add(loss, penalty!);
  }, [w, b, c], { eps: 1e-3 });
});

test('sparse: after training, the code units\' mean activation on held-out data is within 20% of ρ', async () => {
  const rho = 0.05;
  const meanActivation = async (reg?: ShortFormInput['regularization']) => {
    const model = Autoencoder.create({ layers: [64, 32], codeActivation: 'sigmoid', regularization: reg }, 1);
    await fit(model, train, { epochs: 10, batchSize: 50, lr: 1e-2, seed: 1 });
    return noGrad(() => tidy(() => mean(model.encode(asTensor(heldOut))).item()));
  };
  const sparse = await meanActivation({ sparsity: { rho, beta: 3 } });
  assert.ok(Math.abs(sparse - rho) <= 0.2 * rho, `mean activation ${sparse}, target ${rho}`);
  const dense = await meanActivation();
  assert.ok(dense > 2 * rho, `without the penalty the code is not sparse (${dense})`);
});

test('contractive: with the same seed, the encoder\'s Jacobian norm on held-out data is lower than without', async () => {
  const jacobianNorm = async (reg?: ShortFormInput['regularization']) => {
    const model = Autoencoder.create({ layers: [64, 16], codeActivation: 'sigmoid', regularization: reg }, 1);
    await fit(model, train, { epochs: 6, batchSize: 50, lr: 1e-2, seed: 1 });
    const layer = dense(model, 'encoder', 0);
    // One encoder layer: its Jacobian is the encoder's; λ = 1 gives mean_rows ‖J‖²_F.
    return noGrad(() => tidy(() => contractivePenalty(model.encode(asTensor(heldOut)), layer.weight, 'sigmoid', 1).item()));
  };
  const plain = await jacobianNorm();
  const contracted = await jacobianNorm({ contractive: 0.1 });
  assert.ok(contracted < 0.7 * plain, `‖J‖²_F: ${contracted} with the penalty vs ${plain} without`);
});

test('denoising: fit feeds a freshly corrupted input each step and keeps the clean target', async () => {
  const model = Autoencoder.create({ layers: [64, 16], codeActivation: 'sigmoid', regularization: { noise: 'mask:0.5' } }, 1);
  // Watch what the noise layer in front of the encoder gives the first dense layer.
  const noise: Layer = model.encoder.layers[0];
  const forward = noise.forward.bind(noise);
  const seen: Float32Array[] = [];
  noise.forward = (x, ctx) => {
    const out = forward(x, ctx);
    if (ctx.training) seen.push(out.data.slice());
    return out;
  };
  const result = await fit(model, train, { epochs: 2, batchSize: 600, lr: 1e-3, seed: 1, validation: heldOut });
  assert.equal(seen.length, 2);
  // The validation loss is computed at inference: the clean input, against the clean target.
  assert.ok(Math.abs(result.valLoss[1] - noGrad(() => tidy(() => model.loss(asTensor(heldOut)).item()))) < 1e-3 * result.valLoss[1]);
  for (const input of seen) {
    // lowRankData has no zeros; the masked input has about half.
    const zeros = input.filter((v) => v === 0).length / input.length;
    assert.ok(Math.abs(zeros - 0.5) < 0.02, `zeros ${zeros}`);
  }
  assert.notDeepEqual(seen[0], seen[1]);
});

test('every regularized preset builds, and their terms combine in one config', () => {
  for (const name of ['l2', 'tied', 'sparse', 'contractive', 'denoising', 'denoising-gaussian', 'overcomplete-sparse', 'overcomplete-denoising'] as const) {
    const ae = Autoencoder.create(PRESETS[name].model, 0);
    assert.equal(ae.inputSize, 784, name);
  }
  const combined = Autoencoder.create({ ...PRESETS.sparse.model, tied: true, regularization: { ...PRESETS.sparse.model.regularization, noise: 'mask:0.25', l2: 1e-4 } }, 0);
  assert.equal(combined.trainingNoise, 'mask:0.25');
  assert.ok(combined.decoder.layers[0] instanceof TiedDense);
  assert.equal(combined.parameters().find((p) => p.name === 'encoder.0.weight')?.l2, 1e-4);
  const x = asTensor({ x: new Float32Array(2 * 784).fill(0.5), n: 2, features: 784 });
  assert.ok(combined.objective({ x }, training()).penalty !== null);
  assert.equal(combined.objective({ x }, { training: false, rng: null }).penalty, null);
});

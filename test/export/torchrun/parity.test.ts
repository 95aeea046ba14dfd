/**
 * Parity of the torchrun job with aekit: for each family (dense, tied, sparse, contractive,
 * denoising, conv, variational, a classifier head, SegNet), the job's train.py (run by parity.py in
 * one Python process) computes on the same weights, batch and noise draws the same objective (to
 * 1e-5 relative) and gradients as aekit, and its optimizer step gives aekit's weights and batch
 * norm statistics. Runs where /usr/bin/python3 has torch (Debian's python3-torch), and says it
 * skipped otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type JobNet, writeJobFolder } from '../../../src/export/torchrun/job-folder.js';
import { readSafetensors, writeSafetensors } from '../../../src/io/safetensors.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import type { AutoencoderConfigInput } from '../../../src/models/config.js';
import { PRESETS, segnetModel } from '../../../src/training/presets.js';
import { Classifier } from '../../../src/models/classifier.js';
import { Segmenter } from '../../../src/models/segmenter.js';
import type { Sequential } from '../../../src/nn/sequential.js';
import { Dropout } from '../../../src/nn/dropout.js';
import { Gaussian } from '../../../src/nn/gaussian.js';
import { NoiseLayer } from '../../../src/nn/noise.js';
import { add, backward, Tensor } from '../../../src/tensor/index.js';
import { Adam, Sgd } from '../../../src/training/optimizers.js';
import { Prng } from '../../../src/util/prng.js';
import { maxAbsDiff, randomizeWeights, unitInputs } from '../../helpers/random-weights.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { torchSkip, PYTHON } from './torch-available.js';

interface Case {
  config?: AutoencoderConfigInput;
  /** A net other than an autoencoder of `config`. */
  net?: () => JobNet;
  /** Labels for a batch: a class per example, or per pixel. */
  labels?: (rows: number, rng: Prng) => Float32Array;
  optimizer?: 'adam' | 'sgd';
  weightDecay?: number;
  /** Epochs done, for a Gaussian code's KL warm-up (unset: warm-up over, as aekit takes it). */
  epoch?: number;
}

const classes = (count: number, per: number) => (rows: number, rng: Prng) => Float32Array.from({ length: rows * per }, () => rng.int(count));

const CASES: Record<string, Case> = {
  // the deep preset with its decoupled weight decay
  dense: { config: PRESETS.deep.model, weightDecay: 0.3 },
  tied: { config: PRESETS.tied.model },
  sparse: { config: PRESETS.sparse.model },
  contractive: { config: PRESETS.contractive.model },
  denoising: { config: PRESETS.denoising.model },
  'denoising-gaussian': { config: PRESETS['denoising-gaussian'].model },
  // centred inputs, linear code, squared error
  linear: { config: PRESETS.linear.model },
  // salt-and-pepper noise, dropout, batch norm, coupled L2, L1 activity, a leaky contractive layer, SGD with momentum
  mixed: {
    config: {
      input: [12],
      encoder: [
        { type: 'noise', spec: 'salt-pepper:0.2' },
        { type: 'dense', units: 10, activation: 'leaky_relu', leakySlope: 0.1, contractive: 0.05, kernelRegularizer: { l2: 1e-3 }, biasRegularizer: { l2: 1e-2 } },
        { type: 'dropout', rate: 0.3 },
        { type: 'batch_norm' },
        { type: 'dense', units: 5, activation: 'tanh', activityRegularizer: { l1: 1e-2 } },
      ],
      decoder: 'mirror',
      output: { activation: 'identity', loss: 'mse' },
    },
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  // KL and L1 on a tied sigmoid code with Adam's decoupled decay
  'sparse-tied-l1': {
    config: { layers: [30, 8], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', tied: true, regularization: { sparsity: { rho: 0.1, beta: 2 }, l1Activity: 1e-3, l2: 1e-4, l2Biases: true } },
    weightDecay: 0.1,
  },
  conv: { config: PRESETS.conv.model },
  // a VAE half way through its KL warm-up (5 epochs): β = 0.5 on the KL term, eps replayed
  vae: { config: PRESETS.vae.model, epoch: 2.5 },
  'conv-vae': { config: PRESETS['conv-vae'].model },
  // β-VAE with free bits: units whose batch-mean KL is under λ count as λ, without gradient
  'vae-free-bits': {
    config: {
      input: [20],
      encoder: [{ type: 'dense', units: 12, activation: 'tanh' }, { type: 'gaussian', units: 6, beta: 2, freeBits: 0.3 }],
      decoder: 'mirror',
      output: { activation: 'sigmoid', loss: 'bce' },
    },
    weightDecay: 0.1,
  },
  'conv-denoising': { config: PRESETS['conv-denoising'].model, weightDecay: 0.05 },
  // a classifier head on a convolutional encoder with batch norm and dropout
  classifier: {
    net: () => Classifier.create({
      input: [1, 8, 8],
      encoder: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1, activation: 'relu' }, { type: 'batch_norm' }, { type: 'flatten' }, { type: 'dense', units: 6, activation: 'tanh' }, { type: 'dropout', rate: 0.2 }],
      classes: 4,
    }, 1),
    labels: classes(4, 1),
  },
  // SegNet: pooling indices unpooled, batch norm, per-pixel cross-entropy weighted by class
  segnet: {
    net: () => Segmenter.create({ ...segnetModel([4, 6], [0, 1], 3, 12), classWeights: [0.5, 1, 2] }, 5),
    labels: classes(3, 144),
    weightDecay: 0.1,
  },
};

const ROWS = 8;
const LR = 1e-3;
const NOISE_SEED = 7;

/** The stacks of a net, in the order they run. */
const stacksOf = (net: JobNet): Sequential[] => (net instanceof Classifier ? [net.encoder, net.head] : [net.encoder, net.decoder]);

/** The numbers aekit's noise and dropout layers draw for a batch of `rows`, in the order they draw them. */
function replayDraws(net: JobNet, rows: number): Float32Array[] {
  const rng = new Prng(NOISE_SEED);
  const draws: Float32Array[] = [];
  for (const layer of stacksOf(net).flatMap((s) => s.layers)) {
    const size = rows * layer.inputShape.reduce((a, b) => a * b, 1);
    if (layer instanceof NoiseLayer) draws.push(Float32Array.from({ length: size }, () => (layer.noise.kind === 'gaussian' ? rng.normal() : rng.uniform())));
    if (layer instanceof Dropout && layer.spec().rate > 0) draws.push(Float32Array.from({ length: size }, () => rng.uniform()));
    if (layer instanceof Gaussian) draws.push(Float32Array.from({ length: rows * layer.units }, () => rng.normal()));
  }
  return draws;
}

/** aekit's objective, gradients and stepped state for the case. */
function aekitSide(net: JobNet, x: Float32Array, y: Float32Array | undefined, c: Case) {
  const params = net.parameters();
  for (const p of params) p.tensor.zeroGrad();
  const labelShape = net instanceof Segmenter ? net.inputShape.slice(1) : [];
  const batch = { x: new Tensor(x, [ROWS, ...net.inputShape]), ...(y ? { y: new Tensor(y, [ROWS, ...labelShape]) } : {}) };
  const { loss, penalty } = net.objective(batch, { training: true, rng: new Prng(NOISE_SEED), ...(c.epoch !== undefined ? { epoch: c.epoch } : {}) });
  const total = penalty ? add(loss, penalty) : loss;
  backward(total);
  const grads = new Map(params.map((p) => [p.name, Float32Array.from(p.tensor.grad!)]));
  // Sent to the job, which steps from them too (see parity.py).
  const gradTensors = Object.fromEntries(params.map((p) => [`grad.${p.name}`, { shape: [...p.tensor.shape], data: grads.get(p.name)! }]));
  const optimizer = c.optimizer === 'sgd' ? new Sgd(params, { lr: LR, momentum: 0.9, weightDecay: c.weightDecay }) : new Adam(params, { lr: LR, weightDecay: c.weightDecay });
  optimizer.step();
  return { objective: total.item(), data: loss.item(), grads, gradTensors, after: new Map(stacksOf(net).flatMap((st) => [...st.parameters(), ...st.buffers()]).map((t) => [t.name, t.tensor.data])) };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), 1e-12);

/** max |a − b| over max |a|: the gradient's error relative to its size. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(a[i]));
  }
  return size === 0 ? diff : diff / size;
}

test('the torchrun job\'s objective, gradients and optimizer step equal aekit\'s: dense families, conv, VAEs, a classifier head, SegNet', { skip: torchSkip }, () => {
  const dir = tempDir('torchrun-parity');
  const args: string[] = [];
  const expected: { name: string; side: ReturnType<typeof aekitSide> }[] = [];
  for (const [name, c] of Object.entries(CASES)) {
    const model = c.net ? c.net() : Autoencoder.create(c.config!, 1);
    randomizeWeights(stacksOf(model), 2);
    const job = join(dir, name);
    mkdirSync(job);
    const training = { epochs: 1, batchSize: ROWS, lr: LR, schedule: 'constant' as const, weightDecay: c.weightDecay ?? 0, optimizer: c.optimizer ?? 'adam' as const, seed: 0 };
    writeJobFolder(job, model, { training, source: { train: { x: 'none.npy' }, test: null }, record: { format: 'aekit-model', versions: { aekit: '0' } }, name, trainRows: ROWS });
    const x = unitInputs(ROWS, model.inputShape.reduce((a, b) => a * b, 1), 3);
    const y = c.labels?.(ROWS, new Prng(4));
    const draws = replayDraws(model, ROWS);
    const side = aekitSide(model, x, y, c);
    writeSafetensors(join(job, 'io.safetensors'), {
      x: { shape: [ROWS, ...model.inputShape], data: x }, ...(y ? { y: { shape: [y.length], data: y } } : {}), lr: { shape: [], data: Float32Array.of(LR) }, ...side.gradTensors,
      ...(c.epoch !== undefined ? { epoch: { shape: [], data: Float32Array.of(c.epoch) } } : {}),
      ...Object.fromEntries(draws.map((d, i) => [`draw${i}`, { shape: [d.length], data: d }])),
    });
    expected.push({ name, side });
    args.push(job, join(job, 'io.safetensors'), join(job, 'torch.safetensors'));
  }
  const run = spawnSync(PYTHON, ['test/export/torchrun/parity.py', ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const results = JSON.parse(run.stdout) as { objective: number; data: number; unusedDraws: number }[];
  expected.forEach(({ name, side }, k) => {
    const torch = results[k];
    assert.equal(torch.unusedDraws, 0, `${name}: the job drew fewer random numbers than aekit`);
    assert.ok(relative(side.objective, torch.objective) <= 1e-5, `${name}: objective aekit ${side.objective}, job ${torch.objective}`);
    assert.ok(relative(side.data, torch.data) <= 1e-5, `${name}: data loss aekit ${side.data}, job ${torch.data}`);
    const out = readSafetensors(join(dir, name, 'torch.safetensors')).tensors;
    // A gradient that is 0 in exact arithmetic (a convolution's bias before batch norm, which
    // takes the mean out) is float noise on both sides: measured against the net's largest gradient.
    const largest = Math.max(...[...side.grads.values()].map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    for (const [param, grad] of side.grads) {
      const theirs = out.get(`grad.${param}`);
      assert.ok(theirs, `${name}: the job has no gradient for ${param}`);
      const size = grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = maxAbsDiff(grad, theirs.data);
      assert.ok(diff <= 1e-4 * size + 1e-6 * largest, `${name}: gradient of ${param} differs by ${diff} (its largest value ${size}, the net's ${largest})`);
    }
    for (const [tensor, value] of side.after) {
      const theirs = out.get(`after.${tensor}`);
      assert.ok(theirs, `${name}: the job's state has no ${tensor}`);
      const error = relativeError(value, theirs.data);
      assert.ok(error <= 1e-5, `${name}: ${tensor} after one step differs by ${error} of its size`);
    }
    assert.equal(out.size, side.grads.size + side.after.size, `${name}: the job has other tensors than aekit's`);
  });
});

/**
 * PyTorch interchange: the module `aekit export pytorch` writes loads aekit's model.safetensors with
 * strict=True and gives aekit's codes and reconstructions within 1e-5; a state dict saved from
 * torch comes back through `aekit import safetensors` to torch's outputs. Runs where
 * /usr/bin/python3 has torch (Debian's python3-torch), and says it skipped otherwise.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importSafetensors } from '../../src/export/import-safetensors.js';
import { saveClassifier } from '../../src/run/classifier-run.js';
import { exportableAutoencoder, exportableRun } from '../../src/export/onnx-export.js';
import { pytorchSource } from '../../src/export/pytorch-code.js';
import { saveSegmenter } from '../../src/run/segmenter-run.js';
import { loadRun, saveModel } from '../../src/run/save-load.js';
import { DataError, UsageError } from '../../src/errors.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Classifier } from '../../src/models/classifier.js';
import { Gaussian, gaussianKl } from '../../src/nn/gaussian.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { reconstructionLoss } from '../../src/models/output.js';
import type { Sequential } from '../../src/nn/sequential.js';
import type { AutoencoderConfigInput } from '../../src/models/config.js';
import { PRESETS, segnetModel } from '../../src/training/presets.js';
import { Segmenter } from '../../src/models/segmenter.js';
import { noGrad, sum, Tensor } from '../../src/tensor/index.js';
import { maxAbsDiff, randomizeWeights, unitInputs } from '../helpers/random-weights.js';
import { softmaxOverClasses } from '../helpers/softmax.js';
import { LAYER_NORM_MODEL } from '../helpers/export-models.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runTorchChecks, type TorchCheck, type TorchCheckResult, torchSkip as skip } from '../helpers/torch-check.js';

const MODELS: Record<string, AutoencoderConfigInput> = {
  undercomplete: PRESETS.undercomplete.model,
  deep: PRESETS.deep.model,
  linear: PRESETS.linear.model,
  tied: PRESETS.tied.model,
  denoising: PRESETS.denoising.model,
  hash: PRESETS.hash.model,
  conv: PRESETS.conv.model,
  vae: PRESETS.vae.model,
  'conv-vae': PRESETS['conv-vae'].model,
  segnet: {
    input: [2, 9, 10],
    encoder: [
      { type: 'conv2d', filters: 4, kernel: 3, padding: 1 }, { type: 'batch_norm' }, { type: 'activation', activation: 'relu' }, { type: 'max_pool2d', kernel: 2 },
      { type: 'conv2d', filters: 5, kernel: [3, 2], padding: [1, 0], activation: 'tanh' }, { type: 'max_pool2d', kernel: 3, stride: 2, padding: 1 },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  },
  'layer-norm': LAYER_NORM_MODEL,
  upsample: {
    input: [1, 6, 6],
    encoder: [{ type: 'dropout', rate: 0.2 }, { type: 'conv2d', filters: 3, kernel: 2, stride: 2 }, { type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'batch_norm' }],
    decoder: [{ type: 'dense', units: 27, activation: 'relu' }, { type: 'reshape', shape: [3, 3, 3] }, { type: 'upsample', scale: 2, mode: 'bilinear' },
      { type: 'conv_transpose2d', filters: 1, kernel: 3, padding: 1 }],
    output: { activation: 'sigmoid', loss: 'bce' },
  },
};

/** The cases' folders, made before any test runs (a folder made inside a test goes with it). */
const work = tempDir('torch');
const caseDir = (name: string) => {
  const dir = join(work, name);
  mkdirSync(dir);
  return dir;
};

/** An autoencoder's files for torch-check.py: the run, its module, and aekit's outputs on three inputs. */
function prepareAutoencoder(name: string, config: AutoencoderConfigInput): { check: TorchCheck; dir: string; x: Float32Array; nelbo: number | null } {
  const dir = caseDir(name);
  const model = Autoencoder.create(config, 1);
  randomizeWeights([model.encoder, model.decoder], 2);
  saveModel(model, join(dir, 'run'));
  writeFileSync(join(dir, 'module.py'), pytorchSource(exportableAutoencoder(model), join(dir, 'run')));
  const n = 3;
  const x = unitInputs(n, model.inputSize, 3);
  const [code, reconstruction] = noGrad(() => {
    const h = model.encode(x);
    return [h, model.decode(h)];
  });
  // A VAE's loss at its mean code: the reconstruction loss of the mean plus the KL of the posterior.
  const code_ = model.encoder.layers.at(-1);
  const nelbo = code_ instanceof Gaussian ? noGrad(() => {
    let h = new Tensor(x, [n, ...model.inputShape]);
    for (const layer of model.encoder.layers.slice(0, -1)) h = layer.forward(h, INFERENCE);
    const posterior = code_.distribution(h);
    const kl = sum(gaussianKl(posterior.mean, posterior.logVariance)).item() / n;
    return reconstructionLoss(model.logits(posterior.mean), new Tensor(x, [n, ...model.inputShape]), model.output, 1 / n).item() + kl;
  }) : null;
  writeSafetensors(join(dir, 'io.safetensors'), {
    x: { shape: [n, ...model.inputShape], data: x }, code: { shape: [...code.shape], data: code.data }, reconstruction: { shape: [...reconstruction.shape], data: reconstruction.data },
    ...(nelbo === null ? {} : { nelbo: { shape: [1], data: Float32Array.of(nelbo) } }),
  });
  const check = { module: join(dir, 'module.py'), weights: join(dir, 'run', 'model.safetensors'), io: join(dir, 'io.safetensors'), torchWeights: join(dir, 'torch.safetensors') };
  return { check, dir, x, nelbo };
}

/**
 * Saves a net that ends in class scores as its command does, writes its PyTorch module and aekit's
 * codes and class probabilities, for torch (strict load) to compare.
 */
function prepareScoresModule(name: string, save: (dir: string) => void, encoder: Sequential, scoresOf: (x: Tensor) => Tensor, inputShape: number[], classes: number): TorchCheck {
  const dir = caseDir(name);
  const run = join(dir, 'run');
  save(run);
  writeFileSync(join(dir, 'module.py'), pytorchSource(exportableRun(run), run));
  const n = 3;
  const x = unitInputs(n, inputShape.reduce((a, b) => a * b, 1), 3);
  const [code, scores] = noGrad(() => {
    const input = new Tensor(x, [n, ...inputShape]);
    return [encoder.forward(input, INFERENCE), scoresOf(input)];
  });
  writeSafetensors(join(dir, 'io.safetensors'), {
    x: { shape: [n, ...inputShape], data: x }, code: { shape: [...code.shape], data: code.data },
    reconstruction: { shape: [...scores.shape], data: softmaxOverClasses(scores.data, n, classes) },
  });
  return { module: join(dir, 'module.py'), weights: join(run, 'model.safetensors'), io: join(dir, 'io.safetensors'), torchWeights: join(dir, 'torch.safetensors') };
}

function classifierCheck(): TorchCheck {
  const net = Classifier.create({
    input: [1, 8, 8],
    encoder: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1, activation: 'relu' }, { type: 'batch_norm' }, { type: 'flatten' }, { type: 'dense', units: 6, activation: 'tanh' }],
    classes: 4,
  }, 1);
  randomizeWeights([net.encoder, net.head], 2);
  const training = { finetune: true, labels: 1, epochs: 1, batchSize: 1, lr: 1e-3, schedule: 'constant' as const, seed: 0 };
  const save = (run: string) => saveClassifier(net, run, { status: 'done', data: null, split: null, training, source: null }, {});
  return prepareScoresModule('classifier', save, net.encoder, (x) => net.logits(x), [1, 8, 8], 4);
}

function segmenterCheck(): TorchCheck {
  const net = Segmenter.create(segnetModel([4, 6], [0, 1], 3, 12), 5);
  randomizeWeights([net.encoder, net.decoder], 6);
  const save = (run: string) => {
    mkdirSync(run);
    saveSegmenter(net, run, {});
  };
  return prepareScoresModule('segmenter', save, net.encoder, (x) => net.scores(x), [1, 12, 12], 3);
}

/** Every case prepared, and torch-check.py run over all of them in one interpreter, on first use. */
let checked: { autoencoders: Map<string, ReturnType<typeof prepareAutoencoder> & { result: TorchCheckResult }>; classifier: TorchCheckResult; segmenter: TorchCheckResult } | undefined;
function torchResults(): NonNullable<typeof checked> {
  if (checked) return checked;
  const autoencoders = Object.entries(MODELS).map(([name, config]) => [name, prepareAutoencoder(name, config)] as const);
  const results = runTorchChecks([...autoencoders.map(([, a]) => a.check), classifierCheck(), segmenterCheck()]);
  checked = {
    autoencoders: new Map(autoencoders.map(([name, a], i) => [name, { ...a, result: results[i] }])),
    classifier: results.at(-2)!,
    segmenter: results.at(-1)!,
  };
  return checked;
}

/** The differences of a check that ran, or the test fails with Python's error. */
function differences(result: TorchCheckResult): { code: number; full: number; nelbo?: number } {
  if (result.error !== undefined) assert.fail(result.error);
  return result;
}

for (const [name, config] of Object.entries(MODELS)) {
  test(`${name}: torch loads model.safetensors strict=True into the exported module, and the import goes back`, { skip }, () => {
    const { dir, x, nelbo, result } = torchResults().autoencoders.get(name)!;
    const diff = differences(result);
    assert.ok(diff.code <= 1e-5 && diff.full <= 1e-5, `max |diff| code ${diff.code}, reconstruction ${diff.full}`);
    // The loss in nats, summed over 784 values: float32 rounding of a few hundred nats.
    if (nelbo !== null) assert.ok(diff.nelbo !== undefined && diff.nelbo <= 1e-3 * Math.abs(nelbo), `negative ELBO: |diff| ${diff.nelbo} of ${nelbo}`);

    // Back: torch's own state dict (moved weights, int64 counters) as an aekit run folder.
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    importSafetensors(join(dir, 'torch.safetensors'), configFile, join(dir, 'imported'));
    const torchOut = readSafetensors(join(dir, 'torch.safetensors.io')).tensors.get('reconstruction')!.data;
    const imported = noGrad(() => loadRun(join(dir, 'imported')).model.reconstruct(x).data);
    assert.ok(maxAbsDiff(imported, torchOut) <= 1e-5, `imported: max |diff| ${maxAbsDiff(imported, torchOut)}`);
  });
}

test('a classifier run: torch loads its model.safetensors strict=True, with aekit\'s codes and class probabilities', { skip }, () => {
  const diff = differences(torchResults().classifier);
  assert.ok(diff.code <= 1e-5 && diff.full <= 1e-5, `classifier: max |diff| code ${diff.code}, probabilities ${diff.full}`);
});

test('a segment folder: torch loads its model.safetensors strict=True, with aekit\'s codes and per-pixel class probabilities', { skip }, () => {
  const diff = differences(torchResults().segmenter);
  assert.ok(diff.code <= 1e-5 && diff.full <= 1e-5, `segmenter: max |diff| code ${diff.code}, probabilities ${diff.full}`);
});

test('import refuses a state dict that does not fit, naming the tensor and both shapes', () => {
  const dir = tempDir('import-bad');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ layers: [6, 3], codeActivation: 'sigmoid' }));
  const w = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  writeSafetensors(join(dir, 'bad.safetensors'), { 'encoder.0.weight': w([3, 5]), 'encoder.0.bias': w([3]), 'decoder.0.weight': w([6, 3]), 'decoder.0.bias': w([6]) });
  // A config that is neither a file nor a preset's own name (an object's inherited "toString" is not a preset).
  assert.throws(() => importSafetensors(join(dir, 'bad.safetensors'), 'toString', join(dir, 'out')),
    (e) => e instanceof UsageError && /^toString: no such file \(--config takes a model config JSON file, or a preset: /.test(e.message));
  assert.throws(() => importSafetensors(join(dir, 'bad.safetensors'), config, join(dir, 'out')),
    (e) => e instanceof DataError && /bad\.safetensors: tensor "encoder\.0\.weight" has shape \[3, 5\], expected \[3, 6\]$/.test(e.message));
  // The old numbering of a two-layer sigmoid stack (encoder.1.*) is not today's (encoder.2.*).
  writeFileSync(config, JSON.stringify({ layers: [6, 4, 3], codeActivation: 'sigmoid' }));
  writeSafetensors(join(dir, 'old.safetensors'), { 'encoder.0.weight': w([4, 6]), 'encoder.0.bias': w([4]), 'encoder.1.weight': w([3, 4]), 'encoder.1.bias': w([3]) });
  assert.throws(() => importSafetensors(join(dir, 'old.safetensors'), config, join(dir, 'out')),
    (e) => e instanceof DataError && /old\.safetensors: tensor "encoder\.2\.weight" is missing \(expected shape \[3, 4\]\)/.test(e.message));
});

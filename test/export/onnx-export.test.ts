/**
 * ONNX export: every exported preset (and models using each layer type) runs in ONNX Runtime to
 * aekit's own outputs within 1e-5, for the encoder, the decoder and the full model; what ONNX
 * cannot run alone is refused naming the layer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportableAutoencoder, exportableClassifier, type ExportableNet, onnxModel, type OnnxPart } from '../../src/export/onnx-export.js';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Classifier } from '../../src/models/classifier.js';
import { Gaussian } from '../../src/nn/gaussian.js';
import { INFERENCE, type Layer } from '../../src/nn/layer.js';
import { Sequential } from '../../src/nn/sequential.js';
import { pytorchSource } from '../../src/export/pytorch-code.js';
import type { AutoencoderConfigInput } from '../../src/models/config.js';
import { PRESETS, segnetModel } from '../../src/training/presets.js';
import { Segmenter } from '../../src/models/segmenter.js';
import { noGrad, sizeOf, Tensor } from '../../src/tensor/index.js';
import { maxAbsDiff, randomizeWeights, unitInputs } from '../helpers/random-weights.js';
import { softmaxOverClasses } from '../helpers/softmax.js';
import { LAYER_NORM_MODEL } from '../helpers/export-models.js';

const TOLERANCE = 1e-5;

/** Runs `part` of `net` in ONNX Runtime on x [n, ...input of the part]. */
async function runOnnx(net: ExportableNet, part: OnnxPart, x: Float32Array, n: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const { bytes, signature } = onnxModel(net, part);
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [signature.input.name]: new ort.Tensor('float32', x, [n, ...signature.input.shape]) };
  const out = (await session.run(feeds))[signature.output.name];
  return { data: out.data as Float32Array, dims: out.dims };
}

async function checkAutoencoder(name: string, config: AutoencoderConfigInput, seed: number): Promise<void> {
  const model = Autoencoder.create(config, seed);
  randomizeWeights([model.encoder, model.decoder], seed + 100);
  const n = 3;
  const x = unitInputs(n, model.inputSize, seed + 200);
  const net = exportableAutoencoder(model);
  const [codes, reconstruction] = noGrad(() => {
    const h = model.encode(x);
    return [h.data.slice(), model.decode(h).data.slice()];
  });
  const encoded = await runOnnx(net, 'encoder', x, n);
  assert.deepEqual(encoded.dims, [n, ...model.codeShape], `${name}: code shape`);
  assert.ok(maxAbsDiff(encoded.data, codes) <= TOLERANCE, `${name} encoder: max |diff| ${maxAbsDiff(encoded.data, codes)}`);
  const full = await runOnnx(net, 'full', x, n);
  assert.ok(maxAbsDiff(full.data, reconstruction) <= TOLERANCE, `${name} full: max |diff| ${maxAbsDiff(full.data, reconstruction)}`);
  if (model.decoder.layers.some((l) => l.type === 'max_unpool2d')) return;
  const decoded = await runOnnx(net, 'decoder', codes, n);
  const direct = noGrad(() => model.decode(new Tensor(codes, [n, ...model.codeShape])).data);
  assert.ok(maxAbsDiff(decoded.data, direct) <= TOLERANCE, `${name} decoder: max |diff| ${maxAbsDiff(decoded.data, direct)}`);
}

for (const [name, preset] of Object.entries(PRESETS)) {
  test(`preset ${name}: encoder, decoder and full model match aekit in ONNX Runtime`, async () => {
    await checkAutoencoder(name, preset.model, 1);
  });
}

test('SegNet-style pooling with indices, unpooling, batch norm, upsampling and the other layers match', async () => {
  await checkAutoencoder('pool-unpool-bn', {
    input: [2, 9, 10],
    encoder: [
      { type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'batch_norm' }, { type: 'max_pool2d', kernel: 2 },
      { type: 'conv2d', filters: 5, kernel: [3, 2], padding: [1, 0], dilation: [1, 2], activation: 'tanh' }, { type: 'max_pool2d', kernel: 3, stride: 2, padding: 1 },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  }, 2);
  await checkAutoencoder('upsample-dense-bn', {
    input: [1, 6, 6],
    encoder: [
      { type: 'dropout', rate: 0.3 }, { type: 'center' }, { type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1, groups: 1, activation: 'leaky_relu', leakySlope: 0.2 },
      { type: 'flatten' }, { type: 'dense', units: 8 }, { type: 'batch_norm' }, { type: 'activation', activation: 'sigmoid' }, { type: 'binarize' },
    ],
    decoder: [
      { type: 'dense', units: 12, activation: 'relu' }, { type: 'reshape', shape: [3, 2, 2] },
      { type: 'upsample', scale: 3, mode: 'bilinear' }, { type: 'conv2d', filters: 2, kernel: 3, padding: 1 }, { type: 'upsample', scale: [1, 1], mode: 'nearest' },
      { type: 'conv2d', filters: 1, kernel: 1 }, { type: 'uncenter', partner: 'encoder.1' },
    ],
    output: { activation: 'identity', loss: 'mse' },
  }, 3);
  await checkAutoencoder('nearest', {
    input: [2, 4, 4],
    encoder: [{ type: 'conv2d', filters: 3, kernel: 2, stride: 2 }],
    decoder: [{ type: 'upsample', scale: 2 }, { type: 'conv2d', filters: 2, kernel: 3, padding: 1, activation: 'sigmoid' }],
    output: { activation: 'identity', loss: 'mse' },
  }, 4);
});

test('layer norm over images and vectors (LayerNormalization, opset 17), gains and biases drawn at random, matches', async () => {
  await checkAutoencoder('layer-norm', LAYER_NORM_MODEL, 5);
});

test('the SegNet segmenter exports whole and scores pixels as aekit does', async () => {
  const net = Segmenter.create(segnetModel([4, 6], [0, 1], 3, 12), 5);
  randomizeWeights([net.encoder, net.decoder], 6);
  const n = 2;
  const x = unitInputs(n, sizeOf(net.inputShape), 7);
  const scores = noGrad(() => net.scores(new Tensor(x, [n, ...net.inputShape])).data);
  const exported = await runOnnx({ inputShape: net.inputShape, encoder: net.encoder, decoder: net.decoder, outputActivation: 'identity' }, 'full', x, n);
  assert.deepEqual(exported.dims, [n, 3, 12, 12]);
  assert.ok(maxAbsDiff(exported.data, scores) <= TOLERANCE, `max |diff| ${maxAbsDiff(exported.data, scores)}`);
});

test('a classifier (conv encoder, batch norm, softmax head) gives the softmax of aekit\'s scores, and its head alone the same from codes', async () => {
  const net = Classifier.create({
    input: [1, 8, 8],
    encoder: [
      { type: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 1, activation: 'relu' },
      { type: 'batch_norm' },
      { type: 'flatten' },
      { type: 'dense', units: 6, activation: 'tanh' },
    ],
    classes: 5,
  }, 3);
  randomizeWeights([net.encoder, net.head], 4);
  const n = 4;
  const x = unitInputs(n, 64, 5);
  const [codes, logits] = noGrad(() => {
    const input = new Tensor(x, [n, 1, 8, 8]);
    return [net.encoder.forward(input, INFERENCE).data.slice(), net.logits(input).data.slice()];
  });
  const expected = softmaxOverClasses(logits, n, 5);
  const exportable = exportableClassifier(net);
  const full = await runOnnx(exportable, 'full', x, n);
  assert.deepEqual(full.dims, [n, 5]);
  assert.ok(maxAbsDiff(full.data, expected) <= TOLERANCE, `max |diff| ${maxAbsDiff(full.data, expected)}`);
  assert.equal(onnxModel(exportable, 'full').signature.output.name, 'probabilities');
  const head = await runOnnx(exportable, 'decoder', codes, n);
  assert.ok(maxAbsDiff(head.data, expected) <= TOLERANCE, `head alone: max |diff| ${maxAbsDiff(head.data, expected)}`);
});

test('a decoder that unpools with its encoder\'s indices is refused alone, naming the layer', () => {
  const model = Autoencoder.create({ input: [1, 4, 4], encoder: [{ type: 'max_pool2d', kernel: 2 }], decoder: 'mirror' });
  assert.throws(() => onnxModel(exportableAutoencoder(model), 'decoder'),
    (e) => e instanceof UsageError && /^decoder\.0 \(max_unpool2d\): .*the decoder alone does not hold that layer; export --part full$/.test(e.message));
});

test('a VAE\'s encoder gives its posterior, mean and logvar, as aekit computes them', async () => {
  const model = Autoencoder.create(PRESETS['conv-vae'].model, 3);
  randomizeWeights([model.encoder, model.decoder], 4);
  const n = 2;
  const x = unitInputs(n, model.inputSize, 5);
  const { bytes, signature } = onnxModel(exportableAutoencoder(model), 'encoder');
  assert.equal(signature.output.name, 'mean');
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.outputNames, ['mean', 'logvar']);
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, ...model.inputShape]) });
  const code = model.encoder.layers.at(-1) as Gaussian;
  const want = noGrad(() => {
    let h = new Tensor(x, [n, ...model.inputShape]);
    for (const layer of model.encoder.layers.slice(0, -1)) h = layer.forward(h, INFERENCE);
    const posterior = code.distribution(h);
    return { mean: posterior.mean.data.slice(), logVariance: posterior.logVariance.data.slice() };
  });
  assert.ok(maxAbsDiff(out.mean.data as Float32Array, want.mean) <= TOLERANCE);
  assert.ok(maxAbsDiff(out.logvar.data as Float32Array, want.logVariance) <= TOLERANCE);
  assert.deepEqual(out.logvar.dims, [n, 50]);
});

test('a layer aekit did not build is refused by both exporters naming its place, even one that calls itself dense', () => {
  const impostor: Layer = {
    type: 'dense', inputShape: [4], outputShape: [4], forward: (x) => x, parameters: () => [], buffers: () => [], spec: () => ({ type: 'dense' }), penalty: () => null,
  };
  const net: ExportableNet = { inputShape: [4], encoder: new Sequential('encoder', [4], [impostor]), decoder: new Sequential('decoder', [4], []), outputActivation: 'identity' };
  assert.throws(() => onnxModel(net, 'encoder'), (e) => e instanceof UsageError && e.message === 'encoder.0 (dense): has no ONNX form in aekit\'s exporter');
  assert.throws(() => pytorchSource(net, 'runs/x'), (e) => e instanceof UsageError && e.message === 'encoder.0 (dense): has no PyTorch module in aekit\'s exporter');
});

/**
 * `aekit export onnx|pytorch` and `aekit import safetensors` end to end on a small trained run (and a classifier):
 * files written, one JSON object with --json, and bad input as one line with exit code 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import '../../src/index.js';
import { loadClassifier, saveClassifier } from '../../src/run/classifier-run.js';
import { saveSegmenter } from '../../src/run/segmenter-run.js';
import { loadData } from '../../src/data/load-data.js';
import { Classifier } from '../../src/models/classifier.js';
import { segnetModel } from '../../src/models/presets.js';
import { Segmenter } from '../../src/models/segmenter.js';
import { noGrad, Tensor } from '../../src/tensor/index.js';
import { aekitInProcess } from '../helpers/cli.js';
import { softmaxOverClasses } from '../helpers/softmax.js';
import { maxAbsDiff, randomizeWeights, unitInputs } from '../helpers/random-weights.js';
import { tempDir } from '../helpers/temp-dir.js';

function aekit(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('export onnx and pytorch from a trained run, import it back, and refuse bad input in one line', () => {
  const work = tempDir('export-cli');
  const run = join(work, 'run');
  const trained = aekit('train', '--preset', 'undercomplete', '--limit', '200', '--test-limit', '50', '--epochs', '1', '--out', run, '--json');
  assert.equal(trained.code, 0, trained.stderr);

  const onnx = aekit('export', 'onnx', '--model', run, '--part', 'encoder', '--output', join(work, 'enc.onnx'), '--json');
  assert.equal(onnx.code, 0, onnx.stderr);
  const result = JSON.parse(onnx.stdout);
  assert.deepEqual([result.input, result.output, result.operators], [{ name: 'input', shape: [784] }, { name: 'code', shape: [64] }, ['Gemm', 'Sigmoid', 'Identity']]);

  const py = aekit('export', 'pytorch', '--model', run, '--output', join(work, 'model.py'));
  assert.equal(py.code, 0, py.stderr);
  assert.ok(existsSync(join(work, 'model.py')));
  const printed = aekit('export', 'pytorch', '--model', run);
  assert.match(printed.stdout, /nn\.Linear\(784, 64\), {2}# 0: encoder\.0 \(dense\)\n\s+nn\.Sigmoid\(\), {2}# 1: encoder\.0 \(dense, its activation\)/);

  const back = aekit('import', 'safetensors', '--input', join(run, 'model.safetensors'), '--config', 'undercomplete', '--out', join(work, 'back'), '--json');
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(JSON.parse(back.stdout).tensors.sort(), ['decoder.0.bias', 'decoder.0.weight', 'encoder.0.bias', 'encoder.0.weight']);
  // The imported folder holds the same model: the same scores on the same data.
  const score = (dir: string) => JSON.parse(aekit('eval', '--model', dir, '--data', 'mnist', '--json').stdout).test.sse as number;
  assert.equal(score(join(work, 'back')), score(run));

  const bad: [string[], RegExp][] = [
    [['export', 'onnx', '--model', run, '--part', 'encoder', '--output', join(work, 'enc.onnx')], /enc\.onnx: exists; pass --force to overwrite it/],
    [['export', 'onnx', '--model', run, '--output', join(work, 'x.txt')], /--output names an ONNX file, ending in \.onnx/],
    [['export', 'onnx', '--model', join(work, 'none'), '--output', join(work, 'x.onnx')], /not a run folder/],
    [['export', 'onnx', '--model', run, '--part', 'middle', '--output', join(work, 'x.onnx')], /Allowed choices are encoder, decoder, full/],
    [['import', 'safetensors', '--input', join(run, 'model.safetensors'), '--config', 'deep', '--out', join(work, 'deep')], /model\.safetensors: tensor "encoder\.0\.weight" has shape \[64, 784\], expected \[1000, 784\]/],
    [['import', 'safetensors', '--input', join(run, 'model.safetensors'), '--config', join(work, 'missing.json'), '--out', join(work, 'y')], /missing\.json: no such file/],
  ];
  for (const [args, pattern] of bad) {
    const r = aekit(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('export onnx from a classifier run: class probabilities whose most probable class is aekit\'s prediction', async () => {
  const work = tempDir('export-classifier');
  // A classifier run folder as aekit classify writes it, with weights drawn at random (training
  // would add time, not coverage: the export reads whatever weights the folder holds).
  const net = Classifier.create({ input: [784], encoder: [{ type: 'dense', units: 32, activation: 'sigmoid' }], classes: 10 }, 1);
  randomizeWeights([net.encoder, net.head], 2);
  const classifier = join(work, 'clf');
  const training = { finetune: false, labels: 1, epochs: 1, batchSize: 1, lr: 1e-2, schedule: 'cosine' as const, seed: 0 };
  saveClassifier(net, classifier, { status: 'done', data: null, split: null, training, source: null }, {});
  const file = join(work, 'digits.onnx');
  const exported = aekit('export', 'onnx', '--model', classifier, '--output', file, '--json');
  assert.equal(exported.code, 0, exported.stderr);
  const result = JSON.parse(exported.stdout);
  assert.deepEqual([result.input, result.output], [{ name: 'input', shape: [784] }, { name: 'probabilities', shape: [10] }]);
  assert.equal(result.operators.at(-2), 'Softmax');

  const n = 50;
  const digits = loadData('mnist', { split: 'test', limit: n });
  const session = await ort.InferenceSession.create(file);
  const out = (await session.run({ input: new ort.Tensor('float32', digits.x, [n, 784]) })).probabilities.data as Float32Array;
  const predicted = loadClassifier(classifier).model.predict(digits.x);
  for (let i = 0; i < n; i++) {
    const row = Array.from(out.subarray(i * 10, i * 10 + 10));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
    assert.equal(row.indexOf(Math.max(...row)), predicted[i], `row ${i}`);
  }
  const module = aekit('export', 'pytorch', '--model', classifier);
  assert.equal(module.code, 0, module.stderr);
  assert.match(module.stdout, /class Classifier\(nn\.Module\):[\s\S]*self\.head = nn\.Sequential\([\s\S]*nn\.Linear\(32, 10\), {2}# \d: head\.\d \(dense\)/);
});

test('export onnx and pytorch from a segment folder: per-pixel class probabilities, a Segmenter module', async () => {
  const work = tempDir('export-segmenter');
  const net = Segmenter.create(segnetModel([4, 6], [0, 1], 3, 12), 5);
  randomizeWeights([net.encoder, net.decoder], 6);
  const dir = join(work, 'segnet');
  mkdirSync(dir);
  saveSegmenter(net, dir, { meanIoU: 0 });
  const file = join(work, 'segnet.onnx');
  const exported = await aekitInProcess('export', 'onnx', '--model', dir, '--output', file, '--json');
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(JSON.parse(exported.stdout).output, { name: 'probabilities', shape: [3, 12, 12] });
  const n = 2;
  const x = unitInputs(n, 144, 7);
  const scores = noGrad(() => net.scores(new Tensor(x, [n, 1, 12, 12])).data);
  const expected = softmaxOverClasses(scores, n, 3);
  const session = await ort.InferenceSession.create(file);
  const out = (await session.run({ input: new ort.Tensor('float32', x, [n, 1, 12, 12]) })).probabilities.data as Float32Array;
  assert.ok(maxAbsDiff(out, expected) <= 1e-5, `max |diff| ${maxAbsDiff(out, expected)}`);
  const module = await aekitInProcess('export', 'pytorch', '--model', dir);
  assert.equal(module.code, 0, module.stderr);
  assert.match(module.stdout, /class Segmenter\(nn\.Module\):[\s\S]*self\.decoder = nn\.Sequential\(/);
  // A folder of neither kind is one line.
  const bad = await aekitInProcess('export', 'onnx', '--model', work, '--output', join(work, 'x.onnx'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a run folder/);
});

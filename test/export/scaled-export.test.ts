/**
 * Exports carry the run's input scaling: a model trained with --scale standardize (with a
 * centring layer) or --scale unit, exported to ONNX and to PyTorch, gives from the same raw rows
 * the codes `aekit encode` writes within 1e-5, and the reconstructions `aekit reconstruct` and
 * `aekit decode` write, in the data's own units. In-process CLI, a 40-row table, one epoch.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { type NpyArray, readNpy } from '../../src/data/npy.js';
import { applyScaling } from '../../src/data/scaling.js';
import { loadClassifier } from '../../src/run/classifier-run.js';
import { noGrad, Tensor } from '../../src/tensor/index.js';
import { softmaxOverClasses } from '../helpers/softmax.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { maxAbsDiff } from '../helpers/random-weights.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runTorchChecks, type TorchCheck, torchSkip } from '../helpers/torch-check.js';

const work = tempDir('scaled-export');
const WIDTH = 6;
const ROWS = 40;
// Columns far from mean 0 and sd 1 (column j about 10·j + 5 with sd j + 1), so that an export
// without the scaling gives other codes.
const random = new Prng(11);
const raw = Float32Array.from({ length: ROWS * WIDTH }, (_, i) => Math.fround(10 * (i % WIDTH) + 5 + ((i % WIDTH) + 1) * random.normal()));
const table = join(work, 'table.csv');
writeFileSync(table, [
  Array.from({ length: WIDTH }, (_, j) => `c${j}`).join(','),
  ...Array.from({ length: ROWS }, (_, r) => Array.from(raw.subarray(r * WIDTH, (r + 1) * WIDTH)).join(',')),
].join('\n'));

async function aekit(...args: string[]): Promise<void> {
  const r = await aekitInProcess(...args);
  assert.equal(r.code, 0, `aekit ${args.join(' ')}: ${r.stderr}`);
}

/** What `aekit encode`, `reconstruct` and `decode` gave for a trained run, by run name. */
type Outputs = { run: string; codes: NpyArray; recon: NpyArray; decoded: NpyArray };
const trained = new Map<string, Promise<Outputs>>();

/** Trains on the table (once a name), then writes what encode, reconstruct and decode give for its raw rows. */
function trainedRun(name: string, trainFlags: string[]): Promise<Outputs> {
  if (!trained.has(name)) trained.set(name, train(name, trainFlags));
  return trained.get(name)!;
}

async function train(name: string, trainFlags: string[]): Promise<Outputs> {
  const run = join(work, name);
  await aekit('train', ...trainFlags, '--data', table, '--epochs', '1', '--out', run, '--json');
  const file = (what: string) => join(work, `${name}-${what}.npy`);
  await aekit('encode', '--model', run, '--input', table, '--output', file('codes'));
  await aekit('reconstruct', '--model', run, '--input', table, '--output', file('recon'));
  await aekit('decode', '--model', run, '--input', file('codes'), '--output', file('decoded'));
  const [codes, recon, decoded] = ['codes', 'recon', 'decoded'].map((what) => readNpy(file(what)));
  return { run, codes, recon, decoded };
}

async function runOnnx(file: string, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, shape) });
  return out[session.outputNames[0]].data as Float32Array;
}

/** |a − b| relative to the size of b's values (reconstructions are in the data's units, up to about 60 here). */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  let most = 0;
  for (let i = 0; i < b.length; i++) most = Math.max(most, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return most;
}

const RUNS: [string, string[]][] = [
  // The linear preset centres its inputs (a centring layer) after --scale standardize.
  ['standardized', ['--preset', 'linear', '--scale', 'standardize']],
  ['unit', ['--preset', 'anomaly', '--scale', 'unit']],
];

for (const [name, flags] of RUNS) {
  test(`${name}: the ONNX encoder, decoder and full graph take raw rows and codes as aekit encode, decode and reconstruct do`, async () => {
    const { run, codes, recon, decoded } = await trainedRun(name, flags);
    const k = codes.shape[1];
    const onnx = (part: string) => join(work, `${name}-${part}.onnx`);
    for (const part of ['encoder', 'decoder', 'full']) await aekit('export', 'onnx', '--model', run, '--part', part, '--output', onnx(part));
    const encoded = await runOnnx(onnx('encoder'), raw, [ROWS, WIDTH]);
    assert.ok(maxAbsDiff(encoded, codes.data) <= 1e-5, `codes: max |diff| ${maxAbsDiff(encoded, codes.data)}`);
    const full = await runOnnx(onnx('full'), raw, [ROWS, WIDTH]);
    assert.ok(relativeDiff(full, recon.data) <= 1e-5, `reconstructions: relative diff ${relativeDiff(full, recon.data)}`);
    const fromCodes = await runOnnx(onnx('decoder'), codes.data, [ROWS, k]);
    assert.ok(relativeDiff(fromCodes, decoded.data) <= 1e-5, `decoded: relative diff ${relativeDiff(fromCodes, decoded.data)}`);
    // In the data's units, not the model's: the reconstructions' mean lies near the data's (about 30).
    const mean = recon.data.reduce((a, b) => a + b, 0) / recon.data.length;
    assert.ok(mean > 15 && mean < 45, `reconstruction mean ${mean}`);
  });
}

test('a classifier on a standardized table: its ONNX graph takes raw rows and gives the probabilities of the rows scaled as aekit scales them', async () => {
  // The same rows with a label column: whether the first feature lies above its mean.
  const labelled = join(work, 'labelled.csv');
  writeFileSync(labelled, [
    [...Array.from({ length: WIDTH }, (_, j) => `c${j}`), 'y'].join(','),
    ...Array.from({ length: ROWS }, (_, r) => [...raw.subarray(r * WIDTH, (r + 1) * WIDTH), raw[r * WIDTH] > 5 ? 1 : 0].join(',')),
  ].join('\n'));
  const encoderRun = join(work, 'classify-encoder');
  await aekit('train', '--preset', 'linear', '--scale', 'standardize', '--data', labelled, '--label-column', 'y', '--epochs', '1', '--out', encoderRun, '--json');
  const classifierRun = join(work, 'classifier');
  await aekit('classify', '--model', encoderRun, '--epochs', '1', '--no-baselines', '--out', classifierRun, '--json');
  await aekit('export', 'onnx', '--model', classifierRun, '--output', join(work, 'classifier.onnx'));
  const { model, record } = loadClassifier(classifierRun);
  assert.notEqual(record.data?.scale ?? null, null, 'the classifier records the scaling');
  const scaled = applyScaling({ x: raw, n: ROWS, features: WIDTH }, record.data!.scale);
  const expected = softmaxOverClasses(noGrad(() => model.logits(new Tensor(scaled.x, [ROWS, WIDTH])).data), ROWS, 2);
  const probabilities = await runOnnx(join(work, 'classifier.onnx'), raw, [ROWS, WIDTH]);
  assert.ok(maxAbsDiff(probabilities, expected) <= 1e-5, `probabilities: max |diff| ${maxAbsDiff(probabilities, expected)}`);
});

test('the PyTorch module encodes raw rows as aekit encode and reconstructs them as aekit reconstruct, in the data\'s units', { skip: torchSkip }, async () => {
  const checks: TorchCheck[] = [];
  for (const [name, flags] of RUNS) {
    const { run, codes, recon } = await trainedRun(name, flags);
    const module = join(work, `${name}.py`);
    await aekit('export', 'pytorch', '--model', run, '--output', module);
    const io = join(work, `${name}-io.safetensors`);
    writeSafetensors(io, {
      x: { shape: [ROWS, WIDTH], data: raw }, code: { shape: codes.shape, data: codes.data }, reconstruction: { shape: recon.shape, data: recon.data },
    });
    checks.push({ module, weights: join(run, 'model.safetensors'), io, torchWeights: join(work, `${name}-torch.safetensors`) });
  }
  runTorchChecks(checks).forEach((diff, i) => {
    if (diff.error !== undefined) assert.fail(`${RUNS[i][0]}: ${diff.error}`);
    // Reconstructions in the data's units (values up to about 60): 1e-5 of that.
    assert.ok(diff.code <= 1e-5 && diff.full <= 6e-4, `${RUNS[i][0]}: max |diff| code ${diff.code}, reconstruction ${diff.full}`);
  });
});

/**
 * model.json: version 3 is validated by its schema, version 2 (layer-numbered weights) loads with
 * its weights renamed to nn.Sequential places, and run folders written before layers had
 * specs (version 1, saved in test/fixtures by aekit 0.1.0 at commit 71e17a8) still load, with
 * their weights renamed to the layers they belong to, and give the codes and reconstructions
 * that aekit wrote for them then.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRun, saveModel } from '../../src/run/save-load.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { stateDict } from '../../src/models/state.js';
import { parseRunRecord } from '../../src/run/run-record.js';
import { trainRun } from '../../src/apps/train/train-run.js';
import { readNpy } from '../../src/data/npy.js';
import { DataError, UsageError } from '../../src/errors.js';
import { noGrad, Tensor, tidy, withBackend } from '../../src/tensor/index.js';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/temp-dir.js';
import { loadData } from '../../src/data/load-data.js';

const fixtures = 'test/fixtures';
const digits = loadData('mnist', { split: 'test', limit: 5 });

// The fixtures' outputs were computed on the native backend's AVX2 path (a Zen 3). Bits are only
// promised for the same ISA (the GEMM's thread split does not change its sums, see the
// conformance suite), so native on AVX2 must give the codes to the bit and the reconstructions to
// float32 rounding (see below). Another ISA sums the 784-term products in another order (AVX-512
// differs in the 8th digit): it and the reference backend are held to 1e-5, where a 784-term
// float32 dot product of values of order 1 rounds to about √784 · 6e-8 · |x|·|w| ≈ 2e-6.
const FIXTURE_ISA = 'avx2';
for (const backend of await availableBackends()) {
  const isa = backend.name === 'native' ? (await import('../../src/backend/native/native-backend.js')).nativeInfo().isa : null;
  for (const name of ['run-v1-centred', 'run-v1-tied']) {
    test(`${name}, ${backend.name}${isa ? ` (${isa})` : ''}: a version-1 run folder loads and reproduces the outputs it was saved with`, () => withBackend(backend, () => {
      const { model, record } = loadRun(join(fixtures, name));
      assert.equal(record.version, 3);
      assert.equal(record.data?.spec, 'mnist');
      assert.deepEqual(record.data?.shape, [1, 28, 28]);
      const x = new Tensor(digits.x.slice(), [5, 784]);
      const codes = readNpy(join(fixtures, name, 'codes.npy')).data;
      const reconstructions = readNpy(join(fixtures, name, 'reconstructions.npy')).data;
      const exact = isa === FIXTURE_ISA;
      noGrad(() => tidy(() => {
        const h = model.encode(x).data;
        if (exact) assert.deepEqual([...h], [...codes], 'codes');
        else h.forEach((v, i) => assert.ok(Math.abs(v - codes[i]) <= 1e-5, `code ${i}: ${v} vs ${codes[i]}`));
        // The old model applied its output sigmoid inside the last layer's kernel; now the model
        // applies it after: the same function, so the values agree to float32 rounding.
        const xHat = model.reconstruct(x).data;
        const tolerance = exact ? 2e-7 : 1e-5;
        xHat.forEach((v, i) => assert.ok(Math.abs(v - reconstructions[i]) <= tolerance, `reconstruction ${i}: ${v} vs ${reconstructions[i]}`));
      }));
    }));
  }
}

test('the v1 upgrade maps dense-numbered weights and input_mean to the layers of the stack', () => {
  const { model } = loadRun(join(fixtures, 'run-v1-centred'));
  assert.deepEqual(model.config.encoder.map((s) => s.type), ['noise', 'center', 'dense']);
  assert.deepEqual(model.config.decoder.map((s) => s.type), ['dense', 'uncenter']);
  const old = JSON.parse(readFileSync(join(fixtures, 'run-v1-centred', 'model.json'), 'utf8'));
  const { renameWeights } = parseRunRecord(old, 'model.json');
  const renamed = renameWeights(['encoder.0.weight', 'encoder.0.bias', 'decoder.0.weight', 'input_mean'].map((name) => ({ name, shape: [], data: new Float32Array() })));
  // Noise takes no nn.Sequential place: the centring layer is module 0, the dense layer module 1.
  assert.deepEqual(renamed.map((a) => a.name), ['encoder.1.weight', 'encoder.1.bias', 'decoder.0.weight', 'encoder.0.mean']);
});

test('a version-3 record round-trips through the schema, and bad records name the field', async () => {
  const dir = join(tempDir('record'), 'run');
  await trainRun({ config: { layers: [784, 8], codeActivation: 'sigmoid' }, limit: 100, testLimit: 20, epochs: 1, out: dir });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const { record } = parseRunRecord(json, 'model.json');
  assert.equal(record.version, 3);
  assert.equal(record.status, 'done');
  assert.deepEqual(record.model.input, [784]);
  assert.equal(record.training?.weightDecay, 0, 'a config with no preset trains with its own settings (no weight decay), not the deep preset\'s');
  const bad = (change: (r: Record<string, unknown>) => void, pattern: RegExp) => {
    const copy = structuredClone(json);
    change(copy);
    assert.throws(() => parseRunRecord(copy, 'x/model.json'), (e) => e instanceof DataError && pattern.test(e.message), String(pattern));
  };
  bad((r) => { r.version = 9; }, /x\/model\.json: "version": 9 is not one this aekit reads/);
  bad((r) => { (r.model as { encoder: unknown[] }).encoder = [{ type: 'dense' }]; }, /x\/model\.json: model\.encoder\.0\.units: /);
  bad((r) => { delete r.data; }, /x\/model\.json: data: /);
  bad((r) => { r.format = 'other'; }, /x\/model\.json: format: /);
  // A folder copied elsewhere still loads: the record is self-contained.
  const moved = join(tempDir('moved'), 'run');
  cpSync(dir, moved, { recursive: true });
  writeFileSync(join(moved, 'note.txt'), 'copied');
  assert.equal(loadRun(moved).model.codeSize, 8);
});

test('a model.json that declares layers larger than its weights file is refused before they are allocated', async () => {
  const dir = join(tempDir('huge'), 'run');
  await trainRun({ config: { layers: [784, 8], codeActivation: 'sigmoid' }, limit: 100, testLimit: 20, epochs: 1, out: dir });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  json.model.encoder[0].units = 300_000; // 235 million weights: 940 MB if allocated
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const started = performance.now();
  assert.throws(() => loadRun(dir), (e) => e instanceof DataError
    && /model\.json: encoder\.0 \(dense\): its 235500000 parameters would give the model more than the 13336 values there are for it/.test(e.message));
  assert.ok(performance.now() - started < 1000, 'refused at once');
});

test('a version-2 folder (weights numbered by layer spec) loads with its names mapped, to the same outputs', () => {
  const model = Autoencoder.create({
    input: [6], encoder: [{ type: 'noise', spec: 'mask:0.1' }, { type: 'dense', units: 4, activation: 'relu' }, { type: 'dense', units: 2, activation: 'tanh' }],
    decoder: 'mirror', output: { activation: 'sigmoid', loss: 'bce' },
  }, 3);
  const dir = join(tempDir('v2'), 'run');
  saveModel(model, dir);
  // Format 2 by hand: spec indices noise 0, dense 1, dense 2 (today: noise none, Linear 0, ReLU 1, Linear 2).
  // An aekit of format 2 recorded no digest of the weights (rewritten below).
  const { weightsSha256: _digest, ...json } = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...json, version: 2 }));
  const v2 = { 'encoder.0.weight': 'encoder.1.weight', 'encoder.0.bias': 'encoder.1.bias', 'encoder.2.weight': 'encoder.2.weight', 'encoder.2.bias': 'encoder.2.bias',
    'decoder.0.weight': 'decoder.0.weight', 'decoder.0.bias': 'decoder.0.bias', 'decoder.2.weight': 'decoder.1.weight', 'decoder.2.bias': 'decoder.1.bias' } as Record<string, string>;
  const tensors = stateDict(model);
  assert.deepEqual(tensors.map((t) => t.name).sort(), Object.keys(v2).sort());
  writeSafetensors(join(dir, 'model.safetensors'), Object.fromEntries(tensors.map((t) => [v2[t.name], { shape: t.shape, data: t.data }])));
  const { model: back, record } = loadRun(dir);
  assert.equal(record.version, 3);
  const x = Tensor.from(Array.from({ length: 12 }, (_, i) => (i % 5) / 5), [2, 6]);
  assert.deepEqual(noGrad(() => back.reconstruct(x).toArray()), noGrad(() => model.reconstruct(x).toArray()));
});

test('saving twice: the refusal speaks the library\'s language, and force replaces the save', () => {
  const dir = join(tempDir('save-twice'), 'models', 'first');
  const model = Autoencoder.create({ layers: [6, 2], codeActivation: 'sigmoid' }, 1);
  saveModel(model, dir);
  assert.throws(() => saveModel(model, dir), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /models\/first: the folder exists and is not empty; pass saveModel\(model, dir, \{ force: true \}\) to replace the output in it, or choose another folder$/);
    assert.doesNotMatch(error.message, /--force|--out/);
    return true;
  });
  saveModel(model, dir, { force: true });
  assert.deepEqual(loadRun(dir).model.config, model.config);
});

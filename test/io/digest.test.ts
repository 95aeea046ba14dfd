/**
 * Weights that prove they are intact: a single bit flipped at seeded random places of
 * model.safetensors or of a checkpoint, or weights swapped in from another run (or segment run), are refused in
 * one line naming the file; the recorded digest survives a crash between the weights' rename and
 * the record's; --ignore-digest loads what was changed on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun, saveModel } from '../../src/run/save-load.js';
import { writeNpy } from '../../src/data/npy.js';
import { DataError } from '../../src/errors.js';
import { ignoreDigests, sha256Hex } from '../../src/io/digest.js';
import { readRunRecordFile, RUN_FILES, writeTensorsFile } from '../../src/io/run-folder.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Segmenter } from '../../src/models/segmenter.js';
import { loadSegmenter, saveSegmenter } from '../../src/run/segmenter-run.js';
import { segnetModel } from '../../src/training/presets.js';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('digest');
const CONFIG = { layers: [12, 6, 3] };

function savedRun(name: string, seed: number): string {
  const dir = join(root, name);
  saveModel(Autoencoder.create(CONFIG, seed), dir);
  return dir;
}

/** `bytes` with bit `bit` flipped. */
function flipped(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

const byDigest = (file: string) => (e: unknown) => e instanceof DataError
  && e.message === `${file} does not match the digest in ${file.replace(RUN_FILES.weights, RUN_FILES.model)}: the file was changed after training; retrain or pass --ignore-digest`;

test('model.json records the SHA-256 of model.safetensors, and loading checks it', () => {
  const dir = savedRun('recorded', 1);
  const weights = join(dir, RUN_FILES.weights);
  assert.equal((readRunRecordFile(dir) as { weightsSha256: string }).weightsSha256, sha256Hex(readFileSync(weights)));
  assert.ok(loadRun(dir).model);
});

test('a single bit flipped at seeded random places of model.safetensors is refused, naming the file', () => {
  const dir = savedRun('flips', 2);
  const weights = join(dir, RUN_FILES.weights);
  const whole = readFileSync(weights);
  const prng = new Prng(33);
  const random = () => prng.uniform();
  for (let trial = 0; trial < 40; trial++) {
    const bit = Math.floor(random() * whole.length * 8);
    writeFileSync(weights, flipped(whole, bit));
    assert.throws(() => loadRun(dir), byDigest(weights), `bit ${bit} of ${whole.length * 8}`);
  }
  writeFileSync(weights, whole);
  assert.ok(loadRun(dir).model);
});

test('weights swapped in from another run of the same model are refused', () => {
  const [a, b] = [savedRun('swap-a', 3), savedRun('swap-b', 4)];
  copyFileSync(join(b, RUN_FILES.weights), join(a, RUN_FILES.weights));
  assert.throws(() => loadRun(a), byDigest(join(a, RUN_FILES.weights)));
});

test('a segment folder records its weights\' digest: weights swapped in from another segment run are refused', () => {
  const save = (name: string, seed: number) => {
    const dir = join(root, name);
    mkdirSync(dir);
    saveSegmenter(Segmenter.create(segnetModel([2], [0], 3, 8), seed), dir, {});
    return dir;
  };
  const [a, b] = [save('segment-a', 5), save('segment-b', 6)];
  const weights = join(a, RUN_FILES.weights);
  assert.equal((JSON.parse(readFileSync(join(a, 'segment.json'), 'utf8')) as { weightsSha256: string }).weightsSha256, sha256Hex(readFileSync(weights)));
  assert.ok(loadSegmenter(a));
  copyFileSync(join(b, RUN_FILES.weights), weights);
  assert.throws(() => loadSegmenter(a), (e) => e instanceof DataError
    && e.message === `${weights} does not match the digest in ${join(a, 'segment.json')}: the file was changed after training; retrain or pass --ignore-digest`);
});

test('a checkpoint carries its own digest: seeded bit flips anywhere are refused in one DataError naming it', () => {
  const path = join(root, RUN_FILES.checkpoint);
  const prng = new Prng(7);
  const random = () => prng.uniform();
  const data = Float32Array.from({ length: 200 }, () => random());
  writeTensorsFile(path, [{ name: 'weights/encoder.0.weight', shape: [10, 20], data }, { name: 'order', shape: [4], data: Float32Array.of(3, 1, 0, 2) }], { format: 'aekit-checkpoint', state: '{"epoch":3}' });
  const whole = readFileSync(path);
  assert.deepEqual(readSafetensors(path).tensors.get('weights/encoder.0.weight')?.data, data);
  const headerEnd = 8 + Number(whole.readBigUInt64LE(0));
  let namedByDigest = 0;
  for (let trial = 0; trial < 60; trial++) {
    const bit = Math.floor(random() * whole.length * 8);
    writeFileSync(path, flipped(whole, bit));
    // A flip in the header may break its JSON or layout first; every flip is one DataError naming the file.
    // As readCheckpoint reads it: a checkpoint must carry its digest (a flip in the key's name hides it).
    assert.throws(() => readSafetensors(path, { requireDigest: true }), (e: unknown) => e instanceof DataError && e.message.startsWith(path), `bit ${bit}`);
    if (bit >= headerEnd * 8) {
      assert.throws(() => readSafetensors(path, { requireDigest: true }), /does not match the digest written with it .*retrain or pass --ignore-digest/, `bit ${bit} in the data`);
      namedByDigest++;
    }
  }
  assert.ok(namedByDigest > 30, `${namedByDigest} flips fell in the data`);
});

test('a crash between the weights\' rename and the record\'s leaves a folder that loads', () => {
  const dir = savedRun('pending', 5);
  const record = readRunRecordFile(dir) as Record<string, unknown>;
  const old = readFileSync(join(dir, RUN_FILES.weights));
  // The moment after writeWeights put the new digest beside the old one and renamed the new file in.
  copyFileSync(join(savedRun('pending-new', 6), RUN_FILES.weights), join(dir, RUN_FILES.weights));
  writeFileSync(join(dir, RUN_FILES.model), JSON.stringify({ ...record, weightsSha256Pending: sha256Hex(readFileSync(join(dir, RUN_FILES.weights))) }));
  assert.ok(loadRun(dir).model);
  // And the moment before its rename: the old file, still named by the record.
  writeFileSync(join(dir, RUN_FILES.weights), old);
  assert.ok(loadRun(dir).model);
});

test('at the command line: one line and exit 2, and --ignore-digest loads a file changed on purpose', async () => {
  const dir = savedRun('cli', 8);
  const weights = join(dir, RUN_FILES.weights);
  const whole = readFileSync(weights);
  // A flip in the last byte of a float changes the weights, not the file's layout.
  writeFileSync(weights, flipped(whole, whole.length * 8 - 2));
  const input = join(root, 'in.npy');
  writeNpy(input, Float32Array.from({ length: 24 }, (_, i) => (i % 12) / 12), [2, 12]);
  const refused = await aekitInProcess('encode', '--model', dir, '--input', input, '--output', join(root, 'codes.npy'), '--json');
  assert.equal(refused.code, 2);
  assert.match(JSON.parse(refused.stdout).error.message, /does not match the digest/);
  assert.equal(refused.stderr, `aekit: ${weights} does not match the digest in ${join(dir, RUN_FILES.model)}: the file was changed after training; retrain or pass --ignore-digest\n`);
  const forced = await aekitInProcess('encode', '--model', dir, '--input', input, '--output', join(root, 'codes.npy'), '--ignore-digest', '--json');
  assert.equal(forced.code, 0, forced.stderr);
  // The switch lasts for that command only.
  const again = await aekitInProcess('encode', '--model', dir, '--input', input, '--output', join(root, 'codes2.npy'), '--json');
  assert.equal(again.code, 2);
  ignoreDigests(false);
});

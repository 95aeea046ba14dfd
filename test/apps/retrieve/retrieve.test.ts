/** Semantic hashing end to end on small data, and the scores of codes whose quality is known. */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// The backend a user gets (native when the addon is built): these tests train real models.
import '../../../src/index.js';
import { retrieve, score } from '../../../src/apps/retrieve/retrieve.js';
import { trainRun } from '../../../src/apps/train/train-run.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { loadData } from '../../../src/data/load-data.js';
import { DataError, UsageError } from '../../../src/errors.js';
import { packCodes } from '../../../src/hashing/bits.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { hashModel } from '../../../src/models/presets.js';
import { Prng } from '../../../src/util/prng.js';
import { tempDir } from '../../helpers/temp-dir.js';

const labelled = (labels: number[]): Dataset => ({ x: new Float32Array(labels.length), n: labels.length, features: 1, shape: [1], labels: Uint8Array.from(labels), name: 'toy' });

test('codes that are the labels retrieve perfectly; random codes retrieve at chance', () => {
  const db = labelled(Array.from({ length: 200 }, (_, i) => i % 4));
  const queries = labelled([0, 1, 2, 3]);
  // Two bits that spell the class: every item at distance 0 is relevant, every other one is not.
  const bitsOf = (d: Dataset) => packCodes(Float32Array.from(Array.from(d.labels!).flatMap((l) => [l & 1, (l >> 1) & 1])), 2);
  const perfect = score(bitsOf(db), bitsOf(queries), db, queries);
  // All 50 of a class come first (AP 1); the 100 nearest are those 50 and 50 others (0.5); with two
  // bits every item is within distance 2, a quarter of them relevant (0.25).
  assert.deepEqual([perfect.mAP, perfect.precisionAt100, perfect.precisionRadius2], [1, 0.5, 0.25]);
  const rng = new Prng(1);
  const random = (d: Dataset) => packCodes(Float32Array.from({ length: d.n * 16 }, () => rng.uniform()), 16);
  const chance = score(random(db), random(queries), db, queries);
  assert.ok(Math.abs(chance.mAP - 0.25) < 0.1, `mAP of random codes ${chance.mAP}`);
});

test('the hash model: its code is a sigmoid after noise, mirrored back to the input', () => {
  const model = Autoencoder.create(hashModel(784, 16), 0);
  assert.deepEqual(model.config.encoder.slice(-3).map((s) => s.type), ['dense', 'noise', 'activation']);
  assert.deepEqual(model.codeShape, [16]);
  assert.deepEqual(model.config.decoder.map((s) => (s.type === 'dense' ? s.units : s.type)), [250, 500, 1000, 784]);
});

test('retrieve trains a hashing autoencoder per code length and scores it beside LSH, PCAH and ITQ', async () => {
  const out = tempDir('retrieve');
  const { results, database, queries } = await retrieve({ bits: [8], limit: 600, queries: 60, epochs: 2, out });
  assert.deepEqual([database, queries, results.length, results[0].bits, results[0].runDir], [600, 60, 1, 8, join(out, 'hash-8')]);
  const baselines = results[0].baselines!;
  for (const s of [results[0], baselines.lsh, baselines.pcah, baselines.itq]) {
    for (const v of [s.mAP, s.mapAt5000, s.precisionAt100, s.precisionRadius2]) assert.ok(v >= 0 && v <= 1, `${v}`);
    assert.ok(s.queriesPerSecond.ranking > 0 && s.queriesPerSecond.radius > 0);
  }
  // MNIST has ten classes: learned and projected codes retrieve better than chance.
  assert.ok(baselines.itq.mAP > 0.15, `ITQ ${baselines.itq.mAP}`);
  // The database's index is saved beside the model; scored again through --model, the model
  // reads it back instead of encoding the database, and the scores are the same (the baselines,
  // fitted above, are left out this time).
  assert.equal(results[0].index, join(out, 'hash-8', 'hash-index.safetensors'));
  const saved = statSync(results[0].index).mtimeMs;
  const again = await retrieve({ model: results[0].runDir, limit: 600, queries: 60, baselines: false, out });
  assert.equal(again.results[0].mAP, results[0].mAP);
  assert.equal(again.results[0].baselines, null);
  assert.equal(statSync(results[0].index).mtimeMs, saved);

  // Bad requests name the problem: bits the code cannot give, a database the index was not made of,
  // an index from another model, a model whose code is not in [0, 1].
  await assert.rejects(retrieve({ model: results[0].runDir, bits: [16], limit: 600, queries: 60, out }), (e: unknown) => e instanceof UsageError && /--bits 16: .* has a code of 8 units, so it gives 8-bit codes only/.test(e.message));
  await assert.rejects(retrieve({ model: results[0].runDir, limit: 500, queries: 60, out }), (e: unknown) => e instanceof DataError && /an index of 600 codes of mnist \(train\), but the database is 500 examples/.test(e.message));
  // Another 8-bit model, given the first one's index.
  const second = join(out, 'second');
  await trainRun({ preset: 'hash', config: hashModel(784, 8), limit: 300, testLimit: 50, epochs: 1, seed: 1, out: second, onEvent: () => {} });
  copyFileSync(results[0].index, join(second, 'hash-index.safetensors'));
  await assert.rejects(retrieve({ model: second, limit: 600, queries: 60, out }), (e: unknown) => e instanceof DataError && /an index of another model's codes/.test(e.message));
  const linear = join(out, 'linear');
  await trainRun({ preset: 'linear', limit: 300, testLimit: 50, epochs: 1, out: linear, onEvent: () => {} });
  await assert.rejects(retrieve({ model: linear, limit: 600, queries: 60, out }), (e: unknown) => e instanceof UsageError && /its code takes values from .* not in \[0, 1\], so it gives no bits/.test(e.message));
});

test('retrieve --protocol standard: balanced queries from the pooled splits, the rest trained on and searched', async () => {
  const out = tempDir('retrieve-standard');
  const { results, protocol, database, queries } = await retrieve({ protocol: 'standard', bits: [8], limit: 500, queries: 50, epochs: 1, baselines: false, out });
  assert.deepEqual([protocol, database, queries], ['standard', 500, 50]);
  // The model trained on the written database (its training and validation rows) and was tested on the queries.
  const record = JSON.parse(readFileSync(join(results[0].runDir, 'model.json'), 'utf8'));
  assert.equal(record.data.spec, join(out, 'standard-data'));
  assert.equal(record.data.train + record.data.validation, 500);
  const written = loadData(join(out, 'standard-data'), { split: 'test' });
  assert.deepEqual(Array.from({ length: 10 }, (_, c) => Array.from(written.labels!).filter((l) => l === c).length), new Array(10).fill(5));
  assert.ok(results[0].mAP > 0.1 && results[0].mAP <= 1, `mAP ${results[0].mAP}`);
  // Scored again through --model under the same draw, the index saved beside it is read back; another draw is refused.
  const again = await retrieve({ model: results[0].runDir, protocol: 'standard', limit: 500, queries: 50, baselines: false, out });
  assert.equal(again.results[0].mAP, results[0].mAP);
  await assert.rejects(retrieve({ model: results[0].runDir, protocol: 'standard', limit: 500, queries: 50, seed: 1, baselines: false, out }),
    (e: unknown) => e instanceof DataError && /standard-50q-seed0 database\), but the database is 500 examples of mnist \(standard-50q-seed1 database\)/.test(e.message));
});

/** The standard retrieval protocol's split, on toy sets whose every example is known by its value, and the IDX folder that carries a split to training. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/load-data.js';
import { standardRetrievalSplit, writeIdxFolder } from '../../src/data/retrieval-split.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

/** n examples of one value each, `first`, first + 1, …, labelled by value mod `classes`. */
const toy = (first: number, n: number, classes: number, name: string): Dataset => ({
  x: Float32Array.from({ length: n }, (_, i) => first + i), n, features: 1, shape: [1],
  labels: Uint8Array.from({ length: n }, (_, i) => (first + i) % classes), name,
});

test('standard split: queries balanced over the classes and drawn from both splits; the database is every other example, once, in order', () => {
  const train = toy(0, 60, 3, 'toy (train)');
  const test2 = toy(60, 30, 3, 'toy (test)');
  const { database, queries } = standardRetrievalSplit(train, test2, { queries: 12, seed: 5 });
  assert.equal(queries.n, 12);
  assert.equal(database.n, 78);
  // Each example's value is its place in the pool, so the two sets partition 0..89 exactly.
  const seen = [...queries.x, ...database.x].sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 90 }, (_, i) => i));
  for (const set of [queries, database]) set.x.forEach((v, i) => assert.equal(set.labels![i], v % 3));
  assert.deepEqual([0, 1, 2].map((c) => Array.from(queries.labels!).filter((l) => l === c).length), [4, 4, 4]);
  assert.deepEqual(Array.from(database.x), [...database.x].sort((a, b) => a - b));
  // The same seed draws the same queries; another seed others. The names say which draw it is.
  assert.deepEqual(standardRetrievalSplit(train, test2, { queries: 12, seed: 5 }).queries.x, queries.x);
  assert.notDeepEqual(standardRetrievalSplit(train, test2, { queries: 12, seed: 6 }).queries.x, queries.x);
  assert.deepEqual([database.name, queries.name], ['toy (standard-12q-seed5 database)', 'toy (standard-12q-seed5 queries)']);
  // Over many draws, queries come from the test split too (a third of the pool).
  const fromTest = Array.from({ length: 20 }, (_, s) => standardRetrievalSplit(train, test2, { queries: 12, seed: s }).queries.x.filter((v) => v >= 60).length);
  assert.ok(fromTest.reduce((a, b) => a + b) > 0);
});

test('standard split: refuses unbalanced query counts and unlabelled data', () => {
  const train = toy(0, 30, 3, 'toy (train)');
  assert.throws(() => standardRetrievalSplit(train, toy(30, 9, 3, 'toy (test)'), { queries: 10 }), (e: unknown) => e instanceof UsageError && /multiple of 3/.test(e.message));
  const { labels: _, ...unlabelled } = train;
  assert.deepEqual(standardRetrievalSplit(train, toy(30, 9, 3, 'toy (test)'), { queries: 9, limit: 5 }).database.n, 5);
  assert.throws(() => standardRetrievalSplit(unlabelled, train), (e: unknown) => e instanceof UsageError && /needs one class label per example/.test(e.message));
});

test('an IDX folder of a split reads back as the same examples and labels: MNIST bytes exactly, other values as float32', () => {
  const dir = tempDir('retrieval-split');
  const digits = loadData('mnist', { split: 'test', limit: 30 });
  const { database, queries } = standardRetrievalSplit(loadData('mnist', { limit: 50 }), digits, { queries: 20 });
  writeIdxFolder(join(dir, 'mnist'), database, queries);
  const back = { train: loadData(join(dir, 'mnist')), test: loadData(join(dir, 'mnist'), { split: 'test' }) };
  assert.deepEqual(back.train.x, database.x);
  assert.deepEqual(Array.from(back.train.labels!), Array.from(database.labels!));
  assert.deepEqual(back.test.x, queries.x);
  assert.deepEqual(back.train.shape, [1, 28, 28]);
  const odd = toy(0, 4, 2, 'odd/train');
  odd.x[1] = 0.3;
  writeIdxFolder(join(dir, 'odd'), odd, odd);
  assert.deepEqual(loadData(join(dir, 'odd')).x, odd.x);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeIdx } from '../../src/data/idx.js';
import { loadData } from '../../src/data/load-data.js';
import { loadInputFile } from '../../src/data/load-input.js';
import { FASHION_MNIST_DIR, findIdxFiles, loadIdxFolder, mnistDir } from '../../src/data/mnist.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('mnist');

/** A folder of MNIST-style files: `count` 2x2 images where image i is [i, 255 - i, 0, 255], label i % 10. */
function fakeFolder(name: string, opts: { gzip?: boolean; count?: number; labels?: number; dotted?: boolean } = {}): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const count = opts.count ?? 5;
  const images = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) images.set([i, 255 - i, 0, 255], 4 * i);
  const labels = Uint8Array.from({ length: opts.labels ?? count }, (_, i) => i % 10);
  const gz = opts.gzip ? '.gz' : '';
  const sep = opts.dotted ? '.' : '-';
  for (const prefix of ['train', 't10k']) {
    writeIdx(join(dir, `${prefix}-images${sep}idx3-ubyte${gz}`), { shape: [count, 2, 2], data: images }, { gzip: opts.gzip });
    writeIdx(join(dir, `${prefix}-labels${sep}idx1-ubyte${gz}`), { shape: [labels.length], data: labels }, { gzip: opts.gzip });
  }
  return dir;
}

test('the embedded MNIST test split: 10,000 digits of 28x28 in [0, 1], first label 7', () => {
  const ds = loadData('mnist', { split: 'test' });
  assert.equal(ds.n, 10000);
  assert.equal(ds.features, 784);
  assert.deepEqual(ds.shape, [1, 28, 28]);
  assert.equal(ds.name, 'mnist (test)');
  assert.ok(ds.labels instanceof Uint8Array);
  // The first test digits of MNIST are 7, 2, 1, 0, 4 (LeCun's files).
  assert.deepEqual([...ds.labels.subarray(0, 5)], [7, 2, 1, 0, 4]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.x) { if (v < min) min = v; if (v > max) max = v; }
  assert.equal(min, 0);
  assert.equal(max, 1);
  const few = loadData('mnist', { split: 'test', limit: 3 });
  assert.equal(few.n, 3);
  assert.deepEqual([...few.x], [...ds.x.subarray(0, 3 * 784)]);
  assert.ok(existsSync(join(mnistDir(), 'train-images-idx3-ubyte')));
});

test('loadIdxFolder reads gzipped or plain folders, scales pixels, keeps labels', () => {
  for (const [name, gzip, dotted] of [['plain', false, false], ['gz', true, false], ['dotted', false, true]] as const) {
    const dir = fakeFolder(name, { gzip, dotted });
    const ds = loadIdxFolder(dir, { split: 'test', limit: 3 });
    assert.equal(ds.n, 3);
    assert.deepEqual(ds.shape, [1, 2, 2]);
    assert.equal(ds.name, `${dir} (test)`);
    // Image 2 is [2, 253, 0, 255] / 255.
    assert.deepEqual([...ds.x.subarray(8, 12)], [2 / 255, 253 / 255, 0, 1].map(Math.fround));
    assert.deepEqual([...ds.labels!], [0, 1, 2]);
  }
});

test('a cached file is converted afresh: changing one load does not change the next', () => {
  const dir = fakeFolder('cache');
  const a = loadIdxFolder(dir, { split: 'train' });
  a.x.fill(9);
  a.labels!.fill(9);
  const b = loadIdxFolder(dir, { split: 'train' });
  assert.equal(b.x[1], Math.fround(255 / 255));
  assert.equal(b.labels![1], 1);
});

test('loadData takes an IDX folder path, and a single file only for the train split', () => {
  const dir = fakeFolder('spec');
  assert.equal(loadData(dir, { split: 'train' }).n, 5);
  const csv = join(root, 'points.csv');
  writeFileSync(csv, '1,2\n3,4\n');
  assert.equal(loadData(csv, { split: 'train' }).n, 2);
  assert.throws(() => loadData(csv, { split: 'test' }), /points\.csv: a single data file has no test split/);
});

test('errors: missing files, label count mismatch', () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.throws(() => loadIdxFolder(empty, { split: 'test' }), (e: unknown) =>
    e instanceof DataError && /empty: an IDX folder needs the test files t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte \(or \.gz\); found neither/.test(e.message));
  assert.throws(() => loadIdxFolder(join(root, 'nowhere'), { split: 'train' }), /found no such folder/);
  const bad = fakeFolder('mismatch', { labels: 4 });
  assert.throws(() => loadIdxFolder(bad, { split: 'train' }), /train-labels-idx1-ubyte: expected 5 labels, one per image of .*train-images-idx3-ubyte, found 4/);
});

test('Fashion-MNIST from Debian, when installed', { skip: !existsSync(FASHION_MNIST_DIR) && 'dataset-fashion-mnist is not installed' }, () => {
  assert.ok(findIdxFiles(FASHION_MNIST_DIR, 'test'));
  const ds = loadData('fashion-mnist', { split: 'test', limit: 10 });
  assert.equal(ds.n, 10);
  assert.deepEqual(ds.shape, [1, 28, 28]);
  // The first Fashion-MNIST test item is an ankle boot (class 9).
  assert.equal(ds.labels![0], 9);
});

test('an IDX folder with one file missing names that file, for every entry point, not "PNG images"', () => {
  for (const missing of ['train-labels-idx1-ubyte', 'train-images-idx3-ubyte']) {
    const dir = fakeFolder(`missing-${missing}`);
    rmSync(join(dir, missing));
    const other = missing.includes('labels') ? 'train-images-idx3-ubyte' : 'train-labels-idx1-ubyte';
    const named = (e: unknown) => e instanceof DataError && e.message.includes(`found ${other} but no ${missing}`) && !/PNG/.test(e.message);
    assert.throws(() => loadData(dir, { split: 'train' }), named);
    assert.throws(() => loadInputFile(dir), named);
  }
  // With every train file gone, the test files still mark the folder as an IDX one.
  const onlyTest = fakeFolder('only-test');
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) rmSync(join(onlyTest, f));
  assert.throws(() => loadData(onlyTest, { split: 'train' }), /an IDX folder needs the train files .*; found neither/);
});

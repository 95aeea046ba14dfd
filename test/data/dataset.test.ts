import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFinite, expectRowsFit, firstRows, makeDataset, partName, row, splitValidation, takeRows, type Dataset } from '../../src/data/dataset.js';
import { DataError, UsageError } from '../../src/errors.js';

/** Ten examples of three features; example i holds [i, 10 + i, 20 + i] and label i. */
function toy(): Dataset {
  const x = new Float32Array(30);
  for (let i = 0; i < 10; i++) x.set([i, 10 + i, 20 + i], 3 * i);
  return makeDataset({ x, n: 10, features: 3, shape: [3], labels: Uint8Array.from({ length: 10 }, (_, i) => i), name: 'toy' });
}

test('makeDataset rejects inconsistent sizes', () => {
  assert.throws(() => makeDataset({ x: new Float32Array(5), n: 2, features: 3, shape: [3], name: 'bad' }), UsageError);
  assert.throws(() => makeDataset({ x: new Float32Array(6), n: 2, features: 3, shape: [1, 2, 2], name: 'bad' }), /\[1, 2, 2\]/);
  assert.throws(() => makeDataset({ x: new Float32Array(6), n: 2, features: 3, shape: [3], labels: new Uint8Array(3), name: 'bad' }), /3 labels/);
});

test('a label map per example travels with its example through takeRows and firstRows', () => {
  // Two 1x2x2 images, each with a 2x2 label map: example i's labels are 4i .. 4i + 3.
  const ds = makeDataset({ x: new Float32Array(8), n: 2, features: 4, shape: [1, 2, 2], labels: Uint8Array.from({ length: 8 }, (_, i) => i), labelShape: [2, 2], name: 'maps' });
  assert.deepEqual([...takeRows(ds, [1, 0]).labels!], [4, 5, 6, 7, 0, 1, 2, 3]);
  assert.deepEqual([...firstRows(ds, 1).labels!], [0, 1, 2, 3]);
  assert.deepEqual(takeRows(ds, [1]).shape, [1, 2, 2]);
  assert.throws(() => makeDataset({ ...ds, labels: new Uint8Array(2) }), /2 labels for 2 examples of 4 labels each/);
});

test('row and takeRows pick examples and their labels', () => {
  const ds = toy();
  assert.deepEqual([...row(ds, 4)], [4, 14, 24]);
  const t = takeRows(ds, [7, 2]);
  assert.equal(t.n, 2);
  assert.deepEqual([...t.x], [7, 17, 27, 2, 12, 22]);
  assert.deepEqual([...t.labels!], [7, 2]);
  assert.ok(t.labels instanceof Uint8Array);
  assert.throws(() => takeRows(ds, [10]), /index 10 at position 0 is outside \[0, 10\)/);
});

test('firstRows keeps a prefix as views', () => {
  const ds = toy();
  const f = firstRows(ds, 2);
  assert.equal(f.n, 2);
  assert.deepEqual([...f.x], [0, 10, 20, 1, 11, 21]);
  assert.equal(f.x.buffer, ds.x.buffer);
  assert.equal(firstRows(ds, 50), ds);
  assert.equal(firstRows(ds), ds);
});

test('splitValidation is a seeded partition', () => {
  const ds = toy();
  const a = splitValidation(ds, 0.3, 7);
  const b = splitValidation(ds, 0.3, 7);
  const c = splitValidation(ds, 0.3, 8);
  assert.equal(a.validation.n, 3);
  assert.equal(a.train.n, 7);
  assert.deepEqual([...a.validation.labels!], [...b.validation.labels!]);
  assert.notDeepEqual([...a.train.labels!], [...c.train.labels!]);
  // Every example lands in exactly one side, with its features still matching its label.
  const seen = [...a.train.labels!, ...a.validation.labels!].sort((p, q) => p - q);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const part of [a.train, a.validation]) {
    for (let k = 0; k < part.n; k++) assert.equal(row(part, k)[1], 10 + part.labels![k]);
  }
  assert.equal(a.train.name, 'toy (train)');
  assert.throws(() => splitValidation(ds, 1, 0), UsageError);
});

test('assertFinite names the file, row and column', () => {
  const ds = toy();
  assertFinite(ds, 'ok.csv');
  ds.x[3 * 5 + 2] = Number.NaN;
  assert.throws(() => assertFinite(ds, 'x.npy'), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.message, 'x.npy: row 5, column 2 (index 17): expected a finite number, found NaN');
    return true;
  });
  ds.x[17] = 0;
  ds.x[1] = -Infinity;
  assert.throws(() => assertFinite(ds, 'x.npy'), /row 0, column 1 .* found -Infinity/);
});

test('parts of a data set are named as parts, not as paths that are not there', () => {
  assert.equal(partName('data/mydata.csv', 'train'), 'data/mydata.csv (train)');
  assert.equal(partName('data/mydata.csv (train)', 'labelled'), 'data/mydata.csv (train, labelled)');
  assert.equal(partName('runs (old)/x.csv', 'test'), 'runs (old)/x.csv (test)');
});

test('expectRowsFit: one message wherever rows come from, naming them, the sizes and an image model\'s shape', () => {
  expectRowsFit({ name: 'x.csv', features: 784 }, 784);
  assert.throws(() => expectRowsFit({ name: 'x.csv', features: 5 }, 784),
    (e) => e instanceof DataError && e.message === 'x.csv: rows have 5 values, expected 784 (the model\'s input size)');
  assert.throws(() => expectRowsFit({ name: 'mnist (test)', features: 5 }, 784, { shape: [1, 28, 28] }),
    (e) => e instanceof DataError && e.message === 'mnist (test): rows have 5 values, expected 784 (the model\'s input size; examples of shape [1, 28, 28])');
  assert.throws(() => expectRowsFit({ name: 'fit: the training data', features: 5 }, 30, { size: 'the model\'s code size', shape: [30], error: UsageError }),
    (e) => e instanceof UsageError && e.message === 'fit: the training data: rows have 5 values, expected 30 (the model\'s code size)');
});

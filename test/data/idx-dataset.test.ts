import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idxToDataset } from '../../src/data/idx-dataset.js';
import { DataError } from '../../src/errors.js';

test('ubyte pixels become v / 255; other types are kept; 2-D input has no image shape', () => {
  const a = idxToDataset({ shape: [1, 2, 2], data: Uint8Array.of(0, 51, 204, 255) }, { file: 'f', name: 'n' });
  assert.deepEqual([...a.x], [0, 0.2, 0.8, 1].map(Math.fround));
  assert.deepEqual(a.shape, [1, 2, 2]);
  const b = idxToDataset({ shape: [2, 2], data: Int16Array.of(-3, 4, 5, 300) }, { file: 'f', name: 'n', limit: 1 });
  assert.deepEqual([b.n, b.features, b.shape, [...b.x]], [1, 2, [2], [-3, 4]]);
});

test('labels: one per example, integer, int types widened to Int32Array', () => {
  const images = { shape: [3, 1], data: Float32Array.of(0, 1, 2) };
  const ds = idxToDataset(images, { file: 'im', name: 'n', labels: { shape: [3], data: Int16Array.of(-1, 0, 700) }, limit: 2 });
  assert.ok(ds.labels instanceof Int32Array);
  assert.deepEqual([...ds.labels], [-1, 0]);
  const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);
  assert.throws(() => idxToDataset(images, { file: 'im', name: 'n', labels: { shape: [2], data: new Uint8Array(2) }, labelsFile: 'lab' }), is(/^lab: expected 3 labels, one per image of im, found 2$/));
  assert.throws(() => idxToDataset(images, { file: 'im', name: 'n', labels: { shape: [3], data: new Float32Array(3) }, labelsFile: 'lab' }), is(/^lab: expected integer labels/));
  assert.throws(() => idxToDataset(images, { file: 'im', name: 'n', labels: { shape: [3, 1], data: new Uint8Array(3) }, labelsFile: 'lab' }), is(/^lab: expected labels of 1 dimension, found shape \[3, 1\]$/));
});

test('1-D images and non-finite floats are DataErrors naming the file', () => {
  assert.throws(() => idxToDataset({ shape: [3], data: new Uint8Array(3) }, { file: 'one-d', name: 'n' }), /^DataError: one-d: expected images of 2 or more dimensions/);
  assert.throws(() => idxToDataset({ shape: [1, 2], data: Float64Array.of(1, Infinity) }, { file: 'inf.idx', name: 'n' }), /inf\.idx: row 0, column 1/);
});

/** Segmentation scenes: labels where the digits are, boxes that never overlap, the same scenes from the same seed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Dataset, makeDataset } from '../../src/data/dataset.js';
import { makeScenes, sceneDigitsWithValidation, VALIDATION_DIGITS } from '../../src/data/scenes.js';

// Three 4x4 "digits": a full square of 0.9 (class 7), a square of 0.3 (class 2: too faint to label), a plus of 1.0 (class 0).
const digits: Dataset = makeDataset({
  x: Float32Array.from([
    ...new Array(16).fill(0.9),
    ...new Array(16).fill(0.3),
    0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0,
  ]),
  n: 3, features: 16, shape: [1, 4, 4], labels: Uint8Array.of(7, 2, 0), name: 'toy',
});

test('scenes: a label per pixel, 1 + the digit where it is brighter than one half, 0 elsewhere', () => {
  const scenes = makeScenes(digits, 40, { size: 12, seed: 3 });
  assert.deepEqual([scenes.n, scenes.shape, scenes.labelShape, scenes.features], [40, [1, 12, 12], [12, 12], 144]);
  let digitsSeen = 0;
  for (let i = 0; i < scenes.x.length; i++) {
    const v = scenes.x[i];
    const label = scenes.labels![i];
    if (v > 0.5) assert.ok(label === 8 || label === 1, `pixel ${i}: ${v} labelled ${label}`);
    else assert.equal(label, 0, `pixel ${i}: ${v} labelled ${label}`);
    if (v > 0) digitsSeen++;
  }
  assert.ok(digitsSeen > 0);
});

test('scenes: one to three digits, whole and apart (16 lit pixels per square, none touching another box)', () => {
  const only = makeDataset({ ...digits, x: digits.x.slice(0, 16), n: 1, labels: Uint8Array.of(7) });
  const scenes = makeScenes(only, 60, { size: 12, minDigits: 1, maxDigits: 3, seed: 5 });
  const counts = new Set<number>();
  for (let s = 0; s < scenes.n; s++) {
    const lit = scenes.x.subarray(s * 144, (s + 1) * 144).filter((v) => v > 0).length;
    // Overlapping squares would light fewer than 16 pixels per digit.
    assert.equal(lit % 16, 0, `scene ${s}: ${lit} lit pixels`);
    counts.add(lit / 16);
  }
  assert.deepEqual([...counts].sort(), [1, 2, 3]);
  assert.deepEqual(makeScenes(only, 60, { size: 12, seed: 5 }).x, scenes.x, 'the same seed makes the same scenes');
  assert.throws(() => makeScenes(digits, 1, { size: 3 }), /the canvas must be at least 4 pixels wide/);
});

test('validation digits: VALIDATION_DIGITS held out by a seeded draw, none of them among the training digits, the same draw for the same seed', () => {
  const n = VALIDATION_DIGITS + 700;
  // Each digit a constant image of its own gray level, so a digit is known by its first pixel.
  const digits = makeDataset({ x: Float32Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4) / n), n, features: 4, shape: [1, 2, 2], labels: new Uint8Array(n), name: 'levels' });
  const { train, validation } = sceneDigitsWithValidation(digits, 3);
  assert.equal(validation.n, VALIDATION_DIGITS);
  assert.equal(train.n, 700);
  const ids = (ds: Dataset) => Array.from({ length: ds.n }, (_, i) => Math.round(ds.x[i * 4] * n));
  const held = new Set(ids(validation));
  assert.equal(held.size, VALIDATION_DIGITS);
  assert.ok(ids(train).every((id) => !held.has(id)));
  assert.deepEqual(ids(sceneDigitsWithValidation(digits, 3).validation), ids(validation));
  assert.notDeepEqual(ids(sceneDigitsWithValidation(digits, 4).validation), ids(validation));
});

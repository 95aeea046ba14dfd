/**
 * Noise specs and corruption: parsing with clear errors, the corruption rates, and seeding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { corrupt, formatNoise, parseNoise } from '../../src/nn/noise.js';
import { Prng } from '../../src/util/prng.js';

test('parseNoise reads the three kinds and formatNoise writes them back', () => {
  assert.deepEqual(parseNoise('mask:0.25'), { kind: 'mask', rate: 0.25 });
  assert.deepEqual(parseNoise('gaussian:0.5'), { kind: 'gaussian', sigma: 0.5 });
  assert.deepEqual(parseNoise('salt-pepper:0.1'), { kind: 'salt-pepper', rate: 0.1 });
  for (const spec of ['mask:0.25', 'gaussian:0.5', 'salt-pepper:0.1']) assert.equal(formatNoise(parseNoise(spec)), spec);
});

test('bad specs say what was expected', () => {
  const cases: [string, RegExp][] = [
    ['mask', /noise "mask": expected KIND:AMOUNT, e\.g\. mask:0\.25/],
    ['blur:0.1', /unknown kind "blur"; expected mask, gaussian, salt-pepper/],
    ['mask:1', /masking probability must be a number in \[0, 1\), got "1"/],
    ['mask:', /got ""/],
    ['salt-pepper:-0.1', /salt-and-pepper probability must be a number in \[0, 1\)/],
    ['gaussian:abc', /standard deviation must be a number ≥ 0, got "abc"/],
    ['gaussian:-1', /standard deviation/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseNoise(text), (e) => e instanceof UsageError && message.test(e.message), text);
  }
});

const N = 200_000;
const ones = () => new Float32Array(N).fill(1);
const halves = () => new Float32Array(N).fill(0.5);

test('masking zeroes a share q of the values and leaves the rest', () => {
  const x = ones();
  corrupt(x, parseNoise('mask:0.25'), new Prng(1));
  const zeros = x.filter((v) => v === 0).length / N;
  assert.ok(Math.abs(zeros - 0.25) < 0.005, `${zeros}`);
  assert.ok(x.every((v) => v === 0 || v === 1));
});

test('Gaussian noise has mean 0 and the given standard deviation', () => {
  const x = halves();
  corrupt(x, parseNoise('gaussian:0.3'), new Prng(2));
  let sum = 0;
  let sumSq = 0;
  for (const v of x) {
    sum += v - 0.5;
    sumSq += (v - 0.5) ** 2;
  }
  const mean = sum / N;
  const std = Math.sqrt(sumSq / N - mean * mean);
  assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.3) < 0.005, `std ${std}`);
});

test('salt-and-pepper sets a share p of the values to 0 or 1, half each', () => {
  const x = halves();
  corrupt(x, parseNoise('salt-pepper:0.2'), new Prng(3));
  const salt = x.filter((v) => v === 1).length / N;
  const pepper = x.filter((v) => v === 0).length / N;
  assert.ok(Math.abs(salt - 0.1) < 0.005 && Math.abs(pepper - 0.1) < 0.005, `${salt} ${pepper}`);
  assert.ok(x.every((v) => v === 0 || v === 1 || v === 0.5));
});

test('the same seed gives the same corruption, another seed another', () => {
  const a = ones();
  const b = ones();
  const c = ones();
  corrupt(a, parseNoise('mask:0.5'), new Prng(7));
  corrupt(b, parseNoise('mask:0.5'), new Prng(7));
  corrupt(c, parseNoise('mask:0.5'), new Prng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

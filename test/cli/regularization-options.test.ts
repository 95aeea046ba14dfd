/** The regularization flags' parsers and the config changes they make, in-process. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { nonNegativeNumber } from '../../src/cli/options.js';
import { noiseSpec, overridesFromFlags, sparsitySpec } from '../../src/cli/regularization-options.js';

const rejects = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e) => e instanceof InvalidArgumentError && message.test(e.message), String(message));

test('noise specs are checked and kept as text', () => {
  assert.equal(noiseSpec('mask:0.25'), 'mask:0.25');
  assert.equal(noiseSpec('salt-pepper:0.1'), 'salt-pepper:0.1');
  rejects(() => noiseSpec('mask:1.5'), /masking probability must be a number in \[0, 1\)/);
  rejects(() => noiseSpec('gaussian'), /expected KIND:AMOUNT/);
  rejects(() => noiseSpec('salt:0.1'), /unknown kind "salt"/);
});

test('sparsity is RHO or RHO:BETA', () => {
  assert.deepEqual(sparsitySpec('0.05:3'), { rho: 0.05, beta: 3 });
  assert.deepEqual(sparsitySpec('0.1'), { rho: 0.1 });
  rejects(() => sparsitySpec('1.5'), /RHO in \(0, 1\)/);
  rejects(() => sparsitySpec('0.05:'), /BETA a number ≥ 0/);
  rejects(() => sparsitySpec('0.05:-1'), /BETA a number ≥ 0/);
  rejects(() => sparsitySpec('0.05:3:1'), /expected RHO or RHO:BETA/);
});

test('λ values are numbers ≥ 0', () => {
  assert.equal(nonNegativeNumber('1e-3'), 1e-3);
  assert.equal(nonNegativeNumber('0'), 0);
  for (const bad of ['-1', '', 'abc', 'Infinity']) rejects(() => nonNegativeNumber(bad), /expected a number ≥ 0/);
});

test('flags become model-config overrides, and no flags none', () => {
  assert.equal(overridesFromFlags({}), undefined);
  assert.deepEqual(overridesFromFlags({ tied: true, noise: 'mask:0.25', l2: 0, sparsity: { rho: 0.05 } }),
    { tied: true, regularization: { noise: 'mask:0.25', l2: 0, sparsity: { rho: 0.05 } } });
  assert.deepEqual(overridesFromFlags({ l2: 1e-4, l2Biases: true, l1Activity: 1e-3, contractive: 0.1 }),
    { regularization: { l2: 1e-4, l2Biases: true, l1Activity: 1e-3, contractive: 0.1 } });
});

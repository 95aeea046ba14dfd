/** The balanced sampler of `aekit classify --labels`: exact counts per class, seeded, deterministic, nested, and its refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balancedSample } from '../../src/data/balanced-sample.js';
import { UsageError } from '../../src/errors.js';
import { Prng } from '../../src/util/prng.js';

// 1,000 examples of 4 classes, unevenly: class c has about (c + 1) / 10 of them.
const rng = new Prng(3);
const labels = Uint8Array.from({ length: 1000 }, () => {
  const u = rng.uniform();
  return u < 0.1 ? 0 : u < 0.3 ? 1 : u < 0.6 ? 2 : 3;
});

const counts = (indices: ArrayLike<number>) => {
  const c = [0, 0, 0, 0];
  for (const i of Array.from(indices)) c[labels[i]]++;
  return c;
};

test('exactly count / classes examples of every class, each once, in increasing order', () => {
  const chosen = balancedSample(labels, 80, 4, 0);
  assert.equal(chosen.length, 80);
  assert.deepEqual(counts(chosen), [20, 20, 20, 20]);
  assert.equal(new Set(chosen).size, 80);
  for (let i = 1; i < chosen.length; i++) assert.ok(chosen[i] > chosen[i - 1]);
});

test('the same seed gives the same sample, another seed another; a larger sample contains a smaller one', () => {
  assert.deepEqual(balancedSample(labels, 40, 4, 7), balancedSample(labels, 40, 4, 7));
  assert.notDeepEqual(balancedSample(labels, 40, 4, 7), balancedSample(labels, 40, 4, 8));
  const small = new Set(balancedSample(labels, 40, 4, 7));
  const large = new Set(balancedSample(labels, 120, 4, 7));
  for (const i of small) assert.ok(large.has(i), `${i} is in the sample of 40 but not in that of 120`);
});

test('a count that cannot be balanced, or more than the rarest class has, is refused with what to do', () => {
  const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);
  assert.throws(() => balancedSample(labels, 42, 4), usage(/^--labels 42: the labelled examples are balanced over the 4 classes, so their number must be a positive multiple of 4 \(e\.g\. 40 or 44\)$/));
  assert.throws(() => balancedSample(labels, 0, 4), usage(/positive multiple of 4 \(e\.g\. 4\)/));
  assert.throws(() => balancedSample(labels, 3, 4), usage(/positive multiple of 4 \(e\.g\. 4\)/));
  const rarest = counts(Array.from(labels, (_, i) => i))[0];
  assert.throws(() => balancedSample(labels, 4 * (rarest + 1), 4), usage(new RegExp(`class 0 has ${rarest} training examples, fewer than the ${rarest + 1} per class`)));
  assert.equal(balancedSample(labels, 4 * rarest, 4).length, 4 * rarest);
});

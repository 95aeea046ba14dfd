import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectation, runTrainingSchema, SETTING_SCHEMAS, settingsProblem, TRAINING_DEFAULTS } from '../../src/training/settings.js';
import { PRESETS } from '../../src/training/presets.js';
import { presetTrainingSchema } from '../../src/training/settings.js';
import { settingParser } from '../../src/cli/setting-options.js';

test('settingsProblem names the first setting out of range, in the words fit has always used', () => {
  assert.equal(settingsProblem({ epochs: 3, batchSize: 8, lr: 0.1 }), null);
  assert.equal(settingsProblem({ epochs: 0 }), 'epochs must be a positive integer, got 0');
  assert.equal(settingsProblem({ batchSize: 2.5 }), 'batchSize must be a positive integer, got 2.5');
  assert.equal(settingsProblem({ lr: 0 }), 'lr must be positive, got 0');
  assert.equal(settingsProblem({ weightDecay: -1 }), 'weightDecay must be non-negative, got -1');
  assert.equal(settingsProblem({ validationFraction: 1 }), 'validationFraction must be a number in [0, 1), got 1');
  assert.equal(settingsProblem({ optimizer: 'rmsprop' }), 'optimizer must be one of adam, sgd, got rmsprop');
  assert.equal(settingsProblem({ seed: -1 }), 'seed must be a non-negative integer, got -1');
});

test('the defaults and every preset\'s training block satisfy the schema', () => {
  for (const [key, value] of Object.entries(TRAINING_DEFAULTS)) {
    assert.ok(SETTING_SCHEMAS[key as keyof typeof SETTING_SCHEMAS].safeParse(value).success, key);
  }
  for (const [name, preset] of Object.entries(PRESETS)) assert.ok(presetTrainingSchema.safeParse(preset.training).success, name);
  assert.equal(expectation(SETTING_SCHEMAS.patience), 'a non-negative integer');
  assert.ok(!runTrainingSchema.safeParse({ epochs: 1, batchSize: 1, lr: 1, schedule: 'cosine', weightDecay: 0, optimizer: 'adam', seed: 0, scale: 'log' }).success);
});

test('the CLI parses a setting by its schema: the same bounds, the messages of the older parsers', () => {
  assert.equal(settingParser('epochs')('1e3'), 1000);
  assert.throws(() => settingParser('epochs')('0'), /expected a whole number ≥ 1, got "0"/);
  assert.throws(() => settingParser('lr')('-1'), /expected a number > 0, got "-1"/);
  assert.throws(() => settingParser('validationFraction')('1'), /expected a number in \[0, 1\), got "1"/);
  assert.equal(settingParser('schedule')('cosine'), 'cosine');
  assert.throws(() => settingParser('schedule')('linear'), /expected one of constant, cosine/);
  assert.equal(settingParser('maxMemory')('1KB'), 1024);
});

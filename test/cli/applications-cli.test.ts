/** `aekit retrieve` and `aekit segment` at the command line: train and score, score a saved model again from its index, and one line for bad requests. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { aekitInProcess } from '../helpers/cli.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

test('retrieve trains, saves the index beside the model, scores the model again, and refuses other bits', async () => {
  const out = tempDir('retrieve-cli');
  let r = await aekit('retrieve', '--bits', '8', '--limit', '400', '--queries', '40', '--epochs', '1', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const trained = JSON.parse(r.stdout) as { results: { bits: number; mAP: number; runDir: string; index: string }[] };
  assert.equal(trained.results[0].bits, 8);
  assert.ok(existsSync(trained.results[0].index));
  r = await aekit('retrieve', '--model', trained.results[0].runDir, '--limit', '400', '--queries', '40', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as typeof trained).results[0].mAP, trained.results[0].mAP);
  r = await aekit('retrieve', '--model', trained.results[0].runDir, '--bits', '16', '--limit', '400', '--queries', '40');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--bits 16: .* gives 8-bit codes only/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('segment trains segnet on a few scenes and reports pixel accuracy and IoU per class, with its files', async () => {
  const out = join(tempDir('segment-cli'), 'seg');
  const r = await aekit('segment', '--scenes', '64', '--test-scenes', '16', '--validation-scenes', '8', '--lr', '0.01', '--jaccard-weight', '0.5', '--size', '32', '--epochs', '1', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    pixelAccuracy: number; meanIoU: number; perClassIoU: (number | null)[]; classes: string[]; epochs: number; lr: number;
    validation: { scenes: number; meanIoU: number; perClassIoU: (number | null)[] };
  };
  assert.equal(result.lr, 0.01);
  assert.equal(result.validation.scenes, 8);
  assert.equal(result.validation.perClassIoU.length, 11);
  assert.ok(result.validation.meanIoU >= 0 && result.validation.meanIoU <= 1);
  assert.equal(result.classes.length, 11);
  assert.equal(result.perClassIoU.length, 11);
  assert.ok(result.pixelAccuracy >= 0 && result.pixelAccuracy <= 1 && result.meanIoU >= 0 && result.meanIoU <= 1);
  for (const f of ['segment.json', 'model.safetensors', 'segmentation.png']) assert.ok(existsSync(join(out, f)), f);
  assert.equal((JSON.parse(readFileSync(join(out, 'segment.json'), 'utf8')) as { model: { jaccardWeight: number } }).model.jaccardWeight, 0.5);
  const again = await aekit('segment', '--scenes', '64', '--test-scenes', '16', '--size', '20', '--epochs', '1', '--out', out, '--force');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /the canvas must be at least 28 pixels wide, got 20/);
  assert.ok(existsSync(join(out, 'segment.json')), 'a refused request leaves the earlier output alone');
});

/** `aekit inpaint` end to end on a small model: the report, the picture, the filled file, and one line for bad input. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { loadData } from '../../src/data/load-data.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('inpaint-cli');
const model = join(work, 'model');

test('inpaint the test set: PSNR on the hole of the model, PCA and the mean, and the picture', async () => {
  let r = await aekit('train', '--preset', 'undercomplete', '--limit', '1000', '--test-limit', '100', '--epochs', '2', '--out', model, '--json');
  assert.equal(r.code, 0, r.stderr);
  r = await aekit('inpaint', '--model', model, '--mask', 'rect:8,8,12,12', '--test-limit', '60', '--steps', '30', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { method: string; mask: string; examples: number; missing: number; steps: number; priorWeight: number; psnr: Record<string, number>; png: string };
  assert.deepEqual([out.method, out.mask, out.examples, out.missing, out.steps, out.priorWeight], ['fit-code', 'rect:8,8,12,12', 60, 60 * 144, 30, 0.5]);
  for (const v of Object.values(out.psnr)) assert.ok(v > 3 && v < 40, `${v}`);
  assert.equal(out.png, join(model, 'inpainting.png'));
  const picture = PNG.sync.read(readFileSync(out.png));
  // Five rows (masked, mean, PCA, aekit, truth) of ten 28x28 digits, drawn at twice the size.
  assert.ok(picture.height > 5 * 56 && picture.width > 10 * 56, `${picture.width}x${picture.height}`);

  r = await aekit('inpaint', '--model', model, '--mask', 'random:0.5', '--method', 'iterate', '--test-limit', '30', '--png', join(work, 'random.png'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mask random:0\.5: \d+ pixels filled\n {2}PSNR on the hole: aekit \(iterate\) [\d.]+ dB, PCA [\d.]+ dB, mean [\d.]+ dB/);
  assert.ok(existsSync(join(work, 'random.png')));
});

test('inpaint a file: the known pixels come back unchanged, the hole filled', async () => {
  const digits = loadData('mnist', { split: 'test', limit: 5 });
  const input = join(work, 'digits.npy');
  const output = join(work, 'filled.npy');
  writeNpy(input, digits.x, [5, 784]);
  const r = await aekit('inpaint', '--model', model, '--mask', 'rect:0,0,28,4', '--input', input, '--output', output, '--steps', '10', '--json');
  assert.equal(r.code, 0, r.stderr);
  const filled = readNpy(output);
  assert.deepEqual(filled.shape, [5, 784]);
  for (let i = 0; i < 5 * 784; i++) if (i % 784 >= 4 * 28) assert.equal(filled.data[i], digits.x[i]);
});

test('bad input gets one line and exit code 2', async () => {
  const wrong = new PNG({ width: 20, height: 20 });
  wrong.data.fill(255);
  const wrongPng = join(work, 'wrong.png');
  writeFileSync(wrongPng, PNG.sync.write(wrong));
  for (const [args, message] of [
    [['--mask', 'rect:20,20,12,12'], /mask rect:20,20,12,12: reaches outside the 28x28 image/],
    [['--mask', wrongPng], /wrong\.png: a 20x20 mask, but the images are 28x28/],
    [['--mask', 'square'], /mask "square": expected rect:X,Y,W,H/],
    [['--mask', 'rect:1,1,2,2', '--output', join(work, 'x.npy')], /--output needs --input FILE/],
  ] as const) {
    const r = await aekit('inpaint', '--model', model, '--test-limit', '5', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('the inpaint preset fills in one pass by default, and better than the mean after a short training', async () => {
  const dir = join(work, 'holes');
  let r = await aekitInProcess('train', '--preset', 'inpaint', '--limit', '2000', '--test-limit', '100', '--epochs', '2', '--out', dir, '--json');
  assert.equal(r.code, 0, r.stderr);
  r = await aekitInProcess('inpaint', '--model', dir, '--mask', 'rect:8,8,12,12', '--test-limit', '300', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { method: string; psnr: Record<string, number>; steps?: number };
  assert.equal(out.method, 'one-pass');
  assert.equal(out.steps, undefined);
  // Two epochs on 2,000 digits already fill the centre better than the mean image (7.8 against 7.5 dB when written).
  assert.ok(out.psnr.model > out.psnr.mean, JSON.stringify(out.psnr));
});

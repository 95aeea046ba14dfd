/**
 * The playground in headless Chromium: a stroke drawn with mouse events gives, in the page (on the
 * WebAssembly backend), the reconstruction `aekit reconstruct` computes from the same pixels in
 * Node (1e-5); the 2-d model's latent plane is shown and decodes as the model does in Node; a conv
 * model's feature maps follow each stroke and are the encoder's layer outputs in Node. The
 * committed browser files are what scripts/build-playground.mjs builds today.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { saveModel } from '../../src/run/save-load.js';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { convModel } from '../../src/training/presets.js';
import { Tensor } from '../../src/tensor/index.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { launchBrowser, waitForExpression, watchedPage } from '../helpers/browser.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const runs = tempDir('playground-browser');
const modelDir = join(runs, 'tiny');
let model: Autoencoder;
let conv: Autoencoder;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  // A small untrained model with a 2-d code: its outputs still depend on every input pixel.
  model = Autoencoder.create({ layers: [784, 64, 2], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce' }, 3);
  saveModel(model, modelDir);
  conv = Autoencoder.create(convModel(), 4);
  saveModel(conv, join(runs, 'conv'));
  dashboard = await startDashboard({ runs, port: 0 });
  browser = await launchBrowser();
  ({ page, errors } = await watchedPage(browser));
});
after(async () => {
  await browser?.close();
  await dashboard?.close();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

test('a stroke drawn with the mouse is reconstructed in the page as aekit reconstruct does (1e-5)', async () => {
  await page.goto(`${dashboard.url}playground?run=tiny`);
  await waitForExpression(page, 'window.aekitPlayground?.ready === true');
  assert.equal(await page.evaluate('window.aekitPlayground.backend'), 'wasm');
  const box = (await page.locator('#input').boundingBox())!;
  // A "7": a bar across the top, then a diagonal down to the bottom left.
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(0.25, 0.25));
  await page.mouse.down();
  await page.mouse.move(...at(0.75, 0.25), { steps: 12 });
  await page.mouse.move(...at(0.4, 0.8), { steps: 16 });
  await page.mouse.up();
  // The page answers on the next animation frame: wait until its reconstruction is of this drawing.
  await waitForExpression(page, 'window.aekitPlayground.input.filter((v) => v > 0).length > 40');
  await new Promise((r) => setTimeout(r, 300));
  const input = await page.evaluate<number[]>('window.aekitPlayground.input');
  const inPage = await page.evaluate<number[]>('window.aekitPlayground.reconstruction');
  assert.ok(input.filter((v) => v > 0.99).length > 20, 'the stroke inked whole pixels');

  const inputFile = join(runs, 'drawn.npy'), outputFile = join(runs, 'recon.npy');
  writeNpy(inputFile, Float32Array.from(input), [1, 784]);
  const r = await aekitInProcess('reconstruct', '--model', modelDir, '--input', inputFile, '--output', outputFile, '--json');
  assert.equal(r.code, 0, r.stderr);
  const fromCli = readNpy(outputFile).data;
  const diff = maxDiff(inPage, fromCli);
  assert.ok(diff <= 1e-5, `page and aekit reconstruct differ by ${diff}`);
  // And the drawing matters: an empty canvas reconstructs to something else.
  const blank = model.reconstruct([new Array<number>(784).fill(0)]).toArray();
  assert.ok(maxDiff(inPage, blank) > 1e-3, 'the reconstruction did not change with the drawing');
  const ms = await page.evaluate<number>('window.aekitPlayground.milliseconds');
  assert.ok(Number.isFinite(ms) && ms > 0);
  assert.deepEqual(errors, []);
});

test('the 2-d model\'s latent plane is shown and decodes as the model does', async () => {
  assert.equal(await page.evaluate('window.aekitPlayground.latentShown'), true);
  const z = [0.7, -1.3];
  const inPage = await page.evaluate<number[]>(`window.aekitPlayground.decode(${JSON.stringify(z)})`);
  const inNode = model.decode([z]).toArray();
  assert.ok(maxDiff(inPage, inNode) <= 1e-5);
  const box = (await page.locator('#latent').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
  assert.match(await page.locator('#latent-at').textContent() ?? '', /^\(-?\d+\.\d\d, -?\d+\.\d\d\)$/);
  assert.deepEqual(errors, []);
});

test('a conv model\'s feature maps follow each stroke and are its encoder\'s layer outputs', async () => {
  await page.goto(`${dashboard.url}playground?run=conv`);
  await waitForExpression(page, 'window.aekitPlayground?.ready === true');
  assert.equal(await page.evaluate('window.aekitPlayground.featureMapsShown'), true);
  const box = (await page.locator('#input').boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  type Maps = { layer: string; channels: number; height: number; width: number; data: number[] }[];
  const inNode = (input: number[]): number[][] => {
    const outputs = conv.encoder.trace(Tensor.from(input, [1, 1, 28, 28]));
    return [0, 1].map((i) => Array.from(outputs[i].data));
  };
  const strokes: [number, number, number, number][] = [[0.3, 0.3, 0.7, 0.3], [0.5, 0.2, 0.5, 0.85]];
  let before: Maps | null = null;
  for (const [x0, y0, x1, y1] of strokes) {
    const inked = await page.evaluate<number>('window.aekitPlayground.input.filter((v) => v > 0).length');
    await page.mouse.move(...at(x0, y0));
    await page.mouse.down();
    await page.mouse.move(...at(x1, y1), { steps: 10 });
    await page.mouse.up();
    await waitForExpression(page, `window.aekitPlayground.input.filter((v) => v > 0).length > ${inked + 20}`);
    await new Promise((r) => setTimeout(r, 300));
    const input = await page.evaluate<number[]>('window.aekitPlayground.input');
    const maps = await page.evaluate<Maps>('window.aekitPlayground.featureMaps');
    assert.deepEqual(maps.map((f) => [f.layer, f.channels, f.height, f.width]), [['encoder.0 conv2d', 32, 14, 14], ['encoder.1 conv2d', 64, 7, 7]]);
    const expected = inNode(input);
    maps.forEach((f, i) => assert.ok(maxDiff(f.data, expected[i]) <= 1e-5, `${f.layer} differs from Node by ${maxDiff(f.data, expected[i])}`));
    if (before) assert.ok(maxDiff(before[1].data, maps[1].data) > 1e-3, 'the maps did not change with the second stroke');
    before = maps;
  }
  assert.equal(await page.locator('#features canvas').count(), 2);
  assert.deepEqual(errors, []);
});

test('a dense model shows no feature maps', async () => {
  await page.goto(`${dashboard.url}playground?run=tiny`);
  await waitForExpression(page, 'window.aekitPlayground?.ready === true');
  assert.equal(await page.evaluate('window.aekitPlayground.featureMapsShown'), false);
  assert.deepEqual(await page.evaluate('window.aekitPlayground.featureMaps'), []);
});

test('the committed playground bundle and wasm copy are what the build script makes', () => {
  const r = spawnSync(process.execPath, ['scripts/build-playground.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('the undercomplete model trains in the page: its loss falls, it can be stopped, and then it is drawn on', async () => {
  await page.fill('#epochs', '50');
  await page.click('#train');
  // Stopped after its first epoch, long before its fiftieth.
  await waitForExpression(page, 'window.aekitPlayground.training.epochs >= 1', 120_000);
  await page.click('#stop');
  await waitForExpression(page, 'window.aekitPlayground.training.done === true', 60_000);
  const { losses, epochs } = await page.evaluate<{ losses: number[]; epochs: number }>('window.aekitPlayground.training');
  assert.ok(epochs >= 1 && epochs < 50, `stopped after ${epochs} epochs`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Binary cross-entropy summed over 784 pixels: about 200 at the first steps (the output bias starts
  // at the data's mean), under 120 after an epoch.
  assert.ok(mean(losses.slice(-5)) < 0.7 * mean(losses.slice(0, 3)), `the loss went from ${mean(losses.slice(0, 3))} to ${mean(losses.slice(-5))}`);
  assert.match(await page.locator('#train-status').textContent() ?? '', /^stopped after \d epoch/);
  assert.match(await page.locator('#status').textContent() ?? '', /trained in this page: 784 pixels, 64-d code/);
  assert.deepEqual(errors, []);
});

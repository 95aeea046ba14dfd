/**
 * report.html in Chromium as a file: opened from disk with every non-file request blocked, it
 * shows every picture (they are inlined), and a run of 100 epochs renders in well under a
 * second, its loss curve a line of 100 points.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../src/run/report.js';
import { browserSkip, launchBrowser, linePointCounts, watchedPage } from '../helpers/browser.js';
import { writeFakeRun } from '../helpers/fake-runs.js';
import { tempDir } from '../helpers/temp-dir.js';

const EPOCHS = 100;
const dir = join(tempDir('report-file'), 'run-100');
let browser: Browser;

before(async () => {
  if (browserSkip) return;
  writeFakeRun(dir, { epochs: EPOCHS, pictures: true });
  await writeReport(dir);
  browser = await launchBrowser();
});
after(() => browser?.close());

test('report.html of a 100-epoch run opens from disk with the network blocked: every picture, a 100-point curve, in under a second', { skip: browserSkip }, async () => {
  const { page, errors } = await watchedPage(browser);
  const blocked: string[] = [];
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const started = performance.now();
  await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
  const images = await page.evaluate<{ alt: string; width: number; complete: boolean }[]>(
    '[...document.images].map((img) => ({ alt: img.alt, width: img.naturalWidth, complete: img.complete }))',
  );
  const counts = await linePointCounts(page, '#loss-curve');
  const ms = performance.now() - started;
  console.log(`report.html of a ${EPOCHS}-epoch run rendered from disk in Chromium in ${ms.toFixed(0)} ms`);
  assert.deepEqual(images.map((i) => i.alt).sort(), ['filters.png', 'reconstructions.png']);
  for (const image of images) assert.ok(image.complete && image.width > 0, `${image.alt} shows`);
  assert.deepEqual(counts, [EPOCHS, EPOCHS], 'train and validation, a point per epoch');
  assert.deepEqual(blocked, [], 'the report asked for nothing from the network');
  assert.deepEqual(errors, []);
  // The target is 1 s; 3 s keeps the test steady on a loaded 2-core machine.
  assert.ok(ms < 3000, `rendering took ${ms.toFixed(0)} ms`);
});

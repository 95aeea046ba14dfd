/**
 * The playground runs its kernels threaded where it can: served by `aekit serve` the page is
 * cross-origin isolated (COOP/COEP), loads the threaded module and starts Web Workers on one
 * shared memory, and the workers run chunks of the deep model's GEMMs; the same page without
 * those headers is not isolated and runs the one-thread module. Both answer the same stroke with
 * the same reconstruction, bit for bit (the threaded kernels split work without reordering sums).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { saveModel } from '../../src/run/save-load.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { PRESETS } from '../../src/training/presets.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { browserSkip, launchBrowser, waitForExpression, watchedPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/temp-dir.js';

const runs = tempDir('playground-threads');
let dashboard: Dashboard;
let browser: Browser;

before(async () => {
  if (browserSkip) return;
  // The deep preset's model (untrained): its 1000-wide layers are large enough to be split.
  saveModel(Autoencoder.create(PRESETS.deep.model, 0), join(runs, 'deep'));
  dashboard = await startDashboard({ runs, port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await dashboard?.close();
});

interface Drawn { isolated: boolean; threads: number; workerChunks: number; threadsText: string; reconstruction: number[]; errors: string[] }

/** Opens the playground (its isolation headers dropped when `isolated` is false), draws a stroke, reads the page. */
async function drawOn(isolated: boolean): Promise<Drawn> {
  const { page, errors } = await watchedPage(browser);
  try {
    if (!isolated) await dropIsolation(page);
    await page.goto(`${dashboard.url}playground?run=deep`);
    await waitForExpression(page, 'window.aekitPlayground?.ready === true', 60_000);
    const box = (await page.locator('#input').boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.3, 0.2));
    await page.mouse.down();
    await page.mouse.move(...at(0.6, 0.5), { steps: 8 });
    await page.mouse.move(...at(0.35, 0.8), { steps: 8 });
    await page.mouse.up();
    await waitForExpression(page, 'window.aekitPlayground.input.filter((v) => v > 0).length > 30');
    await new Promise((r) => setTimeout(r, 300));
    return {
      isolated: await page.evaluate<boolean>('window.crossOriginIsolated'),
      threads: await page.evaluate<number>('window.aekitPlayground.threads'),
      workerChunks: await page.evaluate<number>('window.aekitPlayground.workerChunks'),
      threadsText: await page.locator('#threads').textContent() ?? '',
      reconstruction: await page.evaluate<number[]>('window.aekitPlayground.reconstruction'),
      errors,
    };
  } finally {
    await page.close();
  }
}

/** Serves /playground as aekit serve does but without COOP/COEP, as a host that does not send them would. */
async function dropIsolation(page: Page): Promise<void> {
  await page.route('**/playground?*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
}

test('served by aekit serve the playground is isolated and threaded; without the headers it runs one thread, with the same answer', { skip: browserSkip }, async () => {
  const threaded = await drawOn(true);
  assert.deepEqual(threaded.errors, []);
  assert.equal(threaded.isolated, true, 'aekit serve did not make the playground cross-origin isolated');
  assert.ok(threaded.threads >= 2, `the isolated page runs ${threaded.threads} thread(s)`);
  assert.match(threaded.threadsText, /^\d+ threads$/);
  assert.ok(threaded.workerChunks > 0, 'the page\'s workers ran no kernel chunk');

  const single = await drawOn(false);
  assert.deepEqual(single.errors, []);
  assert.equal(single.isolated, false);
  assert.equal(single.threads, 1);
  assert.equal(single.workerChunks, 0);
  assert.match(single.threadsText, /^one thread/);

  assert.equal(threaded.reconstruction.length, 784);
  assert.deepEqual(threaded.reconstruction, single.reconstruction, 'the same stroke reconstructs differently threaded');
});

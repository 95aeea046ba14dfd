/**
 * The dashboard in headless Chromium, end to end: a real training run (a child process) is
 * watched live as its curve grows; then the run list shows it, sorts by a column clicked, opens
 * its report with every picture loaded and a loss curve of as many points as epochs; two
 * runs' curves are compared on one plot; and a run killed mid-training reads as stopped.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { browserSkip, launchBrowser, linePointCounts, waitForExpression, watchedPage } from '../helpers/browser.js';
import { writeFakeRun } from '../helpers/fake-runs.js';
import { tempDir } from '../helpers/temp-dir.js';

const EPOCHS = 4;
const runs = tempDir('dashboard-browser');
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  if (browserSkip) return;
  writeFakeRun(join(runs, 'compare-x', 'deep'), { epochs: 7, sse: 3.5, pictures: true });
  writeFakeRun(join(runs, 'old'), { epochs: 2, sse: 50, preset: 'deep' });
  dashboard = await startDashboard({ runs, port: 0 });
  browser = await launchBrowser();
  ({ page, errors } = await watchedPage(browser));
});
after(async () => {
  await browser?.close();
  await dashboard?.close();
});

/**
 * `aekit train` in a child process, as a user would start it beside the dashboard. 2,000
 * examples make an epoch last about a second here (500 take 0.2 s, and the whole run could end
 * between two redraws of the page, which would leave nothing to see grow).
 */
function train(out: string, epochs = EPOCHS): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [
    '--import', 'tsx', resolve('src/cli/main.ts'), 'train', '--preset', 'undercomplete',
    '--limit', '2000', '--test-limit', '100', '--epochs', String(epochs), '--out', out,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`aekit train exited ${code}: ${stderr}`))));
  });
  return { child, done };
}

test('a training run is drawn live: its curve grows epoch by epoch and its reconstructions load', { skip: browserSkip }, async () => {
  const { done } = train(join(runs, 'live'));
  after(() => done.catch(() => undefined));
  // The page is opened before the run has written its folder: it keeps asking until it has.
  await page.goto(`${dashboard.url}live.html?run=live`);
  const opened = Date.now();
  while (!(await fetch(`${dashboard.url}api/run?run=live`)).ok) {
    if (Date.now() - opened > 120_000) throw new Error('the training run never wrote its folder');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Reloaded at once (before the first epoch, which takes seconds to load the data for), so the
  // page's own 404s from the wait are not counted, and the redraws are recorded from the start.
  errors.length = 0;
  await page.reload();
  // Each redraw of the plot is recorded as the page does it, however fast the epochs come.
  await page.evaluate(`(() => {
    window.seen = [];
    const plot = document.querySelector('#loss-curve');
    new MutationObserver(() => {
      const line = plot.querySelector('g.mark-line path');
      if (line) window.seen.push({ points: (line.getAttribute('d').match(/[ML]/g) || []).length, status: document.querySelector('#status').textContent });
    }).observe(plot, { childList: true, subtree: true });
  })()`);
  await done;
  await waitForExpression(page, `document.querySelector('#status').textContent === 'done'`, 30_000);
  await waitForExpression(page, `document.querySelector('#loss-curve').dataset.epochs === '${EPOCHS}'`, 10_000);
  const seen = await page.evaluate<{ points: number; status: string }[]>('window.seen');
  const counts = seen.map((s) => s.points);
  console.log(`live plot redraws, points per line: ${counts.join(', ')}`);
  assert.ok(counts.length >= 2, `the curve was redrawn as the run went on (${counts.join(', ')})`);
  assert.ok(counts.some((n) => n < EPOCHS), `the curve was drawn before the last epoch (${counts.join(', ')})`);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'the curve only grows');
  assert.deepEqual(await linePointCounts(page, '#loss-curve'), [EPOCHS, EPOCHS], 'train and validation, a point per epoch');
  const width = await page.evaluate(`new Promise((ok) => { const img = document.querySelector('#reconstructions'); img.complete ? ok(img.naturalWidth) : img.addEventListener('load', () => ok(img.naturalWidth)); })`);
  assert.ok(Number(width) > 0, 'reconstructions.png loaded');
  await page.waitForSelector('#report a', { timeout: 30_000 });
  assert.deepEqual(errors, []);
});

test('the run list shows the runs, sorts by a clicked column, and opens a report with its pictures and curve', { skip: browserSkip }, async () => {
  errors.length = 0;
  await page.goto(dashboard.url);
  await page.waitForSelector('tr[data-run="live"]');
  // String expressions: the tests compile without the DOM's types.
  const ids = async () => page.evaluate<string[]>(`[...document.querySelectorAll('tbody tr')].map((r) => r.dataset.run)`);
  assert.deepEqual((await ids()).sort(), ['compare-x/deep', 'live', 'old']);
  assert.match(await page.textContent('tr[data-run="live"]') ?? '', /undercomplete.*mnist \(train\).*done/);
  await page.click('th[data-key="sse"]');
  const ascending = await ids();
  const sse = await page.evaluate<number[]>(`[...document.querySelectorAll('tbody tr td:nth-child(8)')].map((c) => Number(c.textContent))`);
  assert.deepEqual(sse, [...sse].sort((a, b) => a - b), `lowest sse first: ${sse.join(', ')}`);
  assert.equal(ascending[0], 'compare-x/deep');
  await page.click('th[data-key="sse"]');
  assert.deepEqual(await ids(), [...ascending].reverse(), 'a second click reverses');
  assert.equal(await page.getAttribute('th[data-key="sse"]', 'aria-sort'), 'descending');

  await Promise.all([page.waitForURL(/\/runs\/live\/report\.html$/), page.click('tr[data-run="live"] td:nth-child(2) a:first-child')]);
  await page.waitForLoadState('load');
  const images = await page.evaluate<{ alt: string; width: number }[]>('[...document.images].map((img) => ({ alt: img.alt, width: img.naturalWidth }))');
  assert.ok(images.some((i) => i.alt === 'reconstructions.png'), JSON.stringify(images));
  for (const image of images) assert.ok(image.width > 0, `${image.alt} loaded`);
  assert.deepEqual(await linePointCounts(page, '#loss-curve'), [EPOCHS, EPOCHS]);
  assert.deepEqual(errors, []);
});

test('two runs compared: one plot, a series per run, each with its own epochs', { skip: browserSkip }, async () => {
  errors.length = 0;
  await page.goto(dashboard.url);
  await page.waitForSelector('tr[data-run="live"]');
  await page.check('tr[data-run="live"] input[type="checkbox"]');
  await page.check('tr[data-run="compare-x/deep"] input[type="checkbox"]');
  await Promise.all([page.waitForURL(/compare\.html\?/), page.click('#compare')]);
  await page.waitForSelector('#loss-curve svg');
  assert.deepEqual((await linePointCounts(page, '#loss-curve')).sort(), [EPOCHS, 7]);
  const legend = await page.textContent('#loss-curve svg');
  assert.match(legend ?? '', /compare-x\/deep/);
  await page.selectOption('#curve', 'validation');
  await waitForExpression(page, `document.querySelector('#loss-curve svg').textContent.includes('Validation loss')`);
  assert.deepEqual(errors, []);
});

test('a run killed mid-training reads stopped, on its live page and in the run list', { skip: browserSkip }, async () => {
  errors.length = 0;
  const { child, done } = train(join(runs, 'killed'), 200);
  const failed = done.catch((error: Error) => error.message);
  // Opened once the run has written its folder (before it, the page's retries are 404s).
  for (const started = Date.now(); !(await fetch(`${dashboard.url}api/run?run=killed`)).ok; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() - started > 120_000) throw new Error('the training run never wrote its folder');
  }
  await page.goto(`${dashboard.url}live.html?run=killed`);
  // Killed with SIGKILL once an epoch has been drawn: it writes nothing more, no last event.
  await page.waitForSelector('#loss-curve[data-epochs]', { timeout: 120_000 });
  assert.equal(await page.textContent('#status'), 'training');
  child.kill('SIGKILL');
  assert.match(String(await failed), /exited null/);
  await page.waitForSelector('#status.stopped', { timeout: 15_000 });
  assert.match(await page.textContent('#report') ?? '', /its training process is gone \(killed or crashed\); aekit train --resume on its folder continues it/);
  await page.goto(dashboard.url);
  await page.waitForSelector('tr[data-run="killed"]');
  const status = page.locator('tr[data-run="killed"] .status');
  assert.equal(await status.textContent(), 'stopped');
  assert.match(await status.getAttribute('title') ?? '', /aekit train --resume continues it/);
  assert.deepEqual(errors, []);
});

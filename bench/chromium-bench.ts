/**
 * The issue's browser targets, measured in Debian's headless Chromium driven by playwright-core
 * (never a browser download):
 *  - training: aekit's WebAssembly backend against TensorFlow.js 4.22's WebAssembly backend on
 *    the bench's dense model (784-1000-500-250-30 mirrored, batch 256, Adam), in one page,
 *    repetitions interleaved so that load from other processes falls on both alike;
 *  - stroke: the playground's answer to a stroke (reconstruction computed and drawn, the page's
 *    own timer) on the deep preset's model, over a stroke of mouse moves.
 *
 *   node --import tsx bench/chromium-bench.ts [--json] [--reps N] [--steps N] [--tfjs-steps N]
 *     [--batch N] [--isolated] [--no-stroke] [--moves N]
 *
 * --isolated serves the page cross-origin isolated (COOP/COEP), which lets TensorFlow.js use its
 * multi-threaded build; aekit's module runs one thread either way.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page, Route } from 'playwright-core';
import { Autoencoder } from '../src/models/autoencoder.js';
import { saveModel } from '../src/run/save-load.js';
import { startDashboard } from '../src/serve/server.js';
import { PRESETS } from '../src/training/presets.js';
import { launchBrowser, waitForExpression } from '../test/helpers/browser.js';
import { describeMachine, machineLine } from './machine.js';
import { median } from './gemm-bench.js';
import type { BenchSetup } from './browser/chromium-entry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ORIGIN = 'http://aekit-bench.localhost';

export interface ChromiumBenchOptions {
  reps: number; steps: number; tfjsSteps: number; batch: number; isolated: boolean; stroke: boolean; moves: number;
}

/** The page's script: bench/browser/chromium-entry.ts with aekit and TensorFlow.js, as one ES module. */
async function bundleEntry(): Promise<string> {
  const result = await build({
    absWorkingDir: root, entryPoints: ['bench/browser/chromium-entry.ts'], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, logLevel: 'error', legalComments: 'none',
  });
  return result.outputFiles[0].text;
}

/** Serves the bench page, its script, aekit's module and tfjs's .wasm files from this checkout. */
async function servePage(page: Page, script: string, isolated: boolean): Promise<void> {
  const tfjsDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const headers: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  await page.route(`${ORIGIN}/**`, async (route: Route) => {
    const path = new URL(route.request().url()).pathname;
    let body: string | Buffer;
    if (path === '/' || path === '/index.html') body = '<!doctype html><meta charset="utf-8"><title>aekit bench</title><script type="module" src="/bench.js"></script>';
    else if (path === '/bench.js') body = script;
    else if (path === '/aekit.wasm') body = readFileSync(join(root, 'native', 'wasm', 'aekit.wasm'));
    else if (path === '/aekit-threads.wasm') body = readFileSync(join(root, 'native', 'wasm', 'aekit-threads.wasm'));
    else if (path.startsWith('/tfjs/') && /^[\w.-]+$/.test(path.slice(6))) body = readFileSync(join(tfjsDist, path.slice(6)));
    else return route.fulfill({ status: 404, body: 'not found' });
    await route.fulfill({ status: 200, body, headers: { 'Content-Type': types[extname(path) || '.html'] ?? 'application/octet-stream', ...headers } });
  });
}

/** Interleaved training repetitions in one page: aekit then TensorFlow.js, `reps` times. */
async function measureTraining(browser: Browser, o: ChromiumBenchOptions, log: (line: string) => void) {
  const page = await browser.newPage();
  try {
    await servePage(page, await bundleEntry(), o.isolated);
    await page.goto(`${ORIGIN}/`);
    await waitForExpression(page, 'window.aekitBench !== undefined');
    const setup = await page.evaluate<BenchSetup>(`window.aekitBench.setup(${o.batch}, '/aekit.wasm', '/aekit-threads.wasm', '/tfjs/')`);
    if (setup.tfjsError) log(`chromium bench: TensorFlow.js's wasm backend cannot train the dense model: ${setup.tfjsError}`);
    const aekit: number[] = [], threaded: number[] = [], tfjs: number[] = [];
    for (let r = 0; r < o.reps; r++) {
      aekit.push(await page.evaluate<number>(`window.aekitBench.aekit(${o.steps}, ${o.batch})`));
      if (setup.aekitThreads > 1) threaded.push(await page.evaluate<number>(`window.aekitBench.aekitThreaded(${o.steps}, ${o.batch})`));
      if (!setup.tfjsError) tfjs.push(await page.evaluate<number>(`window.aekitBench.tfjs(${o.tfjsSteps}, ${o.batch})`));
      log(`chromium bench: repetition ${r + 1}/${o.reps}: aekit wasm ${aekit.at(-1)!.toFixed(0)}, tfjs wasm ${tfjs.at(-1)?.toFixed(1) ?? 'n/a'} samples/s${threaded.length ? `; aekit threaded (${setup.aekitThreads}) ${threaded.at(-1)!.toFixed(0)}` : ''}`);
    }
    const ours = median(aekit), theirs = tfjs.length ? median(tfjs) : null;
    const oursThreaded = threaded.length ? median(threaded) : null;
    return {
      model: '784-1000-500-250-30-250-500-1000-784 sigmoid, linear code, squared error, Adam', batch: o.batch,
      crossOriginIsolated: setup.crossOriginIsolated,
      aekit: { backend: 'wasm (one thread)', samplesPerSecond: ours, repetitions: aekit.map(Math.round), steps: o.steps },
      tfjsWasm: setup.tfjsError
        ? { version: setup.tfjsVersion, error: setup.tfjsError }
        : { version: setup.tfjsVersion, simd: setup.tfjsSimd, threads: setup.tfjsThreads ? 'multi' : 'one', samplesPerSecond: theirs, repetitions: tfjs.map((v) => +v.toFixed(2)), steps: o.tfjsSteps },
      ratio: theirs ? ours / theirs : null,
      /** Measured when the page is cross-origin isolated (--isolated): the threaded build, and against one thread and tfjs (threaded there too). */
      aekitThreaded: oursThreaded === null ? null : {
        threads: setup.aekitThreads, samplesPerSecond: oursThreaded, repetitions: threaded.map(Math.round),
        ratioToOneThread: oursThreaded / ours, ratioToTfjsWasm: theirs ? oursThreaded / theirs : null,
      },
    };
  } finally {
    await page.close();
  }
}

/** The playground's stroke latency on the deep preset's model (untrained weights: the same arithmetic). */
async function measureStroke(browser: Browser, o: ChromiumBenchOptions) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const runs = mkdtempSync(join(tmpdir(), 'aekit-stroke-'));
  const dashboard = await startDashboard({ runs, port: 0 });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  try {
    saveModel(Autoencoder.create(PRESETS.deep.model, 0), join(runs, 'deep'));
    await page.goto(`${dashboard.url}playground?run=deep`);
    await waitForExpression(page, 'window.aekitPlayground?.ready === true');
    const box = (await page.locator('#input').boundingBox())!;
    const frames = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const times: number[] = [];
    await page.mouse.move(box.x + 0.2 * box.width, box.y + 0.3 * box.height);
    await page.mouse.down();
    for (let i = 1; i <= o.moves; i++) {
      // A zigzag over the canvas, one mouse event per frame: each asks the page for a new answer.
      const t = i / o.moves;
      await page.mouse.move(box.x + (0.2 + 0.6 * t) * box.width, box.y + (0.3 + 0.4 * Math.abs(Math.sin(6 * t))) * box.height);
      await frames();
      times.push(await page.evaluate<number>('window.aekitPlayground.milliseconds'));
    }
    await page.mouse.up();
    const sorted = [...times].sort((a, b) => a - b);
    return {
      model: `deep preset (${PRESETS.deep.model.layers.join('-')}, mirrored)`, updates: times.length,
      medianMs: median(times), p90Ms: sorted[Math.floor(0.9 * (sorted.length - 1))], maxMs: sorted.at(-1)!,
      target: 'reconstruction drawn within 30 ms',
    };
  } finally {
    await page.close();
    await dashboard.close();
    rmSync(runs, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): ChromiumBenchOptions & { json: boolean } {
  const o = { reps: 5, steps: 4, tfjsSteps: 1, batch: 256, isolated: false, stroke: true, moves: 40, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--isolated') o.isolated = true;
    else if (a === '--no-stroke') o.stroke = false;
    else if (a === '--reps') o.reps = num();
    else if (a === '--steps') o.steps = num();
    else if (a === '--tfjs-steps') o.tfjsSteps = num();
    else if (a === '--batch') o.batch = num();
    else if (a === '--moves') o.moves = num();
    else throw new Error(`unknown option ${a}; options: --json --reps N --steps N --tfjs-steps N --batch N --isolated --no-stroke --moves N`);
  }
  return o;
}

async function main(): Promise<void> {
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`chromium bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  log(`machine: ${machineLine(machine)}`);
  const browser = await launchBrowser();
  try {
    const browserVersion = browser.version();
    const training = await measureTraining(browser, o, log);
    const stroke = o.stroke ? await measureStroke(browser, o) : null;
    const result = { machine, browser: `Chromium ${browserVersion}`, training, stroke };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const t = training;
    const peer = 'samplesPerSecond' in t.tfjsWasm ? `${t.tfjsWasm.samplesPerSecond!.toFixed(1)} samples/s` : `cannot train it (${t.tfjsWasm.error})`;
    console.log(`Chromium ${browserVersion} (${machine.cpuModel}): aekit wasm ${Math.round(t.aekit.samplesPerSecond)} samples/s; tfjs wasm ${peer}; ratio ${t.ratio?.toFixed(1) ?? 'n/a'}x`);
    if (t.aekitThreaded) console.log(`aekit wasm threaded (${t.aekitThreaded.threads} threads): ${Math.round(t.aekitThreaded.samplesPerSecond)} samples/s; ${t.aekitThreaded.ratioToOneThread.toFixed(2)}x one thread; ${t.aekitThreaded.ratioToTfjsWasm?.toFixed(1) ?? 'n/a'}x tfjs wasm (${'threads' in t.tfjsWasm ? t.tfjsWasm.threads : 'n/a'} thread build)`);
    if (stroke) console.log(`playground stroke (deep preset): ${stroke.medianMs.toFixed(1)} ms median, ${stroke.p90Ms.toFixed(1)} ms 90th percentile, ${stroke.maxMs.toFixed(1)} ms max over ${stroke.updates} updates`);
  } finally {
    await browser.close();
  }
}

await main();

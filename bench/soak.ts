/**
 * The soak: long runs without a leak. Phase 1 trains one autoencoder for a long time (a small
 * slice of MNIST, many epochs, its reconstructions redrawn every epoch, as `aekit train` does);
 * phase 2 serves the dashboard over the runs folder while 50 clients open and drop live streams
 * and ask for the run list, run pages, loss plots and reports. RSS and open file descriptors are
 * sampled at a fixed interval; after a warm-up, their least-squares slope must be flat.
 *
 *   node --import tsx bench/soak.ts                      # one hour + 15 minutes, a sample a minute
 *   node --import tsx bench/soak.ts --train-minutes 5 --serve-minutes 3 --sample-seconds 10
 *
 * Prints one JSON object: per phase the samples, the slopes (MB and descriptors per hour) and
 * the errors seen. Not a test: test/bench/soak.test.ts runs a short version and checks the slope.
 */
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRun } from '../src/apps/train/train-run.js';
import { selectBackend } from '../src/backend/select.js';
import { startDashboard } from '../src/serve/server.js';
import { setBackend } from '../src/tensor/index.js';

/** One sample of the process's resources. */
export interface SoakSample {
  seconds: number;
  rssMB: number;
  fds: number;
}

/** What a phase measured. */
export interface SoakPhase {
  samples: SoakSample[];
  /** Least-squares slopes over the samples after warm-up, per hour. */
  rssMBPerHour: number;
  fdsPerHour: number;
  /** The growth over the measured window (last fitted minus first fitted value). */
  rssMBGrowth: number;
  errors: string[];
}

/** How long and how often. */
export interface SoakOptions {
  trainSeconds: number;
  serveSeconds: number;
  sampleSeconds: number;
  /** The share of each phase left out of the slope (start-up, caches filling). */
  warmup: number;
  clients: number;
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
}

function sample(start: number): SoakSample {
  return { seconds: (performance.now() - start) / 1000, rssMB: process.memoryUsage.rss() / 2 ** 20, fds: openFds() };
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function summarize(samples: SoakSample[], warmup: number, errors: string[]): SoakPhase {
  const after = samples.slice(Math.floor(samples.length * warmup));
  const rss = slope(after.map((s) => ({ x: s.seconds / 3600, y: s.rssMB })));
  const fds = slope(after.map((s) => ({ x: s.seconds / 3600, y: s.fds })));
  const span = after.length > 1 ? (after.at(-1)!.seconds - after[0].seconds) / 3600 : 0;
  return { samples, rssMBPerHour: rss, fdsPerHour: fds, rssMBGrowth: rss * span, errors };
}

/** Samples every `sampleSeconds` while `work` runs, until it resolves. */
async function sampled(options: SoakOptions, work: (signal: AbortSignal) => Promise<void>, seconds: number): Promise<SoakSample[]> {
  const start = performance.now();
  const samples = [sample(start)];
  const timer = setInterval(() => {
    global.gc?.();
    samples.push(sample(start));
  }, options.sampleSeconds * 1000);
  const controller = new AbortController();
  const stop = setTimeout(() => controller.abort(), seconds * 1000);
  try {
    await work(controller.signal);
  } finally {
    clearInterval(timer);
    clearTimeout(stop);
  }
  samples.push(sample(start));
  return samples;
}

/** A GET over loopback that ends when the answer has come, or after `dropAfterMs` (a live stream dropped). */
function get(port: number, path: string, dropAfterMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { host: 'localhost' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    setTimeout(() => { req.destroy(); resolve(0); }, dropAfterMs);
    req.end();
  });
}

/**
 * Runs both phases.
 * @example
 * const result = await runSoak({ trainSeconds: 30, serveSeconds: 30, sampleSeconds: 2, warmup: 0.3, clients: 50 });
 */
export async function runSoak(options: SoakOptions): Promise<{ train: SoakPhase; serve: SoakPhase }> {
  const runs = mkdtempSync(join(tmpdir(), 'aekit-soak-'));
  try {
    const trainErrors: string[] = [];
    const trainSamples = await sampled(options, async (signal) => {
      try {
        await trainRun({ preset: 'undercomplete', limit: 1200, testLimit: 200, epochs: 1_000_000, out: join(runs, 'soak'), signal });
      } catch (error) {
        trainErrors.push(String(error));
      }
    }, options.trainSeconds);

    const serveErrors: string[] = [];
    // Every soak client comes from 127.0.0.1, so the per-client stream cap (which the attack tests
    // check) would refuse them as one client: here the whole global cap goes to that one address.
    const dashboard = await startDashboard({ runs, port: 0, rateLimit: 0, streams: { perClient: 64 } });
    const port = Number(new URL(dashboard.url).port);
    const paths = ['/api/runs', '/api/run?run=soak', '/api/loss.svg?run=soak', '/runs/soak/report.html', '/runs/soak/reconstructions.png'];
    const serveSamples = await sampled(options, async (signal) => {
      const client = async (k: number) => {
        for (let i = 0; !signal.aborted; i++) {
          // Half the time a live stream held a moment and dropped, else a page or a plot.
          const status = (i + k) % 2 === 0 ? await get(port, '/api/events?run=soak', 200 + ((i * 37 + k) % 300)) : await get(port, paths[(i + k) % paths.length], 5000);
          if (status !== 0 && status !== 200) serveErrors.push(`client ${k}: ${status}`);
        }
      };
      await Promise.all(Array.from({ length: options.clients }, (_, k) => client(k)));
    }, options.serveSeconds);
    await dashboard.close();
    return { train: summarize(trainSamples, options.warmup, trainErrors), serve: summarize(serveSamples, options.warmup, serveErrors) };
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setBackend(selectBackend());
  const options: SoakOptions = {
    trainSeconds: flag('--train-minutes', 60) * 60,
    serveSeconds: flag('--serve-minutes', 15) * 60,
    sampleSeconds: flag('--sample-seconds', 60),
    warmup: flag('--warmup', 0.2),
    clients: flag('--clients', 50),
  };
  const result = await runSoak(options);
  process.stdout.write(`${JSON.stringify({ options, ...result })}\n`);
}

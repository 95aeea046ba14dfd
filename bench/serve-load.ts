/**
 * A bounded load test of the dashboard on loopback: `aekit serve` runs as its own process over a
 * runs folder of 200 fake runs, and autocannon sends many concurrent clients at it for a fixed
 * short time, cycling through the pages a user's browser asks for (the run list, a report, a
 * picture, a loss plot, the page itself). It prints requests/s, latency, errors and non-2xx
 * answers, and the server's RSS before, between and after two rounds (growth between rounds
 * would be a leak). A last round with a low rate limit (600 a minute) shows excess requests refused
 * with 429 while the server stays up. It only ever connects to 127.0.0.1 and stops by itself.
 *   node --import tsx bench/serve-load.ts [--seconds 10] [--connections 50]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeReport } from '../src/run/report.js';
import { writeFakeRun } from '../test/helpers/fake-runs.js';

interface Histogram { average: number; p50: number; p99: number; max: number }
interface CannonResult { requests: Histogram & { total: number }; latency: Histogram; errors: number; timeouts: number; non2xx: number; '2xx': number; statusCodeStats: Record<string, { count: number }> }
type Cannon = (options: { url: string; connections: number; duration: number; requests: { path: string }[] }) => Promise<CannonResult>;
// autocannon ships no types; the few fields read here are typed above.
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
};
// Bounded: however it is called, a round lasts at most a minute.
const seconds = Math.min(60, flag('--seconds', 10));
const connections = Math.min(500, flag('--connections', 50));

/** Starts `aekit serve` and resolves with its process and URL once it listens. */
async function serve(runs: string, rateLimit: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), 'serve', '--runs', runs, '--port', '0', '--rate-limit', String(rateLimit), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) ok((JSON.parse(out.split('\n')[0]) as { url: string }).url);
    });
    child.on('exit', (code) => fail(new Error(`aekit serve exited ${code}`)));
  });
  return { child, url };
}

/** The resident set size of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kb ? Number(kb[1]) / 1024 : Number.NaN;
}

const REQUESTS = [
  { path: '/api/runs' }, { path: '/runs/run-000/report.html' }, { path: '/runs/run-001/reconstructions.png' },
  { path: '/api/loss.svg?run=run-002' }, { path: '/' }, { path: '/runs.js' },
];

function report(name: string, r: CannonResult): void {
  const codes = Object.entries(r.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ');
  console.log(`${name}: ${Math.round(r.requests.average)} requests/s (${r.requests.total} in ${seconds} s), latency avg ${r.latency.average.toFixed(1)} ms, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx} (${codes})`);
}

const runs = mkdtempSync(join(tmpdir(), 'aekit-serve-load-'));
try {
  for (let i = 0; i < 200; i++) writeFakeRun(join(runs, `run-${String(i).padStart(3, '0')}`), { epochs: 20, pictures: i < 3 });
  await writeReport(join(runs, 'run-000'));
  console.log(`aekit serve under load: ${connections} connections, ${seconds} s a round, 200 runs, loopback`);

  const open = await serve(runs, 0);
  try {
    // A short warm-up, so that "before" is the server with its caches filled and code compiled.
    await autocannon({ url: open.url, connections: 4, duration: 1, requests: REQUESTS });
    const before = rssMb(open.child.pid!);
    const first = await autocannon({ url: open.url, connections, duration: seconds, requests: REQUESTS });
    const between = rssMb(open.child.pid!);
    const second = await autocannon({ url: open.url, connections, duration: seconds, requests: REQUESTS });
    const afterwards = rssMb(open.child.pid!);
    report('round 1, no rate limit', first);
    report('round 2, no rate limit', second);
    console.log(`RSS of the server: ${before.toFixed(0)} MB before, ${between.toFixed(0)} MB after round 1, ${afterwards.toFixed(0)} MB after round 2`);
  } finally {
    open.child.kill('SIGTERM');
  }

  // A limit low enough for this round to pass it: 600 a minute per client.
  const limited = await serve(runs, 600);
  try {
    const r = await autocannon({ url: limited.url, connections, duration: seconds, requests: REQUESTS });
    report('rate limit of 600 a minute per client', r);
    const alive = await fetch(`${limited.url}api/runs`);
    console.log(`after it: the server answers ${alive.status} (429 while the client's minute lasts); RSS ${rssMb(limited.child.pid!).toFixed(0)} MB`);
  } finally {
    limited.child.kill('SIGTERM');
  }
} finally {
  rmSync(runs, { recursive: true, force: true });
}

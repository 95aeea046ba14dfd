/**
 * Streaming against in-memory training on the same file, run by hand (not by the tests):
 * generates a float32 NPY file several times the memory budget (MNIST digits tiled, with a
 * little noise so no two rows repeat), then trains the same model on it twice, each in a fresh
 * process: once with `--max-memory BUDGET` (streamed through the shuffle window) and once in
 * memory. Reports each run's peak RSS and training samples/s, and their ratio.
 *
 *   node --import tsx bench/stream-bench.ts                          # 256 MiB budget, file 3x
 *   node --import tsx bench/stream-bench.ts --budget 128MB --times 4 --epochs 2 --json
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainRun } from '../src/apps/train/train-run.js';
import { selectBackend } from '../src/backend/select.js';
import { byteSize } from '../src/cli/options.js';
import { loadData } from '../src/data/load-data.js';
import { encodeNpyHeader } from '../src/data/npy.js';
import { setBackend } from '../src/tensor/index.js';
import { Prng } from '../src/util/prng.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

const budget = byteSize(flag('budget', '256MB'));
const times = Number(flag('times', '3'));
const epochs = Number(flag('epochs', '1'));
const preset = flag('preset', 'undercomplete');
const file = flag('file', join(tmpdir(), `aekit-stream-bench-${budget}x${times}.npy`));

/** Child: one training run, then its own figures as one JSON line. */
async function child(mode: 'stream' | 'memory'): Promise<void> {
  // As the CLI does: the native kernels when built.
  setBackend(selectBackend());
  const out = join(tmpdir(), `aekit-stream-bench-run-${mode}-${process.pid}`);
  const result = await trainRun({ preset, data: file, epochs, out, force: true, ...(mode === 'stream' ? { maxMemory: budget } : {}) });
  const { maxRSS } = process.resourceUsage();
  console.log(JSON.stringify({ mode, backend: result.backend, samplesPerSecond: result.samplesPerSecond, seconds: result.seconds, testSse: result.test.sse, peakRssBytes: maxRSS * 1024 }));
}

/** Writes rows of 784 features until the file is `times` × the budget, one block at a time. */
function generate(): void {
  const digits = loadData('mnist', { split: 'train' });
  const rows = Math.ceil(times * budget / (784 * 4));
  const fd = openSync(file, 'w');
  // The header, then the rows in blocks: the file is never held whole.
  writeSync(fd, encodeNpyHeader([rows, 784]));
  const rng = new Prng(1);
  const blockRows = 4096;
  const block = new Float32Array(blockRows * 784);
  for (let r = 0; r < rows; r += blockRows) {
    const k = Math.min(blockRows, rows - r);
    for (let i = 0; i < k * 784; i++) {
      const v = digits.x[((r * 784) + i) % digits.x.length] + 0.02 * (rng.uniform() - 0.5);
      block[i] = Math.min(1, Math.max(0, v));
    }
    writeSync(fd, new Uint8Array(block.buffer, 0, k * 784 * 4));
  }
  closeSync(fd);
}

function run(mode: 'stream' | 'memory'): { mode: string; backend: string; samplesPerSecond: number; seconds: number; testSse: number; peakRssBytes: number } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, ...args.filter((a) => a !== '--json')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ReturnType<typeof run>;
}

const childMode = flag('child', '');
if (childMode === 'stream' || childMode === 'memory') {
  await child(childMode);
} else {
  if (!existsSync(file)) generate();
  const size = statSync(file).size;
  const streamed = run('stream');
  const memory = run('memory');
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const report = { file, fileBytes: size, budgetBytes: budget, preset, epochs, streamed, memory, throughputRatio: streamed.samplesPerSecond / memory.samplesPerSecond };
  if (args.includes('--json')) console.log(JSON.stringify(report));
  else {
    console.log(`file ${file}: ${mib(size)} MiB (${(size / budget).toFixed(1)}x the ${mib(budget)} MiB budget), preset ${preset}, ${epochs} epoch(s), ${streamed.backend} backend`);
    for (const r of [streamed, memory]) console.log(`${r.mode.padEnd(7)} peak RSS ${mib(r.peakRssBytes)} MiB  ${Math.round(r.samplesPerSecond)} samples/s  ${r.seconds.toFixed(1)} s training  test sse ${r.testSse.toFixed(2)}`);
    console.log(`streamed/in-memory throughput ${report.throughputRatio.toFixed(2)}x; streamed peak RSS ${streamed.peakRssBytes < budget ? 'under' : 'OVER'} the budget`);
  }
}

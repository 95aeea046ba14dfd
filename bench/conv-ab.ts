/**
 * The convolution kernels on the shapes of the conv bench model (batch 128) and of a SegNet step
 * (batch 32), timed call by call: each layer's forward, input gradient and filter gradient, as
 * a training step runs them (a transposed convolution's forward is its partner's input gradient).
 * With a second addon file, an A/B inside one process: both builds alternate call by call (the
 * order flipped every other repetition), so a shared machine's drift hits both alike.
 *
 *   node --import tsx bench/conv-ab.ts [BEFORE.node] [--reps 9] [--only segnet|conv] [--threads N] [--json]
 *   node --import tsx bench/conv-ab.ts --algorithms     # im2col (as A) against direct (as B), one build
 *   node --import tsx bench/conv-ab.ts --threads 1 --cpu  # timed by the process's CPU clock
 *   node --import tsx bench/conv-ab.ts --tuned [FILE]     # the built-in rule (as A) against a tuning file's choices (as B)
 *
 * --tuned takes the file `aekit tune` wrote ($AEKIT_CACHE_DIR/tuning.json or the user's cache
 * folder when FILE is left out), whichever CPU it names.
 *
 * --fastest compares each side's fastest call instead of the median of per-repetition ratios:
 * delays from other processes only add time, so on a loaded machine the fastest call is the
 * closer estimate of each side's own time.
 *
 * --cpu times by CPU seconds instead of the wall clock: on one thread this is the work alone,
 * undisturbed by other processes taking the core (a shared machine's main noise).
 *
 * prints per kernel call the current build's median milliseconds and, with BEFORE.node, the
 * median of (time of BEFORE) / (time of current): above 1 means the current build is faster.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { median } from './gemm-bench.js';
import { installConvChoices, tuningPath, type TuningFile } from '../src/backend/native/tuning.js';

type Sizes = number[];
interface ConvAddon {
  conv2dForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, sizes: Sizes, act: number, slope: number): void;
  conv2dBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, sizes: Sizes, beta: number): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, sizes: Sizes, beta: number): void;
  info(): { isa: string; threads: number };
  setConvAlgo(algo: string): string;
  setThreads(n: number): number;
  setConvTuned(pass: number, sizes: Sizes, algo: number): void;
  clearConvTuned(): void;
}

/** A convolution: batch, channels in and out, input size, kernel, stride, padding (square). */
interface Layer { name: string; batch: number; inC: number; outC: number; size: number; kernel: number; stride: number; pad: number; transposed?: boolean }

const out = (l: Layer) => Math.floor((l.size + 2 * l.pad - l.kernel) / l.stride) + 1;
/** In native/kernels.h's ConvGeom order. */
const sizes = (l: Layer): Sizes => [l.batch, l.inC, l.size, l.size, l.outC, out(l), out(l), l.kernel, l.kernel, l.stride, l.stride, l.pad, l.pad, 1, 1, 1];

/** The conv bench model (bench/train-bench.ts): two strided convolutions and their two transposed mirrors. */
const CONV_MODEL: Layer[] = [
  { name: 'conv1 1->32 28x28 s2', batch: 128, inC: 1, outC: 32, size: 28, kernel: 3, stride: 2, pad: 1 },
  { name: 'conv2 32->64 14x14 s2', batch: 128, inC: 32, outC: 64, size: 14, kernel: 3, stride: 2, pad: 1 },
  // convT 64->32 7->14 is the input gradient of a conv 32->64 on 14x14, and so on.
  { name: 'convT1 64->32 7->14', batch: 128, inC: 32, outC: 64, size: 14, kernel: 3, stride: 2, pad: 1, transposed: true },
  { name: 'convT2 32->1 14->28', batch: 128, inC: 1, outC: 32, size: 28, kernel: 3, stride: 2, pad: 1, transposed: true },
];

/** The segnet preset's convolutions (src/models/presets.ts), batch 32, 64x64 scenes: every shape of the encoder and the decoder. */
const SEGNET: Layer[] = [
  { name: 'seg 1->16 64x64', batch: 32, inC: 1, outC: 16, size: 64, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 16->32 32x32', batch: 32, inC: 16, outC: 32, size: 32, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 32->64 16x16', batch: 32, inC: 32, outC: 64, size: 16, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 64->64 16x16', batch: 32, inC: 64, outC: 64, size: 16, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 64->128 8x8', batch: 32, inC: 64, outC: 128, size: 8, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 128->128 8x8', batch: 32, inC: 128, outC: 128, size: 8, kernel: 3, stride: 1, pad: 1 },
  // The decoder's own shapes (its 128->128 8x8 and 64->64 16x16 are the encoder's above).
  { name: 'seg 128->64 8x8', batch: 32, inC: 128, outC: 64, size: 8, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 64->32 16x16', batch: 32, inC: 64, outC: 32, size: 16, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 32->16 32x32', batch: 32, inC: 32, outC: 16, size: 32, kernel: 3, stride: 1, pad: 1 },
  { name: 'seg 16->11 64x64', batch: 32, inC: 16, outC: 11, size: 64, kernel: 3, stride: 1, pad: 1 },
];

interface Call { name: string; flops: number; run(addon: ConvAddon): void }

function calls(layer: Layer): Call[] {
  const s = sizes(layer);
  const o = out(layer);
  const x = Float32Array.from({ length: layer.batch * layer.inC * layer.size * layer.size }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.3);
  const y = Float32Array.from({ length: layer.batch * layer.outC * o * o }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const w = Float32Array.from({ length: layer.outC * layer.inC * layer.kernel * layer.kernel }, (_, i) => ((i * 31) % 100) / 100 - 0.5);
  const bias = new Float32Array(layer.outC).fill(0.1);
  const dw = new Float32Array(w.length);
  const flops = 2 * layer.batch * layer.outC * o * o * layer.inC * layer.kernel * layer.kernel;
  const result: Call[] = [];
  if (layer.transposed) {
    // Forward of the transposed convolution, its input gradient (a convolution) and its filter gradient.
    result.push({ name: `${layer.name} fwd`, flops, run: (a) => a.conv2dBackwardInput(y, w, x, s, 0) });
    result.push({ name: `${layer.name} dx`, flops, run: (a) => a.conv2dForward(x, w, null, y, s, 0, 0) });
    result.push({ name: `${layer.name} dw`, flops, run: (a) => a.conv2dBackwardFilter(x, y, dw, s, 0) });
  } else {
    result.push({ name: `${layer.name} fwd`, flops, run: (a) => a.conv2dForward(x, w, bias, y, s, 3, 0) });
    if (layer.inC > 1) result.push({ name: `${layer.name} dx`, flops, run: (a) => a.conv2dBackwardInput(y, w, x, s, 0) });
    result.push({ name: `${layer.name} dw`, flops, run: (a) => a.conv2dBackwardFilter(x, y, dw, s, 0) });
  }
  return result;
}

function loadAddon(path: string): ConvAddon {
  return createRequire(import.meta.url)(resolve(path)) as ConvAddon;
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const reps = Number(flag('--reps') ?? 9);
  const only = flag('--only');
  const json = args.includes('--json');
  const cpu = args.includes('--cpu');
  const fastest = args.includes('--fastest');
  const tunedAt = args.indexOf('--tuned');
  const tunedFile = tunedAt >= 0 ? (args[tunedAt + 1] && !args[tunedAt + 1].startsWith('--') ? args[tunedAt + 1] : tuningPath()) : null;
  const before = args.find((a, i) => !a.startsWith('--') && !['--reps', '--only', '--threads', '--tuned'].includes(args[i - 1] ?? ''));
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const current = loadAddon(join(root, 'build', 'Release', 'aekit_native.node'));
  const algorithms = args.includes('--algorithms');
  if (flag('--threads')) current.setThreads(Number(flag('--threads')));
  // With --algorithms, A is the current build forced to im2col and B the same forced to direct;
  // with --tuned, A is the built-in rule and B the file's choices.
  const tuned = tunedFile ? (JSON.parse(readFileSync(tunedFile, 'utf8')) as TuningFile).conv : null;
  const other = algorithms || tuned ? current : before ? loadAddon(before) : null;
  // Each side's switch happens before its clock starts.
  const runA = { prepare: () => { if (algorithms) current.setConvAlgo('im2col'); if (tuned) current.clearConvTuned(); }, run: (call: Call) => call.run(other!) };
  const runB = { prepare: () => { if (algorithms) current.setConvAlgo('direct'); if (tuned) installConvChoices(current, tuned); }, run: (call: Call) => call.run(current) };
  const layers = only === 'conv' ? CONV_MODEL : only === 'segnet' ? SEGNET : [...CONV_MODEL, ...SEGNET];
  const rows: { name: string; ms: number; gflops: number; ratio: number | null }[] = [];
  let totalB = 0, totalA = 0;
  for (const layer of layers) {
    for (const call of calls(layer)) {
      for (let i = 0; i < 2; i++) { runB.prepare(); runB.run(call); if (other) { runA.prepare(); runA.run(call); } }
      const tb: number[] = [], ta: number[] = [], ratios: number[] = [];
      for (let r = 0; r < reps; r++) {
        const time = ({ prepare, run }: typeof runA) => {
          prepare();
          if (cpu) { const c0 = process.cpuUsage(); run(call); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; }
          const t0 = performance.now(); run(call); return performance.now() - t0;
        };
        let a = 0, b = 0;
        if (other && r % 2 === 0) { a = time(runA); b = time(runB); } else { b = time(runB); if (other) a = time(runA); }
        tb.push(b);
        ta.push(a);
        if (other) ratios.push(a / b);
      }
      const ms = fastest ? Math.min(...tb) : median(tb);
      const ratio = !other ? null : fastest ? Math.min(...ta) / Math.min(...tb) : median(ratios);
      totalB += ms;
      if (ratio !== null) totalA += ms * ratio;
      rows.push({ name: call.name, ms, gflops: call.flops / ms / 1e6, ratio });
    }
  }
  const info = current.info();
  if (json) {
    process.stdout.write(`${JSON.stringify({ isa: info.isa, threads: info.threads, rows, totalMs: totalB, totalRatio: other ? totalA / totalB : null })}\n`);
    return;
  }
  const what = algorithms ? 'im2col / direct' : tuned ? `built-in rule / ${tunedFile}` : `${before} / current`;
  console.log(`${info.isa}, ${info.threads} threads; median of ${reps}${other ? `; ratio = ${what}` : ''}`);
  for (const r of rows) console.log(`${r.name.padEnd(34)} ${r.ms.toFixed(3).padStart(8)} ms ${r.gflops.toFixed(0).padStart(5)} GFLOP/s${r.ratio !== null ? `  ${r.ratio.toFixed(3)}x` : ''}`);
  console.log(`total ${totalB.toFixed(2)} ms${other ? `, ${(totalA / totalB).toFixed(3)}x` : ''}`);
}

main();

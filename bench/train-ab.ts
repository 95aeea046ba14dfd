/**
 * A training step on two builds of the native addon in one process, alternating repetition by
 * repetition (the order flipped every other one), so that a shared machine's drift hits both alike.
 * Models: `segnet` (the segnet preset: batch 32 of 64x64 scenes, 11 classes, Adam) and `dense`
 * (the bench's 784-1000-500-250-30 sigmoid autoencoder, batch 256, Adam, squared error).
 *
 *   node --import tsx bench/train-ab.ts BEFORE.node [--model segnet|dense] [--reps 9] [--steps 3]
 *     [--threads N] [--cpu] [--tuned] [--segment-loss] [--json]
 *
 * --segment-loss trains the segnet model with the loss `aekit segment` gives it (src/apps/segment):
 * class-balanced cross-entropy plus the soft Jaccard term at the preset's weight; without it, the
 * plain cross-entropy of the figures measured before that loss existed.
 *
 * A is the given file (an older build), B the current build/Release addon with the built-in
 * convolution rule (no tuning cache), or with this CPU's `aekit tune` choices under --tuned.
 * Prints each side's median seconds per step and the median of the repetitions' ratios A / B
 * (above 1: the current build is faster).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/backend/backend.js';
import { type Addon, nativeBackendOver } from '../src/backend/native/native-backend.js';
import { installConvChoices, type TuningFile, tuningPath } from '../src/backend/native/tuning.js';
import { createReferenceBackend } from '../src/backend/reference/reference-backend.js';
import { Autoencoder } from '../src/models/autoencoder.js';
import { balancedClassWeights, Segmenter } from '../src/models/segmenter.js';
import type { Trainable } from '../src/models/trainable.js';
import { backward, setBackend, Tensor, tidy } from '../src/tensor/index.js';
import { SEGNET } from '../src/training/presets.js';
import { Adam } from '../src/training/optimizers.js';
import { Prng } from '../src/util/prng.js';
import { median } from './gemm-bench.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const before = args.find((a, i) => !a.startsWith('--') && !['--reps', '--steps', '--threads', '--model'].includes(args[i - 1] ?? ''));
if (!before) {
  console.error('usage: node --import tsx bench/train-ab.ts BEFORE.node [--model segnet|dense] [--reps N] [--steps N] [--threads N] [--cpu] [--tuned] [--json]');
  process.exit(2);
}
const reps = Number(flag('--reps') ?? 9), steps = Number(flag('--steps') ?? 3);
// CPU seconds instead of the wall clock: with --threads 1 the work alone, whatever else takes the core.
const cpu = args.includes('--cpu');
const load = createRequire(import.meta.url);
const currentPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'aekit_native.node');
const addons = [load(resolve(before)), load(currentPath)] as Addon[];
// Builds from before kernelNames() existed (c488808^ and older) number their ops in the same order
// (native/kernels.h there lists them as native/kernel_names.h does now): lend them the current names.
if (typeof addons[0].kernelNames !== 'function') addons[0] = { ...addons[0], kernelNames: () => addons[1].kernelNames() };
if (flag('--threads')) for (const a of addons) a.setThreads(Number(flag('--threads')));
if (args.includes('--tuned')) {
  installConvChoices(addons[1], (JSON.parse(readFileSync(tuningPath(), 'utf8')) as TuningFile).conv);
} else {
  addons[1].clearConvTuned();
}
// Builds from before the soft Jaccard kernel ran that loss in TypeScript, as the reference backend
// does now: lend them its kernel, so that A is the step as it was.
const reference = createReferenceBackend();
const backends: Backend[] = addons.map((a) => (typeof a.softJaccard === 'function'
  ? nativeBackendOver(a) : { ...nativeBackendOver(a), softJaccard: reference.softJaccard.bind(reference) }));

const modelName = flag('--model') ?? 'segnet';
if (modelName !== 'segnet' && modelName !== 'dense') throw new Error(`--model: segnet or dense, not ${modelName}`);
const rng = new Prng(0);
const uniform = (n: number) => Float32Array.from({ length: n }, () => rng.uniform());
const batch = modelName === 'segnet' ? SEGNET.training.batchSize : 256;
let model: Trainable, x: Tensor, y: Tensor | undefined, lr: number;
if (modelName === 'segnet') {
  const size = 64, classes = SEGNET.model.classes;
  x = new Tensor(uniform(batch * size * size), [batch, 1, size, size]);
  // Label maps with every class present, in blobs as scenes have them.
  y = new Tensor(Float32Array.from({ length: batch * size * size }, (_, i) => ((i >> 3) * 7 + (i >> 9)) % classes), [batch, size, size]);
  model = Segmenter.create(args.includes('--segment-loss') ? {
    ...SEGNET.model, classWeights: balancedClassWeights(y.data, classes, SEGNET.settings.balancePower), jaccardWeight: SEGNET.settings.jaccardWeight,
  } : SEGNET.model, 0);
  lr = SEGNET.training.lr;
} else {
  x = new Tensor(uniform(batch * 784), [batch, 784]);
  model = Autoencoder.create({ layers: [784, 1000, 500, 250, 30], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'mse' }, 0);
  lr = 1e-3;
}
const params = model.parameters();
const adam = new Adam(params, { lr });
const step = () => tidy(() => {
  for (const p of params) p.tensor.zeroGrad();
  backward(model.objective(y ? { x, y } : { x }, { training: true, rng }).loss);
  adam.step();
});
const time = (side: number): number => {
  setBackend(backends[side]);
  step();  // the first step after a switch warms that build's buffers and thread pool
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  if (!cpu) return (performance.now() - t0) / 1000 / steps;
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6 / steps;
};
for (const side of [0, 1, 0, 1]) time(side);
const seconds: number[][] = [[], []];
const ratios: number[] = [];
const load0 = loadavg()[0];
for (let r = 0; r < reps; r++) {
  const t = [0, 0];
  for (const side of r % 2 ? [1, 0] : [0, 1]) t[side] = time(side);
  seconds[0].push(t[0]);
  seconds[1].push(t[1]);
  ratios.push(t[0] / t[1]);
}
const result = {
  model: modelName, before: resolve(before), reps, steps, batch,
  secondsPerStep: { before: median(seconds[0]), current: median(seconds[1]) },
  ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)],
  currentConv: args.includes('--tuned') ? 'tuned' : 'rule', segmentLoss: args.includes('--segment-loss'), clock: cpu ? 'cpu' : 'wall', threads: addons[1].info().threads,
  loadAverage: [load0, loadavg()[0]],
};
if (args.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`${modelName} step, batch ${batch}: A (${before}) ${(1000 * result.secondsPerStep.before).toFixed(1)} ms, ` +
    `B (build/Release, conv ${result.currentConv}) ${(1000 * result.secondsPerStep.current).toFixed(1)} ms (medians of ${reps} × ${steps} steps)`);
  console.log(`A / B = ${result.ratio.toFixed(3)} (median of the repetitions' ratios; ${result.ratioRange.map((v) => v.toFixed(3)).join(' to ')}); ` +
    `load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
}

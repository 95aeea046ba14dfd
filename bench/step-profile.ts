/**
 * Where a training step's time goes, kernel by kernel: every backend call of a few segnet (or
 * dense) steps timed by the process's CPU clock and summed per kernel and shape.
 *
 *   AEKIT_THREADS=1 node --import tsx bench/step-profile.ts [--model segnet|dense] [--steps 3] [--segment-loss] [--json]
 *
 * --segment-loss gives the segnet model the loss `aekit segment` trains it with (class-balanced
 * cross-entropy plus the soft Jaccard term at the preset's weight) instead of the plain cross-entropy.
 *
 * The backend is the one a user gets, with this machine's `aekit tune` choices when its cache has
 * them: AEKIT_CACHE_DIR=$(mktemp -d) profiles the built-in convolution rule instead. The calls'
 * CPU times include the timing wrapper's own (small) cost; the first step is left out.
 */
import { selectBackend } from '../src/backend/select.js';
import { Autoencoder } from '../src/models/autoencoder.js';
import { balancedClassWeights, Segmenter } from '../src/models/segmenter.js';
import type { Trainable } from '../src/models/trainable.js';
import { backward, setBackend, Tensor, tidy } from '../src/tensor/index.js';
import { SEGNET } from '../src/training/presets.js';
import { Adam } from '../src/training/optimizers.js';
import { Prng } from '../src/util/prng.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const steps = Number(flag('--steps') ?? 3);
const modelName = flag('--model') ?? 'segnet';

/** CPU microseconds per kernel (and per shape, keyed by the sizes of its array arguments). */
const totals = new Map<string, { us: number; calls: number }>();
const cpuMicros = () => { const c = process.cpuUsage(); return c.user + c.system; };
const inner = selectBackend();
const timed = new Proxy(inner, {
  get(target, key, receiver) {
    const value = Reflect.get(target, key, receiver) as unknown;
    if (typeof value !== 'function' || typeof key !== 'string') return value;
    return (...a: unknown[]) => {
      const t0 = cpuMicros();
      const out = (value as (...x: unknown[]) => unknown).apply(target, a);
      const dt = cpuMicros() - t0;
      const shape = a.filter((v) => ArrayBuffer.isView(v)).map((v) => (v as Float32Array).length).join(',');
      const geometry = a.find((v) => v && typeof v === 'object' && !ArrayBuffer.isView(v) && 'outChannels' in (v)) as { inChannels: number; outChannels: number; outHeight: number; strideH: number } | undefined;
      const name = geometry ? `${key} ${geometry.inChannels}->${geometry.outChannels} @${geometry.outHeight} s${geometry.strideH}` : `${key} [${shape}]`;
      const e = totals.get(name) ?? { us: 0, calls: 0 };
      e.us += dt; e.calls++;
      totals.set(name, e);
      return out;
    };
  },
});
setBackend(timed);

const rng = new Prng(0);
let model: Trainable, batch: { x: Tensor; y?: Tensor };
if (modelName === 'segnet') {
  const n = SEGNET.training.batchSize, size = 64, classes = SEGNET.model.classes;
  batch = {
    x: new Tensor(Float32Array.from({ length: n * size * size }, () => rng.uniform()), [n, 1, size, size]),
    y: new Tensor(Float32Array.from({ length: n * size * size }, (_, i) => ((i >> 3) * 7 + (i >> 9)) % classes), [n, size, size]),
  };
  model = Segmenter.create(args.includes('--segment-loss') ? {
    ...SEGNET.model, classWeights: balancedClassWeights(batch.y!.data, classes, SEGNET.settings.balancePower), jaccardWeight: SEGNET.settings.jaccardWeight,
  } : SEGNET.model, 0);
} else {
  batch = { x: new Tensor(Float32Array.from({ length: 256 * 784 }, () => rng.uniform()), [256, 784]) };
  model = Autoencoder.create({ layers: [784, 1000, 500, 250, 30], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'mse' }, 0);
}
const params = model.parameters();
const adam = new Adam(params, { lr: 1e-3 });
const step = () => tidy(() => {
  for (const p of params) p.tensor.zeroGrad();
  backward(model.objective(batch, { training: true, rng }).loss);
  adam.step();
});
step();
totals.clear();
const c0 = cpuMicros();
for (let i = 0; i < steps; i++) step();
const stepMs = (cpuMicros() - c0) / 1000 / steps;
const rows = [...totals].map(([name, e]) => ({ name, ms: e.us / 1000 / steps, calls: e.calls / steps })).sort((a, b) => b.ms - a.ms);
const kernelMs = rows.reduce((s, r) => s + r.ms, 0);
if (args.includes('--json')) console.log(JSON.stringify({ model: modelName, steps, stepMs, kernelMs, rows }));
else {
  console.log(`${modelName}: ${stepMs.toFixed(1)} ms CPU a step, ${kernelMs.toFixed(1)} in kernels (${steps} steps)`);
  for (const r of rows) console.log(`${r.ms.toFixed(2).padStart(8)} ms  ${String(r.calls).padStart(3)}x  ${r.name}`);
}

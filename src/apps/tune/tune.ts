/**
 * `aekit tune`: measures, on this machine, the choices the native kernels make by shape (today:
 * im2col + GEMM or the direct kernels, for each pass of each convolution the conv presets and
 * SegNet train), in a second or two, and caches them per CPU (src/backend/native/tuning.ts).
 * The shapes are found by running one training step of each model through a backend that notes
 * every convolution it is asked for.
 */
import type { Backend, ConvGeometry } from '../../backend/backend.js';
import { measureCorePeakGflops, measurePeakGflops, nativeInfo, nativeKernelsDigest, nativeTuningHooks } from '../../backend/native/native-backend.js';
import {
  type ConvChoice, type ConvPass, CONV_PASSES, convSizes, cpuIdentity, installConvChoices, type TuningFile, writeTuning,
} from '../../backend/native/tuning.js';
import { ConvWorkspace, type ForwardCall, measureConvChoice, PLAIN_FORWARD, type TimingOptions } from '../../backend/native/conv-timing.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { PRESETS, SEGNET } from '../../training/presets.js';
import { Segmenter } from '../../models/segmenter.js';
import type { Trainable } from '../../models/trainable.js';
import { backward, Tensor, tidy, withBackend } from '../../tensor/index.js';
import { Prng } from '../../util/prng.js';

/** The models whose convolutions `tune` measures. */
export const TUNED_MODELS = ['conv', 'conv-denoising', 'segnet'] as const;
export type TunedModelName = (typeof TUNED_MODELS)[number];

/** A model whose convolutions are tuned, and the batch it trains with. */
interface TunedModel { name: TunedModelName; model: Trainable; input: number[]; batch: number; labels?: number }

function tunedModel(name: TunedModelName): TunedModel {
  if (name === 'segnet') return { name, model: Segmenter.create(SEGNET.model, 0), input: [1, 64, 64], batch: SEGNET.training.batchSize, labels: SEGNET.model.classes };
  return { name, model: Autoencoder.create(PRESETS[name].model, 0), input: [1, 28, 28], batch: PRESETS[name].training.batchSize };
}

/** A convolution pass a training step runs, and for a forward pass how it is called. */
interface ConvCall { pass: ConvPass; geometry: ConvGeometry; forward: ForwardCall }

/**
 * Every convolution pass one training step of `m` runs, with the batch it trains at. The step
 * itself runs on one image: the shapes are all it is for, and a choice does not depend on the batch.
 */
function convolutionsOf(m: TunedModel, backend: Backend): ConvCall[] {
  const seen: ConvCall[] = [];
  const noting: Backend = {
    ...backend,
    conv2dForward: (x, w, b, y, g, act, slope) => {
      seen.push({ pass: 'forward', geometry: { ...g }, forward: { activation: act, slope, bias: b !== null } });
      backend.conv2dForward(x, w, b, y, g, act, slope);
    },
    conv2dBackwardInput: (dy, w, dx, g, beta) => { seen.push({ pass: 'backwardInput', geometry: { ...g }, forward: PLAIN_FORWARD }); backend.conv2dBackwardInput(dy, w, dx, g, beta); },
    conv2dBackwardFilter: (x, dy, dw, g, beta) => { seen.push({ pass: 'backwardFilter', geometry: { ...g }, forward: PLAIN_FORWARD }); backend.conv2dBackwardFilter(x, dy, dw, g, beta); },
  };
  const size = m.input.reduce((a, b) => a * b, 1);
  const rng = new Prng(0);
  withBackend(noting, () => tidy(() => {
    const x = new Tensor(Float32Array.from({ length: size }, () => rng.uniform()), [1, ...m.input]);
    const y = m.labels ? new Tensor(Float32Array.from({ length: size }, (_, i) => i % m.labels!), [1, ...m.input.slice(1)]) : undefined;
    backward(m.model.objective({ x, y }, { training: true, rng }).loss);
  }));
  return seen.map((c) => ({ ...c, geometry: { ...c.geometry, batch: m.batch } }));
}

/** What `aekit tune` measured and where it wrote it. */
export interface TuneResult {
  /** Where the cache was written (null with `write: false`). */
  path: string | null;
  file: TuningFile;
  /** The whole measurement, model shapes included. */
  seconds: number;
  /**
   * Whether other work held the cores while measuring: the FMA loop on all threads, best of two
   * rounds before and of two after the measurement, reached less than 80% of the threads' worth of
   * one core's CPU-time peak at either end. Choices measured so are saved but not applied (a loaded
   * machine slows the algorithms unequally: on a Zen 5 at a load average of 10 such a tuning picked
   * kernels up to twice as slow as the built-in rule's).
   */
  contention: { peakGflops: number; corePeakGflops: number; threads: number; contended: boolean };
}

/** How `tune` measures, what it reports on the way, and whether it writes the cache. */
export interface TuneOptions {
  timing?: TimingOptions;
  /** Called after each shape is measured. */
  onShape?: (choice: ConvChoice) => void;
  /** false: apply the choices in this process only and leave the cache file alone (the benchmark does). */
  write?: boolean;
  /** The models whose shapes are measured (all of them by default). */
  models?: readonly TunedModelName[];
}

/**
 * Measures the convolution choices of the conv presets and SegNet on the native backend and
 * writes them to the tuning cache, which the native backend applies from its next load on; this
 * process uses them at once (unless they were measured under contention, as the file says).
 * @param backend the native backend (its kernels are timed)
 * @param options timing, a callback per shape, and `write: false` to keep the cache file as it is
 * @example
 * const { path, file } = tune(selectBackend());
 */
export function tune(backend: Backend, options: TuneOptions = {}): TuneResult {
  const started = performance.now();
  const hooks = nativeTuningHooks();
  const { isa, threads } = nativeInfo();
  const corePeakGflops = measureCorePeakGflops(0.03);
  const peakNow = () => Math.max(measurePeakGflops(0), measurePeakGflops(0));
  const peakBefore = peakNow();
  const choices: ConvChoice[] = [];
  // Each pass and per-image shape once, with every way the models call it (a conv layer's forward
  // and a transposed convolution's input gradient can share one).
  const shapes = new Map<string, { pass: ConvPass; geometry: ConvGeometry; forwards: ForwardCall[] }>();
  for (const m of (options.models ?? TUNED_MODELS).map(tunedModel)) {
    for (const { pass, geometry, forward } of convolutionsOf(m, backend)) {
      const key = `${pass} ${convSizes({ ...geometry, batch: 0 }).join(',')}`;
      const shape = shapes.get(key) ?? shapes.set(key, { pass, geometry, forwards: [] }).get(key)!;
      // One call of each kind (with or without bias and activation), as one model's step makes them.
      const kind = (f: ForwardCall) => `${f.bias} ${f.activation !== 'identity'}`;
      if (!shape.forwards.some((f) => kind(f) === kind(forward))) shape.forwards.push(forward);
    }
  }
  const workspace = new ConvWorkspace();
  for (const { pass, geometry, forwards } of shapes.values()) {
    const rule = hooks.convRule(CONV_PASSES.indexOf(pass), convSizes(geometry));
    const choice = measureConvChoice(backend, (algo) => hooks.setConvAlgo(algo), rule, pass, geometry, workspace, options.timing, forwards);
    choices.push(choice);
    options.onShape?.(choice);
  }
  const peakGflops = Math.min(peakBefore, peakNow());
  const contention = { peakGflops, corePeakGflops, threads, contended: peakGflops < 0.8 * threads * corePeakGflops };
  const file: TuningFile = { format: 'aekit-tuning', version: 1, cpu: cpuIdentity(isa), kernels: nativeKernelsDigest(), measuredAt: new Date().toISOString(), contended: contention.contended, conv: choices };
  const path = options.write === false ? null : writeTuning(file);
  // Take the new choices at once in this process too, unless measured under contention: such a
  // file is ignored when the backend loads, and this process keeps what it had in the same way.
  if (!contention.contended) installConvChoices(hooks, choices);
  return { path, file, seconds: (performance.now() - started) / 1000, contention };
}

/**
 * A training run from start to finish: data, model, fit, test metrics, and the run folder
 * (model.json, model.safetensors, metrics.json, pictures). model.json is written before training
 * starts, the best weights after every improving epoch, and the loop's whole state to
 * checkpoint.safetensors after every epoch (and every `checkpointEvery` steps), so a run stopped
 * or killed at any moment resumes (`resumeRun`) to the same bytes as one that never stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { DataError, UsageError } from '../errors.js';
import { prepareRunFolder, readRunRecordFile, RUN_FILES, writeJson, writeWeights } from '../io/run-folder.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { AutoencoderConfigInput, ShortFormInput } from '../models/config.js';
import { DEFAULT_PRESET, PRESETS, type Preset, type PresetName } from '../models/presets.js';
import { type NamedArray, stateDict } from '../models/state.js';
import { getBackend } from '../tensor/index.js';
import { evaluate, type Metrics } from '../training/evaluate.js';
import type { BatchSource, TrainingData } from '../training/batches.js';
import { fit, type FitState, type TrainingEvent } from '../training/fit.js';
import { pretrainGreedy } from '../training/greedy.js';
import type { ScheduleName } from '../training/schedule.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { DEFAULT_VALIDATION_FRACTION, loadRunData } from './data-split.js';
import { FeatureStats } from './feature-stats.js';
import { applyScaling, checkOutputRange, type ScaleName, type Scaling, scaledRange, scaleRowsInPlace, scalingFromStats } from './scaling.js';
import { openStreamData, shouldStream } from './stream-data.js';
import { writeReconstructions, writeRunPictures } from './pictures.js';
import { writeReport } from './report.js';
import { appendRunEvent } from './run-events.js';
import { MODEL_FORMAT, parseRunRecord, RUN_RECORD_VERSION, type RunRecord } from './run-record.js';
import { currentTrainer, trainerRunning } from './trainer-process.js';
import { AEKIT_VERSION } from './version.js';

/** Everything `aekit train` can be told. Unset training values come from the preset. */
export interface TrainRunOptions {
  preset?: string;
  /** A model config that replaces the preset's model (the preset's training settings still apply). */
  config?: AutoencoderConfigInput;
  /**
   * Changes to a short-form model config (preset or `config`), e.g. from `--tied` or `--noise`;
   * the `regularization` fields are merged one by one into the base config's.
   */
  modelOverrides?: Pick<ShortFormInput, 'tied' | 'regularization'> & {
    /** The code size: the last of a short form's `layers` (aekit compare's K). */
    code?: number;
    /** The input width: the first of a short form's `layers`, for data of another width. */
    inputWidth?: number;
  };
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Decoupled weight decay (AdamW/SGDW) on the weights. */
  weightDecay?: number;
  schedule?: ScheduleName;
  /**
   * `unit` maps the training data's range onto [0, 1] first, `standardize` gives each feature mean 0
   * and standard deviation 1 (either is saved with the model); default none.
   */
  scale?: ScaleName;
  optimizer?: 'adam' | 'sgd';
  limit?: number;
  testLimit?: number;
  validationFraction?: number;
  patience?: number;
  seed?: number;
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /** Also evaluate the test sse after every epoch (the learning curve in metrics.json). */
  testCurve?: boolean;
  /** Also checkpoint every this many steps (always after each epoch and on Ctrl-C). */
  checkpointEvery?: number;
  /**
   * A memory budget in bytes: a NPY, CSV or Arrow file whose in-memory run would not fit is
   * streamed from disk through a shuffle window instead (see `shouldStream`).
   */
  maxMemory?: number;
  /** A CSV or Arrow column to read as the labels rather than as a feature. */
  labelColumn?: string;
}

/** What a run reports (the `--json` output of `aekit train`). */
export interface TrainRunResult {
  /** The preset trained, or null when `config` gave the model. */
  preset: string | null;
  epochs: number;
  seconds: number;
  samplesPerSecond: number;
  trainLoss: number[];
  valLoss: number[];
  bestEpoch: number;
  /** Which loss chose the best epoch: validation, or training when there were no validation examples. */
  monitored: 'validation' | 'training';
  aborted: boolean;
  stoppedEarly: boolean;
  test: Metrics;
  /** Test sse after each epoch, when asked for with `testCurve`. */
  testSseCurve?: number[];
  outDir: string;
  backend: string;
  /** True when `resumeRun` found the run already finished and did nothing. */
  alreadyDone?: boolean;
}

/** Resolves a preset by name, with a message listing the known ones. */
export function presetByName(name: string): Preset {
  if (!Object.hasOwn(PRESETS, name)) throw new UsageError(`unknown preset "${name}"; expected one of: ${Object.keys(PRESETS).join(', ')}`);
  return PRESETS[name as PresetName];
}

/** What a run needs, settled: from options for a new run, from model.json for a resumed one. */
interface Plan {
  preset: string | null;
  model: AutoencoderConfigInput;
  training: NonNullable<RunRecord['training']>;
  data: string;
  labelColumn?: string;
  out: string;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

/**
 * Trains, evaluates and writes the run folder.
 * @example
 * const result = await trainRun({ preset: 'undercomplete', limit: 2000, epochs: 2, out: 'runs/quick' });
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const presetName = options.preset ?? DEFAULT_PRESET;
  const preset = presetByName(presetName);
  const plan: Plan = {
    preset: options.config ? null : presetName,
    model: withOverrides(options.config ?? preset.model, options.modelOverrides),
    training: {
      epochs: options.epochs ?? preset.training.epochs,
      batchSize: options.batchSize ?? preset.training.batchSize,
      lr: options.lr ?? preset.training.lr,
      schedule: options.schedule ?? preset.training.schedule,
      weightDecay: options.weightDecay ?? preset.training.weightDecay ?? 0,
      optimizer: options.optimizer ?? 'adam',
      ...(options.patience !== undefined ? { patience: options.patience } : {}),
      seed: options.seed ?? 0,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.testLimit !== undefined ? { testLimit: options.testLimit } : {}),
      validationFraction: options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
      scale: options.scale ?? 'none',
      testCurve: options.testCurve ?? false,
      ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
      ...(options.maxMemory !== undefined ? { maxMemory: options.maxMemory } : {}),
      ...(preset.training.greedy ? { greedy: true } : {}),
    },
    data: options.data ?? 'mnist',
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    out: options.out,
    signal: options.signal,
    onEvent: options.onEvent,
  };
  return runTraining(plan, { fresh: true, force: options.force ?? false });
}

/**
 * Continues the run in `dir` from its checkpoint, with the model, data and settings its model.json
 * records; a run killed before its first checkpoint starts over from them. A finished run is left
 * as it is (`alreadyDone`). Data other than the run's (another fingerprint) is refused.
 * @example
 * const result = await resumeRun('runs/deep');
 */
export async function resumeRun(dir: string, options: Pick<TrainRunOptions, 'signal' | 'onEvent'> = {}): Promise<TrainRunResult> {
  const { record, renameWeights } = parseRunRecord(readRunRecordFile(dir), `${dir}/${RUN_FILES.model}`);
  if (!record.training || !record.data) throw new UsageError(`${dir}: was saved with saveModel, not trained by aekit train: there is nothing to resume`);
  const plan: Plan = {
    preset: record.preset, model: record.model, training: record.training, data: record.data.path ?? record.data.spec,
    ...(record.data.labelColumn !== undefined ? { labelColumn: record.data.labelColumn } : {}), out: dir, signal: options.signal, onEvent: options.onEvent,
  };
  if (record.status === 'done') return { ...summaryOf(plan, record), alreadyDone: true };
  if (record.status === 'training') refuseWhileTraining(dir, record.trainer);
  if (record.status === 'aborted' && !existsSync(join(dir, RUN_FILES.checkpoint))) {
    throw new UsageError(`${dir}: was stopped, and its checkpoint is gone; train it again with --out ${dir} --force`);
  }
  return runTraining(plan, { fresh: false, force: false, fingerprint: record.data.fingerprint, renameWeights, savedEpoch: record.epoch });
}

/** Two processes training one folder would overwrite each other's weights and checkpoint. */
function refuseWhileTraining(dir: string, trainer: unknown): void {
  if (trainerRunning(trainer) !== true) return;
  const { pid } = trainer as { pid: number };
  if (pid === process.pid) return;
  throw new UsageError(`${dir}: is being trained now by process ${pid} on this machine; wait for it to end, or stop it (Ctrl-C in its terminal, or kill ${pid}) and resume with aekit train --resume ${dir}`);
}

/** The trainer a folder's model.json names while it says 'training'; undefined for any other folder, readable or not. */
function trainingRecordTrainer(dir: string): unknown {
  try {
    const record = readRunRecordFile(dir) as { status?: unknown; trainer?: unknown } | null;
    return record?.status === 'training' ? record.trainer : undefined;
  } catch {
    return undefined;
  }
}

async function runTraining(
  plan: Plan,
  how: { fresh: boolean; force: boolean; fingerprint?: string; renameWeights?: (arrays: NamedArray[]) => NamedArray[]; savedEpoch?: number },
): Promise<TrainRunResult> {
  const { training, out } = plan;
  const model = Autoencoder.create(plan.model, training.seed);
  const { train, validation, test, dataDescription, scaling } = runData(plan, model, how.fingerprint);
  if (how.fresh && how.force) refuseWhileTraining(out, trainingRecordTrainer(out));
  if (how.fresh) prepareRunFolder(out, how.force);

  const base: Omit<RunRecord, 'status'> = {
    format: MODEL_FORMAT,
    version: RUN_RECORD_VERSION,
    preset: plan.preset,
    model: model.config,
    training,
    data: { ...dataDescription, scale: scaling, ...(plan.labelColumn !== undefined ? { labelColumn: plan.labelColumn } : {}) },
    versions: { aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name },
  };
  const params = model.parameters();
  // A checkpoint written by an older aekit names its weights the older way.
  const saved = how.fresh ? null : readCheckpoint(out, params, how.renameWeights);
  const testSseCurve = saved?.extras.testSseCurve ?? [];
  // While it trains, the record names this process (a resumed run's too): a run whose process is
  // gone reads as stopped.
  const trainer = currentTrainer();
  writeJson(join(out, RUN_FILES.model), { ...base, status: 'training', epoch: saved ? how.savedEpoch ?? 0 : 0, trainer } satisfies RunRecord);
  appendRunEvent(out, { type: 'start', time: Date.now(), epochs: training.epochs, preset: plan.preset });
  const saveBest = () => writeWeights(out, stateDict(model), { format: MODEL_FORMAT });
  const saveState = (state: FitState) => writeCheckpoint(out, params, state, { testSseCurve, fingerprint: dataDescription.fingerprint });

  // Greedy pretraining trains stand-alone stages; their weights reach the model as each stage ends.
  if (training.greedy && !how.fresh) throw new UsageError(`${out}: greedy layer-wise pretraining cannot resume; train it again with --out ${out} --force`);
  // Each epoch's losses go to events.jsonl, and (but for greedy stages, which fill the model only
  // as each ends) the reconstructions are redrawn, for whoever watches the run live.
  const logEpoch = (event: TrainingEvent) => {
    if (event.type !== 'epoch') return;
    const { epoch, epochs, trainLoss, valLoss, seconds } = event;
    appendRunEvent(out, { type: 'epoch', time: Date.now(), epoch, epochs, trainLoss, valLoss, seconds, ...(training.testCurve ? { testSse: testSseCurve.at(-1) } : {}) });
    if (!training.greedy) writeReconstructions(out, model, test);
  };
  const result = training.greedy
    // runData refuses to stream a greedy run, so its rows are in memory.
    ? await pretrainGreedy(model, train as TrainingData, { ...training, validation, signal: plan.signal, onEvent: (event) => { logEpoch(event); plan.onEvent?.(event); } })
    : await fit(model, train, {
      ...training,
      validation,
      signal: plan.signal,
      resume: saved?.state,
      onCheckpoint: saveState,
      onEvent: (event) => {
        if (event.type === 'epoch' && training.testCurve) testSseCurve.push(evaluate(model, test).sse);
        if (event.type === 'epoch' && event.best) {
          saveBest();
          writeJson(join(out, RUN_FILES.model), { ...base, status: 'training', epoch: event.epoch, trainer } satisfies RunRecord);
        }
        logEpoch(event);
        plan.onEvent?.(event);
      },
    });
  // fit restored the best epoch's weights; save them even when no epoch finished.
  saveBest();
  const testMetrics = evaluate(model, test);
  const record: RunRecord = { ...base, status: result.aborted ? 'aborted' : 'done', metrics: { test: testMetrics, bestEpoch: result.bestEpoch } };
  writeJson(join(out, RUN_FILES.metrics), {
    trainLoss: result.trainLoss, valLoss: result.valLoss, bestEpoch: result.bestEpoch, test: testMetrics,
    ...(training.testCurve ? { testSseCurve } : {}),
    ...('stages' in result ? { stages: result.stages } : {}),
    seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
  });
  await writeRunPictures(out, model, test);
  // Done is said last: a crash before this line leaves a run that resumes; after it, the checkpoint is spent.
  writeJson(join(out, RUN_FILES.model), record);
  if (!result.aborted) rmSync(join(out, RUN_FILES.checkpoint), { force: true });
  appendRunEvent(out, { type: 'end', time: Date.now(), status: record.status === 'aborted' ? 'aborted' : 'done' });
  await writeReport(out);
  return {
    ...summaryOf(plan, record), epochs: result.trainLoss.length, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
    trainLoss: result.trainLoss, valLoss: result.valLoss, monitored: result.monitored, aborted: result.aborted,
    stoppedEarly: result.stoppedEarly, ...(training.testCurve ? { testSseCurve } : {}),
  };
}

/** A run's rows, scaled, in memory or streamed, with the record of what they are. */
interface PreparedData {
  train: TrainingData | BatchSource;
  validation: Dataset;
  test: Dataset;
  dataDescription: Omit<NonNullable<RunRecord['data']>, 'scale'>;
  scaling: Scaling | null;
}

/** Loads (or opens a stream over) the plan's data, checks it against the model and the run, and scales it. */
function runData(plan: Plan, model: Autoencoder, expectedFingerprint: string | undefined): PreparedData {
  const { training, out } = plan;
  const check = (name: string, features: number, fingerprintNow: string) => {
    if (features !== model.inputSize) {
      throw new DataError(`${name}: examples have ${features} features, but the model takes ${model.inputSize} (its input shape is [${model.inputShape.join(', ')}])`);
    }
    if (expectedFingerprint !== undefined && expectedFingerprint !== fingerprintNow) {
      throw new DataError(`${plan.data}: is not the data ${out} trained on (its fingerprint is ${fingerprintNow}, the run's ${expectedFingerprint}); resume it with the same data`);
    }
  };
  const validationFraction = training.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
  if (shouldStream(plan.data, training.maxMemory)) {
    if (training.greedy) throw new UsageError(`${plan.data}: greedy layer-wise pretraining (the ${plan.preset} preset) reads its data in memory; raise --max-memory or use another preset`);
    const stream = openStreamData({
      data: plan.data, maxMemory: training.maxMemory!, batchSize: training.batchSize, validationFraction, seed: training.seed,
      limit: training.limit, testLimit: training.testLimit, labelColumn: plan.labelColumn,
    });
    check(stream.source, stream.train.features, stream.fingerprint);
    const scaling = scalingFromStats(training.scale ?? 'none', stream.stats);
    checkOutputRange({ name: stream.source, range: scaledRange(stream.stats, scaling) }, model.output, training.scale);
    stream.setScaling(scaling);
    // The stream cannot be looked at whole: a centring layer gets the training mean from the scan.
    const mean = Float32Array.from(stream.stats.mean());
    if (scaling) scaleRowsInPlace(mean, mean.length, scaling);
    model.prepare({ x: mean, n: 1, features: mean.length });
    const description = {
      ...dataDescriptionOf(plan.data, stream.source, { n: stream.train.n, features: stream.train.features, shape: stream.shape }, stream.validation.n, stream.test.n),
      fingerprint: stream.fingerprint,
    };
    return { train: stream.train, validation: applyScaling(stream.validation, scaling), test: applyScaling(stream.test, scaling), dataDescription: description, scaling };
  }
  const loaded = loadRunData({
    data: plan.data, limit: training.limit, testLimit: training.testLimit, validationFraction, seed: training.seed, labelColumn: plan.labelColumn,
  });
  const fingerprintNow = fingerprint(loaded.train.x);
  check(loaded.train.name, loaded.train.features, fingerprintNow);
  const stats = FeatureStats.of(loaded.train);
  const scaling = scalingFromStats(training.scale ?? 'none', stats);
  const [train, validation, test] = [loaded.train, loaded.validation, loaded.test].map((d) => applyScaling(d, scaling));
  checkOutputRange({ name: loaded.source, range: scaledRange(stats, scaling) }, model.output, training.scale);
  const description = { ...dataDescriptionOf(plan.data, loaded.source, loaded.train, loaded.validation.n, loaded.test.n), fingerprint: fingerprintNow };
  return { train, validation, test, dataDescription: description, scaling };
}

/** The result a finished record describes (what a resume of a finished run reports). */
function summaryOf(plan: Plan, record: RunRecord): TrainRunResult {
  return {
    preset: plan.preset, epochs: 0, seconds: 0, samplesPerSecond: 0, trainLoss: [], valLoss: [],
    bestEpoch: record.metrics?.bestEpoch ?? 0, monitored: 'validation', aborted: record.status === 'aborted', stoppedEarly: false,
    test: record.metrics?.test ?? { sse: Number.NaN, mse: Number.NaN, bce: null }, outDir: plan.out, backend: getBackend().name,
  };
}

/** `base` with `overrides` applied; regularization terms merge field by field. */
function withOverrides(base: AutoencoderConfigInput, overrides: TrainRunOptions['modelOverrides']): AutoencoderConfigInput {
  if (!overrides) return base;
  if (!('layers' in base)) {
    throw new UsageError('--tied, --l2, --sparsity, --l1-activity, --contractive, --noise and a code size change a short-form model ("layers": […]); with layer specs, write them on the layers instead');
  }
  const merged: ShortFormInput = { ...base };
  const layers = [...base.layers];
  if (overrides.inputWidth !== undefined) layers[0] = overrides.inputWidth;
  if (overrides.code !== undefined) layers[layers.length - 1] = overrides.code;
  merged.layers = layers;
  if (overrides.tied !== undefined) merged.tied = overrides.tied;
  if (overrides.regularization) merged.regularization = { ...base.regularization, ...overrides.regularization };
  return merged;
}

/** What the run learned from: the spec, where a file or folder is (absolute), and sizes. */
function dataDescriptionOf(spec: string, name: string, train: { n: number; features: number; shape: readonly number[] }, validation: number, test: number): Omit<NonNullable<RunRecord['data']>, 'scale' | 'fingerprint'> {
  const named = spec === 'mnist' || spec === 'fashion-mnist';
  return {
    spec, path: named || !existsSync(spec) ? null : resolve(spec), name, train: train.n, validation, test,
    features: train.features, shape: [...train.shape],
  };
}

/** A short content hash of the training data, so a model records what it learned from. */
function fingerprint(x: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex').slice(0, 16);
}

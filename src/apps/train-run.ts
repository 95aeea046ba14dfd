/**
 * A training run from start to finish: data, model, fit, test metrics, and the run folder
 * (model.json, model.safetensors, metrics.json, pictures). The best weights are checkpointed to
 * the folder after every improving epoch, so a crash or Ctrl-C loses at most one epoch.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { DataError, UsageError } from '../errors.js';
import { prepareRunFolder, RUN_FILES, writeJson, writeWeights } from '../io/run-folder.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { AutoencoderConfigInput, ShortFormInput } from '../models/config.js';
import { DEFAULT_PRESET, PRESETS, type Preset, type PresetName } from '../models/presets.js';
import { stateDict } from '../models/state.js';
import { getBackend } from '../tensor/index.js';
import { evaluate, type Metrics } from '../training/evaluate.js';
import { fit, type TrainingEvent } from '../training/fit.js';
import type { ScheduleName } from '../training/schedule.js';
import { loadRunData } from './data-split.js';
import { applyScaling, checkOutputRange, type ScaleName, unitScaling } from './scaling.js';
import { writeRunPictures } from './pictures.js';
import { MODEL_FORMAT, RUN_RECORD_VERSION, type RunRecord } from './run-record.js';
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
  modelOverrides?: Pick<ShortFormInput, 'tied' | 'regularization'>;
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Decoupled weight decay (AdamW/SGDW) on the weights. */
  weightDecay?: number;
  schedule?: ScheduleName;
  /** `unit` maps the training data's range onto [0, 1] first (saved with the model); default none. */
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
}

/** Resolves a preset by name, with a message listing the known ones. */
export function presetByName(name: string): Preset {
  if (!Object.hasOwn(PRESETS, name)) throw new UsageError(`unknown preset "${name}"; expected one of: ${Object.keys(PRESETS).join(', ')}`);
  return PRESETS[name as PresetName];
}

/**
 * Trains, evaluates and writes the run folder.
 * @example
 * const result = await trainRun({ preset: 'undercomplete', limit: 2000, epochs: 2, out: 'runs/quick' });
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const presetName = options.preset ?? DEFAULT_PRESET;
  const preset = presetByName(presetName);
  const seed = options.seed ?? 0;
  const modelConfig = withOverrides(options.config ?? preset.model, options.modelOverrides);
  const model = Autoencoder.create(modelConfig, seed);
  const data = options.data ?? 'mnist';
  const loaded = loadRunData({
    data, limit: options.limit, testLimit: options.testLimit, validationFraction: options.validationFraction ?? 1 / 12, seed,
  });
  if (loaded.train.features !== model.inputSize) {
    throw new DataError(`${loaded.train.name}: examples have ${loaded.train.features} features, but the model takes ${model.inputSize} (its input shape is [${model.inputShape.join(', ')}])`);
  }
  const scaling = options.scale === 'unit' ? unitScaling(loaded.train) : null;
  const [train, validation, test] = [loaded.train, loaded.validation, loaded.test].map((d) => applyScaling(d, scaling));
  checkOutputRange({ ...train, name: loaded.source }, model.output);
  prepareRunFolder(options.out, options.force ?? false);

  const training: RunRecord['training'] = {
    epochs: options.epochs ?? preset.training.epochs,
    batchSize: options.batchSize ?? preset.training.batchSize,
    lr: options.lr ?? preset.training.lr,
    schedule: options.schedule ?? preset.training.schedule,
    weightDecay: options.weightDecay ?? preset.training.weightDecay ?? 0,
    optimizer: options.optimizer ?? 'adam',
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
    seed,
  };
  const base: Omit<RunRecord, 'status'> = {
    format: MODEL_FORMAT,
    version: RUN_RECORD_VERSION,
    preset: options.config ? null : presetName,
    model: model.config,
    training,
    data: { ...dataRecord(data, loaded.source, loaded.train, validation.n, test.n), scale: scaling },
    versions: { aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name },
  };
  const checkpoint = () => writeWeights(options.out, stateDict(model), { format: MODEL_FORMAT });

  const testSseCurve: number[] = [];
  const result = await fit(model, train, {
    ...training,
    validation,
    signal: options.signal,
    onEvent: (event) => {
      if (event.type === 'epoch' && options.testCurve) testSseCurve.push(evaluate(model, test).sse);
      if (event.type === 'epoch' && event.best) {
        checkpoint();
        writeJson(join(options.out, RUN_FILES.model), { ...base, status: 'training', epoch: event.epoch } satisfies RunRecord);
      }
      options.onEvent?.(event);
    },
  });
  // fit restored the best epoch's weights; save them even when no epoch finished.
  checkpoint();
  const testMetrics = evaluate(model, test);
  const summary: TrainRunResult = {
    preset: options.config ? null : presetName,
    epochs: result.trainLoss.length,
    seconds: result.seconds,
    samplesPerSecond: result.samplesPerSecond,
    trainLoss: result.trainLoss,
    valLoss: result.valLoss,
    bestEpoch: result.bestEpoch,
    monitored: result.monitored,
    aborted: result.aborted,
    stoppedEarly: result.stoppedEarly,
    test: testMetrics,
    ...(options.testCurve ? { testSseCurve } : {}),
    outDir: options.out,
    backend: getBackend().name,
  };
  const record: RunRecord = { ...base, status: result.aborted ? 'aborted' : 'done', metrics: { test: testMetrics, bestEpoch: result.bestEpoch } };
  writeJson(join(options.out, RUN_FILES.model), record);
  writeJson(join(options.out, RUN_FILES.metrics), {
    trainLoss: result.trainLoss, valLoss: result.valLoss, bestEpoch: result.bestEpoch, test: testMetrics,
    ...(options.testCurve ? { testSseCurve } : {}),
    seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
  });
  writeRunPictures(options.out, model, test);
  return summary;
}

/** `base` with `overrides` applied; regularization terms merge field by field. */
function withOverrides(base: AutoencoderConfigInput, overrides: TrainRunOptions['modelOverrides']): AutoencoderConfigInput {
  if (!overrides) return base;
  if (!('layers' in base)) {
    throw new UsageError('--tied, --l2, --sparsity, --l1-activity, --contractive and --noise change a short-form model ("layers": […]); with layer specs, write the regularizer on its layer instead');
  }
  const merged: ShortFormInput = { ...base };
  if (overrides.tied !== undefined) merged.tied = overrides.tied;
  if (overrides.regularization) merged.regularization = { ...base.regularization, ...overrides.regularization };
  return merged;
}

/** What the run learned from: the spec, where a file or folder is (absolute), sizes and a fingerprint. */
function dataRecord(spec: string, name: string, train: Dataset, validation: number, test: number): Omit<NonNullable<RunRecord['data']>, 'scale'> {
  const named = spec === 'mnist' || spec === 'fashion-mnist';
  return {
    spec, path: named || !existsSync(spec) ? null : resolve(spec), name, train: train.n, validation, test,
    features: train.features, shape: [...train.shape], fingerprint: fingerprint(train.x),
  };
}

/** A short content hash of the training data, so a model records what it learned from. */
function fingerprint(x: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex').slice(0, 16);
}

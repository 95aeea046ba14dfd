/**
 * `aekit export torchrun`: a self-contained job folder that trains an aekit autoencoder (or, from
 * a classifier run or segment folder, that net; see export-labelled.ts) under torchrun (PyTorch
 * DDP) with aekit's objective, and writes the result as an aekit run folder.
 * The folder holds the module (model.py, as `aekit export pytorch` writes it), train.py (the
 * same script for every job), job.json (the model's layers as train.py runs them, the training
 * settings, the data and the run record to write), init.safetensors (the initial weights aekit
 * draws for the seed, or a run's trained weights) and README.md.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runFormat } from '../../run/classifier-run.js';
import { loadRunData } from '../../data/data-split.js';
import { CONFIG_TRAINING, DEFAULT_VALIDATION_FRACTION, type RunTrainingSettings } from '../../training/settings.js';
import { FeatureStats } from '../../data/feature-stats.js';
import { MODEL_FORMAT, RUN_RECORD_VERSION, type RunRecord } from '../../run/run-record.js';
import { loadRun } from '../../run/save-load.js';
import { checkOutputRange } from '../../models/output-range.js';
import { applyScaling, scaledRange, type Scaling, scalingFromStats } from '../../data/scaling.js';
import { dataDescriptionOf, fingerprint } from '../../run/data-description.js';
import { DEFAULT_PRESET, presetByName } from '../../training/presets.js';
import { AEKIT_VERSION } from '../../run/version.js';
import { inputKind } from '../../data/load-input.js';
import { loadData } from '../../data/load-data.js';
import { FASHION_MNIST_DIR, findIdxFiles, mnistDir } from '../../data/mnist.js';
import { writeNpy } from '../../data/npy.js';
import { type Dataset, expectRowsFit } from '../../data/dataset.js';
import { fixedBinarization } from '../../training/binarize-data.js';
import { UsageError } from '../../errors.js';
import { Autoencoder } from '../../models/autoencoder.js';
import type { AutoencoderConfigInput } from '../../models/config.js';
import { defaultPresetFor, modelForData } from '../../training/model-for-data.js';
import { isLabelledFolder, labelledJobPlan, writePreparedRows } from './export-labelled.js';
import { JOB_FILES, prepareJobFolder, refuseUntrainable, type TorchrunJob, writeJobFolder } from './job-folder.js';

/** What `aekit export torchrun` can be told; unset training values come from the preset (or the run). */
export interface TorchrunExportOptions extends Partial<Pick<RunTrainingSettings,
  'epochs' | 'batchSize' | 'lr' | 'weightDecay' | 'schedule' | 'optimizer' | 'scale' | 'limit' | 'testLimit' | 'validationFraction' | 'patience' | 'seed'>> {
  preset?: string;
  /** A model config that replaces the preset's model. */
  config?: AutoencoderConfigInput;
  /** A run folder: its model, trained weights (the job goes on from them), settings and data. */
  model?: string;
  data?: string;
  labelColumn?: string;
  out: string;
  force?: boolean;
}

/** What an export wrote. */
export interface TorchrunExportResult {
  out: string;
  files: string[];
  preset: string | null;
  input: number[];
  code: number[];
  training: NonNullable<RunRecord['training']>;
  data: { name: string; train: number; validation: number; test: number; source: string };
  /** The command that runs the job on this machine with 2 CPU processes. */
  command: string;
}


/**
 * Writes the job folder for a preset, a config or a run folder, with aekit train's settings.
 * @throws UsageError for a folder that exists (without `force`), a greedy preset, or a model the job cannot train
 * @example
 * exportTorchrun({ preset: 'deep', out: 'jobs/deep' });
 * // then: torchrun --standalone --nproc_per_node 2 jobs/deep/train.py
 */
export function exportTorchrun(options: TorchrunExportOptions): TorchrunExportResult {
  if (options.model !== undefined && isLabelledFolder(options.model)) return exportLabelled(options.model, options);
  const plan = settle(options);
  if (plan.training.greedy) throw new UsageError(`the ${plan.preset} preset pretrains greedily, one layer at a time; the torchrun job trains the whole model end to end (use --config with its model instead)`);
  const loaded = loadRunData({
    data: plan.data, limit: plan.training.limit, testLimit: plan.training.testLimit,
    validationFraction: plan.training.validationFraction ?? DEFAULT_VALIDATION_FRACTION, seed: plan.training.seed, labelColumn: plan.labelColumn,
  });
  const model = plan.model(loaded.train.shape);
  expectRowsFit(loaded.train, model.inputSize, { shape: model.inputShape, error: UsageError });
  const stats = FeatureStats.of(loaded.train);
  const scaling = plan.fromRun ? plan.fromRun.data?.scale ?? null : scalingFromStats(plan.training.scale ?? 'none', stats);
  checkOutputRange({ name: loaded.source, range: scaledRange(stats, scaling) }, model.output, plan.training.scale);
  if (!plan.fromRun) model.prepare(applyScaling(loaded.train, scaling));
  refuseUntrainable(model);

  prepareJobFolder(options.out, options.force ?? false);
  const source = jobSource(plan.data, options.out, plan.labelColumn);
  const heldOut = plan.training.binarize === 'dynamic' ? writeBinarizedHeldOut(options.out, loaded.validation, loaded.test, scaling) : undefined;
  const record: Omit<RunRecord, 'status'> = {
    format: MODEL_FORMAT, version: RUN_RECORD_VERSION, preset: plan.preset, model: model.config, training: plan.training,
    data: {
      ...dataDescriptionOf(plan.data, loaded.source, loaded.train, loaded.validation.n, loaded.test.n), fingerprint: fingerprint(loaded.train.x),
      scale: scaling, ...(plan.labelColumn !== undefined ? { labelColumn: plan.labelColumn } : {}),
    },
    versions: { aekit: AEKIT_VERSION, node: process.version, backend: 'torch (torchrun job)' },
  };
  writeJobFolder(options.out, model, { training: plan.training, source, ...(heldOut ? { heldOut } : {}), record, name: plan.preset ?? 'a custom model', trainRows: loaded.train.n });
  const command = `torchrun --standalone --nproc_per_node 2 ${join(options.out, JOB_FILES.script)}`;
  return {
    out: options.out, files: readdirSync(options.out).sort(), preset: plan.preset, input: [...model.inputShape], code: [...model.codeShape], training: plan.training,
    data: { name: loaded.source, train: loaded.train.n, validation: loaded.validation.n, test: loaded.test.n, source: plan.data }, command,
  };
}

/** A classifier run or a segment folder as a job: its rows written by aekit, its weights and settings. */
function exportLabelled(dir: string, options: TorchrunExportOptions): TorchrunExportResult {
  if (options.preset !== undefined || options.config !== undefined) throw new UsageError('--model exports a run folder\'s model: drop --preset and --config');
  if (options.data !== undefined || options.limit !== undefined || options.testLimit !== undefined) {
    throw new UsageError(`${dir}: a classifier's or segmenter's job trains on the rows that net learned from; --data, --limit and --test-limit do not apply`);
  }
  const plan = labelledJobPlan(dir, options);
  refuseUntrainable(plan.net);
  prepareJobFolder(options.out, options.force ?? false);
  const prepared = writePreparedRows(options.out, plan);
  writeJobFolder(options.out, plan.net, {
    training: plan.training, source: { train: prepared.train, test: prepared.test }, prepared, record: plan.record, recordFile: plan.recordFile, name: plan.name, trainRows: plan.train.n,
  });
  return {
    out: options.out, files: readdirSync(options.out).sort(), preset: null, input: [...plan.net.inputShape], code: [...plan.net.encoder.outputShape], training: plan.training,
    data: { name: plan.train.name, train: plan.train.n, validation: 0, test: plan.test.n, source: dir }, command: `torchrun --standalone --nproc_per_node 2 ${join(options.out, JOB_FILES.script)}`,
  };
}



interface Plan {
  preset: string | null;
  /** The model for examples of the data's shape: a run's own, or the preset's sized as aekit train sizes it. */
  model: (shape: readonly number[]) => Autoencoder;
  training: NonNullable<RunRecord['training']>;
  data: string;
  labelColumn?: string;
  /** The record of the run the job goes on from, with `--model`. */
  fromRun?: RunRecord;
}

/** The model and the settings: aekit train's for a preset or config, the run's own for `--model`. */
function settle(options: TorchrunExportOptions): Plan {
  if (options.model !== undefined) {
    if (options.preset !== undefined || options.config !== undefined) throw new UsageError('--model exports a run folder\'s model: drop --preset and --config');
    if (runFormat(options.model) !== MODEL_FORMAT) {
      throw new UsageError(`${options.model}: --model takes the run folder of an autoencoder (aekit train), a classifier run (aekit classify) or a segment folder (aekit segment); an encoder exported alone has no decoder or head to train`);
    }
    const { model, record } = loadRun(options.model);
    if (!record.training || !record.data) throw new UsageError(`${options.model}: was saved with saveModel and records no training settings or data; export its model with --config instead`);
    const training = { ...record.training, ...definedOnly({ epochs: options.epochs, batchSize: options.batchSize, lr: options.lr, weightDecay: options.weightDecay, schedule: options.schedule, optimizer: options.optimizer, patience: options.patience }) };
    return { preset: record.preset, model: () => model, training, data: options.data ?? record.data.path ?? record.data.spec, labelColumn: record.data.labelColumn, fromRun: record };
  }
  const data = options.data ?? 'mnist';
  const presetName = options.preset ?? (options.config ? DEFAULT_PRESET : defaultPresetFor(data));
  const named = presetByName(presetName);
  // A config with no preset named trains with its own settings, as aekit train does.
  const preset = options.config && options.preset === undefined ? { ...named, training: CONFIG_TRAINING } : named;
  const seed = options.seed ?? 0;
  const choice = { preset: options.config ? null : presetName, model: options.config ?? preset.model };
  const model = (shape: readonly number[]) => Autoencoder.create(modelForData(choice, shape), seed);
  const training: NonNullable<RunRecord['training']> = {
    epochs: options.epochs ?? preset.training.epochs,
    batchSize: options.batchSize ?? preset.training.batchSize,
    lr: options.lr ?? preset.training.lr,
    schedule: options.schedule ?? preset.training.schedule,
    weightDecay: options.weightDecay ?? preset.training.weightDecay ?? 0,
    optimizer: options.optimizer ?? 'adam',
    seed,
    validationFraction: options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    scale: options.scale ?? preset.training.scale ?? 'none',
    ...definedOnly({ patience: options.patience, limit: options.limit, testLimit: options.testLimit }),
    ...('greedy' in preset.training && preset.training.greedy ? { greedy: true } : {}),
    ...('binarize' in preset.training && preset.training.binarize === 'dynamic' ? { binarize: 'dynamic' as const } : {}),
  };
  return { preset: choice.preset, model, training, data, ...definedOnly({ labelColumn: options.labelColumn }) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where train.py reads the data: IDX and NPY files where they are; other formats converted to NPY in the job folder. */
function jobSource(spec: string, out: string, labelColumn: string | undefined): TorchrunJob['data']['source'] {
  const idxFolder = spec === 'mnist' ? mnistDir() : spec === 'fashion-mnist' ? FASHION_MNIST_DIR : isFolder(spec) && findIdxFiles(spec, 'train') ? spec : null;
  if (idxFolder !== null) {
    const train = findIdxFiles(idxFolder, 'train');
    const test = findIdxFiles(idxFolder, 'test');
    if (!train) throw new UsageError(`${spec}: no training IDX files (train-images-idx3-ubyte and train-labels-idx1-ubyte, plain or .gz)`);
    return { train: { images: resolve(train.images) }, test: test ? { images: resolve(test.images) } : null };
  }
  const kind = inputKind(spec);
  if (kind === 'npy') return { train: { x: resolve(spec) }, test: null };
  if (kind === 'idx') return { train: { images: resolve(spec) }, test: null };
  // CSV, Arrow and PNG folders: read once by aekit's own readers (label column left out), as NPY.
  const all = loadData(spec, { split: 'train', labelColumn });
  mkdirSync(join(out, 'data'), { recursive: true });
  writeNpy(join(out, 'data', 'train.npy'), all.x, [all.n, all.features]);
  return { train: { x: 'data/train.npy' }, test: null };
}

/**
 * The validation and test rows of a dynamically binarised run, scaled and binarised once as aekit
 * scores them (fixed seeds, see binarize-data.ts), as float32 NPY files of 0s and 1s: porting the
 * draws would cost train.py seconds of Python per thousand rows.
 */
function writeBinarizedHeldOut(out: string, validation: Dataset, test: Dataset, scaling: Scaling | null): NonNullable<TorchrunJob['data']['heldOut']> {
  mkdirSync(join(out, 'data'), { recursive: true });
  const files = { validation: 'data/validation.npy', test: 'data/test.npy' } as const;
  for (const [split, rows] of [['validation', validation], ['test', test]] as const) {
    const binary = fixedBinarization(applyScaling(rows, scaling), split);
    writeNpy(join(out, files[split]), binary.x, [binary.n, binary.features]);
  }
  return { validation: { x: files.validation }, test: { x: files.test } };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}


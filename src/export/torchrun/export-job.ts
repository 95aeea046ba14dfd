/**
 * `aekit export torchrun`: a self-contained job folder that trains an aekit autoencoder (or, from
 * a classifier run or segment folder, that net; see export-labelled.ts) under torchrun (PyTorch
 * DDP) with aekit's objective, and writes the result as an aekit run folder.
 * The folder holds the module (model.py, as `aekit export pytorch` writes it), train.py (the
 * same script for every job), job.json (the model's layers as train.py runs them, the training
 * settings, the data and the run record to write), init.safetensors (the initial weights aekit
 * draws for the seed, or a run's trained weights) and README.md.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runFormat } from '../../run/classifier-run.js';
import { loadRunData } from '../../data/data-split.js';
import { CONFIG_TRAINING, DEFAULT_VALIDATION_FRACTION, type RunTrainingSettings } from '../../training/settings.js';
import { FeatureStats } from '../../data/feature-stats.js';
import { exportableAutoencoder, exportableClassifier, exportableSegmenter } from '../onnx-export.js';
import { pytorchSource } from '../pytorch-code.js';
import { MODEL_FORMAT, RUN_RECORD_VERSION, type RunRecord } from '../../run/run-record.js';
import { loadRun } from '../../run/save-load.js';
import { checkOutputRange } from '../../models/output-range.js';
import { applyScaling, scaledRange, type Scaling, scalingFromStats } from '../../data/scaling.js';
import { dataDescriptionOf, fingerprint } from '../../run/data-description.js';
import { presetByName } from '../../training/presets.js';
import { AEKIT_VERSION } from '../../run/version.js';
import { inputKind } from '../../data/load-input.js';
import { loadData } from '../../data/load-data.js';
import { FASHION_MNIST_DIR, findIdxFiles, mnistDir } from '../../data/mnist.js';
import { writeNpy } from '../../data/npy.js';
import type { Dataset } from '../../data/dataset.js';
import { fixedBinarization } from '../../training/binarize-data.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { writeFileAtomic, writeJson } from '../../io/run-folder.js';
import { writeSafetensors } from '../../io/safetensors.js';
import { Autoencoder } from '../../models/autoencoder.js';
import type { AutoencoderConfigInput } from '../../models/config.js';
import { Classifier } from '../../models/classifier.js';
import { DEFAULT_PRESET } from '../../training/presets.js';
import { defaultPresetFor, modelForData } from '../../training/model-for-data.js';
import { Segmenter } from '../../models/segmenter.js';
import { type JobLayer, jobLayers, type JobParameter, jobParameters } from './job-spec.js';
import { jobReadme } from './job-readme.js';
import { isLabelledFolder, labelledJobPlan, type PreparedRows, writePreparedRows } from './export-labelled.js';
import { trainScriptPath } from './python-files.js';

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

/** The job description train.py reads (job.json). */
export interface TorchrunJob {
  format: 'aekit-torchrun-job';
  version: 1;
  /** What the net is, which says its loss: reconstruction, softmax cross-entropy, or that per pixel. */
  kind: 'autoencoder' | 'classifier' | 'segmenter';
  module: string;
  class: string;
  init: string;
  input: number[];
  /** The module's stacks, in the order they run. */
  stacks: Record<string, JobLayer[]>;
  /** An autoencoder's output activation and loss. */
  output?: { activation: string; loss: string };
  /** A classifier's or segmenter's number of classes. */
  classes?: number;
  /** A segmenter's loss weight per class. */
  classWeights?: number[];
  parameters: JobParameter[];
  /** `frozen`: stacks that run at inference and do not learn (a classifier's frozen encoder). */
  training: NonNullable<RunRecord['training']> & { warmupSteps: number; momentum: number; frozen?: string[] };
  data: {
    source: { train: Record<string, string>; test: Record<string, string> | null };
    /**
     * A dynamically binarised run's validation and test rows, binarised once by aekit with its
     * fixed seeds (as aekit scores them), in the splits' order: train.py reads these instead.
     */
    heldOut?: { validation: { x: string }; test: { x: string } };
    /** A classifier's or segmenter's training and test rows with their labels, made by aekit: no split, no validation. */
    prepared?: PreparedRows;
    limit?: number;
    testLimit?: number;
    validationFraction: number;
    seed: number;
    scale: Scaling | null;
  };
  /** The file of run/ the job writes the record to: model.json, or a segmenter's segment.json. */
  recordFile: 'model.json' | 'segment.json';
  /** The run record the job writes as run/model.json (status and metrics added). */
  record: Omit<RunRecord, 'status'> | Record<string, unknown> & { format: string; versions: { aekit: string } };
}

/** The job folder's file names. */
export const JOB_FILES = { job: 'job.json', module: 'model.py', script: 'train.py', init: 'init.safetensors', readme: 'README.md', run: 'run', checkpoints: 'checkpoints' } as const;

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

/** Throws the one-line refusal of a layer the job cannot reproduce before any file is written (or an old job replaced). */
function refuseUntrainable(net: JobNet): void {
  for (const stack of jobNetParts(net).stacks) jobLayers(stack);
}

/** What a job folder is made of besides the model. */
export interface JobContents {
  training: NonNullable<RunRecord['training']>;
  source: TorchrunJob['data']['source'];
  /** Validation and test rows as the run scores them, when aekit binarised them at export. */
  heldOut?: TorchrunJob['data']['heldOut'];
  /** A labelled net's training and test rows, written by aekit: the job uses them as they are. */
  prepared?: TorchrunJob['data']['prepared'];
  /** The file of run/ the record goes to (model.json, or a segmenter's segment.json). */
  recordFile?: 'model.json' | 'segment.json';
  /** The record the job completes and writes as run/model.json. */
  record: TorchrunJob['record'];
  /** The preset's name or another few words, for the README. */
  name: string;
  trainRows: number;
}

/** A net the job can train: an autoencoder, a classifier (encoder and softmax head) or a segmenter (SegNet). */
export type JobNet = Autoencoder | Classifier | Segmenter;

/** The net as the job sees it: its kind, module class, stacks in order and tensors. */
function jobNetParts(net: JobNet) {
  if (net instanceof Classifier) {
    if (net.spec.shift > 0) throw new UsageError('classifier: its shift augmentation moves images with aekit\'s generator; the torchrun job does not reproduce it (train with shift 0)');
    return { kind: 'classifier' as const, className: 'Classifier', stacks: [net.encoder, net.head], exportable: exportableClassifier(net), extra: { classes: net.classes } };
  }
  if (net instanceof Segmenter) {
    return {
      kind: 'segmenter' as const, className: 'Segmenter', stacks: [net.encoder, net.decoder], exportable: exportableSegmenter(net),
      extra: { classes: net.classes, ...(net.spec.classWeights ? { classWeights: [...net.spec.classWeights] } : {}) },
    };
  }
  return { kind: 'autoencoder' as const, className: 'Autoencoder', stacks: [net.encoder, net.decoder], exportable: exportableAutoencoder(net), extra: { output: { ...net.output } } };
}

/** The net's parameters and buffers under their state-dict names (the initial weights). */
function netTensors(net: JobNet): { name: string; shape: number[]; data: Float32Array }[] {
  return jobNetParts(net).stacks.flatMap((stack) => [...stack.parameters(), ...stack.buffers()]).map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data }));
}

/**
 * The job description of `net` (job.json).
 * @example
 * const job = torchrunJob(model, contents);
 */
export function torchrunJob(net: JobNet, { training, source, heldOut, prepared, recordFile, record }: JobContents): TorchrunJob {
  const parts = jobNetParts(net);
  // A frozen encoder (aekit classify without --finetune) runs at inference; only the head learns.
  const frozen = net instanceof Classifier && net.frozenEncoder ? { frozen: ['encoder'] } : {};
  return {
    format: 'aekit-torchrun-job', version: 1, kind: parts.kind, module: JOB_FILES.module, class: parts.className, init: JOB_FILES.init,
    input: [...net.inputShape],
    stacks: Object.fromEntries(parts.stacks.map((stack) => [stack.prefix, jobLayers(stack)])),
    ...parts.extra,
    parameters: jobParameters(net.parameters()),
    training: { ...training, ...frozen, warmupSteps: 0, momentum: 0.9 },
    data: {
      source, ...(heldOut ? { heldOut } : {}), ...(prepared ? { prepared } : {}), validationFraction: training.validationFraction ?? DEFAULT_VALIDATION_FRACTION, seed: training.seed, scale: (record as { data?: { scale?: Scaling | null } | null }).data?.scale ?? null,
      ...(training.limit !== undefined ? { limit: training.limit } : {}),
      ...(training.testLimit !== undefined ? { testLimit: training.testLimit } : {}),
    },
    record,
    recordFile: recordFile ?? 'model.json',
  };
}

/**
 * Writes model.py, train.py, job.json, init.safetensors (the net's weights now) and README.md
 * into `out`, which exists.
 * @example
 * writeJobFolder('jobs/mine', model, contents);
 */
export function writeJobFolder(out: string, net: JobNet, contents: JobContents): TorchrunJob {
  const job = torchrunJob(net, contents);
  writeFileAtomic(join(out, JOB_FILES.module), pytorchSource(jobNetParts(net).exportable, JOB_FILES.run));
  copyFileSync(trainScriptPath(), join(out, JOB_FILES.script));
  writeJson(join(out, JOB_FILES.job), job);
  writeSafetensors(join(out, JOB_FILES.init), Object.fromEntries(netTensors(net).map((a) => [a.name, { shape: a.shape, data: a.data }])), { format: contents.record.format });
  writeFileAtomic(join(out, JOB_FILES.readme), jobReadme({ name: contents.name, job, trainRows: contents.trainRows }));
  return job;
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

/** Creates the job folder, or empties one that holds an earlier job (with `force`). */
function prepareJobFolder(dir: string, force: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: is a file; --out takes a folder (it is created when missing)`);
    const entries = readdirSync(dir);
    if (entries.length > 0 && !force) throw new UsageError(`${dir}: the folder exists and is not empty; pass --force to replace the job in it, or choose another --out`);
    if (entries.length > 0 && !entries.includes(JOB_FILES.job)) throw new UsageError(`${dir}: holds files that are not an aekit job (no ${JOB_FILES.job}); --force replaces only a job folder, choose another --out`);
    // An old checkpoint would be resumed by the new job: everything goes.
    for (const name of entries) rmSync(join(dir, name), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
}

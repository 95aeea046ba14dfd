/**
 * The job folder of `aekit export torchrun`, whatever net it trains: job.json (what train.py
 * reads: the layers as it runs them, the settings, the data, the run record to write), model.py,
 * train.py, init.safetensors and README.md, and the refusals made before any of it is written.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_VALIDATION_FRACTION } from '../../training/settings.js';
import { exportableAutoencoder, exportableClassifier, exportableSegmenter } from '../onnx-export.js';
import { pytorchSource } from '../pytorch-code.js';
import type { RunRecord } from '../../run/run-record.js';
import type { Scaling } from '../../data/scaling.js';
import { UsageError } from '../../errors.js';
import { writeFileAtomic, writeJson } from '../../io/run-folder.js';
import { writeSafetensors } from '../../io/safetensors.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { Classifier } from '../../models/classifier.js';
import { Segmenter } from '../../models/segmenter.js';
import { type JobLayer, jobLayers, type JobParameter, jobParameters } from './job-spec.js';
import { jobReadme } from './job-readme.js';
import type { PreparedRows } from './export-labelled.js';
import { trainScriptPath } from './python-files.js';

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
    if (net.augments) throw new UsageError('classifier: its augmentation (shift, rotate, scale) moves images with aekit\'s generator; the torchrun job does not reproduce it (train with shift 0 and no rotate or scale)');
    return { kind: 'classifier' as const, className: 'Classifier', stacks: [net.encoder, net.head], exportable: exportableClassifier(net), extra: { classes: net.classes } };
  }
  if (net instanceof Segmenter) {
    if ((net.spec.jaccardWeight ?? 0) > 0) {
      throw new UsageError('segmenter: its soft Jaccard term is a ratio over the whole batch, which the torchrun job (a sum of per-pixel losses split across ranks) does not reproduce; train with jaccardWeight 0 to export a job');
    }
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

/** Throws the one-line refusal of a layer the job cannot reproduce before any file is written (or an old job replaced). */
export function refuseUntrainable(net: JobNet): void {
  for (const stack of jobNetParts(net).stacks) jobLayers(stack);
}

/** Creates the job folder, or empties one that holds an earlier job (with `force`). */
export function prepareJobFolder(dir: string, force: boolean): void {
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

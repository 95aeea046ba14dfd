/**
 * Classifier and encoder run folders: model.json (format `aekit-classifier` or `aekit-encoder`, the
 * layer specs, where the encoder came from and the data it learned from) and model.safetensors
 * (`encoder.N.*`, and `head.N.*` for a classifier, N numbering nn.Sequential modules; version 1
 * numbered layer specs and is read with its names mapped). `loadEncoder` takes the encoder out of any run
 * folder (an autoencoder's, an exported encoder's, a classifier's) for a classifier to reuse.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_VALIDATION_FRACTION } from '../training/settings.js';
import { DataError, UsageError } from '../errors.js';
import { prepareRunFolder, readRunFolder, readRunRecordFile, RUN_FILES, writeJson, writeRunRecord, writeWeights } from '../io/run-folder.js';
import { Classifier, type ClassifierSpec, withoutNoise } from '../models/classifier.js';
import type { LayerSpec } from '../models/layer-specs.js';
import { loadTensors, type NamedArray, stateDict } from '../models/state.js';
import type { NamedBuffer } from '../nn/layer.js';
import { legacyRenames, type NumberedSpec } from '../nn/torch-names.js';
import { getBackend } from '../tensor/index.js';
import {
  CLASSIFIER_FORMAT, CLASSIFIER_RECORD_VERSION as VERSION, type ClassifierRecord, classifierRecordSchema, ENCODER_FORMAT, type EncoderRecord,
  encoderRecordSchema, type SplitRecord,
} from './classifier-record.js';
import { check, type dataRecordSchema } from './run-record.js';
import { loadRun } from './save-load.js';
import { AEKIT_VERSION } from './version.js';

/** Output folders of other commands, which hold no model to take an encoder from. */
const NOT_MODELS: Record<string, string> = { 'pca.json': 'a PCA run (aekit pca)', 'compare.json': 'a comparison (aekit compare)', 'segment.json': 'a segmentation run (aekit segment)' };

/** model.json of `dir`, parsed, with a message that names other commands' folders. */
function readRecord(dir: string): unknown {
  if (!existsSync(join(dir, RUN_FILES.model))) {
    const other = Object.keys(NOT_MODELS).find((f) => existsSync(join(dir, f)));
    if (other) throw new UsageError(`${dir}: is ${NOT_MODELS[other]}, which has no encoder to reuse; give the run folder of aekit train`);
  }
  return readRunRecordFile(dir);
}

/** The format field of a run folder's model.json. */
export function runFormat(dir: string): string | null {
  const format = (readRecord(dir) as { format?: unknown } | null)?.format;
  return typeof format === 'string' ? format : null;
}

/** An encoder taken out of a run folder, with its weights and the data it learned from. */
export interface LoadedEncoder {
  dir: string;
  /** What the folder held: an autoencoder run, an exported encoder, or a classifier run. */
  format: string;
  preset: string | null;
  input: number[];
  /** The encoder's layer specs, noise layers left out (they act while training an autoencoder only). */
  encoder: LayerSpec[];
  /** Its tensors, named as `encoder` numbers its layers. */
  weights: NamedArray[];
  data: z.output<typeof dataRecordSchema> | null;
  split: SplitRecord | null;
}

/**
 * The encoder of any run folder: an autoencoder's (`aekit train`), one exported alone, or a
 * classifier's. Noise layers are left out and the other layers renumbered: the encoder that
 * remains is the deterministic map the codes come from.
 * @throws UsageError for a folder without a model, or an encoder without weights
 * @example
 * const { encoder, weights } = loadEncoder('runs/sdae');
 */
export function loadEncoder(dir: string): LoadedEncoder {
  const format = runFormat(dir);
  let loaded: LoadedEncoder;
  if (format === CLASSIFIER_FORMAT || format === ENCODER_FORMAT) {
    const run = readRunFolder(dir);
    const record = format === CLASSIFIER_FORMAT
      ? check(classifierRecordSchema, run.model, `${dir}/${RUN_FILES.model}`)
      : check(encoderRecordSchema, run.model, `${dir}/${RUN_FILES.model}`);
    loaded = {
      dir, format, preset: record.source?.preset ?? null, input: record.model.input, encoder: record.model.encoder,
      weights: currentNames(record, run.weights).filter((w) => w.name.startsWith('encoder.')), data: record.data, split: record.split,
    };
  } else {
    const { model, record } = loadRun(dir);
    const t = record.training;
    loaded = {
      dir, format: record.format, preset: record.preset, input: model.config.input, encoder: model.config.encoder,
      weights: stateDict(model).filter((w) => w.name.startsWith('encoder.')), data: record.data,
      split: t ? { ...(t.limit !== undefined ? { limit: t.limit } : {}), ...(t.testLimit !== undefined ? { testLimit: t.testLimit } : {}), validationFraction: t.validationFraction ?? DEFAULT_VALIDATION_FRACTION, seed: t.seed } : null,
    };
  }
  const cleaned = withoutNoise(loaded.encoder, loaded.weights);
  if (cleaned.weights.length === 0) {
    throw new UsageError(`${dir}: its encoder (${loaded.encoder.map((s) => s.type).join(', ') || 'no layers'}) has no weights, so there is no encoder to reuse`);
  }
  return { ...loaded, ...cleaned };
}

/** A folder's weights under today's names: version 1 numbered layer specs, not nn.Sequential modules. */
function currentNames(record: { version: number; model: { encoder: NumberedSpec[]; head?: NumberedSpec[] } }, weights: NamedArray[]): NamedArray[] {
  if (record.version === VERSION) return weights;
  const rename = legacyRenames({ encoder: record.model.encoder, head: record.model.head ?? [] });
  return weights.map((w) => ({ ...w, name: rename(w.name) }));
}

/** The encoder's tensors of a classifier (parameters and buffers) under their file names. */
export function encoderTensors(net: Classifier): NamedBuffer[] {
  return [...net.encoder.parameters(), ...net.encoder.buffers()];
}

/** Every tensor of a classifier under its file name. */
function classifierTensors(net: Classifier): NamedBuffer[] {
  return [...net.allParameters(), ...net.buffers()];
}

const asArrays = (tensors: readonly NamedBuffer[]) => tensors.map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data }));

const versions = () => ({ aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name });

const sourceOf = (encoder: LoadedEncoder) => ({ dir: resolve(encoder.dir), format: encoder.format, preset: encoder.preset });

/**
 * Writes the encoder of the run in `dir` alone as a run folder in `out` (format aekit-encoder),
 * which `aekit classify --model` and `loadEncoder` read like the run it came from.
 * @example
 * exportEncoder('runs/sdae', 'runs/sdae-encoder');
 */
export function exportEncoder(dir: string, out: string, options: { force?: boolean } = {}): EncoderRecord {
  const encoder = loadEncoder(dir);
  // Built once to check that specs and weights agree before anything is written.
  const net = Classifier.create({ input: encoder.input, encoder: encoder.encoder, classes: 2 });
  loadTensors(encoderTensors(net), encoder.weights, `${dir}/${RUN_FILES.weights}`);
  if (resolve(out) === resolve(dir)) throw new UsageError(`${out}: is the run folder the encoder comes from; choose another --out`);
  prepareRunFolder(out, options.force ?? false);
  const record: EncoderRecord = {
    format: ENCODER_FORMAT, version: VERSION, model: { input: encoder.input, encoder: net.spec.encoder }, source: sourceOf(encoder),
    data: encoder.data, split: encoder.split, versions: versions(),
  };
  writeWeights(out, asArrays(encoderTensors(net)), { format: ENCODER_FORMAT });
  writeRunRecord(out, record);
  return record;
}

/** A loaded classifier and its run record. */
export interface LoadedClassifier {
  model: Classifier;
  record: ClassifierRecord;
}

/**
 * Rebuilds the classifier a classifier run folder describes and loads its weights.
 * @example
 * const { model, record } = loadClassifier('runs/classify');
 */
export function loadClassifier(dir: string): LoadedClassifier {
  const run = readRunFolder(dir);
  const source = `${dir}/${RUN_FILES.model}`;
  const record = check(classifierRecordSchema, run.model, source);
  let model: Classifier;
  try {
    model = Classifier.create(record.model, 0, { maxParameters: run.weights.reduce((n, w) => n + w.data.length, 0) });
  } catch (error) {
    throw new DataError(`${source}: ${(error as Error).message}`);
  }
  loadTensors(classifierTensors(model), currentNames(record, run.weights), `${dir}/${RUN_FILES.weights}`);
  return { model, record: { ...record, version: VERSION } };
}

/** What a classifier run records besides its model. */
export type ClassifierRunInfo = Omit<ClassifierRecord, 'format' | 'version' | 'model' | 'versions' | 'source'> & { source: LoadedEncoder | null };

/**
 * Saves a classifier as a run folder (model.json, model.safetensors, and `metrics` as metrics.json).
 * @example
 * saveClassifier(net, 'runs/classify', { status: 'done', data: null, split: null, training, source: null });
 */
export function saveClassifier(model: Classifier, out: string, info: ClassifierRunInfo, metrics: unknown, options: { force?: boolean } = {}): void {
  prepareRunFolder(out, options.force ?? false);
  const spec: ClassifierSpec = model.spec;
  const record: ClassifierRecord = {
    format: CLASSIFIER_FORMAT, version: VERSION, status: info.status, model: spec, source: info.source ? sourceOf(info.source) : null,
    data: info.data, split: info.split, training: info.training, versions: versions(), ...(info.metrics ? { metrics: info.metrics } : {}),
  };
  writeWeights(out, asArrays(classifierTensors(model)), { format: CLASSIFIER_FORMAT });
  writeJson(join(out, RUN_FILES.metrics), metrics);
  writeRunRecord(out, record);
}


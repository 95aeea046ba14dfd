/**
 * model.json, the run record: what the model is (its layer specs, decoder written out), how it
 * was trained, on which data, with which versions, and its test metrics. Version 3 is version 2
 * with the weights named as PyTorch's nn.Sequential numbers its modules (src/nn/torch-names.ts);
 * versions 2 and 1 (written before layers had specs) are read and upgraded, with their weight
 * names mapped to today's.
 */
import { z } from 'zod';
import { DataError } from '../errors.js';
import { Autoencoder } from '../models/autoencoder.js';
import { type AutoencoderConfigInput, modelSpecSchema } from '../models/config.js';
import { layerSpecSchema } from '../models/layer-specs.js';
import type { NamedArray } from '../models/state.js';
import { Center } from '../nn/center.js';
import { legacyRenames } from '../nn/torch-names.js';
import { trainerSchema } from './trainer-process.js';

/** The value of model.json's "format" field. */
export const MODEL_FORMAT = 'aekit-model';
/** The run record's current version. */
export const RUN_RECORD_VERSION = 3;

const metricsSchema = z.object({ sse: z.number(), mse: z.number(), bce: z.number().nullable() });

/** The data a run learned from, enough to find it again and to know it when seen. */
export const dataRecordSchema = z.object({
  /** As given: 'mnist', 'fashion-mnist' or a path. */
  spec: z.string(),
  /** The absolute path when `spec` is a file or folder, null for a named data set. */
  path: z.string().nullable(),
  name: z.string(),
  train: z.number().int().nonnegative(),
  validation: z.number().int().nonnegative(),
  test: z.number().int().nonnegative(),
  features: z.number().int().positive(),
  /** One example's shape. */
  shape: z.array(z.number().int().positive()),
  /** A hash of the training examples' values (as loaded, before scaling). */
  fingerprint: z.string(),
  /**
   * The scaling applied to the data before the model saw it, x' = (x − offset) · factor: one
   * number for all features (unit), or one per feature (standardize); null for none.
   */
  scale: z.object({
    offset: z.union([z.number(), z.array(z.number())]),
    factor: z.union([z.number().positive(), z.array(z.number().positive())]),
  }).nullable().default(null),
  /** The CSV or Arrow column read as the labels, when one was named. */
  labelColumn: z.string().optional(),
});

/** The schema of model.json, version 3 (version 2 differs only in its weight names). */
export const runRecordSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.union([z.literal(RUN_RECORD_VERSION), z.literal(2)]),
  status: z.enum(['training', 'done', 'aborted']),
  preset: z.string().nullable(),
  model: modelSpecSchema.extend({ decoder: z.array(layerSpecSchema) }).omit({ tied: true }),
  /** How it was trained; null for a model saved from the library with `saveModel`. */
  training: z.object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    lr: z.number().positive(),
    schedule: z.enum(['constant', 'cosine']),
    /** Decoupled weight decay (AdamW). */
    weightDecay: z.number().nonnegative(),
    optimizer: z.enum(['adam', 'sgd']),
    patience: z.number().int().nonnegative().optional(),
    seed: z.number().int().nonnegative(),
    /** What else the run was told, so that `--resume` can go on with the same: the data's limits and split, */
    limit: z.number().int().positive().optional(),
    testLimit: z.number().int().positive().optional(),
    validationFraction: z.number().min(0).lt(1).optional(),
    /** the scaling chosen (its values are in `data.scale`), the test curve, the checkpoint interval. */
    scale: z.enum(['unit', 'standardize', 'none']).optional(),
    /** The memory budget in bytes; a data file too large for it was streamed from disk. */
    maxMemory: z.number().int().positive().optional(),
    testCurve: z.boolean().optional(),
    checkpointEvery: z.number().int().positive().optional(),
    /** Greedy layer-wise pretraining: `epochs` per stage (the sdae preset). */
    greedy: z.boolean().optional(),
    /** `dynamic`: training batches binarised afresh, validation and test once (seeded by `seed`). */
    binarize: z.enum(['dynamic']).optional(),
  }).nullable(),
  /** What it learned from; null for a model saved from the library with `saveModel`. */
  data: dataRecordSchema.nullable(),
  versions: z.object({ aekit: z.string(), node: z.string(), backend: z.string() }),
  /** The last epoch whose weights were saved, while training. */
  epoch: z.number().int().nonnegative().optional(),
  /** The process training the run, while status is 'training'. */
  trainer: trainerSchema.optional(),
  metrics: z.object({ test: metricsSchema, bestEpoch: z.number().int().nonnegative() }).optional(),
});

/** A run record, version 3. */
export type RunRecord = z.output<typeof runRecordSchema>;

/** Version 1's shape, as far as the upgrade reads it. */
const runRecordV1Schema = z.object({
  format: z.literal(MODEL_FORMAT),
  preset: z.string().nullable().optional(),
  config: z.record(z.string(), z.unknown()),
  training: z.object({
    epochs: z.number(), batchSize: z.number(), lr: z.number(), schedule: z.enum(['constant', 'cosine']),
    decoupledWeightDecay: z.number().optional(), optimizer: z.enum(['adam', 'sgd']).optional(),
    patience: z.number().optional(), seed: z.number().optional(),
  }),
  data: z.object({
    spec: z.string(), name: z.string(), train: z.number(), validation: z.number(), test: z.number(),
    features: z.number(), shape: z.array(z.number()).nullable().optional(), fingerprint: z.string(),
  }),
  versions: z.object({ aekit: z.string(), node: z.string(), backend: z.string() }),
  status: z.enum(['training', 'done', 'aborted']).optional(),
  epoch: z.number().optional(),
  metrics: z.object({ test: metricsSchema, bestEpoch: z.number() }).optional(),
});

/**
 * Validates a parsed model.json of any version and returns it as version 3, with a function that
 * renames an older file's weights to today's names (the identity for version 3).
 * @param source names the file in error messages
 * @throws DataError naming the file and the field
 */
export function parseRunRecord(json: unknown, source: string): { record: RunRecord; renameWeights: (arrays: NamedArray[]) => NamedArray[] } {
  const format = (json as { format?: unknown } | null)?.format;
  if (format === 'aekit-classifier' || format === 'aekit-encoder') {
    throw new DataError(`${source}: holds ${format === 'aekit-classifier' ? 'a classifier (aekit classify), not an autoencoder; aekit eval and aekit classify take it' : 'an encoder alone (aekit export encoder), not an autoencoder; aekit classify takes it'}`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version === undefined) return upgradeV1(check(runRecordV1Schema, json, source), source);
  if (version !== RUN_RECORD_VERSION && version !== 2) {
    throw new DataError(`${source}: "version": ${JSON.stringify(version)} is not one this aekit reads (1 to ${RUN_RECORD_VERSION}); a newer aekit wrote it?`);
  }
  const record = check(runRecordSchema, json, source);
  if (record.version === RUN_RECORD_VERSION) return { record, renameWeights: (arrays) => arrays };
  const rename = legacyRenames({ encoder: record.model.encoder, decoder: record.model.decoder });
  return { record: { ...record, version: RUN_RECORD_VERSION }, renameWeights: (arrays) => arrays.map((a) => ({ ...a, name: rename(a.name) })) };
}

/** value parsed by schema, or a DataError naming the source and the first field at fault. */
export function check<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`${source}: ${[...issue.path].join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Version 1 stored the short-form config, numbered weights by dense layer only (encoder.k is the
 * k-th dense layer) and the input mean as `input_mean`; today's names number the stack's
 * nn.Sequential modules.
 */
function upgradeV1(old: z.output<typeof runRecordV1Schema>, source: string): ReturnType<typeof parseRunRecord> {
  let model: Autoencoder;
  try {
    model = Autoencoder.create(old.config as AutoencoderConfigInput);
  } catch (error) {
    throw new DataError(`${source}: config: ${(error as Error).message}`);
  }
  const shape = old.data.shape;
  const record: RunRecord = {
    format: MODEL_FORMAT,
    version: RUN_RECORD_VERSION,
    status: old.status ?? 'done',
    preset: old.preset ?? null,
    model: model.config,
    training: {
      epochs: old.training.epochs, batchSize: old.training.batchSize, lr: old.training.lr, schedule: old.training.schedule,
      weightDecay: old.training.decoupledWeightDecay ?? 0, optimizer: old.training.optimizer ?? 'adam',
      ...(old.training.patience !== undefined ? { patience: old.training.patience } : {}), seed: old.training.seed ?? 0,
    },
    data: {
      spec: old.data.spec, path: null, name: old.data.name, train: old.data.train, validation: old.data.validation, test: old.data.test,
      features: old.data.features, shape: shape?.length === 2 ? [1, shape[0], shape[1]] : [old.data.features], fingerprint: old.data.fingerprint,
      scale: null,
    },
    versions: old.versions,
    ...(old.epoch !== undefined ? { epoch: old.epoch } : {}),
    ...(old.metrics ? { metrics: old.metrics } : {}),
  };
  const names = new Map<string, string>();
  for (const stack of [model.encoder, model.decoder]) {
    let k = 0;
    stack.layers.forEach((layer, i) => {
      if (layer.type === 'dense' || layer.type === 'tied_dense') {
        for (const tensor of ['weight', 'bias']) names.set(`${stack.prefix}.${k}.${tensor}`, `${stack.tensorPrefix(i)}.${tensor}`);
        k++;
      }
      if (layer instanceof Center) names.set('input_mean', `${stack.tensorPrefix(i)}.mean`);
    });
  }
  return { record, renameWeights: (arrays) => arrays.map((a) => ({ ...a, name: names.get(a.name) ?? a.name })) };
}

/**
 * What model.json says in a classifier run folder (format `aekit-classifier`) and in an encoder
 * exported alone (`aekit-encoder`): the layer specs, where the encoder came from, the data it
 * learned from and how it was split.
 */
import { z } from 'zod';
import { layerSpecSchema } from '../models/layer-specs.js';
import { classifierTrainingSchema } from '../training/settings.js';
import { dataRecordSchema } from './run-record.js';

/** model.json's "format" for a classifier run and for an encoder exported alone. */
export const CLASSIFIER_FORMAT = 'aekit-classifier';
export const ENCODER_FORMAT = 'aekit-encoder';
export const CLASSIFIER_RECORD_VERSION = 2;
/** Version 1 differs only in its weight names. */
const versionSchema = z.union([z.literal(CLASSIFIER_RECORD_VERSION), z.literal(1)]);

/** How the data was split when the encoder learned: enough to split it again the same way. */
export const splitSchema = z.object({
  limit: z.number().int().positive().optional(),
  testLimit: z.number().int().positive().optional(),
  validationFraction: z.number().min(0).lt(1),
  seed: z.number().int().nonnegative(),
});
export type SplitRecord = z.output<typeof splitSchema>;

/** Where an encoder came from. */
const sourceSchema = z.object({
  /** The run folder it was taken from (absolute). */
  dir: z.string(),
  /** That folder's format (aekit-model for an autoencoder run). */
  format: z.string(),
  preset: z.string().nullable(),
});

const versionsSchema = z.object({ aekit: z.string(), node: z.string(), backend: z.string() });

/** model.json of an encoder exported alone. */
export const encoderRecordSchema = z.object({
  format: z.literal(ENCODER_FORMAT),
  version: versionSchema,
  model: z.object({ input: z.array(z.number().int().positive()).min(1), encoder: z.array(layerSpecSchema).min(1) }),
  source: sourceSchema,
  data: dataRecordSchema.nullable(),
  split: splitSchema.nullable(),
  versions: versionsSchema,
});
export type EncoderRecord = z.output<typeof encoderRecordSchema>;

/** model.json of a classifier run. */
export const classifierRecordSchema = z.object({
  format: z.literal(CLASSIFIER_FORMAT),
  version: versionSchema,
  status: z.enum(['done', 'aborted']),
  model: z.object({
    input: z.array(z.number().int().positive()).min(1),
    encoder: z.array(layerSpecSchema),
    head: z.array(layerSpecSchema).min(1),
    classes: z.number().int().min(2),
    shift: z.number().int().min(0).default(0),
    rotate: z.number().min(0).default(0),
    scale: z.number().min(0).default(0),
  }),
  source: sourceSchema.nullable(),
  data: dataRecordSchema.nullable(),
  split: splitSchema.nullable(),
  /** How the classifier was trained. */
  training: classifierTrainingSchema,
  versions: versionsSchema,
  metrics: z.object({ test: z.object({ accuracy: z.number(), error: z.number() }), examples: z.number().int().nonnegative() }).optional(),
});
export type ClassifierRecord = z.output<typeof classifierRecordSchema>;

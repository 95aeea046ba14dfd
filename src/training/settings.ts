/**
 * The training settings, declared once: each setting's type, range, default and meaning. `fit`'s
 * options, a preset's training block, the run records' `training` blocks and the options of
 * `aekit train` are all derived from the schemas here, so an enum, a bound or a default is
 * written in one place.
 */
import { z } from 'zod';
import { SCALE_NAMES } from '../data/scaling.js';

/** The optimizers `fit` knows. */
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The learning-rate schedules. */
export const SCHEDULES = ['constant', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** The share of the training examples held out for validation unless a run says otherwise. */
export const DEFAULT_VALIDATION_FRACTION = 1 / 12;

/**
 * The default of every setting that has one. `fit` falls back on these; a run falls back on its
 * preset's values first for epochs, batch size, learning rate, schedule and weight decay.
 */
export const TRAINING_DEFAULTS = {
  epochs: 10,
  batchSize: 64,
  lr: 1e-3,
  optimizer: 'adam',
  schedule: 'constant',
  weightDecay: 0,
  seed: 0,
  validationFraction: DEFAULT_VALIDATION_FRACTION,
  scale: 'none',
  testCurve: false,
} as const satisfies Partial<RunTrainingSettings>;

/**
 * One schema per setting, with its meaning as the description (the CLI's help text is built
 * from it). A bound checked here is checked everywhere the setting is read.
 */
export const SETTING_SCHEMAS = {
  epochs: z.number().int().positive().describe('passes over the training data'),
  batchSize: z.number().int().positive().describe('examples per step'),
  lr: z.number().positive().describe('peak learning rate'),
  schedule: z.enum(SCHEDULES).describe('learning-rate schedule: constant or cosine'),
  optimizer: z.enum(OPTIMIZERS).describe('adam or sgd (momentum 0.9)'),
  /** Decoupled weight decay (AdamW / SGDW) on weights: θ ← θ − lr·weightDecay·θ each step. */
  weightDecay: z.number().nonnegative().describe('decoupled weight decay (AdamW): weights shrink by lr·x each step, outside the gradient'),
  patience: z.number().int().nonnegative().describe('stop after N epochs without a better validation loss'),
  seed: z.number().int().nonnegative().describe('seed for weights, split and shuffles'),
  checkpointEvery: z.number().int().positive().describe('also save the training state every N steps (it is saved after every epoch and on Ctrl-C)'),
  limit: z.number().int().positive().describe('use only the first N training examples'),
  testLimit: z.number().int().positive().describe('evaluate on only the first N test examples'),
  validationFraction: z.number().min(0).lt(1).describe('share of training examples held out for validation'),
  scale: z.enum(SCALE_NAMES).describe(
    'unit: map the training data\'s range onto [0, 1]; standardize: each feature to mean 0, standard deviation 1; none: as loaded (the scaling is saved with the model and applied by every later command)',
  ),
  /** The memory budget in bytes; a data file too large for it is streamed from disk. */
  maxMemory: z.number().int().positive().describe('memory budget (e.g. 256MB): a NPY, CSV or Arrow file too large for it is streamed from disk through a shuffle window'),
  testCurve: z.boolean().describe('evaluate the test sse after every epoch (recorded in metrics.json)'),
  /** Greedy layer-wise pretraining: each weight layer trained alone, `epochs` each (the sdae preset). */
  greedy: z.boolean().describe('greedy layer-wise pretraining, epochs per stage'),
  /** `dynamic`: training batches binarised afresh, validation and test once (seeded by `seed`); recorded only when on. */
  binarize: z.enum(['dynamic']).describe('dynamic: every training batch binarised afresh, validation and test once with a fixed seed'),
} as const;

const s = SETTING_SCHEMAS;

/**
 * How a run was trained, as its model.json records it (and `--resume` reads it back): the loop's
 * settings, and what else the run was told (the data's limits and split, the scaling chosen, the
 * memory budget, the test curve, the checkpoint interval).
 */
export const runTrainingSchema = z.object({
  epochs: s.epochs,
  batchSize: s.batchSize,
  lr: s.lr,
  schedule: s.schedule,
  weightDecay: s.weightDecay,
  optimizer: s.optimizer,
  patience: s.patience.optional(),
  seed: s.seed,
  limit: s.limit.optional(),
  testLimit: s.testLimit.optional(),
  validationFraction: s.validationFraction.optional(),
  scale: s.scale.optional(),
  maxMemory: s.maxMemory.optional(),
  testCurve: s.testCurve.optional(),
  checkpointEvery: s.checkpointEvery.optional(),
  greedy: s.greedy.optional(),
  binarize: s.binarize.optional(),
});
export type RunTrainingSettings = z.output<typeof runTrainingSchema>;

/** The settings of the fit loop itself (`fit`'s options), all optional: unset ones take `TRAINING_DEFAULTS`. */
export const fitSettingsSchema = runTrainingSchema.pick({
  epochs: true, batchSize: true, lr: true, schedule: true, weightDecay: true, optimizer: true, patience: true, seed: true, checkpointEvery: true,
}).partial();
export type FitSettings = z.output<typeof fitSettingsSchema>;

/** A preset's training block: the settings it was tuned with, and the scaling its data gets unless a run names one. */
export const presetTrainingSchema = runTrainingSchema.pick({ epochs: true, batchSize: true, lr: true, schedule: true })
  .extend({ weightDecay: s.weightDecay.optional(), scale: s.scale.optional(), greedy: s.greedy.optional(), binarize: s.binarize.optional() });
export type PresetTraining = z.output<typeof presetTrainingSchema>;

/**
 * The training settings of a run whose model comes from a config, with no preset named: its own,
 * not the default preset's (the deep net's weight decay 0.3 is no default for any model).
 * Adam at 1e-3 in batches of 64 with cosine decay over 20 epochs, no weight decay.
 */
export const CONFIG_TRAINING: PresetTraining = { epochs: 20, batchSize: 64, lr: 1e-3, schedule: 'cosine', weightDecay: 0 };

/** How a classifier run was trained (its model.json's `training` block). */
export const classifierTrainingSchema = z.object({
  finetune: z.boolean(),
  /** Labelled training examples it saw. */
  labels: z.number().int().positive(),
  epochs: s.epochs,
  batchSize: s.batchSize,
  lr: s.lr,
  schedule: s.schedule,
  seed: s.seed,
});

/**
 * The first setting of `settings` out of its range, as "name must be …, got value"; null when all
 * are in range. One validator for every caller (fit, the CLI, a resumed record).
 */
export function settingsProblem(settings: Partial<Record<keyof typeof SETTING_SCHEMAS, unknown>>): string | null {
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined || !(key in SETTING_SCHEMAS)) continue;
    const schema = SETTING_SCHEMAS[key as keyof typeof SETTING_SCHEMAS];
    if (!schema.safeParse(value).success) return `${key} must be ${expectation(schema)}, got ${typeof value === 'object' ? JSON.stringify(value) : value as number}`;
  }
  return null;
}

/** What a setting's schema accepts, in words (found by asking it, so it cannot drift from the bounds). */
export function expectation(schema: z.ZodType): string {
  if (schema instanceof z.ZodEnum) return `one of ${(schema.options as string[]).join(', ')}`;
  if (schema instanceof z.ZodBoolean) return 'true or false';
  const ok = (v: number) => schema.safeParse(v).success;
  if (!ok(1)) return 'a number in [0, 1)';
  const whole = !ok(1.5);
  if (ok(0)) return whole ? 'a non-negative integer' : 'non-negative';
  return whole ? 'a positive integer' : 'positive';
}

/**
 * What a training run is to do, settled from what it was told: the options of `aekit train`, and
 * the plan they give (model, training settings, data, folder) that a resumed run reads back from
 * model.json instead.
 */
import type { AutoencoderConfigInput, ShortFormInput } from '../../models/config.js';
import { DEFAULT_PRESET, type Preset, presetByName } from '../../models/presets.js';
import { DEFAULT_VALIDATION_FRACTION } from '../../data/data-split.js';
import type { ScaleName } from '../../data/scaling.js';
import { UsageError } from '../../errors.js';
import type { TrainingEvent } from '../../training/fit.js';
import type { ScheduleName } from '../../training/schedule.js';
import type { RunRecord } from '../../run/run-record.js';

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
  /** `dynamic` binarises every training batch afresh (and validation and test once); `none`; default the preset's. */
  binarize?: 'dynamic' | 'none';
}

/** The run's binarisation: the option's, else the preset's; nothing recorded for none. */
function binarization(option: TrainRunOptions['binarize'], preset: Preset): { binarize?: 'dynamic' } {
  const chosen = option ?? preset.training.binarize ?? 'none';
  return chosen === 'dynamic' ? { binarize: 'dynamic' } : {};
}

export /** What a run needs, settled: from options for a new run, from model.json for a resumed one. */
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
 * The training settings of a run whose model comes from a config, with no preset named: its own,
 * not the default preset's (the deep net's weight decay 0.3 is no default for any model).
 * Adam at 1e-3 in batches of 64 with cosine decay over 20 epochs, no weight decay.
 */
export const CONFIG_TRAINING: Preset['training'] = { epochs: 20, batchSize: 64, lr: 1e-3, schedule: 'cosine', weightDecay: 0 };

/** The plan of a new run: unset training values come from the preset, or for a config without one from CONFIG_TRAINING. */
export function planOf(options: TrainRunOptions): Plan {
  const presetName = options.preset ?? DEFAULT_PRESET;
  const named = presetByName(presetName);
  const preset: Preset = options.config && options.preset === undefined ? { ...named, training: CONFIG_TRAINING } : named;
  return {
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
      ...binarization(options.binarize, preset),
    },
    data: options.data ?? 'mnist',
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    out: options.out,
    signal: options.signal,
    onEvent: options.onEvent,
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

/**
 * The plan's model for examples of `shape`: a preset's dense input (its first layer, and by the
 * mirror its output) takes the data's width, and a spec-form config without `input` the data's
 * shape; a preset made for images of another shape is refused in one line. A config that names
 * its input keeps it (a width that differs is then the data's mistake or the config's, and said).
 * @example
 * modelForData({ ...plan, preset: 'linear' }, [20]); // layers [20, 30]
 */
export function modelForData(plan: Pick<Plan, 'preset' | 'model'>, shape: readonly number[]): AutoencoderConfigInput {
  const model = plan.model;
  const width = shape.reduce((a, b) => a * b, 1);
  if ('layers' in model) {
    return plan.preset === null || model.layers[0] === width ? model : { ...model, layers: [width, ...model.layers.slice(1)] };
  }
  const input = (model as { input?: number[] }).input;
  if (input === undefined) return { ...model, input: [...shape] };
  if (plan.preset === null || input.reduce((a, b) => a * b, 1) === width) return model;
  if (input.length === 1) return { ...model, input: [width] };
  throw new UsageError(`the ${plan.preset} preset is for images of shape ${input.join('x')} (${input.reduce((a, b) => a * b, 1)} values); this data has ${width} values an example: use a dense preset (deep, linear, undercomplete, anomaly, …) or a --config`);
}

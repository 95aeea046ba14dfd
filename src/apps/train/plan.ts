/**
 * What a training run is to do, settled from what it was told: the options of `aekit train`, and
 * the plan they give (model, training settings, data, folder) that a resumed run reads back from
 * model.json instead.
 */
import type { AutoencoderConfigInput } from '../../models/config.js';
import { defaultPresetFor, type ModelOverrides, withOverrides } from '../../training/model-for-data.js';
import { DEFAULT_PRESET, type Preset, presetByName } from '../../training/presets.js';
import { UsageError } from '../../errors.js';
import type { TrainingEvent } from '../../training/fit.js';
import { CONFIG_TRAINING, type RunTrainingSettings, settingsProblem, TRAINING_DEFAULTS } from '../../training/settings.js';

/**
 * The training settings `aekit train` (and `trainRun`) can be told, each declared once in
 * training/settings.ts; the CLI's options are generated from this list.
 */
export const TRAIN_SETTING_KEYS = [
  'epochs', 'batchSize', 'lr', 'schedule', 'optimizer', 'weightDecay', 'scale', 'validationFraction', 'patience', 'testCurve', 'seed',
  'maxMemory', 'checkpointEvery', 'limit', 'testLimit',
] as const satisfies readonly (keyof RunTrainingSettings)[];
export type TrainSettingKey = (typeof TRAIN_SETTING_KEYS)[number];

/**
 * Everything `aekit train` can be told: the settings of `TRAIN_SETTING_KEYS` (unset epochs, batch
 * size, lr, schedule and weight decay come from the preset, the others from `TRAINING_DEFAULTS`;
 * `scale`: `unit` maps the training data's range onto [0, 1], `standardize` gives each feature
 * mean 0 and standard deviation 1; `maxMemory`: a data file whose in-memory run would not fit is
 * streamed, see `shouldStream`), plus the model, the data and the folder.
 */
export interface TrainRunOptions extends Partial<Pick<RunTrainingSettings, TrainSettingKey>> {
  /** The preset; unset, `defaultPresetFor(data)` (or with `config`, only its training settings are unset: CONFIG_TRAINING). */
  preset?: string;
  /** A model config that replaces the preset's model (the preset's training settings still apply). */
  config?: AutoencoderConfigInput;
  /** Changes to a short-form model config (preset or `config`), e.g. from `--tied` or `--noise`. */
  modelOverrides?: ModelOverrides;
  data?: string;
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
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

/** What a run needs, settled: from options for a new run, from model.json for a resumed one. */
export interface Plan {
  preset: string | null;
  model: AutoencoderConfigInput;
  training: RunTrainingSettings;
  data: string;
  labelColumn?: string;
  out: string;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /** A new run's changes to its preset's model, applied again when the preset sizes its model from the data's width. */
  modelOverrides?: TrainRunOptions['modelOverrides'];
}

/** The plan of a new run: unset training values come from the preset, or for a config without one from CONFIG_TRAINING. */
export function planOf(options: TrainRunOptions): Plan {
  const data = options.data ?? 'mnist';
  const presetName = options.preset ?? (options.config ? DEFAULT_PRESET : defaultPresetFor(data));
  const named = presetByName(presetName);
  const preset: Preset = options.config && options.preset === undefined ? { ...named, training: CONFIG_TRAINING } : named;
  const d = TRAINING_DEFAULTS;
  const training: RunTrainingSettings = {
    epochs: options.epochs ?? preset.training.epochs,
    batchSize: options.batchSize ?? preset.training.batchSize,
    lr: options.lr ?? preset.training.lr,
    schedule: options.schedule ?? preset.training.schedule,
    weightDecay: options.weightDecay ?? preset.training.weightDecay ?? d.weightDecay,
    optimizer: options.optimizer ?? d.optimizer,
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
    seed: options.seed ?? d.seed,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.testLimit !== undefined ? { testLimit: options.testLimit } : {}),
    validationFraction: options.validationFraction ?? d.validationFraction,
    scale: options.scale ?? preset.training.scale ?? d.scale,
    testCurve: options.testCurve ?? d.testCurve,
    ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(options.maxMemory !== undefined ? { maxMemory: options.maxMemory } : {}),
    ...(preset.training.greedy ? { greedy: true } : {}),
    ...binarization(options.binarize, preset),
  };
  const problem = settingsProblem(training);
  if (problem !== null) throw new UsageError(problem);
  return {
    preset: options.config ? null : presetName,
    model: withOverrides(options.config ?? preset.model, options.modelOverrides),
    training,
    data,
    ...(options.modelOverrides ? { modelOverrides: options.modelOverrides } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    out: options.out,
    signal: options.signal,
    onEvent: options.onEvent,
  };
}


/**
 * Which model a run on some data trains: the preset chosen when none is named, and a preset's
 * model sized to the data's width. `aekit train` and `aekit export torchrun` both ask here, so
 * that a job trains the model that aekit would have trained on the same data.
 */
import type { AutoencoderConfigInput, ShortFormInput } from '../models/config.js';
import { isTableFile } from '../data/load-input.js';
import { DEFAULT_PRESET, DEFAULT_TABLE_PRESET, type PresetName, presetByName } from './presets.js';
import { UsageError } from '../errors.js';

/**
 * Changes to a short-form model config (preset or config), e.g. from `--tied` or `--noise`; the
 * `regularization` fields are merged one by one into the base config's.
 */
export type ModelOverrides = Pick<ShortFormInput, 'tied' | 'regularization'> & {
  /** The code size: the last of a short form's `layers` (aekit compare's K). */
  code?: number;
  /** The input width: the first of a short form's `layers`, for data of another width. */
  inputWidth?: number;
};

/**
 * The preset a run trains when none is named: `table` for a CSV or Arrow file (standardized
 * inputs, a linear output, layers sized from the width), else `deep` (the MNIST autoencoder, for
 * images: mnist, fashion-mnist, IDX, PNG folders, NPY arrays).
 * @example
 * defaultPresetFor('measurements.csv'); // 'table'
 */
export function defaultPresetFor(data: string): PresetName {
  return isTableFile(data) ? DEFAULT_TABLE_PRESET : DEFAULT_PRESET;
}

/** `base` with `overrides` applied; regularization terms merge field by field. */
export function withOverrides(base: AutoencoderConfigInput, overrides: ModelOverrides | undefined): AutoencoderConfigInput {
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

/** What `modelForData` needs of a run's plan: the preset it names (null for a config), its model and overrides. */
export interface ModelChoice {
  preset: string | null;
  model: AutoencoderConfigInput;
  modelOverrides?: ModelOverrides;
}

/**
 * The model for examples of `shape`: a preset's dense input (its first layer, and by the mirror
 * its output) takes the data's width, and a preset that sizes every layer from the width
 * (`table`) is built for it; a spec-form config without `input` takes the data's shape; a preset
 * made for images of another shape is refused in one line. A config that names its input keeps it
 * (a width that differs is then the data's mistake or the config's, and said).
 * @example
 * modelForData({ preset: 'linear', model: PRESETS.linear.model }, [20]); // layers [20, 30]
 * modelForData({ preset: 'table', model: PRESETS.table.model }, [20]);   // layers [20, 40, 5]
 */
export function modelForData(choice: ModelChoice, shape: readonly number[]): AutoencoderConfigInput {
  const model = choice.model;
  const width = shape.reduce((a, b) => a * b, 1);
  if ('layers' in model) {
    // A resumed run's model is in spec form, as model.json keeps it: it is built once, at the start.
    const sized = choice.preset === null ? undefined : presetByName(choice.preset).modelFor;
    if (sized) return withOverrides(sized(width), choice.modelOverrides);
    return choice.preset === null || model.layers[0] === width ? model : { ...model, layers: [width, ...model.layers.slice(1)] };
  }
  const input = (model as { input?: number[] }).input;
  if (input === undefined) return { ...model, input: [...shape] };
  if (choice.preset === null || input.reduce((a, b) => a * b, 1) === width) return model;
  if (input.length === 1) return { ...model, input: [width] };
  throw new UsageError(`the ${choice.preset} preset is for images of shape ${input.join('x')} (${input.reduce((a, b) => a * b, 1)} values); this data has ${width} values an example: use a dense preset (deep, linear, undercomplete, anomaly, …) or a --config`);
}

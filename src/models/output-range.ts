/** Whether scaled training data can be what a model's output layer produces. */
import type { Dataset } from '../data/dataset.js';
import { FeatureStats } from '../data/feature-stats.js';
import type { ScaleName } from '../data/scaling.js';
import { DataError } from '../errors.js';
import type { OutputConfig } from './config.js';

/**
 * Throws when the data cannot be what the model outputs: a sigmoid output (and binary
 * cross-entropy) gives values in [0, 1], so data outside it would train on nonsense (a negative
 * cross-entropy, for one). The message says what to do.
 * @param data the training rows after scaling, or their name and range.
 * @param scale the `--scale` chosen, so the message can say what it did.
 */
export function checkOutputRange(data: Dataset | { name: string; range: [number, number] }, output: OutputConfig, scale: ScaleName = 'none'): void {
  if (output.activation !== 'sigmoid') return;
  const [min, max] = 'range' in data ? data.range : FeatureStats.of(data).range();
  // Float32 rounding of (x − min) / (max − min) can land a hair outside [0, 1].
  const slack = 1e-6;
  if (min >= -slack && max <= 1 + slack) return;
  const outputKind = output.loss === 'bce' ? 'binary cross-entropy on a sigmoid output' : 'sigmoid output';
  const after = scale === 'none' ? '' : ` after --scale ${scale}`;
  const fix = scale === 'standardize'
    ? 'use --scale unit instead (standardized data has negative values)'
    : 'pass --scale unit to map the training range onto [0, 1] (saved with the model)';
  throw new DataError(`${data.name}: values lie in [${min}, ${max}]${after}, but this model's ${outputKind} needs data in [0, 1]; ${fix}, `
    + 'or give the model a linear output with squared error ("outputActivation": "identity" and "loss": "mse" in a --config file)');
}

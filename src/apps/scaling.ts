/**
 * Scaling of the data, chosen when a model trains and saved in its run record, so that every
 * later use (eval, encode, decode, reconstruct, denoise) applies the same transform; and the check
 * that the data suit the model's output (a sigmoid output and binary cross-entropy need [0, 1]).
 */
import type { Dataset, Matrix } from '../data/dataset.js';
import { DataError } from '../errors.js';
import type { OutputConfig } from '../models/config.js';

/** x' = (x − offset) · factor, one pair for every feature. */
export interface Scaling {
  offset: number;
  factor: number;
}

/** How `aekit train --scale` scales: `unit` maps the training data's range onto [0, 1]. */
export type ScaleName = 'unit' | 'none';

/**
 * The scaling that maps the smallest training value to 0 and the largest to 1 (the identity for
 * constant data).
 * @example
 * unitScaling({ x: Float32Array.of(0, 255), n: 2, features: 1 }); // { offset: 0, factor: 1 / 255 }
 */
export function unitScaling(data: Matrix): Scaling {
  const [min, max] = range(data.x);
  return { offset: min, factor: max > min ? 1 / (max - min) : 1 };
}

/** A copy of `data` with `scaling` applied (`data` itself when there is none). */
export function applyScaling<T extends Matrix>(data: T, scaling: Scaling | null): T {
  if (!scaling) return data;
  const x = Float32Array.from(data.x, (v) => (v - scaling.offset) * scaling.factor);
  return { ...data, x };
}

/** A copy of `data` with `scaling` undone: model outputs back in the data's own units. */
export function undoScaling<T extends Matrix>(data: T, scaling: Scaling | null): T {
  if (!scaling) return data;
  const x = Float32Array.from(data.x, (v) => v / scaling.factor + scaling.offset);
  return { ...data, x };
}

/**
 * Throws when the data cannot be what the model outputs: a sigmoid output (and binary
 * cross-entropy) gives values in [0, 1], so data outside it would train on nonsense (a negative
 * cross-entropy, for one). The message says what to do.
 */
export function checkOutputRange(data: Dataset, output: OutputConfig): void {
  if (output.activation !== 'sigmoid') return;
  const [min, max] = range(data.x);
  if (min >= 0 && max <= 1) return;
  const loss = output.loss === 'bce' ? 'binary cross-entropy on a sigmoid output' : 'a sigmoid output';
  throw new DataError(`${data.name}: values lie in [${min}, ${max}], but this model's ${loss} needs data in [0, 1]; pass --scale unit to map the training range onto [0, 1] (saved with the model), or train a model with a linear output and squared error (e.g. --preset linear)`);
}

function range(x: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  return x.length === 0 ? [0, 0] : [min, max];
}

/**
 * Scaling of the data, chosen when a model trains and saved in its run record, so that every
 * later use (eval, encode, decode, reconstruct, denoise, anomaly, classify) applies the same
 * transform; and the check that the scaled data suit the model's output (a sigmoid output and
 * binary cross-entropy need [0, 1]).
 */
import type { Matrix } from './dataset.js';
import { DataError } from '../errors.js';
import { FeatureStats } from './feature-stats.js';

/**
 * x' = (x − offset) · factor. One number applies to every feature (`unit`); an array holds one
 * value per feature (`standardize`).
 */
export interface Scaling {
  offset: number | number[];
  factor: number | number[];
}

/**
 * How `aekit train --scale` scales: `unit` maps the training data's range onto [0, 1] (one offset
 * and factor for all features, so images keep their contrast); `standardize` gives every feature
 * mean 0 and standard deviation 1 over the training rows; `none` keeps the data as loaded.
 */
export type ScaleName = 'unit' | 'standardize' | 'none';

/** The names `--scale` takes. */
export const SCALE_NAMES: readonly ScaleName[] = ['unit', 'standardize', 'none'];

/**
 * The scaling that maps the smallest training value to 0 and the largest to 1 (the identity for
 * constant data).
 * @example
 * unitScaling({ x: Float32Array.of(0, 255), n: 2, features: 1 }); // { offset: 0, factor: 1 / 255 }
 */
export function unitScaling(data: Matrix): Scaling {
  return scalingFromStats('unit', FeatureStats.of(data))!;
}

/**
 * The scaling `name` asks for, from statistics of the training rows; null for `none`.
 * A feature that never varies keeps factor 1 under `standardize` (it has nothing to divide by).
 * @example
 * const scaling = scalingFromStats('standardize', FeatureStats.of(train));
 */
export function scalingFromStats(name: ScaleName, stats: FeatureStats): Scaling | null {
  if (name === 'none') return null;
  if (name === 'unit') {
    const [min, max] = stats.range();
    return { offset: min, factor: max > min ? 1 / (max - min) : 1 };
  }
  const mean = stats.mean();
  const std = stats.std();
  return { offset: Array.from(mean), factor: Array.from(std, (s) => (s > 0 ? 1 / s : 1)) };
}

/** A copy of `data` with `scaling` applied (`data` itself when there is none). */
export function applyScaling<T extends Matrix>(data: T, scaling: Scaling | null): T {
  if (!scaling) return data;
  const x = data.x.slice();
  scaleRowsInPlace(x, data.features, scaling);
  return { ...data, x };
}

/** A copy of `data` with `scaling` undone: model outputs back in the data's own units. */
export function undoScaling<T extends Matrix>(data: T, scaling: Scaling | null): T {
  if (!scaling) return data;
  const x = data.x.slice();
  const f = data.features;
  const { offset, factor } = perFeature(scaling, f);
  for (let i = 0; i < x.length; i++) x[i] = x[i] / factor[i % f] + offset[i % f];
  return { ...data, x };
}

/**
 * Applies `scaling` to rows of `features` values in place (the streaming source scales each row
 * as it reads it, without a copy of the data).
 * @example
 * scaleRowsInPlace(window, 784, record.data.scale);
 */
export function scaleRowsInPlace(x: Float32Array, features: number, scaling: Scaling): void {
  if (typeof scaling.offset === 'number' && typeof scaling.factor === 'number') {
    // The common case (unit) stays one multiply-add per value.
    const { offset, factor } = scaling;
    for (let i = 0; i < x.length; i++) x[i] = (x[i] - offset) * factor;
    return;
  }
  const { offset, factor } = perFeature(scaling, features);
  for (let r = 0; r < x.length; r += features) {
    for (let j = 0; j < features; j++) x[r + j] = (x[r + j] - offset[j]) * factor[j];
  }
}

/** The smallest and largest value the training data takes after `scaling`. */
export function scaledRange(stats: FeatureStats, scaling: Scaling | null): [number, number] {
  if (!scaling) return stats.range();
  const { offset, factor } = perFeature(scaling, stats.features);
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < stats.features; j++) {
    // factor > 0, so the feature's smallest value stays its smallest.
    min = Math.min(min, (stats.min[j] - offset[j]) * factor[j]);
    max = Math.max(max, (stats.max[j] - offset[j]) * factor[j]);
  }
  return stats.count === 0 ? [0, 0] : [min, max];
}

function perFeature(scaling: Scaling, features: number): { offset: ArrayLike<number>; factor: ArrayLike<number> } {
  const expand = (v: number | readonly number[], what: string): ArrayLike<number> => {
    if (typeof v === 'number') return new Float64Array(features).fill(v);
    if (v.length !== features) throw new DataError(`the model's scaling has ${v.length} ${what} values, but the data has ${features} features`);
    return v;
  };
  return { offset: expand(scaling.offset, 'offset'), factor: expand(scaling.factor, 'factor') };
}

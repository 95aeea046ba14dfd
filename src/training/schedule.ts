/**
 * Learning-rate schedules, as a function of training progress.
 */

import type { ScheduleName } from './settings.js';

export type { ScheduleName } from './settings.js';

/**
 * The learning rate at `step` of `totalSteps`: constant, or cosine decay from `base` to
 * `base · floor` (Loshchilov & Hutter 2017, without restarts), after a linear warm-up.
 * @example
 * learningRate('cosine', 1e-3, 500, 1000); // 5e-4 + floor share
 */
export function learningRate(schedule: ScheduleName, base: number, step: number, totalSteps: number,
  { warmupSteps = 0, floor = 0.01 }: { warmupSteps?: number; floor?: number } = {}): number {
  if (step < warmupSteps) return base * (step + 1) / warmupSteps;
  if (schedule === 'constant') return base;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * A run folder's loss per epoch as plot points, read from its files alone: metrics.json once the
 * run has ended, else the events it has logged so far (a run still training). The report draws
 * them, and so does the dashboard, for one run or for several on one plot.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile } from '../io/read-file.js';
import { RUN_FILES } from '../io/run-folder.js';
import type { SeriesPoint } from '../viz/plots.js';
import { readRunEvents } from './run-events.js';

type Json = Record<string, unknown>;

/**
 * The loss curves of a run folder: train, validation and test sse (with --test-curve) per epoch;
 * per stage for greedy pretraining. Empty when the folder has no curve (a PCA, a comparison).
 * @param dir the run folder.
 * @param metrics its metrics.json when the caller has read it already; read here otherwise.
 * @example
 * const points = runLossPoints('runs/deep'); // [{ series: 'train', x: 1, y: 31.2 }, …]
 */
export function runLossPoints(dir: string, metrics: Json | null = readMetrics(dir)): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  const add = (series: string, values: unknown) => {
    if (!Array.isArray(values)) return;
    values.forEach((y, i) => { if (typeof y === 'number') points.push({ series, x: i + 1, y }); });
  };
  if (metrics && Array.isArray(metrics.trainLoss)) {
    add('train', metrics.trainLoss);
    add('validation', metrics.valLoss);
    add('test sse', metrics.testSseCurve);
  } else if (metrics && Array.isArray(metrics.stages)) {
    (metrics.stages as Json[]).forEach((stage, i) => { add(`stage ${i + 1} train`, stage.trainLoss); add(`stage ${i + 1} validation`, stage.valLoss); });
  } else {
    for (const e of readRunEvents(dir)) {
      if (e.type !== 'epoch') continue;
      points.push({ series: 'train', x: e.epoch, y: e.trainLoss });
      if (e.valLoss !== null) points.push({ series: 'validation', x: e.epoch, y: e.valLoss });
      if (e.testSse !== undefined) points.push({ series: 'test sse', x: e.epoch, y: e.testSse });
    }
  }
  return points;
}

/** metrics.json as an object, or null when it is missing or not a JSON object (a run still training). */
function readMetrics(dir: string): Json | null {
  const path = join(dir, RUN_FILES.metrics);
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readRegularFile(path, 'JSON file').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : null;
  } catch {
    // Half-written by an older aekit, or hand-edited: the events still tell the curve.
    return null;
  }
}

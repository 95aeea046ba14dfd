/**
 * Scoring a file with a trained autoencoder (`aekit anomaly --model DIR --input FILE`): each row's
 * reconstruction error, a threshold from a contamination share or from rows known to be normal,
 * ROC-AUC and PR-AUC against 0/1 labels, and the files of scores and per-feature errors.
 */
import { type InputColumns, inputRows } from '../../data/data-split.js';
import { type Dataset, expectRowsFit } from '../../data/dataset.js';
import { readCsv } from '../../data/csv.js';
import { readNpy } from '../../data/npy.js';
import { applyScaling } from '../../data/scaling.js';
import { tableFormat, writeMatrixFile, writeTable } from '../../data/write-table.js';
import { DataError, UsageError } from '../../errors.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { loadRun } from '../../run/save-load.js';
import { DEFAULT_ERROR_METRIC, type ErrorMetric, featureErrors, flagAnomalies, type FlaggedScores, reconstructionErrors, relativeSse, summarizeScores } from './anomaly.js';
import { prAuc, rocAuc } from './anomaly-metrics.js';

/** What to score and what to do with the scores; the names are the command's flags. */
export interface ScoreFileOptions {
  /** The run folder of a model trained on normal data. */
  model: string;
  /** The rows to score. */
  input: string;
  metric?: ErrorMetric;
  /** Flag this share of the input (the scores above their (1 - p)-quantile). */
  contamination?: number;
  /** Rows known to be normal: flag the scores above `quantile` of theirs. */
  validation?: string;
  quantile?: number;
  /** A file of one 0/1 label per input row. */
  labels?: string;
  /** The column of a table input that holds the 0/1 labels. */
  labelColumn?: string;
  /** Where to write one score (and flag) per row. */
  output?: string;
  /** Where to write every feature's squared error. */
  perFeature?: string;
  /** Score only the first N rows. */
  limit?: number;
}

/** The scores of a file, summarized, with the threshold and the measures asked for. */
export interface ScoreFileResult {
  input: Dataset;
  metric: ErrorMetric;
  scores: Float64Array | Float32Array;
  summary: ReturnType<typeof summarizeScores>;
  flagged: FlaggedScores | null;
  rule: { contamination: number } | { validation: string; quantile: number } | null;
  auc: number | null;
  pr: number | null;
  /** The ten highest scores, highest first (ties by row). */
  top: { row: number; score: number }[];
}

/**
 * Scores the rows of a file by reconstruction error with a trained model, flags those above a
 * threshold when one is set, measures the scores against labels when given, and writes the
 * files asked for.
 * @throws UsageError for bce with a non-sigmoid output; DataError for rows or labels that do not fit
 * @example
 * const { summary, top } = scoreFile({ model: 'runs/three/class-3', input: 'mnist', contamination: 0.1 });
 */
export function scoreFile(opts: ScoreFileOptions): ScoreFileResult {
  const { model, record } = loadRun(opts.model);
  const metric = opts.metric ?? DEFAULT_ERROR_METRIC;
  if (metric === 'bce' && model.output.activation !== 'sigmoid') {
    throw new UsageError(`anomaly: --metric bce needs a model with a sigmoid output; ${opts.model} has a ${model.output.activation} output: use sse`);
  }
  const scaling = record.data?.scale ?? null;
  // Tables are read without the run's label column when they have it, and without the one named.
  const rowsOf = (spec: string, columns: InputColumns, limit?: number) => checkedRows(model, applyScaling(inputRows(spec, limit, columns), scaling), spec);
  const input = rowsOf(opts.input, { named: opts.labelColumn, run: record.data?.labelColumn }, opts.limit);
  const labels = opts.labels !== undefined
    ? readLabels(opts.labels, input.n, opts.limit)
    : opts.labelColumn !== undefined ? anomalyLabels(input.labels!, input.n, `${opts.input}, column "${opts.labelColumn}"`) : undefined;
  const scoreOf = (rows: Dataset) => {
    const errors = reconstructionErrors(model, rows);
    return metric === 'bce' ? errors.bce! : metric === 'relative-sse' ? relativeSse(errors.sse, rows) : errors.sse;
  };
  const scores = scoreOf(input);
  let flagged: FlaggedScores | null = null;
  if (opts.contamination !== undefined) flagged = flagAnomalies(scores, { kind: 'contamination', share: opts.contamination });
  if (opts.validation !== undefined) {
    const normal = rowsOf(opts.validation, { run: opts.labelColumn ?? record.data?.labelColumn });
    flagged = flagAnomalies(scores, { kind: 'validation', normalScores: scoreOf(normal), quantile: opts.quantile ?? 0.99 });
  }
  const auc = labels ? rocAuc(scores, labels) : null;
  const pr = labels ? prAuc(scores, labels) : null;
  if (opts.output) writeTable(opts.output, [{ name: metric, values: scores }, ...(flagged ? [{ name: 'anomaly', values: flagged.flags }] : [])]);
  if (opts.perFeature) {
    const errors = featureErrors(model, input);
    writeMatrixFile(opts.perFeature, errors.x, errors.n, errors.features);
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const top = order.slice(0, 10).map((row) => ({ row, score: scores[row] }));
  const rule = opts.contamination !== undefined ? { contamination: opts.contamination } : opts.validation !== undefined ? { validation: opts.validation, quantile: opts.quantile ?? 0.99 } : null;
  const summary = summarizeScores(scores);
  return { input, metric, scores, summary, flagged, rule, auc, pr, top };
}

/** Rows of the model's width, or one line naming the file. */
function checkedRows(model: Autoencoder, rows: Dataset, spec: string): Dataset {
  expectRowsFit({ name: spec, features: rows.features }, model.inputSize);
  return rows;
}

/** The 0/1 labels of a file (.csv, or .npy read as stored: a uint8 1 is 1), one per input row. */
function readLabels(path: string, rows: number, limit?: number): Uint8Array {
  let values: ArrayLike<number>;
  let width: number;
  if (tableFormat(path, '--labels') === 'npy') {
    const { shape, data } = readNpy(path);
    width = shape.slice(1).reduce((a, b) => a * b, 1);
    values = data;
  } else {
    const table = readCsv(path);
    width = table.features;
    values = table.x;
  }
  if (width !== 1) throw new DataError(`${path}: expected one label per row (a single column), found ${width} values per row`);
  const n = Math.min(values.length, limit ?? Infinity);
  if (n !== rows) throw new DataError(`${path}: ${n} labels for ${rows} input rows; expected one per row`);
  return anomalyLabels(values, rows, path);
}

/** The first `rows` labels, checked to be 0 (normal) or 1 (anomaly), both present. @param source names them in errors */
export function anomalyLabels(values: ArrayLike<number>, rows: number, source: string): Uint8Array {
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) throw new DataError(`${source}: row ${i}: expected a label 0 (normal) or 1 (anomaly), found ${v}`);
    labels[i] = v;
  }
  if (!labels.includes(0) || !labels.includes(1)) {
    throw new DataError(`${source}: all ${labels.length} labels are ${labels[0]}; ROC-AUC and PR-AUC need both normal (0) and anomalous (1) rows`);
  }
  return labels;
}


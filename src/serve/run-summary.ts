/**
 * One line of the dashboard's run list: what an output folder is and how it did, read from its
 * small JSON records (model.json and metrics.json, or compare.json, pca.json, anomaly.json,
 * segment.json). Reading never fails: a record that cannot be read makes a row that says so.
 */
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { trainerRunning } from '../run/trainer-process.js';
import { fileUnder, parseJsonQuietly, readFileUnder } from './safe-path.js';

/** The records that mark an output folder, in the order that decides its kind. */
export const RECORD_FILES = ['model.json', 'compare.json', 'pca.json', 'segment.json', 'anomaly.json'] as const;

/** Records bigger than this are not read for the list (a real one is a few kB). */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** A row of the run list. Numbers are null where the folder has none. */
export interface RunSummary {
  /** The folder, relative to the runs folder, `/`-separated: `deep`, `compare-x/deep`. */
  id: string;
  /** autoencoder, classifier, encoder, compare, pca, segment or anomaly. */
  kind: string;
  preset: string | null;
  data: string | null;
  /**
   * training, done or aborted for runs that train (stopped: training, but its process is gone,
   * killed or crashed; `aekit train --resume` continues it); done for the others.
   */
  status: string;
  epochs: number | null;
  /** Test sse and bce of an autoencoder (sse of PCA too). */
  sse: number | null;
  bce: number | null;
  /** The folder's headline when sse does not say it: accuracy, mean ROC-AUC, mean IoU, a comparison. */
  headline: string | null;
  /** When the record was last written, ISO 8601. */
  date: string;
  /** Whether report.html is there to open. */
  report: boolean;
  /** Set when a record could not be read. */
  error?: string;
}

type Json = Record<string, unknown>;

/**
 * Summarizes the output folder `dir` for the run list.
 * @param dir the folder.
 * @param id its name relative to the runs folder.
 * @param recordFile the record that marks it (one of RECORD_FILES).
 * @param recordStat that record's stat, already taken by the caller.
 * @param root the runs folder: every file read must really lie under it (default: `dir`).
 * @example
 * summarizeRun('runs/deep', 'deep', 'model.json', statSync('runs/deep/model.json'));
 */
export function summarizeRun(dir: string, id: string, recordFile: string, recordStat: Stats, root = dir): RunSummary {
  const row: RunSummary = {
    id, kind: recordFile.replace('.json', ''), preset: null, data: null, status: 'done', epochs: null,
    sse: null, bce: null, headline: null, date: recordStat.mtime.toISOString(), report: fileUnder(root, join(dir, 'report.html')) !== null,
  };
  try {
    const record = readJson(root, join(dir, recordFile));
    if (recordFile === 'model.json') describeModel(row, record, dir, root);
    else describeOutput(row, recordFile, record);
  } catch (error) {
    row.error = `${recordFile}: ${(error as Error).message}`;
  }
  return row;
}

/** A training run of any model: its record, and its metrics once it has ended. */
function describeModel(row: RunSummary, record: Json, dir: string, root: string): void {
  row.kind = record.format === 'aekit-classifier' ? 'classifier' : record.format === 'aekit-encoder' ? 'encoder' : 'autoencoder';
  row.preset = str(record.preset);
  const data = record.data as Json | null | undefined;
  row.data = str(data?.name) ?? str(data?.spec) ?? str(record.data);
  row.status = str(record.status) ?? 'done';
  if (row.status === 'training' && trainerRunning(record.trainer) === false) row.status = 'stopped';
  const metrics = existsQuietly(join(dir, 'metrics.json')) ? readJson(root, join(dir, 'metrics.json'), 'metrics.json') : null;
  const test = ((metrics?.test ?? (record.metrics as Json | undefined)?.test) ?? null) as Json | null;
  row.sse = num(test?.sse);
  row.bce = num(test?.bce);
  if (num(test?.accuracy) !== null) row.headline = `accuracy ${fixed(num(test?.accuracy))}`;
  row.epochs = Array.isArray(metrics?.trainLoss) ? metrics.trainLoss.length : num(record.epoch);
}

/** Whether the run in `dir` says it is training while the process training it is gone (killed or crashed). */
export function runStopped(dir: string, root = dir): boolean {
  try {
    const record = readJson(root, join(dir, 'model.json'));
    return record.status === 'training' && trainerRunning(record.trainer) === false;
  } catch {
    return false;
  }
}

/** The applications' folders: each has its own headline number. */
function describeOutput(row: RunSummary, recordFile: string, record: Json): void {
  row.data = str(record.data);
  if (record.aborted === true) row.status = 'aborted';
  switch (recordFile) {
    case 'pca.json':
      row.sse = num((record.test as Json | undefined)?.sse);
      row.headline = `${String(record.components)} components`;
      break;
    case 'compare.json': {
      const rows = Array.isArray(record.rows) ? record.rows as Json[] : [];
      row.headline = rows.map((r) => `${String(r.method)} ${fixed(num(r.sse))}`).join(', ') || null;
      row.headline &&= `sse: ${row.headline}`;
      break;
    }
    case 'anomaly.json':
      row.preset = str(record.preset);
      row.headline = `mean ROC-AUC ${fixed(num(record.meanAuc))}`;
      break;
    case 'segment.json':
      row.epochs = num(record.epochs);
      row.headline = `mean IoU ${fixed(num(record.meanIoU))}, pixel accuracy ${fixed(num(record.pixelAccuracy))}`;
      break;
  }
}

/** A record under `root`, as a JSON object; errors say what is wrong, never what the file holds. */
function readJson(root: string, path: string, name = ''): Json {
  const prefix = name ? `${name}: ` : '';
  let value: unknown;
  try {
    value = parseJsonQuietly(readFileUnder(root, path, MAX_RECORD_BYTES).toString('utf8'));
  } catch (error) {
    throw new Error(`${prefix}${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${prefix}not a JSON object`);
  return value as Json;
}

/** Whether anything (a file, a link, even a dangling one) has that name. */
function existsQuietly(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const fixed = (v: number | null): string => (v === null ? '-' : v.toFixed(4).replace(/\.?0+$/, ''));

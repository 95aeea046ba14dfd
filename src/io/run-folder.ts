/**
 * The run folder on disk: model.json (what the model is and how it was made), model.safetensors
 * (its weights), metrics.json. Files are written to a temporary name and renamed, so a crash
 * never leaves half a file where a good one was.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataError, UsageError } from '../errors.js';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors.js';

/** The file names inside a run folder. */
export const RUN_FILES = {
  model: 'model.json',
  weights: 'model.safetensors',
  metrics: 'metrics.json',
  reconstructions: 'reconstructions.png',
  filters: 'filters.png',
} as const;

/** Files whose presence marks a folder as aekit's output (a run, a comparison, a PCA). */
const OUTPUT_MARKERS = [RUN_FILES.model, 'compare.json', 'pca.json'];

/**
 * Makes `dir` ready for a new run: creates it, or reuses an empty one. A non-empty one is
 * emptied with `force` when it holds aekit's output (so no old picture or metric stays beside
 * the new model), and refused otherwise.
 * @example
 * prepareRunFolder('runs/deep', false);
 */
export function prepareRunFolder(dir: string, force: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: is a file; --out takes a folder (it is created when missing)`);
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      if (!force) throw new UsageError(`${dir}: the folder exists and is not empty; pass --force to replace the run in it, or choose another --out`);
      if (!OUTPUT_MARKERS.some((f) => entries.includes(f))) {
        throw new UsageError(`${dir}: holds files aekit did not write (no ${OUTPUT_MARKERS.join(', ')}); --force replaces only aekit's own output folders, choose another --out`);
      }
      for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  makeFolder(dir);
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's recursive mkdir never
 * returns for a path under /proc, where the kernel answers ENOENT for a parent that exists.)
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      throw new UsageError(`${dir}: cannot create the folder ${d} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
}

/** Writes `text` to `path` through a temporary file and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Writes a JSON file (pretty, atomically). */
export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the weights atomically. */
export function writeWeights(dir: string, tensors: readonly { name: string; shape: number[]; data: Float32Array }[], metadata: Record<string, string> = {}): void {
  const tmp = join(dir, `${RUN_FILES.weights}.tmp-${process.pid}`);
  writeSafetensors(tmp, Object.fromEntries(tensors.map((t) => [t.name, { shape: t.shape, data: t.data }])), metadata);
  renameSync(tmp, join(dir, RUN_FILES.weights));
}

/** What a run folder holds, read back. */
export interface RunFolder {
  dir: string;
  /** model.json, parsed as JSON but not validated (the run record's schema does that). */
  model: unknown;
  weights: { name: string; shape: number[]; data: Float32Array }[];
}

/**
 * Reads a run folder written by aekit.
 * @example
 * const run = readRunFolder('runs/deep');
 */
export function readRunFolder(dir: string): RunFolder {
  const modelPath = join(dir, RUN_FILES.model);
  if (!existsSync(modelPath)) throw new DataError(`${dir}: not a run folder (no ${RUN_FILES.model}); expected the --out folder of 'aekit train'`);
  let model: unknown;
  try {
    model = JSON.parse(readFileSync(modelPath, 'utf8'));
  } catch (error) {
    throw new DataError(`${modelPath}: not valid JSON (${(error as Error).message})`);
  }
  const content = readSafetensors(join(dir, RUN_FILES.weights));
  const weights = [...content.tensors].map(([name, t]: [string, NamedTensor]) => ({ name, shape: t.shape, data: t.data }));
  return { dir, model, weights };
}

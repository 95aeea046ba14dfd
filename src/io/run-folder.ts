/**
 * The run folder on disk: model.json (what the model is and how it was made), model.safetensors
 * (its weights), metrics.json. Files are written to a temporary name and renamed, so a crash
 * never leaves half a file where a good one was.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataError, OutputFolderError, UsageError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { checkRecordedDigest, sealSelfDigest, selfDigestPlaceholder, sha256Hex } from './digest.js';
import { readRegularFile } from './read-file.js';
import { encodeSafetensors, parseSafetensors, type NamedTensor } from './safetensors.js';

export { writeFileAtomic } from './atomic-write.js';

/** The file names inside a run folder. */
export const RUN_FILES = {
  model: 'model.json',
  weights: 'model.safetensors',
  metrics: 'metrics.json',
  /** The training state to resume from, while a run trains or after it was stopped. */
  checkpoint: 'checkpoint.safetensors',
  reconstructions: 'reconstructions.png',
  filters: 'filters.png',
  /** What the run did so far, a JSON object a line (start, epochs, end), for live views. */
  events: 'events.jsonl',
  /** The run on one self-contained page: config, metrics, pictures and plots. */
  report: 'report.html',
} as const;

/** Files whose presence marks a folder as aekit's output (a run, a comparison, a PCA). */
const OUTPUT_MARKERS = [RUN_FILES.model, 'compare.json', 'pca.json', 'segment.json', 'anomaly.json'];

/**
 * Makes `dir` ready for a new run: creates it, or reuses an empty one. A non-empty one is
 * emptied with `force` when it holds aekit's output (so no old picture or metric stays beside
 * the new model), and refused otherwise.
 * @param forceHint how the caller's user asks for force, for the refusal: "{ force: true }" by
 *   default; a function names itself ("saveModel(model, dir, { force: true })")
 * @throws OutputFolderError saying what to do, in the library's words and the command line's
 * @example
 * prepareRunFolder('runs/deep', false);
 */
export function prepareRunFolder(dir: string, force: boolean, forceHint = '{ force: true }'): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      throw new OutputFolderError(`${dir}: is a file; expected a folder (it is created when missing)`, `${dir}: is a file; --out takes a folder (it is created when missing)`);
    }
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      if (!force) {
        throw new OutputFolderError(`${dir}: the folder exists and is not empty; pass ${forceHint} to replace the output in it, or choose another folder`,
          `${dir}: the folder exists and is not empty; pass --force to replace the run in it, or choose another --out`);
      }
      // A run killed while it wrote its first file leaves only that file's temporary copy.
      const ours = (f: string) => OUTPUT_MARKERS.includes(f) || /\.tmp-\d+$/.test(f);
      if (!entries.some(ours)) {
        const foreign = `${dir}: holds files aekit did not write (no ${OUTPUT_MARKERS.join(', ')})`;
        throw new OutputFolderError(`${foreign}; force replaces only aekit's own output folders: choose another folder`,
          `${foreign}; --force replaces only aekit's own output folders, choose another --out`);
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

/** Writes a JSON file (pretty, atomically). */
export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

type TensorList = readonly { name: string; shape: readonly number[]; data: Float32Array | Uint32Array }[];

/** Named tensors as safetensors bytes that carry their own SHA-256 (see io/digest.ts). */
function sealedSafetensors(tensors: TensorList, metadata: Record<string, string>): Uint8Array {
  const bytes = encodeSafetensors(new Map(tensors.map((t) => [t.name, { shape: [...t.shape], data: t.data }])), { ...metadata, ...selfDigestPlaceholder() });
  sealSelfDigest(bytes, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)));
  return bytes;
}

/**
 * Writes named tensors (float32, or U32 words) as a safetensors file carrying its own digest, atomically.
 * @returns the SHA-256 of the whole file, for a record that names it (see checkRecordedDigest)
 */
export function writeTensorsFile(path: string, tensors: TensorList, metadata: Record<string, string> = {}): string {
  const bytes = sealedSafetensors(tensors, metadata);
  writeFileAtomic(path, bytes);
  return sha256Hex(bytes);
}

/** The digest fields of a run record, as model.json holds them. */
interface RecordDigest {
  /** SHA-256 of the whole model.safetensors. */
  weightsSha256?: string;
  /** Also accepted while new weights are being put in place (a crash between the two renames). */
  weightsSha256Pending?: string;
}

function currentRecord(dir: string): Record<string, unknown> | undefined {
  if (!existsSync(join(dir, RUN_FILES.model))) return undefined;
  const record = readRunRecordFile(dir);
  return record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : undefined;
}

/**
 * Writes the weights atomically, and keeps model.json's digest of them true at every moment: the
 * record first accepts the new file's digest beside the old one, then the file is renamed into
 * place, then the record keeps the new digest alone.
 */
export function writeWeights(dir: string, tensors: readonly { name: string; shape: number[]; data: Float32Array }[], metadata: Record<string, string> = {}): void {
  const bytes = sealedSafetensors(tensors, metadata);
  const digest = sha256Hex(bytes);
  const record = currentRecord(dir);
  if (record) writeJson(join(dir, RUN_FILES.model), { ...record, weightsSha256Pending: digest });
  writeFileAtomic(join(dir, RUN_FILES.weights), bytes);
  if (record) {
    const { weightsSha256Pending: _pending, ...rest } = record;
    writeJson(join(dir, RUN_FILES.model), { ...rest, weightsSha256: digest });
  }
}

/**
 * Writes a run folder's model.json with the digest of its weights: the one the folder's record
 * already holds (kept from writeWeights), or for a new folder whose weights were written first,
 * that of the file there.
 * @example
 * writeRunRecord('runs/deep', record);
 */
export function writeRunRecord(dir: string, record: object): void {
  const before = currentRecord(dir);
  const weights = join(dir, RUN_FILES.weights);
  let digest: RecordDigest = {};
  if (before && typeof before.weightsSha256 === 'string') {
    digest = { weightsSha256: before.weightsSha256, ...(typeof before.weightsSha256Pending === 'string' ? { weightsSha256Pending: before.weightsSha256Pending } : {}) };
  } else if (!before && existsSync(weights)) {
    digest = { weightsSha256: sha256Hex(readRegularFile(weights, 'weights file')) };
  }
  writeJson(join(dir, RUN_FILES.model), { ...record, ...digest });
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
  const model = readRunRecordFile(dir);
  const weightsPath = join(dir, RUN_FILES.weights);
  const bytes = readRegularFile(weightsPath, 'safetensors file');
  // Every model aekit loads comes through here: the weights must be those the record names.
  checkRecordedDigest(bytes, model, weightsPath, join(dir, RUN_FILES.model));
  const content = parseSafetensors(bytes, weightsPath);
  const weights = [...content.tensors].map(([name, t]: [string, NamedTensor]) => ({ name, shape: t.shape, data: t.data }));
  return { dir, model, weights };
}

/**
 * A run folder's model.json, parsed as JSON (the run record's schema validates it).
 * @throws DataError when the folder has none or it is not JSON
 */
export function readRunRecordFile(dir: string): unknown {
  const modelPath = join(dir, RUN_FILES.model);
  if (!existsSync(modelPath)) throw new DataError(`${dir}: not a run folder (no ${RUN_FILES.model}); expected the --out folder of 'aekit train'`);
  const text = readRegularFile(modelPath, 'run record').toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${modelPath}: not valid JSON (${(error as Error).message})`);
  }
}

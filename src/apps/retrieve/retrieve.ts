/**
 * Semantic hashing (Salakhutdinov & Hinton 2009) as an application: binary codes from a trained
 * autoencoder's sigmoid code, a Hamming index over the database, and retrieval scored by label
 * (a database item is relevant to a query of the same class), beside the LSH, PCAH and ITQ codes
 * of the same data under the same protocol.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { loadData } from '../../data/load-data.js';
import { type RetrievalProtocol, standardRetrievalSplit, writeIdxFolder } from '../../data/retrieval-split.js';
import { DataError, UsageError } from '../../errors.js';
import { type PackedCodes, packCodes } from '../../hashing/bits.js';
import { type Hasher, itqHasher, lshHasher, pcaHasher } from '../../hashing/baselines.js';
import { HammingIndex } from '../../hashing/hamming-index.js';
import { INDEX_FILE, loadHashIndex, saveHashIndex } from '../../hashing/index-file.js';
import { readRegularFile } from '../../io/read-file.js';
import { RUN_FILES } from '../../io/run-folder.js';
import { averagePrecision, precisionAt, precisionAtRecall, RECALL_LEVELS } from '../../hashing/ranking-metrics.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import type { ModelSpecInput } from '../../models/config.js';
import { hashModel, presetHashingTerms } from '../../training/presets.js';
import type { TrainingEvent } from '../../training/fit.js';
import { loadRun } from '../../run/save-load.js';
import { trainRun } from '../train/train-run.js';
import { transformRows } from '../../run/transform.js';
import { writeReport } from '../../run/report.js';
import { renderPlot, unitCurveSpec } from '../../viz/plots.js';
import { writeFileAtomic } from '../../io/atomic-write.js';

/** How a set of codes retrieves. */
export interface RetrievalScores {
  /** Mean over queries of the average precision over the whole ranked database (ties by index). */
  mAP: number;
  /** The same over the first 5,000 of each ranking. */
  mapAt5000: number;
  /** The share of same-class items among each query's 100 nearest, averaged. */
  precisionAt100: number;
  /** The share of same-class items within Hamming distance 2 (0 for a query that finds none), averaged. */
  precisionRadius2: number;
  /** Queries answered per second: exhaustive ranking of the database, and the radius-2 lookup. */
  queriesPerSecond: { ranking: number; radius: number };
  /** The precision–recall curve: interpolated precision at recall 0.1, 0.2, …, 1, averaged over queries. */
  precisionAtRecall: number[];
}

/** One code length's results. */
export interface RetrievalResult extends RetrievalScores {
  bits: number;
  /** The baselines under the same protocol; null when they were not asked for. */
  baselines: { lsh: RetrievalScores; pcah: RetrievalScores; itq: RetrievalScores } | null;
  /** The model's run folder. */
  runDir: string;
  /** The database's index, saved beside the model. */
  index: string;
}

/** What `aekit retrieve` can be told. */
export interface RetrieveOptions {
  /** A trained model whose sigmoid code gives the bits; without it, the hash preset trains per length. */
  model?: string;
  /** Code lengths to train (without `model`); default 16, 32, 64. */
  bits?: number[];
  data?: string;
  /**
   * `split` (default): the training split is the database, the test split the queries.
   * `standard`: both pooled, `queries` of them (default 1,000, the same number per class) drawn
   * with the seed, and the rest both the training set and the database (written as an IDX
   * folder, `OUT/standard-data`, which the models train on).
   */
  protocol?: RetrievalProtocol;
  /** Database: the first N training examples (default all); under `standard`, the first N of the rest. */
  limit?: number;
  /** Queries: the first N test examples (default all); under `standard`, how many to draw. */
  queries?: number;
  epochs?: number;
  seed?: number;
  /** The hash preset's code noise σ and hashing terms, in place of its defaults (for sweeps). */
  hashModel?: { sigma?: number; hashing?: ModelSpecInput['hashing'] };
  /** Weights of the hash preset's terms in place of its own at each length (the others keep the preset's). */
  termWeights?: { consistency?: number; balance?: number; decorrelation?: number };
  /** Fit and score LSH, PCAH and ITQ beside the model (default true; false skips their fitting). */
  baselines?: boolean;
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

/**
 * Trains (or loads) hashing autoencoders, and scores their codes and the baselines' on one split.
 * @example
 * const { results } = await retrieve({ bits: [32], limit: 5000, queries: 500, epochs: 5, out: 'runs/hash' });
 */
export async function retrieve(options: RetrieveOptions): Promise<{ results: RetrievalResult[]; protocol: RetrievalProtocol; database: number; queries: number }> {
  const { data, database, queries } = retrievalData(options);
  const lengths = options.model ? [null] : options.bits ?? [16, 32, 64];
  const results: RetrievalResult[] = [];
  for (const length of lengths) {
    let model: Autoencoder;
    let runDir: string;
    if (options.model) {
      ({ model } = loadRun(options.model));
      runDir = options.model;
    } else {
      runDir = join(options.out, `hash-${length}`);
      // The hash preset's training, with the code length asked for.
      await trainRun({
        preset: 'hash', config: hashModel(database.features, length!, options.hashModel?.sigma, options.hashModel?.hashing ?? { ...presetHashingTerms(length!), ...options.termWeights }), data, limit: options.limit, epochs: options.epochs,
        seed: options.seed, out: runDir, force: options.force, signal: options.signal, onEvent: options.onEvent,
      });
      ({ model } = loadRun(runDir));
    }
    const bits = model.codeSize;
    if (options.model && options.bits && !(options.bits.length === 1 && options.bits[0] === bits)) {
      throw new UsageError(`--bits ${options.bits.join(',')}: ${options.model} has a code of ${bits} units, so it gives ${bits}-bit codes only; leave out --bits, or train a model of that length (aekit retrieve --bits N)`);
    }
    const encode = (rows: Dataset) => packCodes(codesInUnitRange(model, rows, runDir), bits);
    const baseline = (hasher: Hasher) => score(hasher.encode(database), hasher.encode(queries), database, queries);
    const index = databaseIndex(runDir, database, () => encode(database), !options.model);
    results.push({
      bits, ...score(index.codes, encode(queries), database, queries), runDir, index: join(runDir, INDEX_FILE),
      baselines: options.baselines === false ? null : {
        lsh: baseline(lshHasher(database, bits, options.seed ?? 0)),
        pcah: baseline(pcaHasher(database, bits)),
        itq: baseline(itqHasher(database, bits, { seed: options.seed ?? 0 }).hasher),
      },
    });
    await writePrecisionRecall(runDir, results.at(-1)!);
    if (options.signal?.aborted) break;
  }
  return { results, protocol: options.protocol ?? 'split', database: database.n, queries: queries.n };
}

/**
 * The database and queries under the protocol asked for, and the data spec the models train on:
 * the source itself, or for the standard protocol an IDX folder of its database and queries.
 */
function retrievalData(options: RetrieveOptions): { data: string; database: Dataset; queries: Dataset } {
  const source = options.data ?? 'mnist';
  const standard = options.protocol === 'standard';
  let database = loadData(source, { split: 'train', limit: standard ? undefined : options.limit });
  let queries = loadData(source, { split: 'test', limit: standard ? undefined : options.queries });
  for (const set of [database, queries]) {
    if (!set.labels || (set.labelShape ?? []).length > 0) throw new DataError(`${set.name}: retrieval is scored by class labels, one per example, and this data has none`);
  }
  if (!standard) return { data: source, database, queries };
  ({ database, queries } = standardRetrievalSplit(database, queries, { queries: options.queries, seed: options.seed, limit: options.limit }));
  if (options.model) return { data: source, database, queries };
  const folder = join(options.out, 'standard-data');
  writeIdxFolder(folder, database, queries);
  return { data: folder, database, queries };
}

/** pr.svg in the model's run folder: its codes' precision–recall curve beside the baselines', then the folder's report. */
async function writePrecisionRecall(dir: string, result: RetrievalResult): Promise<void> {
  const curves: [string, RetrievalScores][] = [[`autoencoder, ${result.bits} bits`, result]];
  if (result.baselines) curves.push(['LSH', result.baselines.lsh], ['PCAH', result.baselines.pcah], ['ITQ', result.baselines.itq]);
  const points = curves.flatMap(([series, s]) => s.precisionAtRecall.map((y, i) => ({ series, x: RECALL_LEVELS[i], y })));
  const title = `Retrieval by Hamming ranking, ${result.bits}-bit codes: precision against recall`;
  writeFileAtomic(join(dir, 'pr.svg'), await renderPlot(unitCurveSpec(points, title, ['recall', 'precision (interpolated, mean over queries)'])));
  await writeReport(dir);
}

/** The model's codes of `rows`, which must lie in [0, 1] to be read as bits at 0.5. */
function codesInUnitRange(model: Autoencoder, rows: Dataset, dir: string): Float32Array {
  const codes = transformRows(model, 'encode', rows);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of codes.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo < 0 || hi > 1) {
    throw new UsageError(`${dir}: its code takes values from ${lo.toPrecision(3)} to ${hi.toPrecision(3)}, not in [0, 1], so it gives no bits; a hashing model ends its encoder in a sigmoid (the hash preset)`);
  }
  return codes.x;
}

/**
 * The database's index for the model in `dir`: read from the index file saved beside it when
 * one is there (and `fresh` is false), else built from `encode()` and saved there.
 * @throws DataError when the saved index is another model's, or of another database
 */
function databaseIndex(dir: string, database: Dataset, encode: () => PackedCodes, fresh: boolean): HammingIndex {
  const path = join(dir, INDEX_FILE);
  const model = weightsDigest(dir);
  if (!fresh && existsSync(path)) {
    const { index, source } = loadHashIndex(path, { model });
    if (index.size !== database.n || source.database !== database.name) {
      throw new DataError(`${path}: an index of ${index.size} codes of ${source.database || 'unnamed data'}, but the database is ${database.n} examples of ${database.name}; delete it to rebuild it`);
    }
    return index;
  }
  const index = HammingIndex.build(encode());
  saveHashIndex(path, index, { model, database: database.name });
  return index;
}

/** A short digest of a run folder's weights file: which weights made a set of codes. */
function weightsDigest(dir: string): string {
  return createHash('sha256').update(readRegularFile(join(dir, RUN_FILES.weights), 'weights file')).digest('hex').slice(0, 16);
}

/**
 * Scores query codes against database codes by label.
 * @example
 * const { mAP } = score(databaseCodes, queryCodes, database, queries);
 */
export function score(databaseCodes: PackedCodes, queryCodes: PackedCodes, database: Dataset, queries: Dataset): RetrievalScores {
  if (databaseCodes.n !== database.n || queryCodes.n !== queries.n) throw new UsageError('score: one code per example is needed');
  const index = HammingIndex.build(databaseCodes);
  const dbLabels = database.labels!;
  const queryLabels = queries.labels!;
  let map = 0;
  let map5000 = 0;
  let p100 = 0;
  let radius2 = 0;
  let rankingSeconds = 0;
  let radiusSeconds = 0;
  const curve = new Array<number>(RECALL_LEVELS.length).fill(0);
  for (let q = 0; q < queries.n; q++) {
    const relevant = (i: number) => dbLabels[i] === queryLabels[q];
    let t = performance.now();
    const ranked = index.rank(queryCodes, q).indices;
    rankingSeconds += (performance.now() - t) / 1000;
    map += averagePrecision(ranked, relevant);
    map5000 += averagePrecision(ranked, relevant, 5000);
    p100 += precisionAt(ranked, relevant, 100);
    precisionAtRecall(ranked, relevant).forEach((p, i) => { curve[i] += p; });
    t = performance.now();
    const near = index.withinRadius(queryCodes, 2, q).indices;
    radiusSeconds += (performance.now() - t) / 1000;
    radius2 += precisionAt(near, relevant);
  }
  const n = queries.n;
  return {
    mAP: map / n, mapAt5000: map5000 / n, precisionAt100: p100 / n, precisionRadius2: radius2 / n,
    queriesPerSecond: { ranking: n / Math.max(rankingSeconds, 1e-9), radius: n / Math.max(radiusSeconds, 1e-9) },
    precisionAtRecall: curve.map((p) => p / n),
  };
}

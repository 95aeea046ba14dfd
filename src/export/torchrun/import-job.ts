/**
 * `aekit import torchrun JOBDIR`: the run folder a torchrun job wrote (run/model.safetensors,
 * model.json, metrics.json), checked and completed by aekit: the weights loaded into the model of
 * the job's own job.json (every tensor there, with its shape), the test metrics evaluated by aekit
 * on the run's recorded data, the pictures and the report drawn, the job's loss curve kept.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { recordedData } from '../../run/run-data.js';
import { writeRunPictures } from '../../run/pictures.js';
import { writeReport } from '../../run/report.js';
import { check, type RunRecord, runRecordSchema } from '../../run/run-record.js';
import { DataError, UsageError } from '../../errors.js';
import { readRegularFile } from '../../io/read-file.js';
import { RUN_FILES, writeJson, writeWeights } from '../../io/run-folder.js';
import { readSafetensors } from '../../io/safetensors.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { loadStateDict, stateDict } from '../../models/state.js';
import { evaluate, type Metrics } from '../../training/evaluate.js';
import { JOB_FILES, type TorchrunJob } from './job-folder.js';
import { importClassifierRun, importSegmenterRun } from './import-labelled.js';
import type { ClassificationScores } from '../../models/classifier.js';
import type { SegmentationScores } from '../../models/segmenter.js';

/** What an import made. */
export interface TorchrunImportResult {
  out: string;
  /** What the job trained: its kind says which test scores these are. */
  kind: TorchrunJob['kind'];
  /** The test metrics aekit computed for the job's weights (a classifier's accuracy, a segmenter's IoU). */
  test: Metrics | ClassificationScores | SegmentationScores;
  /** The test metrics the job reported, or null when it wrote none. */
  jobTest: Metrics | Record<string, unknown> | null;
  trainLoss: number[];
  valLoss: number[];
  bestEpoch: number;
  files: string[];
}

function readJson(path: string, what: string): unknown {
  const text = readRegularFile(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reads what the job in `jobDir` wrote to its run folder and writes a complete aekit run folder
 * to `out` (default: the job's run folder itself).
 * @throws UsageError when the job has not written its run folder yet; DataError for a weight that does not fit
 * @example
 * const { test } = await importTorchrun('jobs/deep');
 */
export async function importTorchrun(jobDir: string, out = join(jobDir, JOB_FILES.run)): Promise<TorchrunImportResult> {
  const job = readJson(join(jobDir, JOB_FILES.job), 'torchrun job description') as TorchrunJob;
  if (job?.format !== 'aekit-torchrun-job') throw new DataError(`${join(jobDir, JOB_FILES.job)}: not an aekit torchrun job (its "format" is ${JSON.stringify(job?.format)})`);
  const runDir = join(jobDir, JOB_FILES.run);
  const weightsFile = join(runDir, RUN_FILES.weights);
  if (!existsSync(weightsFile)) {
    throw new UsageError(`${jobDir}: the job has not written ${weightsFile} yet; run it first (torchrun --standalone --nproc_per_node 2 ${join(jobDir, JOB_FILES.script)})`);
  }
  if (job.kind === 'classifier' || job.kind === 'segmenter') {
    if (out !== runDir) throw new UsageError(`${jobDir}: a ${job.kind}'s job is completed in place, in ${runDir}; drop --out`);
    const metricsPath = join(runDir, RUN_FILES.metrics);
    const jobMetrics = (existsSync(metricsPath) ? readJson(metricsPath, 'metrics') : {}) as { trainLoss?: number[]; valLoss?: number[]; bestEpoch?: number };
    const done = job.kind === 'classifier' ? await importClassifierRun(runDir, jobMetrics) : await importSegmenterRun(runDir, jobMetrics);
    return { out, kind: job.kind, ...done, trainLoss: jobMetrics.trainLoss ?? [], valLoss: jobMetrics.valLoss ?? [], bestEpoch: jobMetrics.bestEpoch ?? 0 };
  }
  // The job's record, with the settings it ran with (its --epochs, --limit); the export's when it wrote none.
  const recordFile = join(runDir, RUN_FILES.model);
  const written = existsSync(recordFile) ? readJson(recordFile, 'run record') : { ...job.record, status: 'done' };
  const record: RunRecord = check(runRecordSchema, written, recordFile);
  const metricsFile = join(runDir, RUN_FILES.metrics);
  const jobMetrics = (existsSync(metricsFile) ? readJson(metricsFile, 'metrics') : {}) as { trainLoss?: number[]; valLoss?: number[]; bestEpoch?: number; test?: Metrics; [key: string]: unknown };

  const model = Autoencoder.create(record.model, 0);
  const content = readSafetensors(weightsFile);
  loadStateDict(model, [...content.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), weightsFile);
  // The test rows the job scored: the recorded test limit too.
  const { test } = recordedData(record, jobDir, { testLimit: record.training?.testLimit });
  const metrics = evaluate(model, test);

  mkdirSync(out, { recursive: true });
  writeWeights(out, stateDict(model), { format: record.format });
  const bestEpoch = jobMetrics.bestEpoch ?? record.metrics?.bestEpoch ?? 0;
  writeJson(join(out, RUN_FILES.metrics), { ...jobMetrics, test: metrics, ...(jobMetrics.test ? { jobTest: jobMetrics.test } : {}) });
  const pictures = await writeRunPictures(out, model, test);
  writeJson(join(out, RUN_FILES.model), { ...record, status: 'done', metrics: { test: metrics, bestEpoch } } satisfies RunRecord);
  await writeReport(out);
  return {
    out, kind: job.kind, test: metrics, jobTest: jobMetrics.test ?? null, trainLoss: jobMetrics.trainLoss ?? [], valLoss: jobMetrics.valLoss ?? [], bestEpoch,
    files: [RUN_FILES.model, RUN_FILES.weights, RUN_FILES.metrics, ...pictures, RUN_FILES.report],
  };
}

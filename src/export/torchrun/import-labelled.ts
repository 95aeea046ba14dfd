/**
 * `aekit import torchrun` for a classifier's or segmenter's job: the run folder it wrote, its
 * weights loaded into the net its record describes (every tensor there, with its shape), and its
 * test scores computed by aekit on rows aekit makes again itself (the classifier's recorded test
 * split, the segmenter's test scenes), not on the job's copies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadData } from '../../data/load-data.js';
import { makeScenes } from '../../data/scenes.js';
import { DataError } from '../../errors.js';
import { sha256Hex } from '../../io/digest.js';
import { readJsonFile } from '../../io/read-file.js';
import { RUN_FILES, writeJson } from '../../io/run-folder.js';
import { classificationScores, type ClassificationScores } from '../../models/classifier.js';
import { segmentationScores, type SegmentationScores } from '../../models/segmenter.js';
import { loadClassifier } from '../../run/classifier-run.js';
import { classifierTestData } from '../../run/labelled-data.js';
import { writeReport } from '../../run/report.js';
import { loadSegmenter } from '../../run/segmenter-run.js';
import { Tensor } from '../../tensor/index.js';

/** What aekit scored of a labelled job's net, and what the job reported. */
export interface LabelledImport {
  test: ClassificationScores | SegmentationScores;
  jobTest: Record<string, unknown> | null;
  files: string[];
}

/** The digest the record keeps of the weights the job wrote, checked by every later load (see io/digest.ts). */
function weightsDigest(runDir: string): { weightsSha256: string } {
  return { weightsSha256: sha256Hex(readFileSync(join(runDir, RUN_FILES.weights))) };
}

/**
 * Checks and scores the classifier run a job wrote in `runDir`, and completes it there.
 * @example
 * const { test } = await importClassifierRun('jobs/classify/run', jobMetrics);
 */
export async function importClassifierRun(runDir: string, jobMetrics: Record<string, unknown>): Promise<LabelledImport> {
  const { model, record } = loadClassifier(runDir);
  const test = classifierTestData(record, runDir);
  const scores = classificationScores(model.predict(test.x), test.labels!, model.classes);
  writeJson(join(runDir, 'model.json'), { ...record, status: 'done', metrics: { test: { accuracy: scores.accuracy, error: scores.error }, examples: test.n }, ...weightsDigest(runDir) });
  writeJson(join(runDir, 'metrics.json'), { ...jobMetrics, test: scores, jobTest: jobMetrics.test ?? null });
  await writeReport(runDir);
  return { test: scores, jobTest: (jobMetrics.test as Record<string, unknown> | undefined) ?? null, files: ['model.json', 'model.safetensors', 'metrics.json', 'report.html'] };
}

/**
 * Checks and scores the segment folder a job wrote in `runDir` on the test scenes its record names,
 * and completes it there.
 * @example
 * const { test } = await importSegmenterRun('jobs/segnet/run', jobMetrics);
 */
export async function importSegmenterRun(runDir: string, jobMetrics: Record<string, unknown>): Promise<LabelledImport> {
  const net = loadSegmenter(runDir);
  const recordPath = join(runDir, 'segment.json');
  const record = readJsonFile(recordPath, 'segment record') as Record<string, unknown>;
  const { testScenes, seed } = record as { testScenes?: unknown; seed?: unknown };
  if (typeof testScenes !== 'number' || typeof seed !== 'number') throw new DataError(`${recordPath}: records no testScenes and seed; expected the segment.json of an aekit torchrun job`);
  const test = makeScenes(loadData('mnist', { split: 'test' }), testScenes, { size: net.inputShape[1], seed: seed + 1 });
  const predicted = new Uint8Array(test.n * test.features);
  for (let from = 0; from < test.n; from += 100) {
    const rows = Math.min(100, test.n - from);
    predicted.set(net.predict(new Tensor(test.x.subarray(from * test.features, (from + rows) * test.features), [rows, ...test.shape])), from * test.features);
  }
  const scores = segmentationScores(predicted, test.labels!, net.classes);
  const jobTest = { pixelAccuracy: record.pixelAccuracy, perClassIoU: record.perClassIoU, meanIoU: record.meanIoU };
  writeJson(recordPath, { ...record, ...scores, jobTest, ...weightsDigest(runDir) });
  writeJson(join(runDir, 'metrics.json'), { ...jobMetrics, test: scores, jobTest });
  await writeReport(runDir);
  return { test: scores, jobTest, files: ['segment.json', 'model.safetensors', 'metrics.json', 'report.html'] };
}

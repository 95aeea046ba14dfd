/**
 * The labelled rows of a classifier: the splits its encoder's data was trained on, or another
 * labelled source, scaled as the model's data was.
 */
import { existsSync } from 'node:fs';
import { assertFinite, type Dataset } from '../data/dataset.js';
import { loadRunData, readWithLabelColumn, type RunData, wholeOrTestSplit } from '../data/data-split.js';
import { applyScaling } from '../data/scaling.js';
import { DataError, UsageError } from '../errors.js';
import type { ClassifierRecord, SplitRecord } from './classifier-record.js';
import type { LoadedEncoder } from './classifier-run.js';

/**
 * The train and test splits of the data an encoder or classifier learned from, split and scaled
 * as then, with its labels from the CSV or Arrow column they came from; or, with `data`, that
 * source's own splits (scaled as the model's data was), its labels from `labelColumn` or else the
 * column of the same name.
 * @param dir the run folder, for messages
 */
export function labelledSplits(
  info: { data: LoadedEncoder['data']; split: SplitRecord | null },
  dir: string,
  options: { data?: string; labelColumn?: string; testLimit?: number; seed?: number } = {},
): RunData {
  const scale = (d: Dataset) => applyScaling(d, info.data?.scale ?? null);
  let splits: RunData;
  if (options.data !== undefined) {
    const { data, testLimit, seed = 0 } = options;
    splits = readWithLabelColumn(data, { named: options.labelColumn, run: info.data?.labelColumn },
      (labelColumn) => loadRunData({ data, labelColumn, testLimit, validationFraction: 0, seed }));
  } else {
    if (!info.data || !info.split) throw new UsageError(`${dir} records no training data (it was saved with saveModel); pass --data to say what to classify`);
    const spec = info.data.path ?? info.data.spec;
    if (spec !== 'mnist' && spec !== 'fashion-mnist' && !existsSync(spec)) {
      throw new DataError(`${spec}: the data ${dir} was trained on is not there any more (moved or deleted?); pass --data with its new place`);
    }
    const { limit, validationFraction, seed } = info.split;
    splits = loadRunData({ data: spec, labelColumn: info.data.labelColumn, limit, testLimit: options.testLimit, validationFraction, seed });
  }
  return { source: splits.source, train: scale(splits.train), validation: scale(splits.validation), test: scale(splits.test) };
}

/**
 * The examples a classifier run is scored on: the test split of its own data; or with `data`, that
 * source's test split when it has one and otherwise all of the file (scaled as the model's data was),
 * its labels from `labelColumn` or else the run's own label column.
 * @param dir the run folder, for messages
 */
export function classifierTestData(record: ClassifierRecord, dir: string, options: { data?: string; labelColumn?: string; testLimit?: number } = {}): Dataset {
  if (options.data === undefined) return labelledSplits(record, dir, { testLimit: options.testLimit }).test;
  const { data, testLimit } = options;
  const test = readWithLabelColumn(data, { named: options.labelColumn, run: record.data?.labelColumn }, (labelColumn) => wholeOrTestSplit(data, testLimit, labelColumn));
  assertFinite(test, test.name);
  return applyScaling(test, record.data?.scale ?? null);
}

/**
 * The number of classes of labelled data: one more than the largest label.
 * @throws UsageError when a split has no labels, or labels that are not one class per example
 */
export function classCount(...sets: Dataset[]): number {
  let top = -1;
  for (const ds of sets) {
    if (!ds.labels || (ds.labelShape ?? []).length > 0) {
      throw new UsageError(`${ds.name}: has no class labels (one per example), and classification needs them; use data with labels (MNIST, an IDX folder with label files)`);
    }
    for (const l of ds.labels) top = Math.max(top, l);
  }
  if (top < 1) throw new UsageError(`${sets.map((s) => s.name).join(', ')}: every label is ${top}; classification needs at least two classes`);
  return top + 1;
}

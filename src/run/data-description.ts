/**
 * What a run records of the data it learned from (model.json's `data` block): the spec, where the
 * file is, the sizes, and a content hash that a resumed run or a torchrun job is checked against.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunRecord } from './run-record.js';

/** What the run learned from: the spec, where a file or folder is (absolute), and sizes. */
export function dataDescriptionOf(spec: string, name: string, train: { n: number; features: number; shape: readonly number[] }, validation: number, test: number): Omit<NonNullable<RunRecord['data']>, 'scale' | 'fingerprint'> {
  const named = spec === 'mnist' || spec === 'fashion-mnist';
  return {
    spec, path: named || !existsSync(spec) ? null : resolve(spec), name, train: train.n, validation, test,
    features: train.features, shape: [...train.shape],
  };
}

/** A short content hash of the training data, so a model records what it learned from. */
export function fingerprint(x: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex').slice(0, 16);
}

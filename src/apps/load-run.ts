/**
 * Loading a trained model back from its run folder.
 */
import { DataError } from '../errors.js';
import { readRunFolder } from '../io/run-folder.js';
import { Autoencoder } from '../models/autoencoder.js';
import { loadStateDict } from '../models/state.js';
import { parseRunRecord, type RunRecord } from './run-record.js';

/** A loaded model and its run record. */
export interface LoadedRun {
  model: Autoencoder;
  /** model.json, validated (and upgraded to the current version when older). */
  record: RunRecord;
}

/**
 * Rebuilds the model a run folder describes and loads its weights.
 * @example
 * const { model, record } = loadRun('runs/deep');
 * record.metrics?.test.sse;
 */
export function loadRun(dir: string): LoadedRun {
  const run = readRunFolder(dir);
  const { record, renameWeights } = parseRunRecord(run.model, `${dir}/model.json`);
  let model: Autoencoder;
  try {
    model = Autoencoder.create(record.model);
  } catch (error) {
    throw new DataError(`${dir}/model.json: ${(error as Error).message}`);
  }
  loadStateDict(model, renameWeights(run.weights), `${dir}/model.safetensors`);
  return { model, record };
}

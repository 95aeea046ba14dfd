/**
 * A model in a folder and back: `saveModel` writes model.json and model.safetensors as a training
 * run does, `loadRun` rebuilds the model from any run folder and loads its weights.
 */
import { DataError } from '../errors.js';
import { prepareRunFolder, readRunFolder, writeRunRecord, writeWeights } from '../io/run-folder.js';
import { Autoencoder } from '../models/autoencoder.js';
import { loadStateDict, stateDict } from '../models/state.js';
import { getBackend } from '../tensor/index.js';
import { MODEL_FORMAT, parseRunRecord, RUN_RECORD_VERSION, type RunRecord } from './run-record.js';
import { AEKIT_VERSION } from './version.js';

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
  // The model can have no more parameters than the file holds: refuse before allocating them.
  const stored = run.weights.reduce((n, w) => n + w.data.length, 0);
  let model: Autoencoder;
  try {
    model = Autoencoder.create(record.model, 0, { maxParameters: stored });
  } catch (error) {
    throw new DataError(`${dir}/model.json: ${(error as Error).message}`);
  }
  loadStateDict(model, renameWeights(run.weights), `${dir}/model.safetensors`);
  return { model, record };
}

/**
 * Saves a model to `dir` (created; an existing non-empty folder only with `force`) as a run
 * folder without training history: `loadRun` and every command that takes `--model` read it.
 * @example
 * saveModel(model, 'models/mine');
 * const { model: again } = loadRun('models/mine');
 */
export function saveModel(model: Autoencoder, dir: string, options: { force?: boolean } = {}): void {
  prepareRunFolder(dir, options.force ?? false, 'saveModel(model, dir, { force: true })');
  writeWeights(dir, stateDict(model), { format: MODEL_FORMAT });
  const record: RunRecord = {
    format: MODEL_FORMAT, version: RUN_RECORD_VERSION, status: 'done', preset: null, model: model.config,
    training: null, data: null, versions: { aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name },
  };
  writeRunRecord(dir, record);
}

/**
 * Loading a trained model back from its run folder.
 */
import { DataError } from '../errors.js';
import { readRunFolder } from '../io/run-folder.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { AutoencoderConfigInput } from '../models/config.js';
import { loadStateDict } from '../models/state.js';

/** A loaded model and its model.json. */
export interface LoadedRun {
  model: Autoencoder;
  info: Record<string, unknown>;
}

/**
 * Rebuilds the model a run folder describes and loads its weights.
 * @example
 * const { model } = loadRun('runs/deep');
 */
export function loadRun(dir: string): LoadedRun {
  const run = readRunFolder(dir);
  const config = run.model.config as AutoencoderConfigInput | undefined;
  if (!config || typeof config !== 'object') throw new DataError(`${dir}/model.json: expected a "config" object`);
  let model: Autoencoder;
  try {
    model = Autoencoder.create(config);
  } catch (error) {
    throw new DataError(`${dir}/model.json: ${(error as Error).message}`);
  }
  loadStateDict(model, run.weights, `${dir}/model.safetensors`);
  return { model, info: run.model };
}

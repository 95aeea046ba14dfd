/**
 * `aekit import safetensors`: a PyTorch state dict saved as safetensors becomes an aekit run
 * folder, given the model config it was built from. The names and layouts are those aekit writes
 * (the nn.Sequential numbering of src/nn/torch-names.ts; `aekit export pytorch` prints the module).
 */
import { existsSync } from 'node:fs';
import { DataError, UsageError } from '../errors.js';
import { readJsonFile } from '../io/read-file.js';
import { readSafetensors } from '../io/safetensors.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { AutoencoderConfigInput } from '../models/config.js';
import { PRESETS } from '../training/presets.js';
import { loadStateDict, type NamedArray } from '../models/state.js';
import { saveModel } from '../run/save-load.js';

/** What an import made. */
export interface ImportResult {
  out: string;
  input: number[];
  code: number[];
  /** The tensors read into the model. */
  tensors: string[];
  /** Tensors of the file that aekit has no use for (BatchNorm's num_batches_tracked counters). */
  ignored: string[];
}

/** A model config from a JSON file or, when no such file exists, a preset's name. */
export function readModelConfig(config: string): AutoencoderConfigInput {
  if (!existsSync(config) && Object.hasOwn(PRESETS, config)) return PRESETS[config as keyof typeof PRESETS].model;
  if (!existsSync(config)) throw new UsageError(`${config}: no such file (--config takes a model config JSON file, or a preset: ${Object.keys(PRESETS).join(', ')})`);
  return readJsonFile(config, 'model config file') as AutoencoderConfigInput;
}

/**
 * Reads the state dict in `input` into the model `config` describes and saves it as a run folder.
 * Every tensor of the model must be there with its shape; no other may be, except BatchNorm's
 * `num_batches_tracked` counters, which aekit does not keep.
 * @param options.force replace an existing run folder of aekit's
 * @throws DataError naming the tensor and the expected and found shapes
 * @example
 * importSafetensors('weights.safetensors', 'conv.json', 'runs/imported');
 */
export function importSafetensors(input: string, config: string, out: string, options: { force?: boolean } = {}): ImportResult {
  const spec = readModelConfig(config);
  let model: Autoencoder;
  try {
    model = Autoencoder.create(spec, 0);
  } catch (error) {
    throw new UsageError(`${config}: ${(error as Error).message}`);
  }
  const content = readSafetensors(input);
  const [word] = content.words.keys();
  if (word !== undefined) throw new DataError(`${input}: tensor "${word}" holds whole numbers (U32); a model's weights are floating point`);
  const arrays: NamedArray[] = [];
  const ignored: string[] = [];
  for (const [name, t] of content.tensors) {
    if (name.endsWith('.num_batches_tracked')) ignored.push(name);
    else arrays.push({ name, shape: t.shape, data: t.data });
  }
  loadStateDict(model, arrays, input);
  saveModel(model, out, options);
  return { out, input: [...model.inputShape], code: [...model.codeShape], tensors: arrays.map((a) => a.name), ignored };
}

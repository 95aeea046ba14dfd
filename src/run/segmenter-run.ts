/**
 * Segmenter run folders as \`aekit segment\` writes them: segment.json (the result, the model's
 * spec and the digest of its weights) and model.safetensors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { checkRecordedDigest } from '../io/digest.js';
import { readRegularFile } from '../io/read-file.js';
import { writeJson, writeTensorsFile } from '../io/run-folder.js';
import { parseSafetensors } from '../io/safetensors.js';
import { Segmenter, type SegmenterSpecInput } from '../models/segmenter.js';
import { loadTensors } from '../models/state.js';

/**
 * Writes a segmenter's weights (model.safetensors) and segment.json (`record` with the model's
 * spec) into the folder `out`, which exists.
 * @example
 * saveSegmenter(net, 'runs/segnet', result);
 */
export function saveSegmenter(net: Segmenter, out: string, record: object): void {
  const tensors = [...net.parameters(), ...net.buffers()].map((p) => ({ name: p.name, shape: [...p.tensor.shape], data: p.tensor.data }));
  const weightsSha256 = writeTensorsFile(join(out, 'model.safetensors'), tensors, { format: 'aekit-segmenter' });
  // The weights' digest, so that a model.safetensors swapped in from another segment run is refused.
  writeJson(join(out, 'segment.json'), { ...record, model: net.spec, weightsSha256 });
}

/**
 * The net of a folder written by `aekit segment`: segment.json's model spec, and the weights of
 * model.safetensors.
 * @throws DataError naming the file when the folder is not a segment folder or its files do not fit
 * @example
 * const net = loadSegmenter('runs/segnet');
 */
export function loadSegmenter(dir: string): Segmenter {
  const recordPath = join(dir, 'segment.json');
  if (!existsSync(recordPath)) throw new DataError(`${dir}: not a segment folder (no segment.json); expected the --out folder of aekit segment`);
  let record: { model?: SegmenterSpecInput } | null;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as { model?: SegmenterSpecInput } | null;
  } catch (error) {
    throw new DataError(`${recordPath}: not valid JSON (${(error as Error).message})`);
  }
  if (!record?.model) throw new DataError(`${recordPath}: records no model spec; run aekit segment again`);
  const net = Segmenter.create(record.model);
  const weights = join(dir, 'model.safetensors');
  const bytes = readRegularFile(weights, 'safetensors file');
  checkRecordedDigest(bytes, record, weights, recordPath);
  const arrays = [...parseSafetensors(bytes, weights).tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  loadTensors([...net.parameters(), ...net.buffers()], arrays, weights);
  return net;
}

/**
 * The training checkpoint in a run folder (checkpoint.safetensors): the loop's whole state (the
 * weights, the best epoch's weights, the optimizer's buffers, the epoch's order of examples, the
 * generator and the losses so far) in one file written atomically, so `aekit train --resume`
 * continues a stopped or killed run to the same bytes as a run that never stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { readSafetensors } from '../io/safetensors.js';
import { RUN_FILES, writeTensorsFile } from '../io/run-folder.js';
import type { NamedArray } from '../models/state.js';
import type { NamedParameter } from '../nn/layer.js';
import type { FitState } from '../training/fit.js';

const FORMAT = 'aekit-checkpoint';

/** The scalars of a checkpoint, kept as JSON in the file's metadata (JSON round-trips doubles exactly). */
const scalarsSchema = z.object({
  epoch: z.number().int().positive(),
  start: z.number().int().nonnegative(),
  epochLoss: z.number(),
  steps: z.number().int().nonnegative(),
  rng: z.object({ words: z.array(z.number().int()).length(4), spareNormal: z.number().nullable() }),
  trainLoss: z.array(z.number()),
  valLoss: z.array(z.number()),
  /** null stands for Infinity, which JSON cannot write. */
  best: z.number().nullable(),
  bestMonitoredEpoch: z.number().int().nonnegative(),
  bestEpoch: z.number().int().nonnegative(),
  optimizerStep: z.number().int().nonnegative(),
  optimizerBuffers: z.number().int().nonnegative(),
  /** The run's own extras (the test curve so far). */
  testSseCurve: z.array(z.number()),
  /** The training data's fingerprint, so a resume on other data is refused. */
  fingerprint: z.string(),
});

/** What the run keeps beside the loop's state. */
export interface CheckpointExtras {
  testSseCurve: number[];
  fingerprint: string;
}

/**
 * Writes the state atomically to `dir`/checkpoint.safetensors.
 * @example
 * fit(model, train, { onCheckpoint: (state) => writeCheckpoint(dir, model.parameters(), state, extras) });
 */
export function writeCheckpoint(dir: string, params: readonly NamedParameter[], state: FitState, extras: CheckpointExtras): void {
  const tensors = [
    ...params.map((p, i) => ({ name: `weights/${p.name}`, shape: [...p.tensor.shape], data: state.weights[i] })),
    ...(state.bestWeights ?? []).map((w, i) => ({ name: `best/${params[i].name}`, shape: [...params[i].tensor.shape], data: w })),
    ...state.optimizer.buffers.map((b, i) => ({ name: `optimizer/${i}`, shape: [b.length], data: b })),
    // Example indices below 2^24 are exact in float32.
    ...(state.order ? [{ name: 'order', shape: [state.order.length], data: Float32Array.from(state.order) }] : []),
  ];
  const scalars: z.input<typeof scalarsSchema> = {
    epoch: state.epoch, start: state.start, epochLoss: state.epochLoss, steps: state.steps, rng: state.rng,
    trainLoss: state.trainLoss, valLoss: state.valLoss, best: Number.isFinite(state.best) ? state.best : null,
    bestMonitoredEpoch: state.bestMonitoredEpoch, bestEpoch: state.bestEpoch,
    optimizerStep: state.optimizer.step, optimizerBuffers: state.optimizer.buffers.length, ...extras,
  };
  writeTensorsFile(join(dir, RUN_FILES.checkpoint), tensors, { format: FORMAT, state: JSON.stringify(scalars) });
}

/**
 * The checkpoint in `dir` for a model with `params`, or null when there is none.
 * @param renameWeights maps the weight names of a checkpoint written by an older aekit to today's
 * @throws DataError naming the file and what does not fit
 */
export function readCheckpoint(
  dir: string,
  params: readonly NamedParameter[],
  renameWeights: (arrays: NamedArray[]) => NamedArray[] = (arrays) => arrays,
): { state: FitState; extras: CheckpointExtras } | null {
  const path = join(dir, RUN_FILES.checkpoint);
  if (!existsSync(path)) return null;
  // Only aekit writes checkpoints, and always with their digest.
  const file = readSafetensors(path, { requireDigest: true });
  file.tensors = new Map([...file.tensors].map(([name, t]) => {
    const [, kind, weight] = /^(weights|best)\/(.+)$/.exec(name) ?? [];
    return [kind ? `${kind}/${renameWeights([{ name: weight, ...t }])[0].name}` : name, t];
  }));
  if (file.metadata.format !== FORMAT) throw new DataError(`${path}: expected "format": "${FORMAT}" in its metadata`);
  let json: unknown;
  try {
    json = JSON.parse(file.metadata.state ?? '');
  } catch {
    throw new DataError(`${path}: its "state" metadata is not JSON`);
  }
  const parsed = scalarsSchema.safeParse(json);
  if (!parsed.success) throw new DataError(`${path}: state.${[...parsed.error.issues[0].path].join('.')}: ${parsed.error.issues[0].message}`);
  const s = parsed.data;
  const tensor = (name: string, size: number): Float32Array => {
    const t = file.tensors.get(name);
    if (!t) throw new DataError(`${path}: tensor "${name}" is missing`);
    if (t.data.length !== size) throw new DataError(`${path}: tensor "${name}" has ${t.data.length} values, expected ${size}`);
    return t.data;
  };
  const hasBest = params.length > 0 && file.tensors.has(`best/${params[0].name}`);
  const order = file.tensors.get('order');
  const state: FitState = {
    epoch: s.epoch, start: s.start, epochLoss: s.epochLoss, steps: s.steps, rng: s.rng, trainLoss: s.trainLoss, valLoss: s.valLoss,
    best: s.best ?? Infinity, bestMonitoredEpoch: s.bestMonitoredEpoch, bestEpoch: s.bestEpoch,
    weights: params.map((p) => tensor(`weights/${p.name}`, p.tensor.size)),
    bestWeights: hasBest ? params.map((p) => tensor(`best/${p.name}`, p.tensor.size)) : null,
    optimizer: { step: s.optimizerStep, buffers: Array.from({ length: s.optimizerBuffers }, (_, i) => file.tensors.get(`optimizer/${i}`)?.data ?? tensor(`optimizer/${i}`, 0)) },
    order: order ? Uint32Array.from(order.data) : null,
  };
  return { state, extras: { testSseCurve: s.testSseCurve, fingerprint: s.fingerprint } };
}

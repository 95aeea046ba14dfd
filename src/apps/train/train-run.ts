/**
 * A training run from start to finish: data, model, fit, test metrics, and the run folder
 * (model.json, model.safetensors, metrics.json, pictures). model.json is written before training
 * starts, the best weights after every improving epoch, and the loop's whole state to
 * checkpoint.safetensors after every epoch (and every `checkpointEvery` steps), so a run stopped
 * or killed at any moment resumes (`resumeRun`) to the same bytes as one that never stopped.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { prepareRunFolder, readRunRecordFile, RUN_FILES, writeJson, writeRunRecord, writeWeights } from '../../io/run-folder.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { type NamedArray, stateDict } from '../../models/state.js';
import { readCheckpoint, writeCheckpoint } from '../../run/checkpoint.js';
import { writeReconstructions, writeRunPictures } from '../../run/pictures.js';
import { writeReport } from '../../run/report.js';
import { appendRunEvent } from '../../run/run-events.js';
import { MODEL_FORMAT, parseRunRecord, RUN_RECORD_VERSION, type RunRecord } from '../../run/run-record.js';
import { currentTrainer, trainerRunning } from '../../run/trainer-process.js';
import { AEKIT_VERSION } from '../../run/version.js';
import { getBackend } from '../../tensor/index.js';
import type { TrainingData } from '../../training/batches.js';
import { evaluate, type Metrics } from '../../training/evaluate.js';
import { fit, type FitState, type TrainingEvent } from '../../training/fit.js';
import { pretrainGreedy } from '../../training/greedy.js';
import { type Plan, planOf, type TrainRunOptions } from './plan.js';
import { modelForData } from '../../training/model-for-data.js';
import { runData } from './train-data.js';

export type { TrainRunOptions } from './plan.js';

/** What a run reports (the `--json` output of `aekit train`). */
export interface TrainRunResult {
  /** The preset trained, or null when `config` gave the model. */
  preset: string | null;
  epochs: number;
  seconds: number;
  samplesPerSecond: number;
  trainLoss: number[];
  valLoss: number[];
  bestEpoch: number;
  /** Which loss chose the best epoch: validation, or training when there were no validation examples. */
  monitored: 'validation' | 'training';
  aborted: boolean;
  stoppedEarly: boolean;
  test: Metrics;
  /** Test sse after each epoch, when asked for with `testCurve`. */
  testSseCurve?: number[];
  outDir: string;
  backend: string;
  /** True when `resumeRun` found the run already finished and did nothing. */
  alreadyDone?: boolean;
}

/**
 * Trains, evaluates and writes the run folder.
 * @example
 * const result = await trainRun({ preset: 'undercomplete', limit: 2000, epochs: 2, out: 'runs/quick' });
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const plan = planOf(options);
  return runTraining(plan, { fresh: true, force: options.force ?? false });
}

/**
 * Continues the run in `dir` from its checkpoint, with the model, data and settings its model.json
 * records; a run killed before its first checkpoint starts over from them. A finished run is left
 * as it is (`alreadyDone`). Data other than the run's (another fingerprint) is refused.
 * @example
 * const result = await resumeRun('runs/deep');
 */
export async function resumeRun(dir: string, options: Pick<TrainRunOptions, 'signal' | 'onEvent'> = {}): Promise<TrainRunResult> {
  const { record, renameWeights } = parseRunRecord(readRunRecordFile(dir), `${dir}/${RUN_FILES.model}`);
  if (!record.training || !record.data) throw new UsageError(`${dir}: was saved with saveModel, not trained by aekit train: there is nothing to resume`);
  const plan: Plan = {
    preset: record.preset, model: record.model, training: record.training, data: record.data.path ?? record.data.spec,
    ...(record.data.labelColumn !== undefined ? { labelColumn: record.data.labelColumn } : {}), out: dir, signal: options.signal, onEvent: options.onEvent,
  };
  if (record.status === 'done') return { ...summaryOf(plan, record), alreadyDone: true };
  if (record.status === 'training') refuseWhileTraining(dir, record.trainer);
  if (record.status === 'aborted' && !existsSync(join(dir, RUN_FILES.checkpoint))) {
    throw new UsageError(`${dir}: was stopped, and its checkpoint is gone; train it again with --out ${dir} --force`);
  }
  return runTraining(plan, { fresh: false, force: false, fingerprint: record.data.fingerprint, renameWeights, savedEpoch: record.epoch });
}

/** Two processes training one folder would overwrite each other's weights and checkpoint. */
function refuseWhileTraining(dir: string, trainer: unknown): void {
  if (trainerRunning(trainer) !== true) return;
  const { pid } = trainer as { pid: number };
  if (pid === process.pid) return;
  throw new UsageError(`${dir}: is being trained now by process ${pid} on this machine; wait for it to end, or stop it (Ctrl-C in its terminal, or kill ${pid}) and resume with aekit train --resume ${dir}`);
}

/** The trainer a folder's model.json names while it says 'training'; undefined for any other folder, readable or not. */
function trainingRecordTrainer(dir: string): unknown {
  try {
    const record = readRunRecordFile(dir) as { status?: unknown; trainer?: unknown } | null;
    return record?.status === 'training' ? record.trainer : undefined;
  } catch {
    return undefined;
  }
}

async function runTraining(
  plan: Plan,
  how: { fresh: boolean; force: boolean; fingerprint?: string; renameWeights?: (arrays: NamedArray[]) => NamedArray[]; savedEpoch?: number },
): Promise<TrainRunResult> {
  const { training, out } = plan;
  const { model, train, validation, test, dataDescription, scaling } = runData(plan, (shape) => Autoencoder.create(modelForData(plan, shape), training.seed), how.fingerprint);
  if (how.fresh && how.force) refuseWhileTraining(out, trainingRecordTrainer(out));
  if (how.fresh) prepareRunFolder(out, how.force);

  const base: Omit<RunRecord, 'status'> = {
    format: MODEL_FORMAT,
    version: RUN_RECORD_VERSION,
    preset: plan.preset,
    model: model.config,
    training,
    data: { ...dataDescription, scale: scaling, ...(plan.labelColumn !== undefined ? { labelColumn: plan.labelColumn } : {}) },
    versions: { aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name },
  };
  const params = model.parameters();
  // A checkpoint written by an older aekit names its weights the older way.
  const saved = how.fresh ? null : readCheckpoint(out, params, how.renameWeights);
  const testSseCurve = saved?.extras.testSseCurve ?? [];
  // While it trains, the record names this process (a resumed run's too): a run whose process is
  // gone reads as stopped.
  const trainer = currentTrainer();
  writeRunRecord(out, { ...base, status: 'training', epoch: saved ? how.savedEpoch ?? 0 : 0, trainer } satisfies RunRecord);
  appendRunEvent(out, { type: 'start', time: Date.now(), epochs: training.epochs, preset: plan.preset });
  const saveBest = () => writeWeights(out, stateDict(model), { format: MODEL_FORMAT });
  const saveState = (state: FitState) => writeCheckpoint(out, params, state, { testSseCurve, fingerprint: dataDescription.fingerprint });

  // Greedy pretraining trains stand-alone stages; their weights reach the model as each stage ends.
  if (training.greedy && !how.fresh) throw new UsageError(`${out}: greedy layer-wise pretraining cannot resume; train it again with --out ${out} --force`);
  // Each epoch's losses go to events.jsonl, and (but for greedy stages, which fill the model only
  // as each ends) the reconstructions are redrawn, for whoever watches the run live.
  const logEpoch = (event: TrainingEvent) => {
    if (event.type !== 'epoch') return;
    const { epoch, epochs, trainLoss, valLoss, seconds } = event;
    appendRunEvent(out, { type: 'epoch', time: Date.now(), epoch, epochs, trainLoss, valLoss, seconds, ...(training.testCurve ? { testSse: testSseCurve.at(-1) } : {}) });
    if (!training.greedy) writeReconstructions(out, model, test);
  };
  const result = training.greedy
    // runData refuses to stream a greedy run, so its rows are in memory.
    ? await pretrainGreedy(model, train as TrainingData, { ...training, validation, signal: plan.signal, onEvent: (event) => { logEpoch(event); plan.onEvent?.(event); } })
    : await fit(model, train, {
      ...training,
      validation,
      signal: plan.signal,
      resume: saved?.state,
      onCheckpoint: saveState,
      onEvent: (event) => {
        if (event.type === 'epoch' && training.testCurve) testSseCurve.push(evaluate(model, test).sse);
        if (event.type === 'epoch' && event.best) {
          saveBest();
          writeRunRecord(out, { ...base, status: 'training', epoch: event.epoch, trainer } satisfies RunRecord);
        }
        logEpoch(event);
        plan.onEvent?.(event);
      },
    });
  // fit restored the best epoch's weights; save them even when no epoch finished.
  saveBest();
  const testMetrics = evaluate(model, test);
  const record: RunRecord = { ...base, status: result.aborted ? 'aborted' : 'done', metrics: { test: testMetrics, bestEpoch: result.bestEpoch } };
  writeJson(join(out, RUN_FILES.metrics), {
    trainLoss: result.trainLoss, valLoss: result.valLoss, bestEpoch: result.bestEpoch, test: testMetrics,
    ...(training.testCurve ? { testSseCurve } : {}),
    ...('stages' in result ? { stages: result.stages } : {}),
    seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
  });
  await writeRunPictures(out, model, test);
  // Done is said last: a crash before this line leaves a run that resumes; after it, the checkpoint is spent.
  writeRunRecord(out, record);
  if (!result.aborted) rmSync(join(out, RUN_FILES.checkpoint), { force: true });
  appendRunEvent(out, { type: 'end', time: Date.now(), status: record.status === 'aborted' ? 'aborted' : 'done' });
  await writeReport(out);
  return {
    ...summaryOf(plan, record), epochs: result.trainLoss.length, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
    trainLoss: result.trainLoss, valLoss: result.valLoss, monitored: result.monitored, aborted: result.aborted,
    stoppedEarly: result.stoppedEarly, ...(training.testCurve ? { testSseCurve } : {}),
  };
}

/** The result a finished record describes (what a resume of a finished run reports). */
function summaryOf(plan: Plan, record: RunRecord): TrainRunResult {
  return {
    preset: plan.preset, epochs: 0, seconds: 0, samplesPerSecond: 0, trainLoss: [], valLoss: [],
    bestEpoch: record.metrics?.bestEpoch ?? 0, monitored: 'validation', aborted: record.status === 'aborted', stoppedEarly: false,
    test: record.metrics?.test ?? { sse: Number.NaN, mse: Number.NaN, bce: null }, outDir: plan.out, backend: getBackend().name,
  };
}


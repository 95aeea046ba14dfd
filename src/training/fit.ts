/**
 * The training loop, for any model with parameters and an objective: seeded shuffles, minibatch
 * steps, a learning-rate schedule, validation after each epoch, early stopping, and a clean stop
 * on abort that keeps the best model so far.
 */
import { NumericError, UsageError } from '../errors.js';
import { expectRowsFit } from '../data/dataset.js';
import type { Trainable } from '../models/trainable.js';
import type { ForwardContext } from '../nn/layer.js';
import { add, backward, findNonFinite, sizeOf, tidy } from '../tensor/index.js';
import { Prng, type PrngState } from '../util/prng.js';
import { type Binarization, binarizeInPlace } from './binarize-data.js';
import { BatchBuffers, type BatchSource, isBatchSource, type TrainingData } from './batches.js';
import { meanObjective } from './evaluate.js';
import { Adam, type Optimizer, type OptimizerState, Sgd } from './optimizers.js';
import { learningRate } from './schedule.js';
import { type FitSettings, settingsProblem, TRAINING_DEFAULTS } from './settings.js';

/** What the loop reports while it runs. */
export type TrainingEvent =
  | { type: 'step'; epoch: number; epochs: number; step: number; totalSteps: number; loss: number; lr: number; samplesPerSecond: number; etaSeconds: number }
  | {
    type: 'epoch'; epoch: number; epochs: number; trainLoss: number;
    /** The validation loss, or null when there is no validation set (then the training loss is monitored). */
    valLoss: number | null; seconds: number; best: boolean;
  };

/** How to train; every field has a default. */
/**
 * How `fit` trains: the settings of training/settings.ts (epochs, batchSize, lr, optimizer,
 * weightDecay, schedule, seed, patience, checkpointEvery; unset ones take `TRAINING_DEFAULTS`:
 * 10 epochs, batches of 64, lr 1e-3, Adam, constant schedule, no decay, seed 0, no early
 * stopping), plus what only the loop takes.
 */
export interface FitOptions extends FitSettings {
  momentum?: number;
  warmupSteps?: number;
  /**
   * `dynamic`: every training batch is binarised afresh, each value v in [0, 1] becoming 1 with
   * probability v (see binarize-data.ts); default none.
   */
  binarize?: Binarization;
  /** Held-out examples for the validation loss, early stopping and the best-model choice. */
  validation?: TrainingData;
  /** Stops after the current step; the best model so far is kept. */
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /**
   * Receives the loop's state, from which `resume` continues exactly: after every epoch, every
   * `checkpointEvery` steps, and when the signal stops training. Its arrays are live: write them
   * out before returning.
   */
  onCheckpoint?: (state: FitState) => void;
  /** A state from `onCheckpoint`: training continues from it, as if it had never stopped. */
  resume?: FitState;
}

/**
 * Everything the loop needs to go on exactly where it was: the same model and data, with these
 * weights, optimizer buffers, generator and place, give the same bytes as a run that never stopped.
 */
export interface FitState {
  /** The epoch to train next or in (1-based); epochs + 1 when training is over. */
  epoch: number;
  /** The example of `order` the next batch starts at; 0 with `order` null when the epoch has not begun. */
  start: number;
  order: Uint32Array | null;
  /** The summed loss of the epoch's batches so far (rows × batch loss). */
  epochLoss: number;
  steps: number;
  rng: PrngState;
  trainLoss: number[];
  valLoss: number[];
  /** The best monitored loss so far (Infinity before the first epoch ends). */
  best: number;
  bestMonitoredEpoch: number;
  bestEpoch: number;
  weights: Float32Array[];
  /** The best epoch's weights, kept while there is validation data. */
  bestWeights: Float32Array[] | null;
  optimizer: OptimizerState;
}


/** What training produced. */
export interface FitResult {
  trainLoss: number[];
  valLoss: number[];
  /**
   * The epoch (1-based) whose weights the model holds at the end: the one with the best
   * validation loss, or without validation data the last one; 0 when no epoch finished.
   */
  bestEpoch: number;
  /**
   * The loss that chose the best epoch and stops early: the validation loss, or the training loss
   * when there is no validation data (then the model keeps its last epoch's weights).
   */
  monitored: 'validation' | 'training';
  stoppedEarly: boolean;
  aborted: boolean;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
}

const DEFAULTS: { epochs: number; batchSize: number; lr: number } = { epochs: TRAINING_DEFAULTS.epochs, batchSize: TRAINING_DEFAULTS.batchSize, lr: TRAINING_DEFAULTS.lr };

/**
 * Trains `model` on `train` in place: rows in memory, or a BatchSource such as a WindowSource
 * streaming a file larger than memory. A model that learns from its data before training (a
 * centring layer's mean) is prepared by whoever made a stream, which cannot be looked at whole.
 * @example
 * const result = await fit(model, train, { epochs: 10, batchSize: 128, lr: 1e-3, validation: val });
 */
export async function fit(model: Trainable, train: TrainingData | BatchSource, options: FitOptions = {}): Promise<FitResult> {
  const { epochs, batchSize, lr } = { ...DEFAULTS, ...definedOnly(options) };
  validate(model, train, { ...options, epochs, batchSize, lr });
  const { schedule = TRAINING_DEFAULTS.schedule, warmupSteps = 0, seed = TRAINING_DEFAULTS.seed, patience, signal, onEvent } = options;
  // Validation data without rows cannot be monitored: the training loss is, as without validation.
  const validation = options.validation && options.validation.n > 0 ? options.validation : undefined;
  const params = model.parameters();
  const optimizer: Optimizer = options.optimizer === 'sgd'
    ? new Sgd(params, { lr, momentum: options.momentum ?? 0.9, weightDecay: options.weightDecay })
    : new Adam(params, { lr, weightDecay: options.weightDecay });
  // A stream cannot be looked at whole: whoever made it prepares the model (see train-run).
  if (!isBatchSource(train)) model.prepare?.(train);

  const resume = options.resume;
  const rng = resume ? Prng.fromState(resume.rng) : new Prng(seed);
  const ctx: ForwardContext = { training: true, rng, epoch: 0 };
  const source: BatchSource = isBatchSource(train) ? train : new BatchBuffers(train);
  const stepsPerEpoch = Math.ceil(train.n / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const result: FitResult = {
    trainLoss: [...(resume?.trainLoss ?? [])], valLoss: [...(resume?.valLoss ?? [])], bestEpoch: resume?.bestEpoch ?? 0,
    monitored: validation ? 'validation' : 'training', stoppedEarly: false, aborted: false, steps: resume?.steps ?? 0, seconds: 0, samplesPerSecond: 0,
  };
  let best = resume?.best ?? Infinity;
  let bestMonitoredEpoch = resume?.bestMonitoredEpoch ?? 0;
  let bestWeights: Float32Array[] | null = resume?.bestWeights?.map((w) => w.slice()) ?? null;
  if (resume) {
    if (resume.weights.length !== params.length || resume.weights.some((w, i) => w.length !== params[i].tensor.size)) {
      throw new UsageError('fit: the state to resume from does not fit this model\'s parameters');
    }
    params.forEach((p, i) => p.tensor.data.set(resume.weights[i]));
    optimizer.restore(resume.optimizer);
  }
  /** The loop's state, for `onCheckpoint`: continue at `epoch`, from example `start` of `order`. */
  const snapshot = (epoch: number, start: number, order: Uint32Array | null, epochLoss: number): FitState => ({
    epoch, start, order, epochLoss, steps: result.steps, rng: rng.state(), trainLoss: [...result.trainLoss], valLoss: [...result.valLoss],
    best, bestMonitoredEpoch, bestEpoch: result.bestEpoch, weights: params.map((p) => p.tensor.data), bestWeights, optimizer: optimizer.state(),
  });
  let samples = 0;
  const started = performance.now();
  let lastYield = started;

  for (let epoch = resume?.epoch ?? 1; epoch <= epochs; epoch++) {
    const epochStarted = performance.now();
    // A run resumed inside an epoch goes on with that epoch's order; a new epoch draws its own.
    const inside = resume?.epoch === epoch && resume.order !== null ? resume : null;
    const order = inside?.order ?? source.order(rng);
    let epochLoss = inside?.epochLoss ?? 0;
    for (let start = inside?.start ?? 0; start < train.n;) {
      const rows = Math.min(batchSize, train.n - start);
      const batch = source.fill(order, start, rows);
      if (options.binarize === 'dynamic') binarizeInPlace(batch.x.data, rng);
      optimizer.lr = learningRate(schedule, lr, result.steps, totalSteps, { warmupSteps });
      const loss = tidy(() => {
        for (const p of params) p.tensor.zeroGrad();
        ctx.epoch = result.steps / stepsPerEpoch;
        const { loss: data, penalty } = model.objective(batch, ctx);
        const objective = penalty ? add(data, penalty) : data;
        const value = data.item();
        if (!Number.isFinite(objective.item())) {
          const why = findNonFinite(objective, result.steps + 1) ?? new NumericError(`step ${result.steps + 1}: the loss is ${objective.item()}`);
          throw new NumericError(`${why.message}; training diverged: try a smaller learning rate (it was ${optimizer.lr})`);
        }
        backward(objective);
        optimizer.step();
        return value;
      });
      epochLoss += loss * rows;
      start += rows;
      result.steps++;
      samples += rows;
      const elapsed = (performance.now() - started) / 1000;
      const rate = samples / elapsed;
      onEvent?.({
        type: 'step', epoch, epochs, step: result.steps, totalSteps, loss, lr: optimizer.lr,
        samplesPerSecond: rate, etaSeconds: (totalSteps - result.steps) * batchSize / rate,
      });
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      const stopping = signal?.aborted === true;
      const due = options.checkpointEvery !== undefined && result.steps % options.checkpointEvery === 0;
      if ((stopping || due) && start < train.n) options.onCheckpoint?.(snapshot(epoch, start, order, epochLoss));
      if (stopping) {
        result.aborted = true;
        break;
      }
    }
    // A partly trained epoch has no comparable loss: stop with the best complete epoch's weights.
    if (result.aborted) break;
    const trainLoss = epochLoss / train.n;
    const valLoss = validation ? meanObjective(model, validation) : null;
    result.trainLoss.push(trainLoss);
    if (valLoss !== null) result.valLoss.push(valLoss);
    const monitored = valLoss ?? trainLoss;
    const improved = monitored < best;
    if (improved) {
      best = monitored;
      bestMonitoredEpoch = epoch;
      if (validation) bestWeights = params.map((p) => p.tensor.data.slice());
    }
    result.bestEpoch = validation ? bestMonitoredEpoch : epoch;
    const stop = patience !== undefined && epoch - bestMonitoredEpoch >= patience;
    // The state after this epoch, before the caller hears of it: what a crash from here on resumes.
    options.onCheckpoint?.(snapshot(stop ? epochs + 1 : epoch + 1, 0, null, 0));
    onEvent?.({ type: 'epoch', epoch, epochs, trainLoss, valLoss, seconds: (performance.now() - epochStarted) / 1000, best: improved });
    if (stop) {
      result.stoppedEarly = true;
      break;
    }
    if (signal?.aborted) {
      result.aborted = true;
      break;
    }
  }
  if (bestWeights) params.forEach((p, i) => p.tensor.data.set(bestWeights[i]));
  result.seconds = (performance.now() - started) / 1000;
  result.samplesPerSecond = samples / Math.max(result.seconds, 1e-9);
  return result;
}

/**
 * How often the loop lets the event loop run: signal handlers (Ctrl-C), timers and I/O only get
 * their turn then. A few times a second costs nothing next to the steps.
 */
const YIELD_EVERY_MS = 50;

/** setImmediate where there is one (Node), a zero timeout elsewhere (browsers). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) =>
  (typeof setImmediate === 'function' ? setImmediate : (f: () => void) => setTimeout(f, 0))(resolve));

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validate(model: Trainable, train: TrainingData | BatchSource, options: FitOptions & typeof DEFAULTS): void {
  if (!model || typeof model.parameters !== 'function' || typeof model.objective !== 'function') {
    throw new UsageError('fit: expected a model with parameters() and objective(), such as Autoencoder.create(…)');
  }
  const streamed = !!train && isBatchSource(train);
  if (!train || !(streamed || train.x instanceof Float32Array) || !Number.isInteger(train.n) || !Number.isInteger(train.features)) {
    throw new UsageError('fit: expected training data { x: Float32Array, n, features }, such as loadData(\'mnist\')');
  }
  const inputSize = sizeOf(model.inputShape);
  expectRowsFit({ name: 'fit: the training data', features: train.features }, inputSize, { shape: model.inputShape, error: UsageError });
  if (train.n === 0) throw new UsageError('fit: the training data has no examples');
  const { epochs, batchSize, lr, checkpointEvery } = options;
  const problem = settingsProblem({ epochs, batchSize, lr, checkpointEvery });
  if (problem !== null) throw new UsageError(`fit: ${problem}`);
  if (options.validation && options.validation.features !== train.features) {
    throw new UsageError(`fit: validation examples have ${options.validation.features} features, training examples ${train.features}`);
  }
}

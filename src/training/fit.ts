/**
 * The training loop: seeded shuffles, minibatch steps, a learning-rate schedule, validation
 * after each epoch, early stopping, and a clean stop on abort that keeps the best model so far.
 */
import { NumericError, UsageError } from '../errors.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { optimizerDecay } from '../models/regularization.js';
import { corrupt as corruptWith } from '../nn/noise.js';
import { add, backward, findNonFinite, type Tensor, tidy } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import { BatchBuffers, type Matrix } from './batches.js';
import { meanLoss } from './evaluate.js';
import { Adam, type Optimizer, Sgd } from './optimizers.js';
import { learningRate, type ScheduleName } from './schedule.js';

/** What the loop reports while it runs. */
export type TrainingEvent =
  | { type: 'step'; epoch: number; epochs: number; step: number; totalSteps: number; loss: number; lr: number; samplesPerSecond: number; etaSeconds: number }
  | { type: 'epoch'; epoch: number; epochs: number; trainLoss: number; valLoss: number | null; seconds: number; best: boolean };

/** How to train. */
export interface FitOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer?: 'adam' | 'sgd';
  momentum?: number;
  /** Adds weightDecay·θ to weight gradients; the config's `regularization.l2` (λ) adds 2λ more. */
  weightDecay?: number;
  /** Decoupled weight decay (AdamW / SGDW) on weights: θ ← θ − lr·decoupledWeightDecay·θ each step. */
  decoupledWeightDecay?: number;
  schedule?: ScheduleName;
  warmupSteps?: number;
  seed?: number;
  /** Held-out rows for the validation loss, early stopping and the best-model choice. */
  validation?: Matrix;
  /** Stop after this many epochs without a better validation loss (off when absent). */
  patience?: number;
  /** Stops after the current step; the best model so far is kept. */
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /**
   * Extra terms of the objective for a batch (regularizers), added to the reconstruction loss
   * and to the model config's own penalties. Receives the corrupted input actually fed to the model.
   */
  penalty?: (model: Autoencoder, input: Tensor) => Tensor | null;
  /**
   * Corrupts a copy of the batch in place before it is encoded (denoising); the target stays
   * clean. Defaults to the model config's `regularization.noise`.
   */
  corrupt?: (input: Float32Array, rng: Prng) => void;
}

/** What training produced. */
export interface FitResult {
  trainLoss: number[];
  valLoss: number[];
  /** The epoch (1-based) whose weights the model holds at the end. */
  bestEpoch: number;
  stoppedEarly: boolean;
  aborted: boolean;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
}

/**
 * Trains `model` on `train` in place.
 * @example
 * const result = await fit(model, train, { epochs: 10, batchSize: 128, lr: 1e-3, validation: val });
 */
export async function fit(model: Autoencoder, train: Matrix, options: FitOptions): Promise<FitResult> {
  validate(model, train, options);
  const { epochs, batchSize, schedule = 'constant', warmupSteps = 0, seed = 0, validation, patience, signal, onEvent } = options;
  const params = model.parameters();
  // The config's L2 (λ‖θ‖²) becomes weight decay 2λ, added to any decay asked for here.
  const decay = optimizerDecay(model.config.regularization);
  const weightDecay = (options.weightDecay ?? 0) + decay.weightDecay;
  const decays = { weightDecay, decoupledWeightDecay: options.decoupledWeightDecay, decayBiases: decay.decayBiases };
  const optimizer: Optimizer = options.optimizer === 'sgd'
    ? new Sgd(params, { lr: options.lr, momentum: options.momentum ?? 0.9, ...decays })
    : new Adam(params, { lr: options.lr, ...decays });
  const noise = model.noise;
  const corrupt = options.corrupt ?? (noise ? (x: Float32Array, r: Prng) => corruptWith(x, noise, r) : undefined);
  if (model.inputMean) model.setInputMean(columnMeans(train));

  const rng = new Prng(seed);
  const buffers = new BatchBuffers(train.features);
  const corrupted = corrupt ? new BatchBuffers(train.features) : null;
  const stepsPerEpoch = Math.ceil(train.n / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const result: FitResult = { trainLoss: [], valLoss: [], bestEpoch: 0, stoppedEarly: false, aborted: false, steps: 0, seconds: 0, samplesPerSecond: 0 };
  let best = Infinity;
  let bestWeights: Float32Array[] | null = null;
  let samples = 0;
  const started = performance.now();
  let lastYield = started;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStarted = performance.now();
    const order = rng.permutation(train.n);
    let epochLoss = 0;
    for (let start = 0; start < train.n; start += batchSize) {
      const rows = Math.min(batchSize, train.n - start);
      const clean = buffers.fill(train, order, start, rows);
      let input = clean;
      if (corrupted && corrupt) {
        input = corrupted.fill(train, order, start, rows);
        corrupt(input.data, rng);
      }
      optimizer.lr = learningRate(schedule, options.lr, result.steps, totalSteps, { warmupSteps });
      const loss = step(model, params, optimizer, input, clean, options.penalty, result.steps + 1);
      epochLoss += loss * rows;
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
      if (signal?.aborted) {
        result.aborted = true;
        break;
      }
    }
    // A partly trained epoch has no comparable loss: stop with the best complete epoch's weights.
    if (result.aborted) break;
    const trainLoss = epochLoss / train.n;
    const valLoss = validation ? meanLoss(model, validation) : null;
    result.trainLoss.push(trainLoss);
    if (valLoss !== null) result.valLoss.push(valLoss);
    const monitored = valLoss ?? trainLoss;
    const improved = monitored < best;
    if (improved) {
      best = monitored;
      result.bestEpoch = epoch;
      if (validation) bestWeights = params.map((p) => p.tensor.data.slice());
    }
    onEvent?.({ type: 'epoch', epoch, epochs, trainLoss, valLoss, seconds: (performance.now() - epochStarted) / 1000, best: improved });
    if (patience !== undefined && epoch - result.bestEpoch >= patience) {
      result.stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) params.forEach((p, i) => p.tensor.data.set(bestWeights![i]));
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

/** One optimisation step; returns the batch loss, or throws a NumericError naming the op. */
function step(model: Autoencoder, params: ReturnType<Autoencoder['parameters']>, optimizer: Optimizer,
  input: Tensor, target: Tensor, penalty: FitOptions['penalty'], stepNumber: number): number {
  return tidy(() => {
    for (const p of params) p.tensor.zeroGrad();
    const { reconstruction, penalty: own } = model.objective(input, target);
    const extra = penalty?.(model, input) ?? null;
    const terms = [own, extra].filter((t): t is Tensor => t !== null);
    const objective = terms.reduce((a, b) => add(a, b), reconstruction);
    const value = reconstruction.item();
    if (!Number.isFinite(objective.item())) {
      throw findNonFinite(objective, stepNumber) ?? new NumericError(`step ${stepNumber}: the loss is ${objective.item()}`);
    }
    backward(objective);
    optimizer.step();
    return value;
  });
}

function columnMeans(data: Matrix): Float32Array {
  const sums = new Float64Array(data.features);
  for (let i = 0; i < data.n; i++) {
    for (let j = 0; j < data.features; j++) sums[j] += data.x[i * data.features + j];
  }
  return Float32Array.from(sums, (s) => s / data.n);
}

function validate(model: Autoencoder, train: Matrix, options: FitOptions): void {
  if (train.features !== model.inputSize) {
    throw new UsageError(`fit: the data has ${train.features} features per row but the model takes ${model.inputSize}`);
  }
  if (train.n === 0) throw new UsageError('fit: the training data has no rows');
  for (const key of ['epochs', 'batchSize'] as const) {
    if (!Number.isInteger(options[key]) || options[key] <= 0) throw new UsageError(`fit: ${key} must be a positive integer, got ${options[key]}`);
  }
  if (!(options.lr > 0)) throw new UsageError(`fit: lr must be positive, got ${options.lr}`);
  if (options.validation && options.validation.features !== train.features) {
    throw new UsageError(`fit: validation rows have ${options.validation.features} features, training rows ${train.features}`);
  }
}

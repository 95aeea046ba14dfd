/**
 * Greedy layer-wise pretraining (Bengio et al. 2007; Vincent et al., JMLR 2010, for stacked
 * denoising autoencoders): the encoder is cut after each weight layer into stages, and each stage
 * is trained as a one-layer autoencoder of its own (its noise layers corrupting its input, its
 * mirror as the decoder) on the codes the stages below give at inference. The trained stages'
 * weights then fill the deep model, encoder and mirrored decoder alike.
 */
import { UsageError } from '../errors.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { OutputConfig } from '../models/config.js';
import type { LayerSpec } from '../models/layer-specs.js';
import { Sequential } from '../nn/sequential.js';
import { noGrad, sizeOf, tidy } from '../tensor/index.js';
import { forEachBatch, type TrainingData } from './batches.js';
import { fit, type FitOptions, type FitResult } from './fit.js';

/** Layers whose weights make a stage. */
const WEIGHT_LAYERS = new Set(['dense', 'conv2d']);

/** One stage: encoder layers [start, end). */
export interface GreedyStage {
  start: number;
  end: number;
}

/** What greedy pretraining did: each stage's training, and their losses one after another. */
export interface GreedyResult extends FitResult {
  stages: (GreedyStage & { trainLoss: number[]; valLoss: number[]; bestEpoch: number; output: OutputConfig })[];
}

/**
 * The stages of an encoder: each ends at a weight layer (dense or convolution) and takes the
 * layers before it back to the previous weight layer (noise, flatten, …); layers after the last
 * weight layer join the last stage.
 * @example
 * greedyStages(['noise', 'dense', 'noise', 'dense']); // [{ start: 0, end: 2 }, { start: 2, end: 4 }]
 */
export function greedyStages(types: readonly string[]): GreedyStage[] {
  const stages: GreedyStage[] = [];
  let start = 0;
  types.forEach((type, i) => {
    if (WEIGHT_LAYERS.has(type)) {
      stages.push({ start, end: i + 1 });
      start = i + 1;
    }
  });
  if (stages.length === 0) throw new UsageError('greedy pretraining: the encoder has no dense or convolutional layer to train');
  stages[stages.length - 1].end = types.length;
  return stages;
}

/**
 * Pretrains `model` greedily, stage by stage, each for `options.epochs`, and writes the stages'
 * weights into it (the decoder must be the encoder's mirror). The first stage reconstructs the
 * model's input with the model's own output and loss; a later one its input codes, with a sigmoid
 * and cross-entropy when they lie in [0, 1] (sigmoid units) and linearly with squared error
 * otherwise.
 * @example
 * const result = await pretrainGreedy(Autoencoder.create(PRESETS.sdae.model), train, { epochs: 10 });
 */
export async function pretrainGreedy(model: Autoencoder, train: TrainingData, options: FitOptions = {}): Promise<GreedyResult> {
  const specs = model.config.encoder;
  const stages = greedyStages(specs.map((s) => s.type));
  const tied = model.config.decoder.some((s) => s.type === 'tied_dense');
  const layers = model.encoder.layers;
  const result: GreedyResult = {
    trainLoss: [], valLoss: [], bestEpoch: 0, monitored: options.validation ? 'validation' : 'training', stoppedEarly: false,
    aborted: false, steps: 0, seconds: 0, samplesPerSecond: 0, stages: [],
  };
  let input: TrainingData = train;
  let validation = options.validation;
  let decoderEnd = model.decoder.layers.length;
  let samples = 0;
  for (const [k, stage] of stages.entries()) {
    const inputShape = layers[stage.start].inputShape;
    const output: OutputConfig = k === 0 ? model.output : inUnitRange(input.x) ? { activation: 'sigmoid', loss: 'bce' } : { activation: 'identity', loss: 'mse' };
    const sub = Autoencoder.create({
      input: [...inputShape], encoder: specs.slice(stage.start, stage.end).map(withoutPartner), decoder: 'mirror', tied, output,
    }, (options.seed ?? 0) + k);
    const decoderStart = decoderEnd - sub.decoder.layers.length;
    if (decoderStart < 0) throw mismatch(k);
    const fitted = await fit(sub, input, { ...options, validation });
    copyInto(model, sub, stage.start, decoderStart, k);
    decoderEnd = decoderStart;
    result.stages.push({ ...stage, trainLoss: fitted.trainLoss, valLoss: fitted.valLoss, bestEpoch: fitted.bestEpoch, output });
    result.trainLoss.push(...fitted.trainLoss);
    result.valLoss.push(...fitted.valLoss);
    result.steps += fitted.steps;
    result.seconds += fitted.seconds;
    samples += fitted.samplesPerSecond * fitted.seconds;
    result.stoppedEarly ||= fitted.stoppedEarly;
    if (fitted.aborted) {
      result.aborted = true;
      break;
    }
    if (k + 1 < stages.length) {
      // The next stage learns from this one's codes, as the stack computes them at inference.
      const upper = new Sequential('encoder', inputShape, layers.slice(stage.start, stage.end));
      input = forward(upper, input);
      validation = validation && validation.n > 0 ? forward(upper, validation) : validation;
    }
  }
  if (!result.aborted && decoderEnd !== 0) throw mismatch(stages.length - 1);
  result.bestEpoch = result.stages.at(-1)?.bestEpoch ?? 0;
  result.samplesPerSecond = samples / Math.max(result.seconds, 1e-9);
  return result;
}

function mismatch(stage: number): UsageError {
  return new UsageError(`greedy pretraining: stage ${stage + 1}'s mirror does not match the model's decoder; greedy pretraining needs decoder "mirror"`);
}

/** Partners inside one stage would be renumbered; an encoder's layers have none in practice. */
function withoutPartner(spec: LayerSpec): LayerSpec {
  if ('partner' in spec) throw new UsageError(`greedy pretraining: encoder layer ${spec.type} refers to a partner layer, which a stage trained alone cannot keep`);
  return spec;
}

/** True when every value lies in [0, 1]. */
function inUnitRange(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i] >= 0 && x[i] <= 1)) return false;
  return true;
}

/** The rows of `data` through `stack` at inference. */
function forward(stack: Sequential, data: TrainingData): TrainingData {
  const features = sizeOf(stack.outputShape);
  const x = new Float32Array(data.n * features);
  noGrad(() => forEachBatch({ x: data.x, n: data.n, features: data.features, shape: stack.inputShape }, 1000, ({ x: batch }, start) => tidy(() => {
    x.set(stack.forward(batch).data, start * features);
  })));
  return { x, n: data.n, features, shape: [...stack.outputShape] };
}

/** Copies a trained stage's tensors into the model: its encoder from `encoderAt`, its decoder from `decoderAt`. */
function copyInto(model: Autoencoder, sub: Autoencoder, encoderAt: number, decoderAt: number, stage: number): void {
  // Layer by layer: tensor names number PyTorch modules, which do not shift by a whole stage.
  const pairs: [Sequential, Sequential, number][] = [[sub.encoder, model.encoder, encoderAt], [sub.decoder, model.decoder, decoderAt]];
  for (const [from, to, at] of pairs) {
    from.layers.forEach((layer, j) => {
      const target = to.layers[at + j];
      if (!target) throw mismatch(stage);
      const sources = [...layer.parameters('x'), ...layer.buffers('x')];
      const targets = [...target.parameters('x'), ...target.buffers('x')];
      if (sources.length !== targets.length) throw mismatch(stage);
      sources.forEach(({ name, tensor }, k) => {
        const t = targets[k];
        if (t.name !== name || t.tensor.shape.join(',') !== tensor.shape.join(',')) throw mismatch(stage);
        t.tensor.data.set(tensor.data);
      });
    });
  }
}

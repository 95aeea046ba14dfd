/**
 * The autoencoder: an encoder h = f(W x + b) and a decoder x̂ = g(W* h + c), each a stack of
 * layers built from specs (the decoder usually by the mirror rules), and the output and loss that
 * fit the data (binary cross-entropy on a sigmoid output for inputs in [0, 1], squared error for
 * real inputs).
 */
import type { Matrix } from '../data/dataset.js';
import { ShapeError, UsageError } from '../errors.js';
import { Center } from '../nn/center.js';
import { Gaussian } from '../nn/gaussian.js';
import { type ForwardContext, formatDims, INFERENCE, type NamedBuffer, type NamedParameter } from '../nn/layer.js';
import { NoiseLayer } from '../nn/noise.js';
import { sumTerms } from '../nn/regularizers.js';
import type { Sequential } from '../nn/sequential.js';
import { add, reshape, sizeOf, Tensor } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import { type AutoencoderConfigInput, type OutputConfig, parseModelConfig, type ResolvedModel } from './config.js';
import { buildStack } from './layer-specs.js';
import { codeLogits, hashingTerms } from './hash-terms.js';
import { holeLoss, holesLayerIndex } from './hole-loss.js';
import { imageSize } from './image-jitter.js';
import { importanceWeightedObjective } from './importance-weighted.js';
import { mirror } from './mirror.js';
import { activateOutput, reconstructionLoss } from './output.js';
import { startOutputAtMean } from './output-bias.js';
import type { Batch, Objective, Trainable } from './trainable.js';

/** The seed of the draws that a VAE's loss at inference (its validation loss) is estimated with. */
const ELBO_SEED = 0;

/**
 * An autoencoder built from a config in either form.
 * @example
 * const ae = Autoencoder.create({ layers: [784, 64], codeActivation: 'sigmoid', loss: 'bce' }, 42);
 * const code = ae.encode(batch);                     // [batch, 64]
 * const loss = ae.loss(batch);                       // mean over the batch of the summed BCE
 * ae.config.encoder;                                 // [{ type: 'dense', units: 64, … }]
 */
export class Autoencoder implements Trainable {
  private constructor(
    /** The model with its decoder written out: what model.json stores. */
    readonly config: ResolvedModel,
    readonly encoder: Sequential,
    readonly decoder: Sequential,
  ) {}

  /**
   * Validates `config` (throwing a UsageError that names the field or the layer) and builds the
   * model, drawing its initial weights from `seed`. With `maxParameters`, a model that would have
   * more parameter values is refused before its layer allocates them.
   */
  static create(config: AutoencoderConfigInput, seed = 0, options: { maxParameters?: number } = {}): Autoencoder {
    const spec = parseModelConfig(config);
    const ctx = { rng: new Prng(seed), byName: new Map(), maxParameters: options.maxParameters };
    const encoder = buildStack('encoder', spec.encoder, spec.input, ctx);
    const decoderSpecs = spec.decoder === 'mirror' ? mirror(encoder, { tied: spec.tied }) : spec.decoder;
    const decoder = buildStack('decoder', decoderSpecs, encoder.outputShape, ctx);
    if (decoder.outputShape.join(',') !== spec.input.join(',')) {
      throw new UsageError(`model config: the decoder gives examples of shape ${formatDims(decoder.outputShape)}, but the input's shape is ${formatDims(spec.input)}`);
    }
    const resolved: ResolvedModel = {
      input: [...spec.input],
      encoder: encoder.layers.map((l) => l.spec() as ResolvedModel['encoder'][number]),
      decoder: decoder.layers.map((l) => l.spec() as ResolvedModel['decoder'][number]),
      output: spec.output,
      ...(spec.hashing ? { hashing: spec.hashing } : {}),
    };
    if (spec.hashing) {
      codeLogits(encoder);
      // The augmented view moves images: refuse other inputs now rather than at the first batch.
      if (spec.hashing.consistency > 0) imageSize(spec.input);
    }
    return new Autoencoder(resolved, encoder, decoder);
  }

  /** The shape of one input example. */
  get inputShape(): readonly number[] {
    return this.config.input;
  }

  /** Values per input example. */
  get inputSize(): number {
    return sizeOf(this.config.input);
  }

  /** The shape of one code. */
  get codeShape(): readonly number[] {
    return this.encoder.outputShape;
  }

  /** Values per code. */
  get codeSize(): number {
    return sizeOf(this.encoder.outputShape);
  }

  /** The output activation and the loss. */
  get output(): OutputConfig {
    return this.config.output;
  }

  /** The corruption the encoder's first noise layer applies while training (e.g. "mask:0.25"), or null. */
  get trainingNoise(): string | null {
    const noise = this.encoder.layers.find((l): l is NoiseLayer => l instanceof NoiseLayer);
    return noise ? noise.spec().spec : null;
  }

  /**
   * The codes h for inputs x: a batch tensor [batch, ...inputShape] (or [batch, inputSize]), a
   * Float32Array of whole examples one after another, or rows as number[][].
   */
  encode(x: BatchInput, ctx: ForwardContext = INFERENCE): Tensor {
    return this.encoder.forward(this.asInput(x), ctx);
  }

  /** The decoder's output before the output activation (logits for a sigmoid output), for codes h. */
  logits(h: BatchInput, ctx: ForwardContext = INFERENCE): Tensor {
    return this.decoder.forward(asBatch(h, this.codeShape, 'codes'), ctx);
  }

  /** The reconstruction x̂ from codes h (as `encode` takes inputs), in the inputs' own space. */
  decode(h: BatchInput): Tensor {
    return activateOutput(this.logits(h), this.output);
  }

  /** x̂ = decode(encode(x)). */
  reconstruct(x: BatchInput): Tensor {
    return this.decode(this.encode(x));
  }

  /** The reconstruction loss of a batch at inference: the mean over rows of the summed loss. */
  loss(x: Tensor): Tensor {
    return this.objective({ x }, INFERENCE).loss;
  }

  /**
   * The objective for a batch: the reconstruction loss of x (the noise layers corrupt the input
   * while training; the target is always the clean x), and while training the sum of the layers'
   * own penalties (sparsity, L1 activity, contractive), read from the same forward pass. Coupled
   * L2 is not here: the optimizer applies its gradient (see NamedParameter.l2).
   * @example
   * const { loss, penalty } = ae.objective({ x }, { training: true, rng });
   */
  objective(batch: Batch, ctx: ForwardContext): Objective {
    const x = this.asInput(batch.x);
    const scale = 1 / x.shape[0];
    if (!ctx.training) {
      const code = this.encoder.layers.at(-1);
      if (code instanceof Gaussian) {
        // A VAE is judged by its negative ELBO (one draw per example, from a fixed seed, so that
        // epochs compare), not by reconstructions of the mean code, which the KL term trades against.
        const z = this.encode(x, { training: false, rng: new Prng(ELBO_SEED) });
        return { loss: add(reconstructionLoss(this.logits(z, ctx), x, this.output, scale), code.klOf(z)!), penalty: null };
      }
      return { loss: reconstructionLoss(this.logits(this.encode(x, ctx), ctx), x, this.output, scale), penalty: null };
    }
    const last = this.encoder.layers.at(-1);
    if (last instanceof Gaussian && last.samples > 1) {
      // The k-sample importance-weighted bound (IWAE) in place of the ELBO.
      const parts = { body: this.encoder.layers.slice(0, -1), code: last, decoder: this.decoder, output: this.output };
      const { loss, penalties } = importanceWeightedObjective(parts, x, ctx);
      return { loss, penalty: sumTerms(penalties) };
    }
    const hidden = this.encoder.trace(x, ctx);
    const restored = this.decoder.trace(hidden[hidden.length - 1], ctx);
    let loss = reconstructionLoss(restored[restored.length - 1], x, this.output, scale);
    const holes = this.output.holeWeight ? holesLayerIndex(this.encoder) : -1;
    if (holes >= 0) loss = add(loss, holeLoss(restored[restored.length - 1], x, hidden[holes], this.output, scale, this.output.holeWeight!));
    const code = this.encoder.layers.at(-1);
    if (code instanceof Gaussian) {
      // A VAE's loss is its negative ELBO (β-weighted while training): the KL is the code's penalty.
      const kl = code.penalty(hidden[hidden.length - 1]);
      const others = [...this.encoder.penalties(hidden.slice(0, -1)), ...this.decoder.penalties(restored)];
      return { loss: kl ? add(loss, kl) : loss, penalty: sumTerms(others) };
    }
    const hashing = this.config.hashing ? hashingTerms(this.config.hashing, this.encoder, x, hidden, ctx) : [];
    return { loss, penalty: sumTerms([...this.encoder.penalties(hidden), ...this.decoder.penalties(restored), ...hashing]) };
  }

  /** Every trainable tensor, named as in the model file (encoder.0.weight, …); a tied weight appears once, under the encoder. */
  parameters(): NamedParameter[] {
    return [...this.encoder.parameters(), ...this.decoder.parameters()];
  }

  /** The saved tensors that training does not update (an input mean). */
  buffers(): NamedBuffer[] {
    return [...this.encoder.buffers(), ...this.decoder.buffers()];
  }

  /**
   * Sets what the layers learn from the training data before training: a center layer's mean,
   * and an untrained decoder's last bias, which starts at the data's mean (see output-bias.ts:
   * from zero, sigmoid code units saturate to draw the mean image and stay dead). A center layer
   * must see the model's input, so only noise and dropout may come before it.
   */
  prepare(train: Matrix): void {
    const layers = this.encoder.layers;
    layers.forEach((layer, i) => {
      if (!(layer instanceof Center)) return;
      const before = layers.slice(0, i).find((l) => l.type !== 'noise' && l.type !== 'dropout');
      if (before) throw new UsageError(`encoder.${i} (center): centres the model's input, so it must come before ${before.type} layers`);
      layer.adapt(train);
    });
    startOutputAtMean(this.decoder, this.output, train);
  }

  /** x as a batch of shape [batch, ...inputShape]; rows of inputSize values are accepted for any input shape. */
  asInput(x: BatchInput): Tensor {
    return asBatch(x, this.config.input, 'inputs');
  }
}

/** What the model's methods take as a batch: a tensor, whole examples in one Float32Array, or rows. */
export type BatchInput = Tensor | Float32Array | readonly (readonly number[])[];

/** `x` as a batch tensor of examples of `shape` (a view when x is a tensor or Float32Array). */
function asBatch(x: BatchInput, shape: readonly number[], what: string): Tensor {
  const size = sizeOf(shape);
  if (x instanceof Tensor) {
    const example = x.shape.slice(1);
    if (example.join(',') === shape.join(',')) return x;
    if (x.shape.length >= 2 && sizeOf(example) === size) return reshape(x, [x.shape[0], ...shape]);
    throw new ShapeError(`the model takes ${what} of shape ${formatDims(shape)} (${size} values each), got a batch of shape ${formatDims(x.shape)}`);
  }
  if (x instanceof Float32Array) {
    if (x.length === 0 || x.length % size !== 0) {
      throw new ShapeError(`the model takes ${what} of ${size} values each; a Float32Array of ${x.length} values is not a whole number of them`);
    }
    return new Tensor(x, [x.length / size, ...shape]);
  }
  if (Array.isArray(x) && x.length > 0 && x.every((row) => Array.isArray(row))) {
    const data = new Float32Array(x.length * size);
    x.forEach((row, i) => {
      if (row.length !== size) throw new ShapeError(`the model takes ${what} of ${size} values each; row ${i} has ${row.length}`);
      data.set(row, i * size);
    });
    return new Tensor(data, [x.length, ...shape]);
  }
  throw new UsageError(`expected ${what} as a Tensor, a Float32Array of whole examples or an array of rows (number[][]), got ${describeValue(x)}`);
}

function describeValue(x: unknown): string {
  if (Array.isArray(x)) return x.length === 0 ? 'an empty array' : `an array of ${typeof x[0]}`;
  return x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}

/**
 * The autoencoder: an encoder h = f(W x + b) of dense layers, and a decoder x̂ = g(W* h + c)
 * that mirrors it, with the loss that fits the data (binary cross-entropy on a sigmoid output
 * for inputs in [0, 1], squared error for real inputs).
 */
import type { Activation } from '../backend/backend.js';
import { UsageError } from '../errors.js';
import { Dense, type NamedParameter } from '../nn/dense.js';
import type { InitScheme } from '../nn/init.js';
import type { NoiseSpec } from '../nn/noise.js';
import { TiedDense } from '../nn/tied-dense.js';
import { add, bceWithLogits, squaredError, sub, Tensor } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import { type AutoencoderConfig, type AutoencoderConfigInput, autoencoderConfigSchema } from './config.js';
import { activityPenalty, noiseOf } from './regularization.js';

/** A decoder layer: its own weight, or its encoder partner's transposed (tied). */
export type DecoderLayer = Dense | TiedDense;

/**
 * A dense autoencoder built from a config.
 * @example
 * const ae = Autoencoder.create({ layers: [784, 64], loss: 'bce' }, 42);
 * const code = ae.encode(batch);          // [batch, 64]
 * const loss = ae.loss(batch);            // mean over the batch of the summed BCE
 */
export class Autoencoder {
  readonly encoder: Dense[];
  readonly decoder: DecoderLayer[];
  /** The training data's mean per feature, subtracted before encoding when `centerInputs` is set. */
  readonly inputMean: Tensor | null;
  /** The corruption applied to training inputs (a denoising autoencoder), or null. */
  readonly noise: NoiseSpec | null;

  /** Use `Autoencoder.create`, which validates the config. */
  constructor(readonly config: AutoencoderConfig, seed: number) {
    const rng = new Prng(seed);
    const { layers } = config;
    const init = config.init as InitScheme;
    const encoderActs = (config.encoderActivations ?? layers.slice(1).map((_, i) =>
      i === layers.length - 2 ? config.codeActivation : config.hiddenActivation)) as Activation[];
    this.encoder = encoderActs.map((act, i) => new Dense(layers[i], layers[i + 1], act, init, rng, config.leakySlope));
    const mirrored = [...layers].reverse();
    this.decoder = mirrored.slice(1).map((_, i) => {
      const last = i === mirrored.length - 2;
      const act = (last ? config.outputActivation : config.hiddenActivation) as Activation;
      // Decoder layer i maps encoder layer (n−1−i)'s output back to its input: W* = Wᵀ.
      if (config.tied) return new TiedDense(this.encoder[this.encoder.length - 1 - i], act, config.leakySlope);
      return new Dense(mirrored[i], mirrored[i + 1], act, init, rng, config.leakySlope);
    });
    this.inputMean = config.centerInputs ? Tensor.zeros([layers[0]]) : null;
    this.noise = noiseOf(config.regularization);
  }

  /** Validates `config` (throwing a UsageError that names the field) and builds the model. */
  static create(config: AutoencoderConfigInput, seed = 0): Autoencoder {
    const parsed = autoencoderConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`model config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new Autoencoder(parsed.data, seed);
  }

  /** Features per input row. */
  get inputSize(): number {
    return this.config.layers[0];
  }

  /** Units in the code layer. */
  get codeSize(): number {
    return this.config.layers[this.config.layers.length - 1];
  }

  /** The code h for inputs x of shape [batch, inputSize]. */
  encode(x: Tensor): Tensor {
    let h = this.inputMean ? sub(x, this.inputMean) : x;
    for (const layer of this.encoder) h = layer.forward(h);
    return h;
  }

  /** The decoder's last pre-activation (logits for a sigmoid output). */
  decodeLogits(h: Tensor): Tensor {
    const last = this.decoder.length - 1;
    for (let i = 0; i < last; i++) h = this.decoder[i].forward(h);
    return this.decoder[last].forwardAffine(h);
  }

  /** The reconstruction x̂ from a code h, in the inputs' own space. */
  decode(h: Tensor): Tensor {
    const last = this.decoder.length - 1;
    for (let i = 0; i < last; i++) h = this.decoder[i].forward(h);
    const out = this.decoder[last].forward(h);
    return this.inputMean ? add(out, this.inputMean) : out;
  }

  /** x̂ = decode(encode(x)). */
  reconstruct(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  /**
   * The training objective for a batch: the mean over rows of the summed per-feature loss
   * (BCE from logits, or squared error), comparing the reconstruction of `input` with `target`
   * (the clean input, which differs from `input` when denoising).
   */
  loss(input: Tensor, target: Tensor = input): Tensor {
    const scale = 1 / input.shape[0];
    if (this.config.loss === 'bce') return bceWithLogits(this.decodeLogits(this.encode(input)), target, scale);
    return squaredError(this.reconstruct(input), target, scale);
  }

  /**
   * The training objective for a batch in one forward pass: the reconstruction loss (as `loss`)
   * and the sum of the config's activity penalties (sparsity, L1 activity, contractive), which
   * read the hidden activations of the same pass; null when the config has none. L2 is not here:
   * the optimizer applies it (see `optimizerDecay`).
   * @example
   * const { reconstruction, penalty } = ae.objective(noisy, clean);
   */
  objective(input: Tensor, target: Tensor = input): { reconstruction: Tensor; penalty: Tensor | null } {
    if (!this.config.regularization) return { reconstruction: this.loss(input, target), penalty: null };
    const hidden: Tensor[] = [];
    let h = this.inputMean ? sub(input, this.inputMean) : input;
    for (const layer of this.encoder) hidden.push(h = layer.forward(h));
    const scale = 1 / input.shape[0];
    const reconstruction = this.config.loss === 'bce'
      ? bceWithLogits(this.decodeLogits(h), target, scale)
      : squaredError(this.decode(h), target, scale);
    return { reconstruction, penalty: activityPenalty(this.config.regularization, { encoder: this.encoder, hidden }) };
  }

  /** Every trainable tensor, named as in the model file (encoder.0.weight, …); a tied weight appears once, under the encoder. */
  parameters(): NamedParameter[] {
    return [
      ...this.encoder.flatMap((layer, i) => layer.parameters(`encoder.${i}`)),
      ...this.decoder.flatMap((layer, i) => layer.parameters(`decoder.${i}`)),
    ];
  }

  /** Sets the mean subtracted from inputs (for `centerInputs`), e.g. the training set's. */
  setInputMean(mean: Float32Array): void {
    if (!this.inputMean) throw new UsageError('setInputMean: this model was not configured with centerInputs');
    if (mean.length !== this.inputSize) throw new UsageError(`setInputMean: expected ${this.inputSize} values, got ${mean.length}`);
    this.inputMean.data.set(mean);
  }
}

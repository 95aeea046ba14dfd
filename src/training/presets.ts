/**
 * The named autoencoders of the course material, as configs plus the training settings they
 * were tuned with.
 */
import { UsageError } from '../errors.js';
import type { AutoencoderConfigInput, ModelSpecInput } from '../models/config.js';
import type { LayerSpecInput } from '../models/layer-specs.js';
import type { PresetTraining } from './settings.js';
import { tableModel } from './table-model.js';

/** A preset: the model, and the training defaults that go with it. */
export interface Preset {
  description: string;
  model: AutoencoderConfigInput;
  /** The settings it was tuned with (weight decay 0 when absent; greedy: see src/training/greedy.ts). */
  training: PresetTraining;
  /**
   * The model for rows of `width` features, for a preset whose every layer is sized from the
   * width (`model` is then the one for 784); without it, only the input layer follows the data.
   */
  modelFor?: (width: number) => AutoencoderConfigInput;
}

/**
 * The hash preset's hashing terms at a code length (see hashModel): consistency 30 up to 32 bits
 * and 10 above, balance 3.
 * @example
 * presetHashingTerms(64); // { consistency: 10, balance: 3 }
 */
export function presetHashingTerms(bits: number): { consistency: number; balance: number } {
  return { consistency: bits > 32 ? 10 : 30, balance: 3 };
}

/**
 * The semantic-hashing autoencoder (Salakhutdinov & Hinton 2009): the deep preset's encoder down
 * to `bits` code units, where Gaussian noise (σ = 20 by default) is added to the code's inputs
 * while training and a sigmoid follows, so that the code units learn to sit near 0 or 1 and read
 * out as bits. σ from sweeps (README, "Semantic hashing"): at 32 bits on 20,000 database digits,
 * mAP 0.380 at σ = 2, 0.406 at 4, 0.425 at 8, 0.445 at 12, 0.422 at 16; at 16 and 64 bits σ = 20
 * did best of 8, 12 and 20; on all of MNIST σ = 20 beat σ = 12 at 32 bits (0.454 against 0.449).
 * A straight-through binarised code (the binarize layer) scored 0.348, and 0.367 with noise σ = 1
 * before it.
 *
 * The hashing terms (src/models/hash-terms.ts) by default: self-augmented consistency (a view
 * moved by up to 2 pixels, 10° and 10% of scale must give the original's bits), λ = 30 up to 32
 * bits and 10 above, with bit balance (λ = 3), which keeps the consistency term from collapsing
 * every code to one. On a validation split (10,000 training digits as database, 1,000 others as
 * queries, 8 epochs, scripts/sweeps/hash-validation.ts), mAP without them 0.436 at 32 bits (ITQ
 * 0.440 / 0.455 / 0.475 at 16 / 32 / 64); consistency 30 with balance 3: 0.521 / 0.553 / 0.454;
 * consistency 10 with balance 3: 0.505 / 0.573 and 0.557 (seeds 0 and 1) / 0.586; consistency 10
 * or 30 alone collapsed (0.101 at 32 bits); balance and decorrelation without the view 0.445.
 * @param sigma the noise's standard deviation
 * @param hashing the hashing terms, in place of the default ones ({} for none); without consistency
 *   when the rows are not square images
 * @example
 * Autoencoder.create(hashModel(784, 32));
 */
export function hashModel(features: number, bits: number, sigma = 20, hashing: ModelSpecInput['hashing'] = presetHashingTerms(bits)): ModelSpecInput {
  const hidden = { activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' } as const;
  return {
    input: [features],
    encoder: [
      { type: 'dense', units: 1000, ...hidden }, { type: 'dense', units: 500, ...hidden }, { type: 'dense', units: 250, ...hidden },
      { type: 'dense', units: bits, init: 'he-normal' }, { type: 'noise', spec: `gaussian:${sigma}` }, { type: 'activation', activation: 'sigmoid' },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
    ...hashingFor(features, hashing),
  };
}

/**
 * The hashing block for inputs of `features` values: the augmented view moves images, so on rows
 * that are not a square image the consistency term is turned off (the other terms stay).
 */
function hashingFor(features: number, hashing: ModelSpecInput['hashing']): Pick<ModelSpecInput, 'hashing'> {
  if (!hashing) return {};
  if (Object.keys(hashing).length === 0) return {};
  return { hashing: Number.isInteger(Math.sqrt(features)) ? hashing : { ...hashing, consistency: 0 } };
}

/**
 * The convolutional autoencoder of the conv presets: two strided 3x3 convolutions (28 → 14 → 7)
 * and a dense 30-unit linear code, mirrored back (dense, reshape, two transposed convolutions
 * with output padding 1), optionally behind a noise layer for denoising. `units` picks the hidden
 * units: leaky relu (slope 0.1, He initialisation) as in the deep preset, which took the conv
 * preset's test sse from 3.04 (relu, batches of 128) to 2.85 with batches of 64; the
 * conv-denoising preset keeps relu, with which it was measured.
 * @example
 * Autoencoder.create(convModel('mask:0.25'));
 */
export function convModel(noise?: string, units: 'relu' | 'leaky' = 'leaky'): ModelSpecInput {
  const activation = units === 'leaky' ? { activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' } as const : { activation: 'relu' } as const;
  const conv = (filters: number) => ({ type: 'conv2d', filters, kernel: 3, stride: 2, padding: 1, ...activation } as const);
  return {
    input: [1, 28, 28],
    encoder: [...(noise ? [{ type: 'noise', spec: noise } as const] : []), conv(32), conv(64), { type: 'flatten' }, { type: 'dense', units: 30 }],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  };
}

/** The inpaint preset's choices (`inpaintModel`). */
export interface InpaintModelOptions {
  /** The largest training rectangle's side, as a share of the image's (default 0.6). */
  largest?: number;
  /** The share of training images that lose a rectangle rather than scattered pixels (default 0.8). */
  rectangles?: number;
  /** The units of the dense layer between the convolutions and the code; 0 for none (default 1024). */
  hidden?: number;
  /** The code's units (default 256). */
  code?: number;
  /** See the output's `holeWeight` (default 0: the plain loss). */
  holeWeight?: number;
  /** The convolutions' filters, one entry a convolution (default [16, 32, 64]). */
  filters?: readonly number[];
  /** The convolutions' strides, one entry a convolution (default [1, 2, 2] with the default filters, else 2 for each). */
  strides?: readonly number[];
  /** The reconstruction loss (default bce). */
  loss?: 'bce' | 'mse';
}

/**
 * The inpaint preset's net: a stride-1 3x3 convolution of 16 filters at full resolution, then two
 * strided ones of 32 and 64 (28 → 14 → 7; leaky relu, He initialisation), behind a noise layer of
 * holes (src/nn/holes.ts: a random rectangle with sides up to `largest` of the image's, or
 * scattered pixels, set to −1), a dense layer of `hidden` units, a `code`-unit linear code, and
 * mirrored back. Trained to give back the whole image from
 * what the holes leave, it fills a hole in one forward pass (`aekit inpaint`), as a context
 * encoder does (whose channel-wise fully connected layer the hidden layer stands for: a hole's
 * pixels depend on the whole context, which convolutions alone do not reach). The code is wider
 * than the conv preset's 30 units because it must carry what is known, not a summary.
 * Chosen on 1,000 held-out training digits (trained on 10,000 for 5 epochs; PSNR on the 12x12
 * centre hole; README, "Inpainting"): no hidden layer 9.97 dB, 1,024 units 10.27, 2,048 units
 * 10.36 at twice the time; rectangles in 80% of the images instead of half 10.46 (scattered
 * pixels lose 0.6 dB); the hole's loss weighted 5 times (`holeWeight` 4) no better. Then (same
 * digits): a stride-1 16-filter convolution before the two strided ones 10.65 dB against 10.44 for
 * the two alone (and 17.68 against 16.97 on half the pixels scattered), at 1.4 times the CPU time;
 * 32 filters there 10.68 at 1.75 times; a third convolution at 7x7 instead 10.53; squared error
 * instead of cross-entropy 10.50.
 * @example
 * Autoencoder.create(inpaintModel());
 */
export function inpaintModel(options: InpaintModelOptions = {}): ModelSpecInput {
  const { largest = 0.6, rectangles = 0.8, hidden = 1024, code = 256, holeWeight = 0, filters = [16, 32, 64], loss = 'bce' } = options;
  const strides = options.strides ?? (options.filters ? filters.map(() => 2) : [1, 2, 2]);
  const conv = (units: number, stride: number) => ({ type: 'conv2d', filters: units, kernel: 3, stride, padding: 1, activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' } as const);
  const dense = hidden > 0 ? [{ type: 'dense', units: hidden, activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' } as const] : [];
  return {
    input: [1, 28, 28],
    encoder: [{ type: 'noise', spec: `holes:${largest},${rectangles}` }, ...filters.map((units, i) => conv(units, strides[i] ?? 2)), { type: 'flatten' }, ...dense, { type: 'dense', units: code }],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss, ...(holeWeight > 0 ? { holeWeight } : {}) },
  };
}

/**
 * The segnet preset of `aekit segment`, in SegNet's shape (Badrinarayanan et al., TPAMI 2017):
 * encoder blocks of 3x3 convolution, batch norm and relu, with a 2x2 max pooling that keeps its
 * indices after the blocks in `pooledAfter`; the decoder walks back through them, unpooling at
 * each pooling's indices and convolving (convolution, batch norm, relu) to densify, and its last
 * convolution gives a score per class at every pixel. Four poolings take 64x64 scenes to 4x4, so
 * the deepest units see a whole digit (receptive field 70 pixels), which telling digits apart needs.
 * @example
 * Segmenter.create(segnetModel([16, 32, 64, 64, 128, 128], [0, 1, 3, 5]));
 */
export function segnetModel(filters: readonly number[], pooledAfter: readonly number[], classes = 11, size = 64) {
  const block = (units: number) => [
    { type: 'conv2d', filters: units, kernel: 3, padding: 1 } as const, { type: 'batch_norm' } as const, { type: 'activation', activation: 'relu' } as const,
  ];
  const encoder: LayerSpecInput[] = [];
  const poolAt = new Map<number, string>();
  filters.forEach((units, i) => {
    encoder.push(...block(units));
    if (pooledAfter.includes(i)) {
      poolAt.set(i, `encoder.${encoder.length}`);
      encoder.push({ type: 'max_pool2d', kernel: 2 });
    }
  });
  const decoder: LayerSpecInput[] = [];
  for (let i = filters.length - 1; i >= 0; i--) {
    const partner = poolAt.get(i);
    if (partner) decoder.push({ type: 'max_unpool2d', partner });
    decoder.push(...(i > 0 ? block(filters[i - 1]) : [{ type: 'conv2d', filters: classes, kernel: 3, padding: 1 } as const]));
  }
  return { input: [1, size, size], encoder, decoder, classes };
}

/**
 * The stacked denoising autoencoder of Vincent et al. (JMLR 2010): sigmoid layers of `sizes`
 * (input first), each behind a noise layer, with tied weights and a mirrored decoder. Pretrained
 * greedily (`training.greedy`), each noise layer corrupts the input of its own layer's denoising
 * autoencoder; at inference, and in a classifier built on the encoder, noise does nothing.
 * @example
 * Autoencoder.create(sdaeModel([784, 1000, 1000, 1000], 'mask:0.25'));
 */
export function sdaeModel(sizes: readonly number[], noise: string): ModelSpecInput {
  return {
    input: [sizes[0]],
    encoder: sizes.slice(1).flatMap((units) => [{ type: 'noise', spec: noise } as const, { type: 'dense', units, activation: 'sigmoid' } as const]),
    decoder: 'mirror',
    tied: true,
    output: { activation: 'sigmoid', loss: 'bce' },
  };
}

/** The VAE presets' hidden units: leaky relu with He initialisation, as the deep preset's. */
const VAE_UNIT = { activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' } as const;

/** The choices of `vaeModel`. */
export interface VaeModelOptions {
  /** The dense hidden layers between the input (or the convolutions) and the code, mirrored in the decoder. */
  hidden: readonly number[];
  /** The Gaussian code's units. */
  units: number;
  /** Two strided 3x3 convolutions (32 and 64 filters) first, mirrored by transposed convolutions. */
  conv?: boolean;
  /**
   * With `conv`: the decoder's last transposed convolution gives this many maps (leaky relu) instead
   * of the image, and a 3x3 stride-1 convolution makes the image from them (0 or absent: none, the
   * plain mirror).
   */
  refine?: number;
  /** KL warm-up epochs. */
  warmup?: number;
  /** k > 1: train the k-sample importance-weighted bound. */
  samples?: number;
  input?: readonly number[];
}

/**
 * A variational autoencoder (Kingma & Welling 2014) for binarised images: `hidden` deterministic
 * layers (leaky relu, He initialisation, as the deep preset) before a Gaussian code of `units`,
 * the decoder mirroring them to a Bernoulli likelihood (the sigmoid output's binary cross-entropy
 * is −log p(x | z)); with `conv`, two strided 3x3 convolutions (28 → 14 → 7) come first, mirrored
 * by transposed convolutions, and with `refine` the decoder ends in a stride-1 convolution at full
 * resolution, so that each output pixel sees a 3x3 neighbourhood of `refine` maps rather than the
 * at most four positions of one 14x14 map that the mirrored transposed convolution gives it. KL
 * warm-up over the first `warmup` epochs (Sønderby et al. 2016); with `samples` k > 1 the code layer
 * trains the k-sample importance-weighted bound (Burda et al. 2015).
 * @example
 * Autoencoder.create(vaeModel({ hidden: [512, 256], units: 50 }));
 * Autoencoder.create(vaeModel({ hidden: [512], units: 50, conv: true, refine: 32 }));
 */
export function vaeModel(options: VaeModelOptions): ModelSpecInput {
  const unit = VAE_UNIT;
  const conv = (filters: number) => ({ type: 'conv2d', filters, kernel: 3, stride: 2, padding: 1, ...unit } as const);
  const features = options.input ?? (options.conv ? [1, 28, 28] : [784]);
  const encoder: LayerSpecInput[] = [
    ...(options.conv ? [conv(32), conv(64), { type: 'flatten' } as const] : []),
    ...options.hidden.map((units) => ({ type: 'dense', units, ...unit } as const)),
    { type: 'gaussian', units: options.units, warmup: options.warmup ?? 0, ...(options.samples ? { samples: options.samples } : {}) },
  ];
  const refine = options.refine ?? 0;
  if (refine > 0 && !options.conv) throw new UsageError('vaeModel: refine is a convolution of the conv decoder; it needs conv');
  return {
    input: [...features],
    encoder,
    decoder: refine > 0 ? refinedConvDecoder(features, options.hidden, refine) : 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  };
}

/**
 * The mirror of vaeModel's conv encoder written out, its last transposed convolution giving
 * `refine` leaky relu maps at full resolution and a 3x3 stride-1 affine convolution the image.
 */
function refinedConvDecoder(features: readonly number[], hidden: readonly number[], refine: number): LayerSpecInput[] {
  const unit = VAE_UNIT;
  const [channels, height, width] = features;
  // A 3x3 stride-2 convolution with padding 1 takes n to ceil(n / 2); the transposed one gives
  // 2m − 1 + outputPadding back, so the output padding is what restores an even n.
  const half = (n: number) => Math.ceil(n / 2);
  const [h1, w1] = [half(height), half(width)];
  const [h2, w2] = [half(h1), half(w1)];
  const up = (filters: number, to: [number, number], from: [number, number]): LayerSpecInput => ({
    type: 'conv_transpose2d', filters, kernel: 3, stride: 2, padding: 1, outputPadding: [to[0] - (2 * from[0] - 1), to[1] - (2 * from[1] - 1)], ...unit,
  });
  // From the code back through the dense layers to the 64 maps of the second convolution.
  const sizes = [64 * h2 * w2, ...hidden];
  return [
    ...[...sizes].reverse().map((units) => ({ type: 'dense', units, ...unit } as const)),
    { type: 'reshape', shape: [64, h2, w2] },
    up(32, [h1, w1], [h2, w2]),
    up(refine, [height, width], [h1, w1]),
    { type: 'conv2d', filters: channels, kernel: 3, stride: 1, padding: 1 },
  ];
}

/**
 * What `aekit segment` builds the segnet model and its loss from: the blocks' filters and poolings,
 * the power of the class balancing (see balancedClassWeights; 0.25 puts the background at about a
 * quarter of a digit) and the weight of a soft Jaccard term beside the cross-entropy (0: none).
 */
const SEGNET_SETTINGS = { filters: [16, 32, 64, 64, 128, 128], pooledAfter: [0, 1, 3, 5], balancePower: 0.25, jaccardWeight: 1 };

/**
 * The segnet preset: the model, and the settings `aekit segment` trains it with. Chosen on 1,000
 * validation scenes (README, "Segmentation"): at 8,000 scenes x 7 epochs, lr 1e-2 gave mean IoU
 * 0.808 and lr 1e-2 with the soft Jaccard term 0.845; the same at 18,000 scenes 0.882, and at
 * 18,000 scenes x 12 epochs 0.897, which the native soft Jaccard kernel made fit in 15 minutes.
 */
export const SEGNET = {
  description: 'SegNet on 64x64 scenes of MNIST digits: six conv blocks 16-128 with four pooling indices, unpooled back, 11 classes per pixel (aekit segment)',
  model: segnetModel(SEGNET_SETTINGS.filters, SEGNET_SETTINGS.pooledAfter),
  training: { epochs: 12, batchSize: 32, lr: 1e-2, schedule: 'cosine' as const },
  settings: SEGNET_SETTINGS,
  scenes: 18000,
};

/**
 * The training settings of the one-layer sigmoid presets (undercomplete, overcomplete, l2, tied,
 * sparse, contractive and the overcomplete variants). With the decoder's bias started at the data's
 * mean (models/output-bias.ts), small batches and a larger rate leave the mean image fastest and
 * end lower: 784-64-784 on 5,000 digits for 3 epochs scored test sse 39.2 with batches of 128 at
 * 2e-3 and 15.0 with batches of 32 at 1e-2 (12 to 19 for the others, 9.3 overcomplete); on 55,000
 * digits for 20 epochs 4.48 against 3.09 (AMD EPYC Zen 5, 2 shared cores; README, "Presets").
 * Rates of 2e-2 did as well for 64 units but not for 1000 (overcomplete: 22.5 against 9.3).
 */
const ONE_LAYER_SIGMOID = { epochs: 20, batchSize: 32, lr: 1e-2, schedule: 'cosine' } as const;

/** Every preset by name. */
export const PRESETS = {
  undercomplete: {
    description: '784-64-784, sigmoid units, binary cross-entropy: the basic undercomplete autoencoder',
    model: { layers: [784, 64], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' },
    training: ONE_LAYER_SIGMOID,
  },
  overcomplete: {
    description: '784-1000-784 with no regularization: free to learn the identity (the copying problem)',
    model: { layers: [784, 1000], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' },
    training: ONE_LAYER_SIGMOID,
  },
  linear: {
    description: '784-30-784, linear both ways, squared error on centred inputs: learns the PCA subspace',
    model: { layers: [784, 30], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse', centerInputs: true },
    training: { epochs: 30, batchSize: 128, lr: 1e-3, schedule: 'cosine' },
  },
  'logistic-pca': {
    description: 'linear 30-d code, sigmoid output, binary cross-entropy (logistic PCA)',
    model: { layers: [784, 30], codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce' },
    training: { epochs: 30, batchSize: 128, lr: 2e-3, schedule: 'cosine' },
  },
  deep: {
    description: '784-1000-500-250-30 with a mirrored decoder and a linear code (Hinton & Salakhutdinov 2006)',
    // Hinton's sigmoid units need RBM pretraining: trained directly they sit on a plateau near
    // sse 45 for epochs. Leaky relu with He initialisation and small batches trained fastest in a
    // sweep on 10,000 images; on all of MNIST the net then overfits (train bce 55.0, validation
    // 58.3), and decoupled weight decay with a leak of 0.1 more than halved that gap and took the
    // test sse from 3.42 to 2.90 (README, "The deep autoencoder").
    model: { layers: [784, 1000, 500, 250, 30], hiddenActivation: 'leaky_relu', leakySlope: 0.1, codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce', init: 'he-normal' },
    training: { epochs: 30, batchSize: 64, lr: 1e-3, schedule: 'cosine', weightDecay: 0.3 },
  },
  conv: {
    description: 'convolutional: 1x28x28 -> conv 32 3x3/2 -> conv 64 3x3/2 (leaky relu) -> 30-unit linear code, mirrored with transposed convolutions',
    model: convModel(),
    training: { epochs: 20, batchSize: 64, lr: 2e-3, schedule: 'cosine' },
  },
  'conv-denoising': {
    description: 'the conv preset trained to undo masking noise (each pixel zeroed with probability 0.25)',
    model: convModel('mask:0.25', 'relu'),
    training: { epochs: 20, batchSize: 128, lr: 2e-3, schedule: 'cosine' },
  },
  // 25 epochs (20 before): on 1,000 held-out training digits 10 epochs beat 5 by 0.35 dB on the
  // centre hole (README, "Inpainting"), so the fill still gains from more passes; 25 rather than 30
  // for time (about 23 CPU-minutes at one thread on the 2-core Zen 5, against about 28). Not chosen
  // on the test set, where only 20 and 25 were ever run (25: 12.39 and 12.40 dB on the centre hole,
  // seeds 0 and 1; 20: 12.30, seed 0).
  inpaint: {
    description: 'a stride-1 conv 16 3x3, then conv 32 and 64 3x3/2, a 1,024-unit dense layer and a 256-unit code, mirrored, trained to fill holes: random rectangles (80% of images) or scattered pixels set to -1 on the way in, the whole image out; aekit inpaint fills with it in one pass',
    model: inpaintModel(),
    training: { epochs: 25, batchSize: 64, lr: 2e-3, schedule: 'cosine' },
  },
  // The default for a CSV or Arrow table (src/training/table-model.ts): sized from the width.
  // Tables are often small, so it takes many small steps: on scikit-learn's bundled tables
  // (standardized, test sse against PCA with as many components; bench/table-preset.ts) 30
  // epochs in batches of 64 at 1e-3 lost to PCA everywhere (wine 17.4 against 2.84); 100 epochs
  // in batches of 32 at 1e-2 gave wine 2.64 (PCA 2.84), breast cancer 3.04 (3.09), diabetes 3.43
  // (3.63), digits 6.74 (17.02); 50 epochs at 1e-2 or 3e-3 did worse (README, "Your own table").
  table: {
    description: 'for a table of w columns: w-2w-ceil(w/4) (hidden 16 to 256, code at most 32), leaky relu, linear code and output, squared error on standardized inputs',
    model: tableModel(784),
    modelFor: tableModel,
    training: { epochs: 100, batchSize: 32, lr: 1e-2, schedule: 'cosine', scale: 'standardize' },
  },
  // One-class anomaly detection (aekit anomaly --one-class): a narrow code, so that the model
  // reconstructs only what its training class has in common. Chosen by measurement on MNIST
  // (README, "Anomaly scores"): on the five hardest digits (2, 3, 5, 8, 9) it matched or beat the
  // conv preset with a 16-unit code at a third of the time, and wider or deeper nets did no better.
  anomaly: {
    description: '784-512-16 leaky relu, linear code: trained on normal examples only, it scores anomalies by reconstruction error (aekit anomaly)',
    model: { layers: [784, 512, 16], hiddenActivation: 'leaky_relu', leakySlope: 0.1, codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce', init: 'he-normal' },
    training: { epochs: 30, batchSize: 64, lr: 1e-3, schedule: 'cosine' },
  },
  hash: {
    description: '784-1000-500-250-32 with noise before a sigmoid code: binary codes for semantic hashing (aekit retrieve)',
    model: hashModel(784, 32),
    training: { epochs: 30, batchSize: 64, lr: 1e-3, schedule: 'cosine', weightDecay: 0.3 },
  },
  // Regularized autoencoders (issue 4): each is one config, and the terms combine.
  l2: {
    description: '784-64-784 sigmoid with L2 weight decay λ‖W‖², λ = 1e-3 (biases not decayed)',
    model: { layers: [784, 64], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { l2: 1e-3 } },
    training: ONE_LAYER_SIGMOID,
  },
  tied: {
    description: '784-64-784 sigmoid with tied weights: the decoder uses the encoder\'s weight transposed (half the weights)',
    model: { layers: [784, 64], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', tied: true },
    training: ONE_LAYER_SIGMOID,
  },
  sparse: {
    description: '784-196-784 sigmoid with the KL sparsity penalty (ρ = 0.05, β = 3): each code unit fires for few inputs',
    model: { layers: [784, 196], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { sparsity: { rho: 0.05, beta: 3 } } },
    training: ONE_LAYER_SIGMOID,
  },
  contractive: {
    description: '784-64-784 sigmoid with the contractive penalty λ‖∂h/∂x‖²_F, λ = 0.1: codes insensitive to small input changes',
    model: { layers: [784, 64], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { contractive: 0.1 } },
    training: ONE_LAYER_SIGMOID,
  },
  // Two relu layers and tied weights. Measured on MNIST masked at 0.5 (trained at 0.25): after
  // 10 epochs a 784-1000 sigmoid layer gained 3.3 dB and 784-512-256 relu 4.7 dB; tied, the relu
  // stack gained 5.0 dB in 6 epochs (untied 4.7): half the weights, and they learn faster.
  denoising: {
    description: '784-512-256 relu with tied weights, trained to undo masking noise (each pixel zeroed with probability 0.25)',
    model: { layers: [784, 512, 256], hiddenActivation: 'relu', codeActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce', tied: true, regularization: { noise: 'mask:0.25' } },
    training: { epochs: 10, batchSize: 64, lr: 3e-3, schedule: 'cosine' },
  },
  'denoising-gaussian': {
    description: '784-512-256 relu with tied weights, trained to undo additive Gaussian noise (σ = 0.5)',
    model: { layers: [784, 512, 256], hiddenActivation: 'relu', codeActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce', tied: true, regularization: { noise: 'gaussian:0.5' } },
    training: { epochs: 10, batchSize: 64, lr: 3e-3, schedule: 'cosine' },
  },
  'overcomplete-sparse': {
    description: '784-1000-784 made to learn features, not the identity, by the KL sparsity penalty (ρ = 0.05, β = 3)',
    model: { layers: [784, 1000], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { sparsity: { rho: 0.05, beta: 3 } } },
    training: ONE_LAYER_SIGMOID,
  },
  'overcomplete-denoising': {
    description: '784-1000-784 made to learn features, not the identity, by masking noise (q = 0.25)',
    model: { layers: [784, 1000], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { noise: 'mask:0.25' } },
    training: ONE_LAYER_SIGMOID,
  },
  // Classification on learned features (issue 12): pretrained greedily, then fine-tuned by
  // `aekit classify --finetune`.
  sdae: {
    description: 'stacked denoising autoencoder 784-1000-1000-1000, sigmoid, tied, masking noise 0.25; pretrained greedily, one layer at a time (aekit classify)',
    model: sdaeModel([784, 1000, 1000, 1000], 'mask:0.25'),
    training: { epochs: 20, batchSize: 64, lr: 1e-3, schedule: 'cosine', greedy: true },
  },
  // Generative autoencoders (issue 32), trained on dynamically binarised MNIST as the likelihood
  // papers do; `aekit eval` reports their importance-sampled test NLL.
  vae: {
    description: 'variational autoencoder 784-512-256-(50 Gaussian) leaky relu, mirrored to a Bernoulli output, trained on the 5-sample importance-weighted bound; dynamically binarised data, KL warm-up',
    model: vaeModel({ hidden: [512, 256], units: 50, warmup: 5, samples: 5 }),
    // Chosen on validation digits (README, "Variational autoencoders"): at 30 epochs a rate of
    // 2e-3 scored 1.6 nats better than 1e-3; 140 epochs of the 5-sample importance-weighted bound
    // (Burda et al. 2015) scored 87.13 nats, against 89.14 for 70 ELBO epochs and 88.12 for 140,
    // in 28 minutes of CPU time.
    training: { epochs: 140, batchSize: 100, lr: 2e-3, schedule: 'cosine', binarize: 'dynamic' },
  },
  'conv-vae': {
    description: 'convolutional VAE: conv 32 3x3/2, conv 64 3x3/2 (leaky relu), a 50-d Gaussian code, mirrored by transposed convolutions; dynamically binarised data',
    model: vaeModel({ hidden: [], units: 50, conv: true, warmup: 3 }),
    // Chosen on validation digits at equal CPU (README, "Variational autoencoders"): 12 epochs at
    // 2e-3 (225 s of CPU) scored 92.84 nats on 500 validation digits at K = 1,000, against 95.31
    // for 4 epochs (266 s) of a larger decoder (a dense layer of 512 each side of the code and a
    // stride-1 convolution of 32 maps ending it: vaeModel's hidden and refine), which costs 3.6
    // times the CPU an epoch. 90 epochs at 16 to 18 s of CPU each are 25 to 28 minutes at one thread.
    training: { epochs: 90, batchSize: 100, lr: 2e-3, schedule: 'cosine', binarize: 'dynamic' },
  },
} satisfies Record<string, Preset>;

/** A preset's name. */
export type PresetName = keyof typeof PRESETS;

/** The default preset: the deep autoencoder (for images; a table's is `table`, see defaultPresetFor). */
export const DEFAULT_PRESET: PresetName = 'deep';

/** The preset a CSV or Arrow table trains with when none is named. */
export const DEFAULT_TABLE_PRESET: PresetName = 'table';

/** Resolves a preset by name, with a message listing the known ones (an own key only: "toString" is none). */
export function presetByName(name: string): Preset {
  if (!Object.hasOwn(PRESETS, name)) throw new UsageError(`unknown preset "${name}"; expected one of: ${Object.keys(PRESETS).join(', ')}`);
  return PRESETS[name as PresetName];
}

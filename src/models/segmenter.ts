/**
 * A segmentation net in SegNet's shape (Badrinarayanan, Kendall & Cipolla, TPAMI 2017): a
 * convolutional encoder whose max pooling layers keep their indices, a decoder that unpools with
 * them and convolves to densify the sparse maps, and a score per class for every pixel, trained
 * with the per-pixel softmax cross-entropy. Built from layer specs like an autoencoder; with
 * `decoder: "mirror"` the mirror rules build the decoder and its last layer gives one score map
 * per class instead of the input's channels.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { type ForwardContext, formatDims, INFERENCE, type NamedBuffer, type NamedParameter } from '../nn/layer.js';
import type { Sequential } from '../nn/sequential.js';
import { add, mulScalar, noGrad, softJaccard, softmaxCrossEntropy, Tensor, tidy } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import { buildStack, type LayerSpec, layerSpecSchema } from './layer-specs.js';
import { mirror } from './mirror.js';
import type { Batch, Objective, Trainable } from './trainable.js';

/** The spec of a segmentation net. */
export const segmenterSpecSchema = z.object({
  /** One input image's shape [channels, height, width]. */
  input: z.array(z.number().int().positive()).length(3),
  encoder: z.array(layerSpecSchema).min(1),
  decoder: z.union([z.literal('mirror'), z.array(layerSpecSchema)]).default('mirror'),
  /** Classes per pixel (the background counts as one). */
  classes: z.number().int().min(2).max(255),
  /** A weight per class in the loss (rare classes can be weighted up); default all 1. */
  classWeights: z.array(z.number().min(0)).optional(),
  /** The weight of a soft Jaccard term (tensor/ops/soft-jaccard.ts) added to the cross-entropy; default none. */
  jaccardWeight: z.number().min(0).optional(),
}).strict();

export type SegmenterSpecInput = z.input<typeof segmenterSpecSchema>;
export type SegmenterSpec = z.output<typeof segmenterSpecSchema>;
/** A segmentation net with its decoder written out. */
export type ResolvedSegmenterSpec = Omit<SegmenterSpec, 'decoder'> & { decoder: LayerSpec[] };

/**
 * A net that labels every pixel.
 * @example
 * const net = Segmenter.create(SEGNET.model);
 * net.predict(images); // a class per pixel, Uint8Array of batch · height · width
 */
export class Segmenter implements Trainable {
  private constructor(readonly spec: ResolvedSegmenterSpec, readonly encoder: Sequential, readonly decoder: Sequential) {}

  /** Validates the spec (a UsageError names the field or the layer) and builds the net from `seed`. */
  static create(input: SegmenterSpecInput, seed = 0): Segmenter {
    const parsed = segmenterSpecSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`segmentation config: ${[...issue.path].join('.') || '(root)'}: ${issue.message}`);
    }
    const spec = parsed.data;
    if (spec.classWeights && spec.classWeights.length !== spec.classes) {
      throw new UsageError(`segmentation config: classWeights: ${spec.classWeights.length} weights for ${spec.classes} classes`);
    }
    const ctx = { rng: new Prng(seed), byName: new Map() };
    const encoder = buildStack('encoder', spec.encoder, spec.input, ctx);
    const decoderSpecs = spec.decoder === 'mirror' ? scoresFromMirror(mirror(encoder), spec.classes) : spec.decoder;
    const decoder = buildStack('decoder', decoderSpecs, encoder.outputShape, ctx);
    const [, h, w] = spec.input;
    const want = [spec.classes, h, w];
    if (decoder.outputShape.join(',') !== want.join(',')) {
      throw new UsageError(`segmentation config: the decoder gives ${formatDims(decoder.outputShape)}, but scores for ${spec.classes} classes at every pixel are ${formatDims(want)}`);
    }
    const resolved: ResolvedSegmenterSpec = { ...spec, decoder: decoder.layers.map((l) => l.spec() as LayerSpec) };
    return new Segmenter(resolved, encoder, decoder);
  }

  get inputShape(): readonly number[] {
    return this.spec.input;
  }

  get classes(): number {
    return this.spec.classes;
  }

  /** The class scores [batch, classes, height, width] for images [batch, channels, height, width]. */
  scores(x: Tensor, ctx: ForwardContext = INFERENCE): Tensor {
    return this.decoder.forward(this.encoder.forward(x, ctx), ctx);
  }

  /** The most likely class of every pixel, batch · height · width of them. */
  predict(x: Tensor): Uint8Array {
    const [n, , h, w] = x.shape;
    const pixels = h * w;
    const out = new Uint8Array(n * pixels);
    noGrad(() => tidy(() => {
      const s = this.scores(x).data;
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < pixels; p++) {
          let best = 0;
          for (let c = 1; c < this.classes; c++) {
            if (s[(i * this.classes + c) * pixels + p] > s[(i * this.classes + best) * pixels + p]) best = c;
          }
          out[i * pixels + p] = best;
        }
      }
    }));
    return out;
  }

  /**
   * The mean per-pixel cross-entropy of the batch's label maps (weighted by class when the spec
   * says so), plus jaccardWeight times the batch's soft Jaccard loss when the spec has one.
   */
  objective(batch: Batch, ctx: ForwardContext): Objective {
    if (!batch.y) throw new UsageError('segmentation: training needs a label map per image');
    const scores = this.scores(batch.x, ctx);
    const crossEntropy = softmaxCrossEntropy(scores, batch.y.data, { classWeights: this.spec.classWeights });
    const weight = this.spec.jaccardWeight ?? 0;
    return { loss: weight > 0 ? add(crossEntropy, mulScalar(softJaccard(scores, batch.y.data), weight)) : crossEntropy, penalty: null };
  }

  parameters(): NamedParameter[] {
    return [...this.encoder.parameters(), ...this.decoder.parameters()];
  }

  buffers(): NamedBuffer[] {
    return [...this.encoder.buffers(), ...this.decoder.buffers()];
  }
}

/** The mirrored decoder with its last layer giving `classes` score maps instead of the input's channels. */
function scoresFromMirror(decoder: LayerSpec[], classes: number): LayerSpec[] {
  const last = decoder[decoder.length - 1];
  if (!last || (last.type !== 'conv_transpose2d' && last.type !== 'conv2d')) {
    throw new UsageError(`segmentation config: a mirrored decoder must end in a convolution to give class scores; it ends in ${last ? last.type : 'nothing'} (write the decoder's specs out instead)`);
  }
  return [...decoder.slice(0, -1), { ...last, filters: classes }];
}

/**
 * Loss weights that balance rare classes against common ones: (median frequency / frequency)^power
 * for each class, from the label maps a net will train on. SegNet weighs by median frequency /
 * frequency (power 1); a smaller power softens that so the background (about 96% of a scene's
 * pixels) still counts. Classes absent from `labels` get 1 (they never enter the loss).
 * @example
 * balancedClassWeights(Uint8Array.of(0, 0, 0, 1), 2, 0.5); // [√(2/3), √2]: counts 3 and 1, median 2
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number, power = 1): number[] {
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const present = [...counts].filter((c) => c > 0).sort((a, b) => a - b);
  if (present.length === 0) return new Array<number>(classes).fill(1);
  const mid = present.length >> 1;
  const median = present.length % 2 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
  return Array.from(counts, (c) => (c > 0 ? (median / c) ** power : 1));
}

/** How a prediction agrees with the truth, pixel by pixel. */
export interface SegmentationScores {
  /** The share of pixels given their true class. */
  pixelAccuracy: number;
  /** Per class: |predicted ∩ true| / |predicted ∪ true|; null for a class in neither. */
  perClassIoU: (number | null)[];
  /** The mean of the per-class IoUs that are defined. */
  meanIoU: number;
}

/**
 * Pixel accuracy and intersection over union per class.
 * @example
 * segmentationScores(Uint8Array.of(0, 1, 1), Uint8Array.of(0, 1, 0), 2); // accuracy 2/3, IoU [1/2, 1/2]
 */
export function segmentationScores(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): SegmentationScores {
  if (predicted.length !== truth.length) throw new UsageError(`segmentationScores: ${predicted.length} predictions for ${truth.length} labels`);
  const intersection = new Float64Array(classes);
  const union = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i];
    const t = truth[i];
    if (p === t) {
      correct++;
      intersection[t]++;
      union[t]++;
    } else {
      union[p]++;
      union[t]++;
    }
  }
  const perClassIoU = Array.from(union, (u, c) => (u > 0 ? intersection[c] / u : null));
  const defined = perClassIoU.filter((v): v is number => v !== null);
  return {
    pixelAccuracy: truth.length > 0 ? correct / truth.length : 0,
    perClassIoU,
    meanIoU: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : 0,
  };
}

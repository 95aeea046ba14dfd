/**
 * A classifier on learned features: an encoder (layer specs, usually taken from a trained
 * autoencoder with its weights) and a head that gives one score per class, trained with the
 * softmax cross-entropy of one label per example through the same `fit` as every model. The
 * encoder can be frozen (only the head learns: a softmax on the codes) or fine-tuned with it.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { type ForwardContext, formatDims, INFERENCE, type NamedBuffer, type NamedParameter } from '../nn/layer.js';
import type { Sequential } from '../nn/sequential.js';
import { noGrad, reshape, sizeOf, softmaxCrossEntropy, Tensor, tidy } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import { buildStack, type LayerSpec, type LayerSpecInput, layerSpecSchema } from './layer-specs.js';
import { jitterImages } from './image-jitter.js';
import type { Autoencoder } from './autoencoder.js';
import type { NamedArray } from './state.js';
import type { Batch, Objective, Trainable } from './trainable.js';

/** The spec of a classifier. */
export const classifierSpecSchema = z.object({
  /** One input example's shape: [784], or [1, 28, 28] for images. */
  input: z.array(z.number().int().positive()).min(1),
  /** The feature extractor; empty for a softmax on the inputs themselves. */
  encoder: z.array(layerSpecSchema).default([]),
  /** The layers from the code to the class scores; default a flatten (for a code that is not a vector) and a linear dense layer of `classes` units. */
  head: z.array(layerSpecSchema).optional(),
  /** The number of classes; labels are 0 .. classes − 1. */
  classes: z.number().int().min(2).max(1 << 16),
  /**
   * Images only: while training, each input image is moved by a random whole number of pixels in
   * −shift .. shift along each axis (the uncovered border filled with zeros), a new draw at every
   * step: data augmentation. 0 (the default) turns it off; inference never shifts.
   */
  shift: z.number().int().min(0).max(8).default(0),
  /**
   * Images only: while training, also turn each image by up to ± this many degrees about its
   * centre (0, the default: no turn). With `rotate` or `scale` set, the moves are drawn in real
   * numbers and the images resampled bilinearly (src/models/image-jitter.ts), the shift too.
   */
  rotate: z.number().min(0).max(45).default(0),
  /** Images only: while training, also scale each image by a factor within 1 ± this (0, the default: no scaling). */
  scale: z.number().min(0).max(0.5).default(0),
}).strict();

export type ClassifierSpecInput = z.input<typeof classifierSpecSchema>;
/** A classifier with its head written out: what a classifier run folder stores. */
export type ClassifierSpec = Omit<z.output<typeof classifierSpecSchema>, 'head'> & { head: LayerSpec[] };

/**
 * The default head for codes of `codeShape`: the softmax regression of the code (a flatten first
 * when the code is not a vector).
 * @example
 * softmaxHead([30], 10); // [{ type: 'dense', units: 10 }]
 */
export function softmaxHead(codeShape: readonly number[], classes: number): LayerSpecInput[] {
  return [...(codeShape.length > 1 ? [{ type: 'flatten' } as const] : []), { type: 'batch_norm' }, { type: 'dense', units: classes, activation: 'identity' }];
}

/**
 * An encoder and a softmax head.
 * @example
 * const net = Classifier.create({ input: [784], encoder: [{ type: 'dense', units: 64, activation: 'relu' }], classes: 10 }, 1);
 * await fit(net, train);                 // train has one label per example
 * net.predict(test.x);                   // Int32Array of classes
 */
export class Classifier implements Trainable {
  /** When true only the head learns: `parameters()` leaves the encoder out and it runs at inference. */
  frozenEncoder = false;

  private constructor(readonly spec: ClassifierSpec, readonly encoder: Sequential, readonly head: Sequential) {}

  /**
   * Validates the spec (a UsageError names the field or the layer) and builds the net from `seed`.
   * @throws UsageError when the head does not give one score per class
   */
  static create(input: ClassifierSpecInput, seed = 0, options: { maxParameters?: number } = {}): Classifier {
    const parsed = classifierSpecSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`classifier config: ${[...issue.path].join('.') || '(root)'}: ${issue.message}`);
    }
    const spec = parsed.data;
    for (const field of ['shift', 'rotate', 'scale'] as const) {
      if (spec[field] > 0 && spec.input.length !== 3) {
        throw new UsageError(`classifier config: ${field}: moves images [channels, height, width], but the input is ${formatDims(spec.input)}`);
      }
    }
    const ctx = { rng: new Prng(seed), byName: new Map(), maxParameters: options.maxParameters };
    const encoder = buildStack('encoder', spec.encoder, spec.input, ctx);
    const head = buildStack('head', spec.head ?? softmaxHead(encoder.outputShape, spec.classes), encoder.outputShape, ctx);
    if (head.outputShape.length !== 1 || head.outputShape[0] !== spec.classes) {
      throw new UsageError(`classifier config: the head gives ${formatDims(head.outputShape)} per example, but ${spec.classes} classes need scores of shape [${spec.classes}]`);
    }
    const resolved: ClassifierSpec = {
      input: [...spec.input], encoder: encoder.layers.map((l) => l.spec() as LayerSpec), head: head.layers.map((l) => l.spec() as LayerSpec),
      classes: spec.classes, shift: spec.shift, rotate: spec.rotate, scale: spec.scale,
    };
    return new Classifier(resolved, encoder, head);
  }

  /**
   * A classifier on the encoder of `autoencoder`, with its weights (copies), noise layers left out,
   * and a fresh softmax head.
   * @example
   * const net = Classifier.fromAutoencoder(ae, 10, 1);
   * net.frozenEncoder = true;              // train only the softmax, or leave it false to fine-tune
   */
  static fromAutoencoder(autoencoder: Autoencoder, classes: number, seed = 0): Classifier {
    const tensors = [...autoencoder.encoder.parameters(), ...autoencoder.encoder.buffers()].map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data }));
    const { encoder, weights } = withoutNoise(autoencoder.config.encoder, tensors);
    const net = Classifier.create({ input: autoencoder.config.input, encoder, classes }, seed);
    const byName = new Map(weights.map((w) => [w.name, w.data]));
    for (const { name, tensor } of [...net.encoder.parameters(), ...net.encoder.buffers()]) tensor.data.set(byName.get(name)!);
    return net;
  }

  get inputShape(): readonly number[] {
    return this.spec.input;
  }

  get classes(): number {
    return this.spec.classes;
  }

  /** The shape of one code (the encoder's output, the head's input). */
  get codeShape(): readonly number[] {
    return this.encoder.outputShape;
  }

  /** The class scores (logits) [batch, classes] for inputs [batch, ...input] (or rows of the input's size). */
  logits(x: Tensor, ctx: ForwardContext = INFERENCE): Tensor {
    let input = x.shape.slice(1).join(',') === this.spec.input.join(',') ? x : reshape(x, [x.shape[0], ...this.spec.input]);
    if (ctx.training && ctx.rng) input = this.augmented(input, ctx.rng);
    const code = this.frozenEncoder ? noGrad(() => this.encoder.forward(input, INFERENCE)) : this.encoder.forward(input, ctx);
    return this.head.forward(code, ctx);
  }

  /** True when training moves the images (shift, rotate or scale). */
  get augments(): boolean {
    return this.spec.shift > 0 || this.spec.rotate > 0 || this.spec.scale > 0;
  }

  /** A training batch moved as the spec says: whole-pixel shifts alone, or bilinear affine moves. */
  private augmented(x: Tensor, rng: Prng): Tensor {
    const { shift, rotate, scale } = this.spec;
    if (rotate === 0 && scale === 0) return shift > 0 ? shiftImages(x, shift, rng) : x;
    const moved = Tensor.empty(x.shape);
    moved.data.set(jitterImages(x.data, this.spec.input, rng, { shift, rotate, scale }));
    return moved;
  }

  /** The most likely class of each example of `x` (whole examples one after another). */
  predict(x: Float32Array, batchSize = 1000): Int32Array {
    const size = sizeOf(this.spec.input);
    if (x.length % size !== 0) throw new UsageError(`predict: ${x.length} values are not a whole number of examples of ${size}`);
    const n = x.length / size;
    const out = new Int32Array(n);
    const k = this.classes;
    noGrad(() => {
      for (let from = 0; from < n; from += batchSize) {
        const rows = Math.min(batchSize, n - from);
        tidy(() => {
          const s = this.logits(new Tensor(x.subarray(from * size, (from + rows) * size), [rows, ...this.spec.input])).data;
          for (let i = 0; i < rows; i++) {
            let best = 0;
            for (let c = 1; c < k; c++) if (s[i * k + c] > s[i * k + best]) best = c;
            out[from + i] = best;
          }
        });
      }
    });
    return out;
  }

  /** The mean softmax cross-entropy of the batch's labels. */
  objective(batch: Batch, ctx: ForwardContext): Objective {
    if (!batch.y) throw new UsageError('classifier: training needs a class label per example');
    return { loss: softmaxCrossEntropy(this.logits(batch.x, ctx), batch.y.data), penalty: null };
  }

  /** The tensors training updates: the head's, and the encoder's unless it is frozen. */
  parameters(): NamedParameter[] {
    return this.frozenEncoder ? this.head.parameters() : this.allParameters();
  }

  /** Every trainable tensor, frozen or not (what the model file holds). */
  allParameters(): NamedParameter[] {
    return [...this.encoder.parameters(), ...this.head.parameters()];
  }

  buffers(): NamedBuffer[] {
    return [...this.encoder.buffers(), ...this.head.buffers()];
  }
}

/**
 * Each image of a batch [n, c, h, w] moved by its own random offset in −max .. max pixels along
 * each axis (dy drawn first, then dx, each as `rng.int(2·max + 1) − max`), zeros where nothing
 * moved in. The input of a network needs no gradient.
 * @example
 * const moved = shiftImages(batch, 2, rng); // pixel (y, x) of image i is batch's (y − dy_i, x − dx_i)
 */
export function shiftImages(x: Tensor, max: number, rng: Prng): Tensor {
  const [n, c, h, w] = x.shape;
  const out = Tensor.zeros(x.shape);
  const src = x.data;
  const dst = out.data;
  for (let i = 0; i < n; i++) {
    const dy = rng.int(2 * max + 1) - max;
    const dx = rng.int(2 * max + 1) - max;
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * h * w;
      for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
        const from = base + (y - dy) * w;
        const to = base + y * w;
        const x0 = Math.max(0, dx);
        const x1 = Math.min(w, w + dx);
        dst.set(src.subarray(from + x0 - dx, from + x1 - dx), to + x0);
      }
    }
  }
  return out;
}

/**
 * An encoder's specs without its noise layers (they corrupt inputs while an autoencoder trains
 * and do nothing after), partners renumbered to the places of the layers that remain. Tensor
 * names stay: noise layers take no place in the nn.Sequential numbering they follow.
 * @example
 * withoutNoise([{ type: 'noise', spec: 'mask:0.25' }, dense], tensors); // dense now at encoder.0 (its tensors still encoder.0.*)
 */
export function withoutNoise(specs: readonly LayerSpec[], tensors: readonly NamedArray[]): { encoder: LayerSpec[]; weights: NamedArray[] } {
  const place = new Map<number, number>();
  const kept: LayerSpec[] = [];
  specs.forEach((s, i) => {
    if (s.type === 'noise') return;
    place.set(i, kept.length);
    kept.push(s);
  });
  const renamed = (path: string) => path.replace(/^encoder\.(\d+)$/, (_, i: string) => {
    const to = place.get(Number(i));
    if (to === undefined) throw new UsageError(`"${path}" is a noise layer, which no layer can take as its partner`);
    return `encoder.${to}`;
  });
  const encoder = kept.map((s) => ('partner' in s ? { ...s, partner: renamed(s.partner) } : s)) as LayerSpec[];
  return { encoder, weights: [...tensors] };
}

/** Accuracy and where the errors go. */
export interface ClassificationScores {
  /** The share of examples given their true class. */
  accuracy: number;
  /** The share of examples given another class (1 − accuracy). */
  error: number;
  /** confusion[t][p]: examples of true class t predicted as p; row t sums to the count of class t. */
  confusion: number[][];
}

/**
 * Accuracy and the confusion matrix.
 * @example
 * classificationScores(Int32Array.of(0, 1, 1), Uint8Array.of(0, 1, 0), 2); // accuracy 2/3, confusion [[1, 1], [0, 1]]
 */
export function classificationScores(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): ClassificationScores {
  if (predicted.length !== truth.length) throw new UsageError(`classificationScores: ${predicted.length} predictions for ${truth.length} labels`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][predicted[i]]++;
    if (truth[i] === predicted[i]) correct++;
  }
  const n = truth.length;
  return { accuracy: n > 0 ? correct / n : 0, error: n > 0 ? (n - correct) / n : 0, confusion };
}

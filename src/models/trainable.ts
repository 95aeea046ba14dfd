/**
 * What the training loop sees of a model: its parameters and its objective for a batch. An
 * autoencoder, a classifier built on an encoder and a segmentation net all train through the
 * same `fit` by being this.
 */
import type { Matrix } from '../data/dataset.js';
import type { ForwardContext, NamedParameter } from '../nn/layer.js';
import type { Tensor } from '../tensor/index.js';

/** One minibatch: inputs of shape [batch, ...exampleShape] and, when the data has them, labels. */
export interface Batch {
  x: Tensor;
  /** Class per example ([batch]) or label map per example ([batch, h, w]), as floats. */
  y?: Tensor;
}

/** A batch's objective: the data term (reported as the loss) and the regularizers' terms. */
export interface Objective {
  loss: Tensor;
  /** The sum of the penalty terms, or null when there are none (always null at inference). */
  penalty: Tensor | null;
}

/** A model `fit` can train. */
export interface Trainable {
  /** The shape of one input example. */
  readonly inputShape: readonly number[];
  /** Every trainable tensor, each once. */
  parameters(): NamedParameter[];
  /** The objective for a batch; `ctx.training` turns on noise, dropout and the penalties. */
  objective(batch: Batch, ctx: ForwardContext): Objective;
  /** Called once before training with the training rows (e.g. to set an input mean). */
  prepare?(train: Matrix): void;
}

/**
 * The one interface every layer implements, in the manner of Keras's `Layer`: a forward pass
 * that knows whether it is training, the tensors it owns under their file names, shape inference
 * (so a bad stack fails when it is built, not deep in a kernel), and the JSON spec that rebuilds it.
 */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';

/** What a forward pass needs besides its input. */
export interface ForwardContext {
  /** Noise and dropout act only while training. */
  training: boolean;
  /** The training loop's seeded generator, which noise and dropout draw from; null at inference. */
  rng: Prng | null;
  /** Epochs of training done so far, fractional (set by the training loop), for schedules inside the objective such as KL warm-up. */
  epoch?: number;
}

/** The context of inference: no noise, no dropout, no randomness. */
export const INFERENCE: ForwardContext = Object.freeze({ training: false, rng: null });

/** A named trainable tensor. */
export interface NamedParameter {
  name: string;
  tensor: Tensor;
  /** Decoupled weight decay shrinks weights, never biases. */
  kind: 'weight' | 'bias';
  /** λ of a coupled L2 penalty λ‖θ‖² on this tensor (the layer's kernel or bias regularizer); 0 when absent. */
  l2?: number;
}

/**
 * A layer's weight and bias as parameters named `<prefix>.weight` and `<prefix>.bias`, with the
 * coupled L2 its kernel and bias regularizers ask for (0 when absent).
 */
export function weightAndBias(prefix: string, weight: Tensor, bias: Tensor, l2: { kernel?: number; bias?: number } = {}): NamedParameter[] {
  return [
    { name: `${prefix}.weight`, tensor: weight, kind: 'weight', l2: l2.kernel ?? 0 },
    { name: `${prefix}.bias`, tensor: bias, kind: 'bias', l2: l2.bias ?? 0 },
  ];
}

/** A named tensor saved with the model that training does not update (e.g. an input mean). */
export interface NamedBuffer {
  name: string;
  tensor: Tensor;
}

/**
 * A layer of a network.
 * @example
 * const layer = new Dense({ type: 'dense', units: 64, activation: 'sigmoid' }, [784], new Prng(1));
 * const h = layer.forward(x, INFERENCE); // [batch, 64]
 */
export interface Layer {
  /** The spec's `type`. */
  readonly type: string;
  /** The shape of one example this layer takes (batch axis left out). */
  readonly inputShape: readonly number[];
  /** The shape of one example it gives. */
  readonly outputShape: readonly number[];
  /** The layer applied to a batch x of shape [batch, ...inputShape]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  /** Trainable tensors under `prefix` (e.g. "encoder.0"). */
  parameters(prefix: string): NamedParameter[];
  /** Saved, untrained tensors under `prefix`. */
  buffers(prefix: string): NamedBuffer[];
  /** The JSON spec that rebuilds this layer. */
  spec(): LayerSpecBase;
  /**
   * The layer's own terms of the training objective, read from the output of the same forward
   * pass (activity regularizers: sparsity, L1 activity, contractive); null when it has none.
   */
  penalty(output: Tensor): Tensor | null;
}

/** What every spec has: its type, and an optional name that partner layers refer to. */
export interface LayerSpecBase {
  type: string;
  name?: string;
}

/** Shapes as people read them: [1, 28, 28]. */
export function formatDims(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws a ShapeError naming the layer unless examples of `shape` are vectors (one axis).
 * @example
 * expectVector('dense', [1, 28, 28]); // throws: add a flatten layer before it
 */
export function expectVector(layer: string, shape: readonly number[]): void {
  if (shape.length !== 1) {
    throw new ShapeError(`${layer}: takes vectors (examples of shape [features]), got examples of shape ${formatDims(shape)}; put a flatten layer before it`);
  }
}

/** A layer with no tensors and no penalty, for the layers that only transform. */
export abstract class StatelessLayer implements Layer {
  abstract readonly type: string;
  abstract readonly inputShape: readonly number[];
  abstract readonly outputShape: readonly number[];
  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;
  abstract spec(): LayerSpecBase;

  parameters(_prefix: string): NamedParameter[] {
    return [];
  }

  buffers(_prefix: string): NamedBuffer[] {
    return [];
  }

  penalty(_output: Tensor): Tensor | null {
    return null;
  }
}

/**
 * The tied dense layer: a decoder layer whose weight is its encoder partner's, transposed
 * (W* = Wᵀ), with a bias of its own.
 */
import type { Activation } from '../backend/backend.js';
import { linear, Tensor } from '../tensor/index.js';
import type { Dense, NamedParameter } from './dense.js';

/**
 * A decoder layer tied to `source`: h = act(x · W + c), where W is `source.weight` itself (not a
 * copy), so the one tensor receives the gradients of both uses and the optimizer updates it once.
 * @example
 * const enc = new Dense(784, 64, 'sigmoid', 'xavier-uniform', new Prng(1));
 * const dec = new TiedDense(enc, 'sigmoid');
 * const xHat = dec.forward(enc.forward(x)); // [batch, 784]
 */
export class TiedDense {
  /** The decoder's own bias, one per output (the encoder's input size). */
  readonly bias: Tensor;

  /**
   * @param source the encoder layer whose weight this layer reads transposed
   * @param activation applied to the affine output
   */
  constructor(readonly source: Dense, public activation: Activation, readonly leakySlope = 0.01) {
    this.bias = Tensor.zeros([source.inputs], true);
  }

  /** Size of each input row: the encoder layer's output size. */
  get inputs(): number {
    return this.source.outputs;
  }

  /** Number of units: the encoder layer's input size. */
  get outputs(): number {
    return this.source.inputs;
  }

  /** The shared weight, in the encoder's [encoder outputs, encoder inputs] layout. */
  get sharedWeight(): Tensor {
    return this.source.weight;
  }

  /** act(x · W + c) for x of shape [batch, inputs]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.source.weight, this.bias, this.activation, this.leakySlope, true);
  }

  /** The pre-activation x · W + c (logits for a sigmoid output). */
  forwardAffine(x: Tensor): Tensor {
    return linear(x, this.source.weight, this.bias, 'identity', 0.01, true);
  }

  /** Only the bias: the weight belongs to (and is saved with) the encoder layer. */
  parameters(prefix: string): NamedParameter[] {
    return [{ name: `${prefix}.bias`, tensor: this.bias, kind: 'bias' }];
  }
}

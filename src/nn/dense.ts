/**
 * The dense layer h = act(x · Wᵀ + b), with W stored [out, in] as nn.Linear stores it.
 */
import type { Activation } from '../backend/backend.js';
import { linear, Tensor } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';
import { initWeight, type InitScheme } from './init.js';

/** A named trainable tensor. */
export interface NamedParameter {
  name: string;
  tensor: Tensor;
  /** Weights decay under L2 by default; biases do not. */
  kind: 'weight' | 'bias';
}

/**
 * A fully connected layer.
 * @example
 * const layer = new Dense(784, 64, 'sigmoid', 'xavier-uniform', new Prng(1));
 * const h = layer.forward(x); // [batch, 64]
 */
export class Dense {
  readonly weight: Tensor;
  readonly bias: Tensor;

  /**
   * @param inputs size of each input row
   * @param outputs number of units
   * @param activation applied to the affine output
   */
  constructor(readonly inputs: number, readonly outputs: number, public activation: Activation,
    init: InitScheme, rng: Prng, readonly leakySlope = 0.01) {
    this.weight = Tensor.zeros([outputs, inputs], true);
    this.bias = Tensor.zeros([outputs], true);
    initWeight(this.weight.data, inputs, outputs, init, rng);
  }

  /** act(x · Wᵀ + b) for x of shape [batch, inputs]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, this.activation, this.leakySlope);
  }

  /** The same layer without its activation: the pre-activation (logits for a sigmoid output). */
  forwardAffine(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, 'identity');
  }

  /** The weight and bias under `prefix` (e.g. "encoder.0"). */
  parameters(prefix: string): NamedParameter[] {
    return [
      { name: `${prefix}.weight`, tensor: this.weight, kind: 'weight' },
      { name: `${prefix}.bias`, tensor: this.bias, kind: 'bias' },
    ];
  }
}

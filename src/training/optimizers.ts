/**
 * Optimizers: each step is one backend sweep per parameter tensor (a single native loop on the
 * native backend), with its state buffers allocated once.
 */
import type { AdamParams, SgdParams } from '../backend/backend.js';
import type { NamedParameter } from '../nn/layer.js';
import { UsageError } from '../errors.js';
import { getBackend } from '../tensor/index.js';

/** Settings shared by the optimizers. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr: number;
  /**
   * Decoupled weight decay (Loshchilov & Hutter's AdamW/SGDW) on weights, never biases: θ shrinks
   * by lr·weightDecay·θ each step, outside the gradient, so Adam's per-parameter scaling does not
   * weaken it. Combines with each parameter's coupled L2 (`NamedParameter.l2`, the layers'
   * kernel and bias regularizers), whose gradient 2λθ joins the gradient.
   */
  weightDecay?: number;
}

/** The two decay coefficients for one parameter. */
function decaysFor(options: OptimizerOptions, param: NamedParameter): { l2: number; weightDecay: number } {
  return { l2: param.l2 ?? 0, weightDecay: param.kind === 'weight' ? options.weightDecay ?? 0 : 0 };
}

/** What an optimizer remembers between steps, for a checkpoint: its step count and its buffers. */
export interface OptimizerState {
  step: number;
  buffers: Float32Array[];
}

/** Updates parameters from their gradients. */
export interface Optimizer {
  lr: number;
  /** Applies one update from the current gradients; parameters without a gradient are skipped. */
  step(): void;
  /** Its state now (the live buffers, not copies). */
  state(): OptimizerState;
  /** Continues from a saved state of an optimizer over the same parameters. */
  restore(state: OptimizerState): void;
}

/** Copies `saved` into `live`, checking that they are the same optimizer's buffers. */
function restoreBuffers(live: Float32Array[], saved: OptimizerState, name: string): void {
  if (saved.buffers.length !== live.length || saved.buffers.some((b, i) => b.length !== live[i].length)) {
    throw new UsageError(`${name}: the saved state's buffers do not fit this model's parameters`);
  }
  saved.buffers.forEach((b, i) => live[i].set(b));
}

/** Adam's own settings. */
export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * Adam (Kingma & Ba 2015), with each parameter's coupled L2 and/or decoupled (AdamW) weight decay.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.step();
 */
export class Adam implements Optimizer {
  lr: number;
  private t = 0;
  private readonly moments: { m: Float32Array; v: Float32Array }[];

  constructor(private readonly params: NamedParameter[], private readonly options: AdamOptions) {
    this.lr = options.lr;
    this.moments = params.map((p) => ({ m: new Float32Array(p.tensor.size), v: new Float32Array(p.tensor.size) }));
  }

  state(): OptimizerState {
    return { step: this.t, buffers: this.moments.flatMap(({ m, v }) => [m, v]) };
  }

  restore(state: OptimizerState): void {
    restoreBuffers(this.state().buffers, state, 'Adam');
    this.t = state.step;
  }

  step(): void {
    this.t++;
    const backend = getBackend();
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = this.options;
    for (let i = 0; i < this.params.length; i++) {
      const param = this.params[i];
      const grad = param.tensor.grad;
      if (!grad) continue;
      const settings: AdamParams = { lr: this.lr, beta1, beta2, eps, step: this.t, ...decaysFor(this.options, param) };
      backend.adamStep(param.tensor.data, grad, this.moments[i].m, this.moments[i].v, settings);
    }
  }
}

/** SGD's own settings. */
export interface SgdOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum.
 * @example
 * const opt = new Sgd(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class Sgd implements Optimizer {
  lr: number;
  private readonly velocities: Float32Array[];

  constructor(private readonly params: NamedParameter[], private readonly options: SgdOptions) {
    this.lr = options.lr;
    this.velocities = params.map((p) => new Float32Array((options.momentum ?? 0) > 0 ? p.tensor.size : 0));
  }

  state(): OptimizerState {
    return { step: 0, buffers: this.velocities };
  }

  restore(state: OptimizerState): void {
    restoreBuffers(this.velocities, state, 'SGD');
  }

  step(): void {
    const backend = getBackend();
    const { momentum = 0, nesterov = false } = this.options;
    for (let i = 0; i < this.params.length; i++) {
      const param = this.params[i];
      const grad = param.tensor.grad;
      if (!grad) continue;
      const settings: SgdParams = { lr: this.lr, momentum, nesterov, ...decaysFor(this.options, param) };
      backend.sgdStep(param.tensor.data, grad, this.velocities[i], settings);
    }
  }
}

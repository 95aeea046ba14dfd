/**
 * What the job's train.py needs to know of a model beyond its module: for each aekit layer, the
 * `nn.Sequential` modules it became (so the script runs them layer by layer, as aekit's trace
 * does), the noise and dropout it applies while training, the penalties it adds, a VAE's Gaussian
 * code (its KL term's β, free bits and warm-up); and each
 * parameter's decay (coupled L2, and whether decoupled weight decay shrinks it).
 */
import { UsageError } from '../../errors.js';
import type { NamedParameter } from '../../nn/layer.js';
import { Dense } from '../../nn/dense.js';
import { Dropout } from '../../nn/dropout.js';
import { Gaussian } from '../../nn/gaussian.js';
import { NoiseLayer } from '../../nn/noise.js';
import type { Sequential } from '../../nn/sequential.js';
import { TiedDense } from '../../nn/tied-dense.js';
import { torchModuleCount } from '../../nn/torch-names.js';

/** A layer's penalties, as train.py computes them (src/nn/regularizers.ts's formulas). */
export interface JobPenalty {
  kl?: { rho: number; beta: number };
  l1?: number;
  contractive?: { lambda: number; activation: string; slope: number; weight: string };
}

/** One aekit layer of a stack, for train.py. */
export type JobLayer =
  | { type: 'noise'; noise: { kind: 'mask' | 'gaussian' | 'salt-pepper'; amount: number } }
  | { type: 'dropout'; rate: number; modules: [number, number] }
  | { type: 'gaussian'; modules: [number, number]; gaussian: { units: number; beta: number; freeBits: number; warmup: number; samples: number } }
  | { type: string; modules: [number, number]; penalty?: JobPenalty };

/** A parameter's name (as in the state dict) and its decays. */
export interface JobParameter {
  name: string;
  kind: 'weight' | 'bias';
  l2: number;
}

/**
 * The layers of a stack for train.py: modules [from, to) in the stack's nn.Sequential (the
 * numbering of src/nn/torch-names.ts), noise and dropout, and penalties.
 * @throws UsageError for a layer whose penalty or noise the job cannot reproduce
 * @example
 * jobLayers(model.encoder); // [{ type: 'dense', modules: [0, 2], penalty: { kl: { rho: 0.05, beta: 3 } } }, …]
 */
export function jobLayers(stack: Sequential): JobLayer[] {
  return stack.layers.map((layer, i) => {
    const at = Number(stack.tensorPrefix(i).split('.').pop());
    const modules: [number, number] = [at, at + torchModuleCount(layer.spec())];
    if (layer instanceof NoiseLayer) {
      const noise = layer.noise;
      if (noise.kind === 'holes') {
        throw new UsageError('the torchrun job does not reproduce holes noise (the inpaint preset\'s training) yet: train such a model with aekit train');
      }
      return { type: 'noise', noise: { kind: noise.kind, amount: noise.kind === 'gaussian' ? noise.sigma : noise.rate } };
    }
    if (layer instanceof Dropout) return { type: 'dropout', rate: layer.spec().rate, modules };
    if (layer instanceof Gaussian) {
      const { units, beta, freeBits, warmup } = layer.spec();
      return { type: 'gaussian', modules, gaussian: { units, beta, freeBits, warmup, samples: layer.samples } };
    }
    const penalty = penaltyOf(layer, stack.tensorPrefix(i));
    return { type: layer.type, modules, ...(penalty ? { penalty } : {}) };
  });
}

function penaltyOf(layer: Sequential['layers'][number], prefix: string): JobPenalty | null {
  if (!(layer instanceof Dense) && !(layer instanceof TiedDense)) return null;
  const spec = layer.spec();
  const penalty: JobPenalty = {};
  const activity = spec.activityRegularizer;
  if (activity?.kl && activity.kl.beta > 0) penalty.kl = { rho: activity.kl.rho, beta: activity.kl.beta };
  if (activity?.l1) penalty.l1 = activity.l1;
  if (layer instanceof Dense && layer.spec().contractive) {
    penalty.contractive = { lambda: layer.spec().contractive!, activation: layer.activation, slope: layer.leakySlope, weight: `${prefix}.weight` };
  }
  return Object.keys(penalty).length > 0 ? penalty : null;
}

/**
 * Each trainable tensor's name and decays, in aekit's order.
 * @throws UsageError when a name is not one the module's state dict has (a tied weight appears once)
 */
export function jobParameters(params: readonly NamedParameter[]): JobParameter[] {
  const seen = new Set<string>();
  return params.map((p) => {
    if (seen.has(p.name)) throw new UsageError(`the parameter ${p.name} appears twice`);
    seen.add(p.name);
    return { name: p.name, kind: p.kind, l2: p.l2 ?? 0 };
  });
}

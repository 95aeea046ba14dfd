/**
 * The regularization flags of `aekit train` (--l2, --tied, --sparsity, --l1-activity,
 * --contractive, --noise): their parsers, and the config changes they make.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { ShortFormInput } from '../models/config.js';
import { parseNoise } from '../nn/noise.js';
import { parseDecimal } from '../util/decimal.js';
import { nonNegativeNumber } from './options.js';

/** A noise spec (mask:Q, gaussian:SIGMA, salt-pepper:P), checked now and kept as text. */
export function noiseSpec(text: string): string {
  try {
    parseNoise(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return text;
}

/** RHO or RHO:BETA, e.g. 0.05:3. */
export function sparsitySpec(text: string): { rho: number; beta?: number } {
  const [rhoText, betaText, ...rest] = text.split(':');
  const rho = parseDecimal(rhoText);
  if (rest.length > 0 || !(rho > 0 && rho < 1)) {
    throw new InvalidArgumentError(`expected RHO or RHO:BETA with RHO in (0, 1), e.g. 0.05:3, got "${text}"`);
  }
  if (betaText === undefined) return { rho };
  const beta = parseDecimal(betaText);
  if (!Number.isFinite(beta) || beta < 0) {
    throw new InvalidArgumentError(`expected RHO:BETA with BETA a number ≥ 0, e.g. 0.05:3, got "${text}"`);
  }
  return { rho, beta };
}

/**
 * Adds the regularization flags to a command.
 * @example
 * addRegularizationOptions(new Command('train'));
 */
export function addRegularizationOptions(command: Command): Command {
  return command
    .option('--tied', 'tie weights: each decoder layer uses its encoder partner\'s weight transposed (stored once)')
    .option('--l2 <lambda>', 'L2 weight decay: adds λ‖W‖² to the objective (gradient 2λW)', nonNegativeNumber)
    .option('--l2-biases', 'apply --l2 to biases too')
    .option('--sparsity <rho:beta>', 'sparse code: β Σ KL(ρ‖ρ̂) on the sigmoid code\'s mean activations (β defaults to 3)', sparsitySpec)
    .option('--l1-activity <lambda>', 'L1 activity penalty λ·mean Σ|code|', nonNegativeNumber)
    .option('--contractive <lambda>', 'contractive penalty λ‖∂h/∂x‖²_F on the first encoder layer', nonNegativeNumber)
    .option('--noise <spec>', 'denoising: corrupt inputs afresh each step (mask:Q, gaussian:SIGMA, salt-pepper:P)', noiseSpec);
}

/** The parsed flags, as `addRegularizationOptions` names them. */
export interface RegularizationFlags {
  tied?: boolean;
  l2?: number;
  l2Biases?: boolean;
  sparsity?: { rho: number; beta?: number };
  l1Activity?: number;
  contractive?: number;
  noise?: string;
}

/**
 * The config changes the flags ask for (for `trainRun`'s `modelOverrides`), or undefined.
 * @example
 * overridesFromFlags({ tied: true, noise: 'mask:0.25' }); // { tied: true, regularization: { noise: 'mask:0.25' } }
 */
export function overridesFromFlags(flags: RegularizationFlags): Pick<ShortFormInput, 'tied' | 'regularization'> | undefined {
  const regularization: NonNullable<ShortFormInput['regularization']> = {};
  if (flags.l2 !== undefined) regularization.l2 = flags.l2;
  if (flags.l2Biases) regularization.l2Biases = true;
  if (flags.sparsity) regularization.sparsity = flags.sparsity;
  if (flags.l1Activity !== undefined) regularization.l1Activity = flags.l1Activity;
  if (flags.contractive !== undefined) regularization.contractive = flags.contractive;
  if (flags.noise !== undefined) regularization.noise = flags.noise;
  const overrides: Pick<ShortFormInput, 'tied' | 'regularization'> = {};
  if (flags.tied) overrides.tied = true;
  if (Object.keys(regularization).length > 0) overrides.regularization = regularization;
  return Object.keys(overrides).length > 0 ? overrides : undefined;
}

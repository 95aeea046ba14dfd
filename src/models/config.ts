/**
 * The autoencoder's configuration: what a run folder's model.json stores and `--config` reads,
 * validated with zod so a bad file gets a message that names the field.
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../backend/backend.js';
import { INIT_SCHEMES } from '../nn/init.js';
import { regularizationSchema } from './regularization.js';

const activation = z.enum(ACTIVATIONS as unknown as [string, ...string[]]);

/** The schema of an autoencoder config. */
export const autoencoderConfigSchema = z.object({
  /** Layer sizes from the input to the code, e.g. [784, 1000, 500, 250, 30]; the decoder mirrors them. */
  layers: z.array(z.number().int().positive()).min(2),
  /** Activation of every hidden layer, encoder and decoder alike, unless `encoderActivations` says otherwise. */
  hiddenActivation: activation.default('sigmoid'),
  /** Activation of the code layer; linear by default, as in the deep autoencoder. */
  codeActivation: activation.default('identity'),
  /** Per-layer encoder activations (one per weight layer, the last is the code's); overrides the two above. */
  encoderActivations: z.array(activation).optional(),
  /** Output unit: sigmoid for data in [0, 1], identity (linear) for real data. */
  outputActivation: z.enum(['sigmoid', 'identity']).default('sigmoid'),
  /** Reconstruction loss: binary cross-entropy (with a sigmoid output) or squared error. */
  loss: z.enum(['bce', 'mse']).default('bce'),
  init: z.enum(INIT_SCHEMES as unknown as [string, ...string[]]).default('xavier-uniform'),
  leakySlope: z.number().min(0).max(1).default(0.01),
  /** Subtract the training mean from the inputs (and add it back to outputs), as PCA does. */
  centerInputs: z.boolean().default(false),
  /** Tied weights: decoder layer i uses encoder layer n−1−i's weight transposed (W* = Wᵀ), stored once. */
  tied: z.boolean().default(false),
  /** Weight decay, sparsity, L1 activity, contractive and denoising terms (see regularization.ts). */
  regularization: regularizationSchema.optional(),
}).strict().superRefine((c, ctx) => {
  if (c.encoderActivations && c.encoderActivations.length !== c.layers.length - 1) {
    ctx.addIssue({ code: 'custom', path: ['encoderActivations'], message: `needs ${c.layers.length - 1} entries, one per encoder layer` });
  }
  if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') {
    ctx.addIssue({ code: 'custom', path: ['loss'], message: 'bce needs outputActivation "sigmoid" (its targets and outputs live in [0, 1])' });
  }
  if (c.regularization?.sparsity && (c.encoderActivations?.at(-1) ?? c.codeActivation) !== 'sigmoid') {
    ctx.addIssue({ code: 'custom', path: ['regularization', 'sparsity'], message: 'the KL sparsity penalty needs a sigmoid code (codeActivation "sigmoid"): ρ̂ must be a mean activation in (0, 1)' });
  }
  if (c.centerInputs && c.outputActivation !== 'identity') {
    ctx.addIssue({ code: 'custom', path: ['centerInputs'], message: 'centred inputs need outputActivation "identity" (a sigmoid cannot output centred values)' });
  }
});

/** A validated autoencoder config, defaults filled in. */
export type AutoencoderConfig = z.output<typeof autoencoderConfigSchema>;

/** A config as a user may write it, defaults left out. */
export type AutoencoderConfigInput = z.input<typeof autoencoderConfigSchema>;

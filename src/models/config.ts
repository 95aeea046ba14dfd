/**
 * The autoencoder's configuration, in two forms validated with zod so that a bad file gets a
 * message naming the field:
 *
 * - the spec form: the input's shape, the encoder as a list of layer specs, the decoder as specs
 *   or "mirror", and the output (activation and loss);
 * - the short form `layers: [784, 1000, 500, 250, 30]` with activations and a `regularization`
 *   block, which expands into the spec form (`expandShortForm`), so every preset and config file
 *   written for it keeps working.
 */
import { z } from 'zod';
import { type Activation, ACTIVATIONS } from '../backend/backend.js';
import { UsageError } from '../errors.js';
import type { DenseSpecInput } from '../nn/dense.js';
import { INIT_SCHEMES } from '../nn/init.js';
import { layerSpecSchema, type LayerSpec, type LayerSpecInput } from './layer-specs.js';
import { type HashingConfig, hashingSchema } from './hash-terms.js';
import { regularizationSchema } from './regularization.js';

const activation = z.enum(ACTIVATIONS as unknown as [Activation, ...Activation[]]);

/** The model's output unit and reconstruction loss. */
export const outputSchema = z.object({
  /** sigmoid for data in [0, 1], identity (linear) for real data. */
  activation: z.enum(['sigmoid', 'identity']).default('sigmoid'),
  /**
   * Binary cross-entropy (with a sigmoid output: −log p(x | x̂) of a Bernoulli likelihood), squared
   * error, or `gaussian`: −log N(x; x̂, σ²I), the squared error over 2σ² plus ½ log 2πσ² a value.
   */
  loss: z.enum(['bce', 'mse', 'gaussian']).default('bce'),
  /** σ of the Gaussian likelihood (loss "gaussian"), fixed; default 1. */
  sigma: z.number().positive().finite().optional(),
  /**
   * With a holes noise layer: the loss on the missing pixels counts 1 + holeWeight times while
   * training (src/models/hole-loss.ts); the training loss reported then includes that term.
   */
  holeWeight: z.number().nonnegative().optional(),
}).strict();

/** The output, defaults filled in. */
export type OutputConfig = z.output<typeof outputSchema>;

/** The schema of the spec form. */
export const modelSpecSchema = z.object({
  /** The shape of one input example: [784], or [1, 28, 28] for images. */
  input: z.array(z.number().int().positive()).min(1),
  encoder: z.array(layerSpecSchema).min(1),
  /** The decoder's specs, or "mirror" to build them from the encoder by the mirror rules. */
  decoder: z.union([z.literal('mirror'), z.array(layerSpecSchema)]).default('mirror'),
  /** With a mirrored decoder: tie each dense layer's weight to its encoder partner's. */
  tied: z.boolean().default(false),
  output: outputSchema.default({ activation: 'sigmoid', loss: 'bce' }),
  /** Terms that make a sigmoid code better bits for hashing (src/models/hash-terms.ts). */
  hashing: hashingSchema.optional(),
}).strict();

/** A model in the spec form as written. */
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
/** A model in the spec form, defaults filled in. */
export type ModelSpecConfig = z.output<typeof modelSpecSchema>;

/** A model with its decoder written out: what a run folder stores and every consumer reads. */
export interface ResolvedModel {
  input: number[];
  encoder: LayerSpec[];
  decoder: LayerSpec[];
  output: OutputConfig;
  /** The hashing terms, when the model trains with them. */
  hashing?: HashingConfig;
}

/** The schema of the short form. */
export const shortFormSchema = z.object({
  /** Layer sizes from the input to the code, e.g. [784, 1000, 500, 250, 30]; the decoder mirrors them. */
  layers: z.array(z.number().int().positive().max(1 << 24)).min(2),
  /** Activation of every hidden layer, encoder and decoder alike, unless `encoderActivations` says otherwise. */
  hiddenActivation: activation.default('sigmoid'),
  /** Activation of the code layer; linear by default, as in the deep autoencoder. */
  codeActivation: activation.default('identity'),
  /**
   * Per-layer encoder activations (one per weight layer, the last is the code's); overrides the
   * two above. The mirrored decoder layers take the activation of the encoder layer whose output
   * they restore.
   */
  encoderActivations: z.array(activation).optional(),
  outputActivation: outputSchema.shape.activation,
  loss: outputSchema.shape.loss,
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

/** A short-form config as written. */
export type ShortFormInput = z.input<typeof shortFormSchema>;
/** A short-form config, defaults filled in. */
export type ShortForm = z.output<typeof shortFormSchema>;

/** A model config as a user may write it: either form. */
export type AutoencoderConfigInput = ShortFormInput | ModelSpecInput;

/**
 * The short form's layer specs: [noise] [center] dense…, with the L2 terms on every dense layer's
 * kernel (and bias with `l2Biases`), the sparsity and L1 activity penalties on the code layer, and
 * the contractive penalty on the first layer; the decoder mirrors the encoder.
 * @example
 * expandShortForm(shortFormSchema.parse({ layers: [784, 30] })).encoder; // [{ type: 'dense', units: 30, … }]
 */
export function expandShortForm(c: ShortForm): ModelSpecInput {
  const reg = c.regularization;
  const last = c.layers.length - 2;
  const dense = c.layers.slice(1).map((units, i): DenseSpecInput => ({
    type: 'dense',
    units,
    activation: c.encoderActivations?.[i] ?? (i === last ? c.codeActivation : c.hiddenActivation),
    leakySlope: c.leakySlope,
    init: c.init as DenseSpecInput['init'],
    ...(reg?.l2 ? { kernelRegularizer: { l2: reg.l2 } } : {}),
    ...(reg?.l2 && reg.l2Biases ? { biasRegularizer: { l2: reg.l2 } } : {}),
    ...(i === 0 && reg?.contractive ? { contractive: reg.contractive } : {}),
    ...(i === last && (reg?.sparsity || reg?.l1Activity) ? {
      activityRegularizer: { ...(reg.sparsity ? { kl: reg.sparsity } : {}), ...(reg.l1Activity ? { l1: reg.l1Activity } : {}) },
    } : {}),
  }));
  const encoder: LayerSpecInput[] = [
    ...(reg?.noise ? [{ type: 'noise' as const, spec: reg.noise }] : []),
    ...(c.centerInputs ? [{ type: 'center' as const }] : []),
    ...dense,
  ];
  return { input: [c.layers[0]], encoder, decoder: 'mirror', tied: c.tied, output: { activation: c.outputActivation, loss: c.loss } };
}

/**
 * Validates a config in either form and returns it in the spec form.
 * @throws UsageError naming the field
 * @example
 * parseModelConfig({ layers: [784, 64], codeActivation: 'sigmoid' }).input; // [784]
 */
export function parseModelConfig(config: AutoencoderConfigInput): ModelSpecConfig {
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new UsageError('model config: expected an object with "layers" (the short form) or "input" and "encoder" (the spec form)');
  }
  const spec = 'layers' in config ? check(modelSpecSchema, expandShortForm(check(shortFormSchema, config))) : check(modelSpecSchema, config);
  if (spec.output.loss === 'bce' && spec.output.activation !== 'sigmoid') {
    throw new UsageError('model config: output.loss: bce needs output.activation "sigmoid" (its targets and outputs live in [0, 1])');
  }
  return spec;
}

/**
 * What a config leaves to defaults that its author may not expect, one sentence each: today,
 * squared error asked for without an output activation, which keeps the default sigmoid output
 * (values in [0, 1]), not the linear one real-valued data needs.
 * @example
 * implicitChoices({ layers: [20, 4], loss: 'mse' }); // ['"loss": "mse" keeps the default "outputActivation": "sigmoid" …']
 */
export function implicitChoices(config: unknown): string[] {
  if (!config || typeof config !== 'object') return [];
  const c = config as { layers?: unknown; loss?: unknown; outputActivation?: unknown; output?: { loss?: unknown; activation?: unknown } };
  const short = 'layers' in c;
  const loss = short ? c.loss : c.output?.loss;
  const activation = short ? c.outputActivation : c.output?.activation;
  if (loss !== 'mse' || activation !== undefined) return [];
  const key = short ? '"outputActivation"' : '"output.activation"';
  return [`"loss": "mse" keeps the default ${key}: "sigmoid", so outputs lie in [0, 1]; for real-valued data write ${key}: "identity"`];
}

function check<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`model config: ${[...issue.path].join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

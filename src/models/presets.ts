/**
 * The named autoencoders of the course material, as configs plus the training settings they
 * were tuned with.
 */
import type { AutoencoderConfigInput } from './config.js';

/** A preset: the model, and the training defaults that go with it. */
export interface Preset {
  description: string;
  model: AutoencoderConfigInput;
  training: { epochs: number; batchSize: number; lr: number; schedule: 'constant' | 'cosine' };
}

/** Every preset by name. */
export const PRESETS = {
  undercomplete: {
    description: '784-64-784, sigmoid units, binary cross-entropy: the basic undercomplete autoencoder',
    model: { layers: [784, 64], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' },
    training: { epochs: 20, batchSize: 128, lr: 2e-3, schedule: 'cosine' },
  },
  overcomplete: {
    description: '784-1000-784 with no regularization: free to learn the identity (the copying problem)',
    model: { layers: [784, 1000], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' },
    training: { epochs: 20, batchSize: 128, lr: 2e-3, schedule: 'cosine' },
  },
  linear: {
    description: '784-30-784, linear both ways, squared error on centred inputs: learns the PCA subspace',
    model: { layers: [784, 30], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse', centerInputs: true },
    training: { epochs: 30, batchSize: 128, lr: 1e-3, schedule: 'cosine' },
  },
  'logistic-pca': {
    description: 'linear 30-d code, sigmoid output, binary cross-entropy (logistic PCA)',
    model: { layers: [784, 30], codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce' },
    training: { epochs: 30, batchSize: 128, lr: 2e-3, schedule: 'cosine' },
  },
  deep: {
    description: '784-1000-500-250-30 with a mirrored decoder and a linear code (Hinton & Salakhutdinov 2006)',
    model: { layers: [784, 1000, 500, 250, 30], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce' },
    training: { epochs: 100, batchSize: 256, lr: 1e-3, schedule: 'cosine' },
  },
} satisfies Record<string, Preset>;

/** A preset's name. */
export type PresetName = keyof typeof PRESETS;

/** The default preset: the deep autoencoder. */
export const DEFAULT_PRESET: PresetName = 'deep';

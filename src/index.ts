/**
 * aekit's library entry for Node.js: models, training, data and the run-folder tools, running on
 * the native backend when its addon is built (the reference backend otherwise).
 */
import { selectBackend } from './backend/select.js';
import { setBackend } from './tensor/index.js';

setBackend(selectBackend());

export * from './errors.js';
export type { Activation, Backend } from './backend/backend.js';
export { selectBackend } from './backend/select.js';
export { createReferenceBackend } from './backend/reference/reference-backend.js';
export * from './tensor/index.js';
export { Dense, type NamedParameter } from './nn/dense.js';
export { initWeight, type InitScheme } from './nn/init.js';
export { TiedDense } from './nn/tied-dense.js';
export { contractivePenalty, l1ActivityPenalty, l2Penalty, sparsityPenalty } from './nn/regularizers.js';
export { corrupt, formatNoise, parseNoise, type NoiseSpec } from './nn/noise.js';
export { regularizationSchema, optimizerDecay, type RegularizationConfig } from './models/regularization.js';
export { Autoencoder, type DecoderLayer } from './models/autoencoder.js';
export { autoencoderConfigSchema, type AutoencoderConfig, type AutoencoderConfigInput } from './models/config.js';
export { PRESETS, DEFAULT_PRESET, type Preset, type PresetName } from './models/presets.js';
export { stateDict, loadStateDict, type NamedArray } from './models/state.js';
export { fit, type FitOptions, type FitResult, type TrainingEvent } from './training/fit.js';
export { evaluate, meanLoss, type Metrics } from './training/evaluate.js';
export { Adam, Sgd, type Optimizer } from './training/optimizers.js';
export { learningRate, type ScheduleName } from './training/schedule.js';
export type { Matrix } from './training/batches.js';
export { Prng } from './util/prng.js';
export { loadData, loadIdxFolder } from './data/mnist.js';
export { loadInputFile } from './data/load-input.js';
export { readNpy, writeNpy } from './data/npy.js';
export { type Dataset, splitValidation, firstRows } from './data/dataset.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export { fitPca, Pca, principalAngles, type PcaOptions, type PrincipalAngles, type Subspace } from './linalg/index.js';
export { trainRun, type TrainRunOptions, type TrainRunResult } from './apps/train-run.js';
export { loadRun } from './apps/load-run.js';
export { transformRows } from './apps/transform.js';
export { compareLinearAutoencoder, decoderSubspace, pcaRun, type PcaRunOptions, type PcaRunResult } from './apps/pca-run.js';
export { compare, type CompareOptions, type CompareResult } from './apps/compare.js';
export { corruptRows, denoiseEval, denoiseRows, psnr, type DenoiseMetrics } from './apps/denoise.js';

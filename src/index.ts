/**
 * aekit's library entry for Node.js: models, training, data and the run-folder tools. The backend
 * is chosen at the first op, not on import: the native one when its addon is built, else the
 * WebAssembly build of the same kernels, else the reference one (`backendNote()` says which and
 * why), unless `setBackend` chose first.
 */
import { selectBackend } from './backend/select.js';
import { setBackendChooser } from './tensor/index.js';

setBackendChooser(selectBackend);

export * from './errors.js';
export type { Activation, Backend } from './backend/backend.js';
export { backendFallbackReason, backendNote, selectBackend } from './backend/select.js';
export { createWasmBackend, type WasmBackend } from './backend/wasm/wasm-backend.js';
export { createReferenceBackend } from './backend/reference/reference-backend.js';
export * from './tensor/index.js';
export { Dense, denseSpec } from './nn/dense.js';
export { INFERENCE, type ForwardContext, type Layer, type NamedBuffer, type NamedParameter } from './nn/layer.js';
export { Sequential } from './nn/sequential.js';
export { Dropout } from './nn/dropout.js';
export { Center, Uncenter } from './nn/center.js';
export { Flatten } from './nn/flatten.js';
export { Reshape } from './nn/reshape.js';
export { initWeight, type InitScheme } from './nn/init.js';
export { TiedDense } from './nn/tied-dense.js';
export { Conv2d, ConvTranspose2d } from './nn/conv2d.js';
export { MaxPool2d, MaxUnpool2d } from './nn/pool.js';
export { Upsample } from './nn/upsample.js';
export { BatchNorm } from './nn/batch-norm.js';
export { LayerNorm, layerNorm } from './nn/layer-norm.js';
export { Binarize } from './nn/binarize.js';
export { contractivePenalty, l1ActivityPenalty, l2Penalty, sparsityPenalty } from './nn/regularizers.js';
export { corrupt, formatNoise, NoiseLayer, parseNoise, type NoiseSpec } from './nn/noise.js';
export { regularizationSchema, type RegularizationConfig } from './models/regularization.js';
export { Autoencoder } from './models/autoencoder.js';
export { buildStack, layerSpecSchema, type LayerSpec, type LayerSpecInput } from './models/layer-specs.js';
export { mirror } from './models/mirror.js';
export type { Batch, Objective, Trainable } from './models/trainable.js';
export {
  modelSpecSchema, parseModelConfig, shortFormSchema, type AutoencoderConfigInput, type ModelSpecInput, type ResolvedModel, type ShortFormInput,
} from './models/config.js';
export { PRESETS, DEFAULT_PRESET, type Preset, type PresetName } from './training/presets.js';
export { stateDict, loadStateDict, type NamedArray } from './models/state.js';
export { fit, type FitOptions, type FitResult, type FitState, type TrainingEvent } from './training/fit.js';
export { evaluate, meanObjective, type Metrics } from './training/evaluate.js';
export { Adam, Sgd, type Optimizer } from './training/optimizers.js';
export { learningRate, type ScheduleName } from './training/schedule.js';
export type { TrainingData } from './training/batches.js';
export { Prng } from './util/prng.js';
export { loadData } from './data/load-data.js';
export { loadIdxFolder } from './data/mnist.js';
export { loadInputFile } from './data/load-input.js';
export { readNpy, writeNpy } from './data/npy.js';
export { type Dataset, type Matrix, splitValidation, firstRows } from './data/dataset.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export { fitGaussianMixture, fitPca, type GaussianMixture, mixtureLogDensity, type MixtureFit, type MixtureFitOptions, Pca, principalAngles, sampleGaussianMixture, type PcaOptions, type PrincipalAngles, type Subspace } from './linalg/index.js';
export { resumeRun, trainRun, type TrainRunOptions, type TrainRunResult } from './apps/train/train-run.js';
export { loadRun, saveModel, type LoadedRun } from './run/save-load.js';
export { parseRunRecord, runRecordSchema, type RunRecord } from './run/run-record.js';
export { transformRows } from './run/transform.js';
export { compareLinearAutoencoder, decoderSubspace, pcaRun, type PcaRunOptions, type PcaRunResult } from './apps/pca/pca-run.js';
export { compare, type CompareOptions, type CompareResult } from './apps/compare/compare.js';
export { retrieve, score, type RetrievalResult, type RetrievalScores, type RetrieveOptions } from './apps/retrieve/retrieve.js';
export { HammingIndex, type Neighbours } from './hashing/hamming-index.js';
export { packCodes, type PackedCodes } from './hashing/bits.js';
export { itqHasher, lshHasher, pcaHasher, type Hasher } from './hashing/baselines.js';
export { INDEX_FILE, loadHashIndex, saveHashIndex, type IndexSource } from './hashing/index-file.js';
export {
  centreSquare, codePrior, fillHoles, fitCodes, holePsnr, inpaintEval, iterateFill, makeMask, parseMask, pcaProjection,
  type CodePrior, type InpaintMethod, type InpaintResult, type Mask, type MaskSpec,
} from './apps/inpaint/inpaint.js';
export { makeScenes, SCENE_CLASSES, type SceneOptions } from './data/scenes.js';
export { corruptRows, denoiseEval, denoiseRows, psnr, type DenoiseMetrics } from './apps/denoise/denoise.js';
export {
  anomalyScores, DEFAULT_ERROR_METRIC, featureErrors, flagAnomalies, reconstructionErrors, summarizeScores,
  type ErrorMetric, type FlaggedScores, type ReconstructionErrors, type ScoreSummary, type ThresholdRule,
} from './apps/anomaly/anomaly.js';
export { contaminationThreshold, flagAbove, prAuc, quantile, rocAuc, rocCurve, validationThreshold } from './apps/anomaly/anomaly-metrics.js';
export { oneClass, ONE_CLASS_PRESET, type OneClassEvent, type OneClassOptions, type OneClassResult, type OneClassScore } from './apps/anomaly/one-class.js';
export { Classifier, classificationScores, softmaxHead, type ClassificationScores, type ClassifierSpec, type ClassifierSpecInput } from './models/classifier.js';
export { sdaeModel } from './training/presets.js';
export { greedyStages, pretrainGreedy, type GreedyResult } from './training/greedy.js';
export { balancedSample } from './data/balanced-sample.js';
export { classify, scoreClassifier, CLASSIFY_DEFAULTS, type ClassifyOptions, type ClassifyResult } from './apps/classify/classify.js';
export { exportEncoder, loadClassifier, loadEncoder, saveClassifier, type LoadedClassifier, type LoadedEncoder } from './run/classifier-run.js';
export { buildReport, writeReport } from './run/report.js';
export { appendRunEvent, parseRunEvents, readRunEvents, type RunEvent } from './run/run-events.js';
export { filtersFigure, reconstructionsFigure, writeRunPictures } from './run/pictures.js';
export { figureLayout, rowsFigure, type Figure, type FigureLayout, type FigureRow } from './viz/figure.js';
export {
  activationHistogramSpec, klPenaltySpec, latentScatterSpec, lossCurveSpec, renderPlot, unitCurveSpec, type SeriesPoint,
} from './viz/plots.js';
export { svgToPng, writeSvgAsPng } from './viz/raster.js';
export { encodePng, tileImages, upscale, type Image } from './viz/png.js';
export { precisionAtRecall, RECALL_LEVELS } from './hashing/ranking-metrics.js';

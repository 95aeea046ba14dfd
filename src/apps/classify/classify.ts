/**
 * Classification on learned features as an application: a softmax on a trained encoder's codes
 * (the encoder frozen), or the encoder and the softmax trained together (fine-tuning, the stacked
 * denoising autoencoder recipe of Vincent et al., JMLR 2010); scored on the test split beside
 * baselines trained in the same run on the same labelled examples: a softmax on the raw pixels,
 * a softmax on PCA codes of the code's size, and the same network from random initial weights.
 * With `labels`, every one of them sees only that many labelled examples (balanced per class),
 * while the autoencoder learned from all the training images without labels.
 */
import { join, resolve } from 'node:path';
import { balancedSample } from '../../data/balanced-sample.js';
import { type Dataset, expectRowsFit, partName, takeRows } from '../../data/dataset.js';
import { UsageError } from '../../errors.js';
import { prepareRunFolder, RUN_FILES, writeJson } from '../../io/run-folder.js';
import { fitPca } from '../../linalg/pca.js';
import { Classifier, classificationScores, type ClassificationScores } from '../../models/classifier.js';
import { loadTensors } from '../../models/state.js';
import type { Sequential } from '../../nn/sequential.js';
import { getBackend, noGrad, sizeOf, tidy } from '../../tensor/index.js';
import { forEachBatch } from '../../training/batches.js';
import { fit, type TrainingEvent } from '../../training/fit.js';
import { encoderTensors, loadEncoder, saveClassifier } from '../../run/classifier-run.js';
import { classCount, labelledSplits } from '../../run/labelled-data.js';
import { pcaKernel } from '../pca/pca-run.js';
import { writeReport } from '../../run/report.js';

/** Training settings of `aekit classify` when not given: per mode. */
export const CLASSIFY_DEFAULTS = {
  epochs: 30,
  /**
   * Fine-tuning on images: each training image moved by up to 2 pixels (a new draw every step),
   * for twice the epochs, since the shifted images take longer to fit. On MNIST with the conv
   * preset's encoder: test error 1.10% without, 0.77% with shifts for 30 epochs, 0.70% for 60.
   */
  imageShift: 2,
  shiftedEpochs: 60,
  batchSize: 64,
  schedule: 'cosine' as const,
  /** Adam's peak rate for a network trained whole (fine-tuning, and the scratch baseline). */
  networkLr: 1e-3,
  /** For a softmax on fixed features (codes, pixels, PCA codes), which a batch norm in the head standardises. */
  softmaxLr: 1e-2,
  /**
   * With few labels an epoch is a few steps: epochs grow (unless given) until the run takes at
   * least this many steps.
   */
  minSteps: 3000,
};

/** What `aekit classify` can be told. */
export interface ClassifyOptions {
  /** A run folder with an encoder: an autoencoder run, an exported encoder or a classifier run. */
  model: string;
  /** Train the encoder with the softmax (default: the encoder frozen, a softmax on its codes). */
  finetune?: boolean;
  /** Labelled training examples, balanced over the classes (default: every training example). */
  labels?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /**
   * Images only: while a network trains (fine-tuning, and the scratch baseline), shift each image
   * by up to this many pixels along each axis; default 2 when fine-tuning an encoder of images
   * (with 60 epochs instead of 30), else 0.
   */
  shift?: number;
  /** Images only, with `shift`'s rules: turn each training image by up to ± this many degrees (default 0). */
  rotate?: number;
  /** Images only, with `shift`'s rules: scale each training image within 1 ± this (default 0). */
  scale?: number;
  /** Labelled data other than the run's own (its train and test splits). */
  data?: string;
  /** With `data`: the CSV or Arrow column holding the class labels (default: the run's own label column). */
  labelColumn?: string;
  testLimit?: number;
  /** Train and score the baselines (default true). */
  baselines?: boolean;
  /** The classifier's run folder; none when null. */
  out: string | null;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
  /** Told what trains next: "classifier", "pixels", "pca", "scratch". */
  onStage?: (stage: string) => void;
}

/** Test accuracy of the classifier and of each baseline. */
export interface ClassifyResult {
  accuracy: number;
  error: number;
  /** Test accuracy of the baselines on the same labelled examples; null when not asked for. */
  baselines: { pixels: number; pca: number; scratch: number } | null;
  /** Labelled training examples every model saw. */
  labels: number;
  finetune: boolean;
  /** The training images' random shift, in pixels (0: none). */
  shift: number;
  /** The training images' random turn (degrees) and change of scale (0: none). */
  rotate: number;
  scale: number;
  classes: number;
  /** Test examples. */
  examples: number;
  /** The code's size, and the PCA components of the pca baseline (the code's size, at most the features). */
  code: number;
  pcaComponents: number;
  confusion: number[][];
  epochs: number;
  batchSize: number;
  lr: number;
  seconds: number;
  aborted: boolean;
  out: string | null;
  backend: string;
}

/**
 * Trains a classifier on a trained encoder and the baselines beside it, and scores them.
 * @example
 * const { accuracy, baselines } = await classify({ model: 'runs/sdae', finetune: true, labels: 1000, out: 'runs/sdae-classify' });
 */
export async function classify(options: ClassifyOptions): Promise<ClassifyResult> {
  const started = performance.now();
  const encoder = loadEncoder(options.model);
  const finetune = options.finetune ?? false;
  const seed = options.seed ?? 0;
  if (options.labelColumn !== undefined && options.data === undefined) {
    throw new UsageError('classify: --label-column goes with --data (the run\'s own data is read with its own label column)');
  }
  const splits = labelledSplits(encoder, options.model, { data: options.data, labelColumn: options.labelColumn, testLimit: options.testLimit, seed });
  const { train, test } = splits;
  const classes = classCount(train, test);
  const features = sizeOf(encoder.input);
  expectRowsFit(train, features, { size: `the input size of ${options.model}'s encoder`, shape: encoder.input });
  const labelled = options.labels === undefined ? train : takeRows(train, balancedSample(train.labels!, options.labels, classes, seed), partName(train.name, 'labelled'));
  const { schedule } = CLASSIFY_DEFAULTS;
  const shift = options.shift ?? (finetune && encoder.input.length === 3 ? CLASSIFY_DEFAULTS.imageShift : 0);
  const batchSize = options.batchSize ?? CLASSIFY_DEFAULTS.batchSize;
  const rotate = options.rotate ?? 0;
  const scale = options.scale ?? 0;
  const augments = shift > 0 || rotate > 0 || scale > 0;
  const baseEpochs = augments ? CLASSIFY_DEFAULTS.shiftedEpochs : CLASSIFY_DEFAULTS.epochs;
  const epochs = options.epochs ?? Math.max(baseEpochs, Math.ceil(CLASSIFY_DEFAULTS.minSteps / Math.ceil(labelled.n / batchSize)));
  // The same settings for the classifier and its baselines; only the default rate depends on what learns.
  const common = { epochs, batchSize, schedule, seed, signal: options.signal, onEvent: options.onEvent };
  const network = { ...common, lr: options.lr ?? CLASSIFY_DEFAULTS.networkLr };
  const softmax = { ...common, lr: options.lr ?? CLASSIFY_DEFAULTS.softmaxLr };
  const lr = finetune ? network.lr : softmax.lr;

  if (!finetune && augments) throw new UsageError('--shift, --rotate, --scale: frozen codes are computed once, from unmoved images; moving them needs --finetune');
  const spec = { input: encoder.input, encoder: encoder.encoder, classes, shift, rotate, scale };
  const net = Classifier.create(spec, seed);
  loadTensors(encoderTensors(net), encoder.weights, `${options.model}/model.safetensors`);
  if (options.out !== null) {
    if (resolve(options.out) === resolve(options.model)) throw new UsageError(`${options.out}: is the run folder the encoder comes from; choose another --out`);
    // Refused or emptied now, not after an hour of training.
    prepareRunFolder(options.out, options.force ?? false);
  }
  options.onStage?.('classifier');
  let aborted: boolean;
  if (finetune) {
    aborted = (await fit(net, labelled, network)).aborted;
  } else {
    // The encoder is fixed: its codes are computed once and a softmax learns on them.
    net.frozenEncoder = true;
    const head = Classifier.create({ input: [...net.codeShape], head: net.spec.head, classes }, seed);
    aborted = (await fit(head, encodeRows(net.encoder, labelled), softmax)).aborted;
    const tensors = (n: Classifier) => [...n.head.parameters(), ...n.head.buffers()];
    loadTensors(tensors(net), tensors(head).map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.data })), 'the trained head');
  }
  const scores = scoreClassifier(net, test);
  const code = sizeOf(net.codeShape);
  const pcaComponents = Math.min(code, features, train.n - 1);
  const summary = (baselines: ClassifyResult['baselines']): ClassifyResult => ({
    accuracy: scores.accuracy, error: scores.error, baselines, labels: labelled.n, finetune, shift, rotate, scale, classes, examples: test.n, code, pcaComponents,
    confusion: scores.confusion, epochs, batchSize, lr, seconds: (performance.now() - started) / 1000, aborted: aborted || options.signal?.aborted === true,
    out: options.out, backend: getBackend().name,
  });
  if (options.out !== null) {
    // Saved before the baselines train, so that stopping them keeps the classifier.
    saveClassifier(net, options.out, {
      status: aborted ? 'aborted' : 'done', source: encoder, data: options.data === undefined ? encoder.data : null,
      split: options.data === undefined ? encoder.split : null,
      training: { finetune, labels: labelled.n, epochs, batchSize, lr, schedule, seed },
      metrics: { test: { accuracy: scores.accuracy, error: scores.error }, examples: test.n },
    }, summary(null), { force: true });
  }

  let baselines: ClassifyResult['baselines'] = null;
  if (options.baselines !== false && !aborted) {
    options.onStage?.('pixels');
    const pixels = Classifier.create({ input: [features], classes }, seed);
    await fit(pixels, labelled, softmax);
    options.onStage?.('pca');
    // PCA learns from every training image, as the autoencoder did; the softmax from the labelled ones.
    const pca = fitPca(train, { components: pcaComponents, kernel: pcaKernel(), signal: options.signal });
    const pcaNet = Classifier.create({ input: [pcaComponents], classes }, seed);
    await fit(pcaNet, { ...pca.transform(labelled), labels: labelled.labels }, softmax);
    options.onStage?.('scratch');
    const scratch = Classifier.create(spec, seed);
    await fit(scratch, labelled, network);
    baselines = {
      pixels: scoreClassifier(pixels, test).accuracy,
      pca: scoreClassifier(pcaNet, { x: pca.transform(test).x, labels: test.labels }).accuracy,
      scratch: scoreClassifier(scratch, test).accuracy,
    };
  }
  const result = summary(baselines);
  if (options.out !== null) {
    writeJson(join(options.out, RUN_FILES.metrics), result);
    await writeReport(options.out);
  }
  return result;
}

/**
 * The classifier's accuracy and confusion matrix on `data`.
 * @example
 * const { accuracy, confusion } = scoreClassifier(net, test);
 */
export function scoreClassifier(net: Classifier, data: Pick<Dataset, 'x' | 'labels'>): ClassificationScores {
  return classificationScores(net.predict(data.x), data.labels!, net.classes);
}

/** The codes of `data`'s examples (with their labels), from `encoder` at inference. */
function encodeRows(encoder: Sequential, data: Dataset): Dataset {
  const features = sizeOf(encoder.outputShape);
  const x = new Float32Array(data.n * features);
  noGrad(() => forEachBatch({ x: data.x, n: data.n, features: data.features, shape: encoder.inputShape }, 1000, ({ x: batch }, start) => tidy(() => {
    x.set(encoder.forward(batch).data, start * features);
  })));
  return { x, n: data.n, features, shape: [...encoder.outputShape], labels: data.labels, name: partName(data.name, 'codes') };
}

/**
 * A density fitted to a trained autoencoder's training codes, to sample from: ex-post density
 * estimation (Ghosh, Sajjadi, Vergari, Black & Schölkopf 2020, "From variational to deterministic
 * autoencoders", ICLR 2020). A VAE's prior N(0, I) puts mass where the encoder put no example (its
 * aggregate posterior does not fill the prior), and a deterministic autoencoder has no prior at
 * all; a Gaussian mixture fitted by EM to the codes of the training rows (a VAE's posterior means)
 * draws codes where the decoder learned to decode. The number of components is chosen by the
 * mean log-likelihood of the run's held-out validation rows' codes, never by the test set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { sha256Hex } from '../io/digest.js';
import { RUN_FILES } from '../io/run-folder.js';
import { fitGaussianMixture, type GaussianMixture, mixtureLogDensity } from '../linalg/gaussian-mixture.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { binarizedCopy } from '../training/binarize-data.js';
import { variationalParts } from '../training/likelihood.js';
import { Prng } from '../util/prng.js';
import { recordedData } from './run-data.js';
import type { RunRecord } from './run-record.js';
import { transformRows } from './transform.js';

/** The file in a run folder that keeps its fitted code mixture. */
export const CODE_MIXTURE_FILE = 'code-mixture.json';

/** The numbers of components tried when none is named. */
export const DEFAULT_MIXTURE_COMPONENTS: readonly number[] = [10, 20, 50, 100];

/** How the code mixture is fitted. */
export interface CodeMixtureOptions {
  /** The numbers of components to try; the one with the best validation log-likelihood is kept. */
  components: readonly number[];
  seed?: number;
  /** EM iterations at most per fit; default 100. */
  maxIterations?: number;
  /** Told before each candidate's fit and after each EM iteration. */
  onProgress?: (event: { components: number; iteration: number; meanLogLikelihood: number }) => void;
  signal?: AbortSignal;
}

/** One candidate number of components and how it scored. */
export interface MixtureCandidate {
  components: number;
  iterations: number;
  converged: boolean;
  /** Mean log-likelihood per training code, in nats. */
  trainLogLikelihood: number;
  /** Mean log-likelihood per validation code, in nats; null when the run held no rows out. */
  validationLogLikelihood: number | null;
}

/** A fitted code mixture and what it was fitted on (the content of code-mixture.json). */
export interface CodeMixture {
  version: 1;
  /** Ghosh et al. 2020's ex-post density estimation, here a diagonal Gaussian mixture by EM. */
  method: 'gaussian-mixture-em';
  /** What the training rows were mapped to: a VAE's posterior means, or a deterministic code. */
  codes: 'posterior-mean' | 'code';
  seed: number;
  trainRows: number;
  validationRows: number;
  candidates: MixtureCandidate[];
  /** The chosen number of components. */
  components: number;
  mixture: GaussianMixture;
  /** `dynamic`: the training rows were binarised once (with `seed`) before encoding, as the run saw binary images. */
  trainBinarization?: 'dynamic' | 'none';
  /** The digest of the weights the codes came from; set when stored in a run folder. */
  weightsSha256?: string;
}

/**
 * Fits a mixture to `model`'s codes of `train` for each candidate number of components and keeps
 * the one whose density gives `validation`'s codes the highest mean log-likelihood (with no
 * validation rows, the smallest candidate).
 * @throws UsageError for no candidate, or fewer training rows than components
 * @example
 * const fitted = fitCodeMixture(vae, train, validation, { components: [10, 20], seed: 0 }, true);
 */
export function fitCodeMixture(model: Autoencoder, train: Matrix, validation: Matrix, options: CodeMixtureOptions, variational: boolean): CodeMixture {
  if (options.components.length === 0) throw new UsageError('fitCodeMixture: name at least one number of components');
  const trainCodes = transformRows(model, 'encode', train);
  const validationCodes = validation.n > 0 ? transformRows(model, 'encode', validation) : null;
  const seed = options.seed ?? 0;
  let best: { mixture: GaussianMixture; score: number; components: number } | null = null;
  const candidates: MixtureCandidate[] = [];
  for (const components of options.components) {
    options.signal?.throwIfAborted();
    const fit = fitGaussianMixture(trainCodes, {
      components, seed, maxIterations: options.maxIterations,
      onIteration: (iteration, meanLogLikelihood) => {
        options.signal?.throwIfAborted();
        options.onProgress?.({ components, iteration, meanLogLikelihood });
      },
    });
    const validationLogLikelihood = validationCodes ? mean(mixtureLogDensity(fit.mixture, validationCodes)) : null;
    candidates.push({ components, iterations: fit.iterations, converged: fit.converged, trainLogLikelihood: fit.meanLogLikelihood, validationLogLikelihood });
    // Without validation rows every candidate scores alike and the first (smallest) is kept.
    const score = validationLogLikelihood ?? -components;
    if (best === null || score > best.score) best = { mixture: fit.mixture, score, components };
  }
  return {
    version: 1, method: 'gaussian-mixture-em', codes: variational ? 'posterior-mean' : 'code', seed,
    trainRows: train.n, validationRows: validation.n, candidates, components: best!.components, mixture: best!.mixture,
  };
}

/**
 * The code mixture of the run in `dir`: read from its code-mixture.json when that was fitted to
 * these weights with these candidates and seed, else fitted to the run's own training rows (its
 * validation rows choosing the size) and stored there. A run trained on dynamically binarised
 * data had its encoder see binary images, so its training rows are binarised once (with `seed`)
 * before they are encoded, as its validation rows already are.
 * @returns the mixture and whether it was read back (true) or fitted now (false)
 * @example
 * const { codeMixture } = codeMixtureOfRun('runs/vae', model, record, { components: [10, 20, 50, 100], seed: 0 });
 */
export function codeMixtureOfRun(dir: string, model: Autoencoder, record: RunRecord, options: CodeMixtureOptions & { seed: number }): { codeMixture: CodeMixture; reused: boolean } {
  const weightsSha256 = sha256Hex(readFileSync(join(dir, RUN_FILES.weights)));
  const path = join(dir, CODE_MIXTURE_FILE);
  const dynamic = record.training?.binarize === 'dynamic';
  const stored = existsSync(path) ? readStored(path) : null;
  if (stored && stored.weightsSha256 === weightsSha256 && stored.seed === options.seed && stored.trainBinarization === (dynamic ? 'dynamic' : 'none')
    && stored.candidates.map((c) => c.components).join(',') === options.components.join(',')) {
    return { codeMixture: stored, reused: true };
  }
  // The fit needs every training row's code at once: a streamed run's rows are not at hand.
  const { train, validation } = recordedData(record, dir, { remedy: 'a mixture is fitted to the codes of the training rows, so use --prior standard, or train without --max-memory' });
  const rows = dynamic ? binarizedCopy(train, new Prng(options.seed)) : train;
  const codeMixture: CodeMixture = {
    ...fitCodeMixture(model, rows, validation, options, variationalParts(model) !== null),
    trainBinarization: dynamic ? 'dynamic' : 'none', weightsSha256,
  };
  writeFileAtomic(path, `${JSON.stringify(codeMixture)}\n`);
  return { codeMixture, reused: false };
}

/** A stored code mixture, or null when the file is not one this version wrote (it is then fitted again). */
function readStored(path: string): CodeMixture | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<CodeMixture>;
    const m = value.mixture;
    const valid = value.version === 1 && Array.isArray(value.candidates) && m !== undefined
      && m.weights.length === m.components && m.means.length === m.components * m.features && m.variances.length === m.means.length;
    return valid ? value as CodeMixture : null;
  } catch {
    return null;
  }
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

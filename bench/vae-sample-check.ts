/**
 * The frozen-classifier check of a VAE's samples (issue 32), run by hand: draws N codes from the
 * prior, decodes them, and lets a classifier trained by `aekit classify` label them. Samples that
 * look like digits are labelled with confidence (mean max-probability; the target is ≥ 0.9) and
 * spread over the classes (every class's share; the target is ≥ 5% each).
 *
 *   node --import tsx bench/vae-sample-check.ts --vae runs/vae --classifier runs/clf --count 10000 --json
 *
 * `--temperature T` draws from N(0, T²I) instead (the target is for T = 1, the prior itself).
 * `--prior mixture[:K[,K2…]]` draws the codes from the Gaussian mixture fitted to the run's
 * training codes, as `aekit sample --prior` does (ex-post density estimation, Ghosh et al. 2020):
 * read from the run folder's code-mixture.json, or fitted and stored there first. With a
 * mixture, `--vae` may name a deterministic autoencoder's run too.
 * `--source` says where the decoded codes come from, to tell a blurry decoder from codes the
 * decoder never learned to decode: `prior` (the check itself), `posterior` (z ~ q(z | x) for the
 * run's test digits, binarised as the run saw them), `reconstruction` (z = the posterior mean of
 * those digits), or `data` (no VAE at all: the grey test digits the classifier was made for, its
 * own ceiling). The last three use the first N test digits.
 */
import type { Matrix } from '../src/data/dataset.js';
import { firstRows } from '../src/data/dataset.js';
import { loadData } from '../src/data/load-data.js';
import { sampleFromPrior } from '../src/run/generative.js';
import { codeMixtureOfRun, DEFAULT_MIXTURE_COMPONENTS } from '../src/run/code-mixture.js';
import { loadClassifier } from '../src/run/classifier-run.js';
import { recordedData } from '../src/run/run-data.js';
import { loadRun } from '../src/run/save-load.js';
import { transformRows } from '../src/run/transform.js';
import { selectBackend } from '../src/backend/select.js';
import { noGrad, setBackend, Tensor, tidy } from '../src/tensor/index.js';
import { Prng } from '../src/util/prng.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
setBackend(selectBackend());
const count = Number(flag('count', '10000'));
const source = flag('source', 'prior');
const vaeDir = flag('vae', 'runs/vae');
const { model: classifier } = loadClassifier(flag('classifier', 'runs/clf'));
const temperature = Number(flag('temperature', '1'));
const seed = Number(flag('seed', '0'));
const prior = flag('prior', 'standard');
let mixtureComponents: number | undefined;

/** The images the classifier labels, by source. */
function images(): Matrix {
  if (source === 'data') return firstRows(loadData('mnist', { split: 'test' }), count);
  const { model, record } = loadRun(vaeDir);
  if (source === 'prior' && prior === 'standard') return sampleFromPrior(model, { count, temperature, seed }).samples;
  if (source === 'prior') {
    const sizes = prior === 'mixture' ? [...DEFAULT_MIXTURE_COMPONENTS] : prior.replace(/^mixture:/, '').split(',').map(Number);
    const { codeMixture } = codeMixtureOfRun(vaeDir, model, record, { components: sizes, seed });
    mixtureComponents = codeMixture.components;
    console.error(JSON.stringify({ mixture: { components: codeMixture.components, candidates: codeMixture.candidates } }));
    return sampleFromPrior(model, { count, temperature, seed, mixture: codeMixture.mixture }).samples;
  }
  const test = firstRows(recordedData(record, vaeDir).test, count);
  if (source === 'reconstruction') return transformRows(model, 'reconstruct', test);
  if (source !== 'posterior') throw new Error(`--source: expected prior, posterior, reconstruction or data, got ${source}`);
  // One draw z = μ + σ ε per digit: the gaussian layer samples when the context has a generator.
  const rng = new Prng(seed);
  const codes = new Float32Array(test.n * model.codeSize);
  noGrad(() => tidy(() => {
    codes.set(model.encode(new Tensor(test.x, [test.n, test.features]), { training: false, rng }).data);
  }));
  return transformRows(model, 'decode', { x: codes, n: test.n, features: model.codeSize });
}

const samples = images();
const classes = classifier.classes;
const counts = new Array<number>(classes).fill(0);
let confidence = 0;
let confident = 0;
noGrad(() => {
  for (let from = 0; from < samples.n; from += 1000) {
    const rows = Math.min(1000, samples.n - from);
    tidy(() => {
      const scores = classifier.logits(new Tensor(samples.x.slice(from * samples.features, (from + rows) * samples.features), [rows, samples.features])).data;
      for (let r = 0; r < rows; r++) {
        const s = scores.subarray(r * classes, (r + 1) * classes);
        const top = Math.max(...s);
        const total = s.reduce((a, v) => a + Math.exp(v - top), 0);
        confidence += 1 / total;
        if (1 / total >= 0.9) confident++;
        counts[s.indexOf(top)]++;
      }
    });
  }
});
const result = {
  source, count: samples.n, temperature: source === 'prior' ? temperature : undefined,
  prior: source === 'prior' ? prior : undefined, mixtureComponents,
  meanMaxProbability: confidence / samples.n, shareAbove90: confident / samples.n,
  classShares: counts.map((c) => c / samples.n), minClassShare: Math.min(...counts) / samples.n,
};
console.log(args.includes('--json') ? JSON.stringify(result) : result);

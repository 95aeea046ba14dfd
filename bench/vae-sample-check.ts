/**
 * The frozen-classifier check of a VAE's samples (issue 32), run by hand: draws N codes from the
 * prior, decodes them, and lets a classifier trained by `aekit classify` label them. Samples that
 * look like digits are labelled with confidence (mean max-probability; the target is ≥ 0.9) and
 * spread over the classes (every class's share; the target is ≥ 5% each).
 *
 *   node --import tsx bench/vae-sample-check.ts --vae runs/vae --classifier runs/clf --count 10000 --json
 *
 * `--temperature T` draws from N(0, T²I) instead (the target is for T = 1, the prior itself).
 */
import { sampleFromPrior } from '../src/run/generative.js';
import { loadClassifier } from '../src/run/classifier-run.js';
import { loadRun } from '../src/run/save-load.js';
import { selectBackend } from '../src/backend/select.js';
import { noGrad, setBackend, Tensor, tidy } from '../src/tensor/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
setBackend(selectBackend());
const count = Number(flag('count', '10000'));
const { model } = loadRun(flag('vae', 'runs/vae'));
const { model: classifier } = loadClassifier(flag('classifier', 'runs/clf'));
const temperature = Number(flag('temperature', '1'));
const { samples } = sampleFromPrior(model, { count, temperature, seed: Number(flag('seed', '0')) });
const classes = classifier.classes;
const counts = new Array<number>(classes).fill(0);
let confidence = 0;
noGrad(() => {
  for (let from = 0; from < count; from += 1000) {
    const rows = Math.min(1000, count - from);
    tidy(() => {
      const scores = classifier.logits(new Tensor(samples.x.slice(from * samples.features, (from + rows) * samples.features), [rows, samples.features])).data;
      for (let r = 0; r < rows; r++) {
        const s = scores.subarray(r * classes, (r + 1) * classes);
        const top = Math.max(...s);
        const total = s.reduce((a, v) => a + Math.exp(v - top), 0);
        confidence += 1 / total;
        counts[s.indexOf(top)]++;
      }
    });
  }
});
const result = { count, temperature, meanMaxProbability: confidence / count, classShares: counts.map((c) => c / count), minClassShare: Math.min(...counts) / count };
console.log(args.includes('--json') ? JSON.stringify(result) : result);

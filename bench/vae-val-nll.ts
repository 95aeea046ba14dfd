/**
 * The importance-sampled NLL of a VAE run on its own validation digits (issue 32), for choosing
 * settings without looking at the test set: the run's validation split as it trained on it
 * (binarised once with the validation seed), its first N examples, K samples each.
 *
 *   node --import tsx bench/vae-val-nll.ts --vae runs/vae --count 1000 --samples 1000 --json
 *
 * `--split test --from A --count N` scores test digits A to A + N − 1 instead (binarised as
 * `aekit eval` does): a K = 5,000 pass over the test set split into parts run side by side, whose
 * means, weighted by their counts, are `aekit eval`'s figure (each part draws its own samples).
 */
import { recordedData } from '../src/run/run-data.js';
import { loadRun } from '../src/run/save-load.js';
import { selectBackend } from '../src/backend/select.js';
import { setBackend } from '../src/tensor/index.js';
import { estimateLikelihood } from '../src/training/likelihood.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
setBackend(selectBackend());
const dir = flag('vae', 'runs/vae');
const { model, record } = loadRun(dir);
const split = flag('split', 'validation');
if (split !== 'validation' && split !== 'test') throw new Error(`--split: expected validation or test, got ${split}`);
const from = Number(flag('from', '0'));
const all = recordedData(record, dir)[split];
const rows = Math.min(Number(flag('count', '1000')), all.n - from);
const data = { ...all, x: all.x.subarray(from * all.features, (from + rows) * all.features), n: rows };
const started = performance.now();
const estimate = await estimateLikelihood(model, data, { samples: Number(flag('samples', '1000')) });
const result = {
  run: dir, split, from, examples: estimate.examples, samples: estimate.samples, nll: estimate.nll, elbo: estimate.elbo, kl: estimate.kl,
  activeUnits: estimate.klPerUnit.filter((v) => v > 0.01).length, seconds: (performance.now() - started) / 1000,
};
console.log(args.includes('--json') ? JSON.stringify(result) : result);

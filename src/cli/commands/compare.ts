/**
 * `aekit compare`: PCA, logistic PCA, a shallow and the deep autoencoder compressing the same
 * data to K numbers, as a table of test errors and a picture of their reconstructions.
 */
import { Command } from 'commander';
import { COMPARE_PRESETS, compare, type CompareEvent } from '../../apps/compare/compare.js';
import { PRESETS } from '../../models/presets.js';
import { interruptible } from '../interrupt.js';
import { addDataOptions, type DataFlags, nonNegativeInt, positiveInt } from '../options.js';
import { emit, fmt, timestamp } from '../output.js';
import { progressReporter } from '../progress.js';


const presetEpochs = Object.values(COMPARE_PRESETS).map((name) => `${name} ${PRESETS[name].training.epochs}`).join(', ');

/** Announces each method on stderr and draws its training progress. */
function compareReporter(): (event: CompareEvent) => void {
  const training = progressReporter();
  return (event) => {
    if (event.type === 'method') process.stderr.write(`[${event.index}/${event.total}] ${event.method}\n`);
    else training(event.event);
  };
}

/** The compare command. */
export function compareCommand(): Command {
  return addDataOptions(new Command('compare')
    .description('Compress the data to K numbers with PCA, logistic PCA, a shallow and the deep autoencoder: test errors side by side and pictures'))
    .option('--code <k>', 'code size K of every method', positiveInt, 30)
    .option('--epochs <n>', `epochs for every autoencoder (default: each preset's own: ${presetEpochs})`, positiveInt)
    .option('--seed <n>', 'seed for weights, split and shuffles', nonNegativeInt, 0)
    .option('--out <dir>', 'folder for compare.json, compare.png (codes.png with --code 2) and a run folder per autoencoder (default: runs/compare-<time>)')
    .option('--force', 'overwrite an existing folder', false)
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false)
    .addHelpText('after', `
The methods (all with a K-unit code, on the same training split):
  pca            principal components, fitted exactly
  logistic-pca   linear code, sigmoid output, cross-entropy (the logistic-pca preset)
  shallow        one sigmoid code layer, cross-entropy (the undercomplete preset)
  deep           784-1000-500-250-K with a linear code (the deep preset)

compare.png shows one test example of each class on top, then the reconstructions of pca,
logistic-pca, shallow and deep, row by row (Hinton & Salakhutdinov 2006, Fig. 2). With --code 2,
codes.png plots PCA's first two components (left) and the deep autoencoder's codes (right) for
the test set, coloured by class (their Fig. 3).

Examples:
  $ aekit compare --epochs 20
  $ aekit compare --code 2 --out runs/compare2
  $ aekit compare --limit 5000 --epochs 5 --json`)
    .action(async (opts: DataFlags & { code: number; epochs?: number; seed: number; out?: string; force: boolean; json: boolean }) => {
      const result = await interruptible((signal) => compare({
        data: opts.data,
        code: opts.code,
        epochs: opts.epochs,
        limit: opts.limit,
        testLimit: opts.testLimit,
        seed: opts.seed,
        out: opts.out ?? `runs/compare-${timestamp()}`,
        force: opts.force,
        signal,
        onEvent: compareReporter(),
      }));
      emit(opts.json, result, () => [
        `${result.aborted ? 'Stopped early by request: ' : ''}${result.data} compressed to ${result.code} numbers (${result.train} training, ${result.test} test examples, ${result.backend} backend)`,
        '',
        `${'method'.padEnd(14)}${'test sse'.padStart(10)}${'mse'.padStart(10)}${'epochs'.padStart(8)}${'seconds'.padStart(9)}`,
        ...result.rows.map((r) => `${r.method.padEnd(14)}${r.sse.toFixed(2).padStart(10)}${fmt(r.mse).padStart(10)}${String(r.epochs ?? '-').padStart(8)}${r.seconds.toFixed(1).padStart(9)}`),
        '',
        `pictures: ${result.pictures.map((p) => `${result.outDir}/${p}`).join(', ') || '(none: the data are not images)'}`,
      ].join('\n'));
    });
}

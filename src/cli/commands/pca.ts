/**
 * `aekit pca`: PCA's test reconstruction error with K components, and how close a linear
 * autoencoder gets to PCA's subspace.
 */
import { Command } from 'commander';
import { pcaRun } from '../../apps/pca/pca-run.js';
import { interruptible } from '../interrupt.js';
import { addDataOptions, type DataFlags, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../options.js';
import { emit, fmt } from '../output.js';
import { progressReporter } from '../progress.js';

/** The parsed flags of `aekit pca`. */
interface PcaFlags extends DataFlags {
  components: number;
  solver: 'exact' | 'randomized';
  compareLinearAe: boolean;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  out?: string;
  force: boolean;
  json: boolean;
}

/** The pca command. */
export function pcaCommand(): Command {
  return addDataOptions(new Command('pca')
    .description('Fit PCA on the training split and report its test reconstruction error; optionally compare a linear autoencoder\'s subspace with it'))
    .option('--components <k>', 'principal components kept (K)', positiveInt, 30)
    .option('--solver <name>', 'exact (covariance + eigen-decomposition) or randomized (Halko et al. 2011)', oneOf(['exact', 'randomized'] as const), 'exact')
    .option('--compare-linear-ae', 'also train a linear autoencoder with a K-unit code and report the principal angles between its decoder\'s subspace and PCA\'s', false)
    .option('--epochs <n>', 'linear autoencoder epochs (default: the linear preset\'s, 30)', positiveInt)
    .option('--batch-size <n>', 'linear autoencoder batch size (default 128)', positiveInt)
    .option('--lr <x>', 'linear autoencoder learning rate (default 1e-3)', positiveNumber)
    .option('--seed <n>', 'seed for the randomized solver and the autoencoder', nonNegativeInt, 0)
    .option('--out <dir>', 'write components.png, reconstructions.png and pca.json here')
    .option('--force', 'overwrite a non-empty --out folder', false)
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false)
    .addHelpText('after', `
sse is the mean over test examples of the summed squared error (pixels in [0, 1]). With 30
components on MNIST it is 13.87, the figure in Hinton & Salakhutdinov (Science 2006, Fig. 2).

--compare-linear-ae checks the course's claim that a linear autoencoder trained with squared
error learns PCA's subspace: the largest principal angle between the decoder's columns and the
top-K components (0 when they span the same space) and the mean cos² of all K angles (1 then).

Examples:
  $ aekit pca                                        # K = 30 on MNIST
  $ aekit pca --components 2 --out runs/pca2 --json
  $ aekit pca --compare-linear-ae --epochs 50`)
    .action(async (opts: PcaFlags) => {
      const result = await interruptible((signal) => pcaRun({
        data: opts.data,
        components: opts.components,
        solver: opts.solver,
        limit: opts.limit,
        testLimit: opts.testLimit,
        seed: opts.seed,
        compareLinearAe: opts.compareLinearAe,
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        lr: opts.lr,
        out: opts.out,
        force: opts.force,
        signal,
        onEvent: progressReporter(),
      }));
      emit(opts.json, result, () => {
        const lines = [
          `PCA (${result.solver}) with ${result.components} components on ${result.data} (${result.train} examples, ${result.seconds.toFixed(1)}s): explains ${(100 * result.explainedVarianceRatio).toFixed(2)}% of the variance`,
          `test sse ${fmt(result.test.sse)}  mse ${fmt(result.test.mse)}  (${result.testExamples} examples)`,
        ];
        const ae = result.linearAe;
        if (ae) {
          lines.push(`linear autoencoder (${ae.epochs} epochs, ${ae.seconds.toFixed(1)}s): test sse ${fmt(ae.sse)}; vs PCA's subspace: largest principal angle ${ae.largestAngleDegrees.toFixed(2)}°, mean cos² ${ae.meanCos2.toFixed(4)}`);
        }
        if (result.outDir) lines.push(`pictures: ${result.outDir}`);
        return lines.join('\n');
      });
    });
}

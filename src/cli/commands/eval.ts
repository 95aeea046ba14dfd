/**
 * `aekit eval`: the test metrics of a trained model.
 */
import { Command } from 'commander';
import { loadRunData } from '../../apps/data-split.js';
import { loadRun } from '../../apps/load-run.js';
import { DataError } from '../../errors.js';
import { evaluate } from '../../training/evaluate.js';
import { positiveInt } from '../options.js';
import { emit, fmt } from '../output.js';

/** The eval command. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('Evaluate a trained model on test data: sse, mse and bce')
    .requiredOption('--model <dir>', 'run folder written by aekit train')
    .option('--data <spec>', 'mnist, fashion-mnist, a folder of IDX files, or a data file (default: the data it was trained on)')
    .option('--test-limit <n>', 'evaluate on only the first N test examples', positiveInt)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
sse is the mean over test examples of the summed squared error (pixels in [0, 1]); mse is sse per
feature; bce the mean over examples of the summed binary cross-entropy.

Examples:
  $ aekit eval --model runs/deep
  $ aekit eval --model runs/deep --data fashion-mnist --json`)
    .action((opts: { model: string; data?: string; testLimit?: number; json: boolean }) => {
      const { model, record } = loadRun(opts.model);
      const { test } = loadRunData({ data: opts.data ?? record.data.path ?? record.data.spec, testLimit: opts.testLimit, validationFraction: 0, seed: record.training.seed });
      if (test.features !== model.inputSize) {
        throw new DataError(`${test.name}: examples have ${test.features} features, but the model takes ${model.inputSize}`);
      }
      const metrics = evaluate(model, test);
      emit(opts.json, { test: metrics, examples: test.n, data: test.name }, () =>
        `${test.name} (${test.n} examples): sse ${fmt(metrics.sse)}  mse ${fmt(metrics.mse)}  bce ${fmt(metrics.bce)}`);
    });
}

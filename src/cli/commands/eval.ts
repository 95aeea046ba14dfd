/**
 * `aekit eval`: the test metrics of a trained model.
 */
import { Command } from 'commander';
import { evaluationData } from '../../apps/data-split.js';
import { loadRun } from '../../apps/save-load.js';
import { DataError } from '../../errors.js';
import { evaluate } from '../../training/evaluate.js';
import { positiveInt } from '../options.js';
import { emit, fmt } from '../output.js';

/** The eval command. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('Evaluate a trained model on test data: sse, mse and bce')
    .requiredOption('--model <dir>', 'run folder written by aekit train')
    .option('--data <spec>', 'mnist, fashion-mnist or an IDX folder (their test split), or a data file (all of it); default: the test split of the data it was trained on')
    .option('--test-limit <n>', 'evaluate on only the first N examples', positiveInt)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Which examples: without --data, the test split the run used (MNIST's 10,000 test digits; for a
single data file, the sixth of it held out when the model trained). With --data, that source's
test split when it has one, and otherwise every example of the file.

sse is the mean over examples of the summed squared error (pixels in [0, 1]); mse is sse per
feature; bce the mean over examples of the summed binary cross-entropy.

Examples:
  $ aekit eval --model runs/deep
  $ aekit eval --model runs/deep --data fashion-mnist --json
  $ aekit eval --model runs/mine --data new-measurements.csv`)
    .action((opts: { model: string; data?: string; testLimit?: number; json: boolean }) => {
      const { model, record } = loadRun(opts.model);
      const test = evaluationData(record, opts.model, opts);
      if (test.features !== model.inputSize) {
        throw new DataError(`${test.name}: examples have ${test.features} features, but the model takes ${model.inputSize}`);
      }
      const metrics = evaluate(model, test);
      emit(opts.json, { test: metrics, examples: test.n, data: test.name }, () =>
        `${test.name} (${test.n} examples): sse ${fmt(metrics.sse)}  mse ${fmt(metrics.mse)}  bce ${fmt(metrics.bce)}`);
    });
}

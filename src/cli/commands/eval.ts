/**
 * `aekit eval`: the test metrics of a trained model.
 */
import { Command } from 'commander';
import { evaluationData } from '../../run/run-data.js';
import { CLASSIFIER_FORMAT } from '../../run/classifier-record.js';
import { loadClassifier, runFormat } from '../../run/classifier-run.js';
import { classifierTestData } from '../../run/labelled-data.js';
import { scoreClassifier } from '../../apps/classify/classify.js';
import { loadRun } from '../../run/save-load.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { FIXED_BINARIZATION_SEEDS } from '../../training/binarize-data.js';
import { evaluate } from '../../training/evaluate.js';
import { estimateLikelihood, variationalParts } from '../../training/likelihood.js';
import { interruptible } from '../interrupt.js';
import { positiveInt } from '../options.js';
import { emit, fmt } from '../output.js';
import { countReporter } from '../progress.js';

/** The parsed flags of `aekit eval`. */
interface EvalFlags {
  model: string;
  data?: string;
  labelColumn?: string;
  testLimit?: number;
  samples: number;
  json: boolean;
}

/** The eval command. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('Evaluate a trained model on test data: sse, mse and bce')
    .requiredOption('--model <dir>', 'run folder written by aekit train')
    .option('--data <spec>', 'mnist, fashion-mnist or an IDX folder (their test split), or a data file (all of it); default: the test split of the data it was trained on')
    .option('--label-column <name>', "with --data: a column of the CSV or Arrow file that is not a feature (a classifier's class labels); default: the run's own label column, left out when the file has it")
    .option('--test-limit <n>', 'evaluate on only the first N examples', positiveInt)
    .option('--samples <k>', 'for a VAE: importance samples per test example for the NLL (Burda et al. 2015 use 5000)', positiveInt, 5000)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Which examples: without --data, the test split the run used (MNIST's 10,000 test digits; for a
single data file, the sixth of it held out when the model trained). With --data, that source's
test split when it has one, and otherwise every example of the file.

For a classifier run (aekit classify): the test accuracy and the confusion matrix (rows: true
class, columns: predicted; a row sums to the examples of its class).

sse is the mean over examples of the summed squared error (pixels in [0, 1]); mse is sse per
feature; bce the mean over examples of the summed binary cross-entropy.

For a VAE (an encoder ending in a gaussian code): also the test NLL, −log p(x) estimated by
importance sampling with --samples draws per example (a bound that tightens as K grows), the
ELBO and the KL term, in nats per example. A run trained with dynamic binarisation is scored on
its test images binarised once with a fixed seed (the same for every run).

Examples:
  $ aekit eval --model runs/deep
  $ aekit eval --model runs/deep --data fashion-mnist --json
  $ aekit eval --model runs/mine --data new-measurements.csv
  $ aekit eval --model runs/vae --samples 500 --json     # test.nll, test.elbo`)
    .action(async (opts: EvalFlags) => {
      if (opts.labelColumn !== undefined && opts.data === undefined) throw new UsageError('eval: --label-column goes with --data (the run\'s own data is read with its own label column)');
      if (runFormat(opts.model) === CLASSIFIER_FORMAT) {
        evalClassifier(opts);
        return;
      }
      const { model, record } = loadRun(opts.model);
      const test = evaluationData(record, opts.model, opts);
      expectRowsFit(test, model.inputSize, { shape: model.inputShape });
      const metrics = evaluate(model, test);
      const binarization = record.training?.binarize === 'dynamic' ? `dynamic: test images binarised once, seed ${FIXED_BINARIZATION_SEEDS.test}` : 'none';
      if (!variationalParts(model)) {
        emit(opts.json, { test: metrics, examples: test.n, data: test.name }, () =>
          `${test.name} (${test.n} examples): sse ${fmt(metrics.sse)}  mse ${fmt(metrics.mse)}  bce ${fmt(metrics.bce)}`);
        return;
      }
      const started = performance.now();
      const likelihood = await interruptible((signal) => estimateLikelihood(model, test, { samples: opts.samples, signal, onProgress: countReporter('test examples') }));
      const seconds = (performance.now() - started) / 1000;
      const { nll, elbo, kl, reconstruction } = likelihood;
      emit(opts.json, {
        test: { ...metrics, nll, elbo, kl, reconstruction }, examples: likelihood.examples, data: test.name,
        likelihood: { samples: likelihood.samples, binarization, seconds, klPerUnit: likelihood.klPerUnit },
      }, () => [
        `${test.name} (${likelihood.examples} examples): NLL ${fmt(nll)} nats (K = ${likelihood.samples})  ELBO ${fmt(elbo)}  KL ${fmt(kl)}  reconstruction ${fmt(reconstruction)}`,
        `sse ${fmt(metrics.sse)}  mse ${fmt(metrics.mse)}  bce ${fmt(metrics.bce)} (of the mean code); binarisation: ${binarization}; ${seconds.toFixed(0)}s`,
      ].join('\n'));
    });
}

/** eval on a classifier run: accuracy and the confusion matrix. */
function evalClassifier(opts: EvalFlags): void {
  const { model, record } = loadClassifier(opts.model);
  const test = classifierTestData(record, opts.model, opts);
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  expectRowsFit(test, features, { size: 'the classifier\'s input size' });
  if (!test.labels || (test.labelShape ?? []).length > 0) throw new UsageError(`${test.name}: has no class labels (one per example), and accuracy needs them`);
  let top = 0;
  for (const label of test.labels) top = Math.max(top, label);
  if (top >= model.classes) {
    throw new UsageError(`${test.name}: has labels up to ${top}, but ${opts.model}'s head scores ${model.classes} classes (0..${model.classes - 1})`);
  }
  const scores = scoreClassifier(model, test);
  const counts = scores.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  emit(opts.json, { test: { accuracy: scores.accuracy, error: scores.error }, confusion: scores.confusion, counts, classes: model.classes, examples: test.n, data: test.name }, () => {
    const width = Math.max(5, String(Math.max(...counts)).length + 1);
    const cell = (v: string | number) => String(v).padStart(width);
    return [
      `${test.name} (${test.n} examples): accuracy ${fmt(scores.accuracy)}  error ${fmt(scores.error)}`,
      `confusion (rows: true class, columns: predicted):`,
      `${cell('')}${scores.confusion.map((_, c) => cell(c)).join('')}`,
      ...scores.confusion.map((row, t) => `${cell(t)}${row.map(cell).join('')}`),
    ].join('\n');
  });
}

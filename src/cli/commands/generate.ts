/**
 * `aekit sample` and `aekit interpolate`: the decoder as a generative network.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { inputRows } from '../../data/data-split.js';
import { binarizedLikeRun, recordedData } from '../../run/run-data.js';
import { samplesFigure, walksFigure } from '../../run/generative-pictures.js';
import { interpolateExamples, sampleFromPrior } from '../../run/generative.js';
import { CODE_MIXTURE_FILE, codeMixtureOfRun, DEFAULT_MIXTURE_COMPONENTS } from '../../run/code-mixture.js';
import type { RunRecord } from '../../run/run-record.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { imageShape } from '../../run/pictures.js';
import { loadRun } from '../../run/save-load.js';
import { applyScaling, undoScaling } from '../../data/scaling.js';
import { tableFormat, writeMatrixFile } from '../../data/write-table.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { rowsFigure } from '../../viz/figure.js';
import { writeSvgAsPng } from '../../viz/raster.js';
import { nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import { checkOutputFiles, emit, fmt } from '../output.js';

/** Where `aekit sample` draws codes from: the prior, or a mixture with these candidate sizes. */
type PriorChoice = { kind: 'standard' } | { kind: 'mixture'; components: number[] };

/** `--prior standard`, `mixture` (K chosen among the defaults), `mixture:K` or `mixture:K1,K2,…`. */
export function parsePrior(text: string): PriorChoice {
  if (text === 'standard') return { kind: 'standard' };
  const m = /^mixture(?::(.+))?$/.exec(text);
  if (m) {
    if (m[1] === undefined) return { kind: 'mixture', components: [...DEFAULT_MIXTURE_COMPONENTS] };
    const components = m[1].split(',').map((k) => Number(k));
    if (components.every((k) => Number.isSafeInteger(k) && k >= 1 && k <= 1000)) return { kind: 'mixture', components };
  }
  throw new InvalidArgumentError(`expected standard, mixture, mixture:K or mixture:K1,K2,... (K whole numbers from 1 to 1000), got "${text}"`);
}

/** The sample command. */
export function sampleCommand(): Command {
  return new Command('sample')
    .description('New examples from an autoencoder: codes drawn from a VAE\'s prior N(0, T²I), or from a Gaussian mixture fitted to the training codes (any autoencoder), decoded')
    .requiredOption('--model <dir>', 'run folder of a VAE (aekit train --preset vae or conv-vae), or with --prior mixture of any autoencoder')
    .option('--count <n>', 'how many examples', positiveInt, 100)
    .option('--prior <kind>', `where codes come from: standard (N(0, I), a VAE's prior), mixture (a Gaussian mixture fitted to the training codes, its size chosen on validation codes among ${DEFAULT_MIXTURE_COMPONENTS.join(', ')}), mixture:K (K components) or mixture:K1,K2,... (chosen among these); default: standard`, parsePrior)
    .option('--temperature <t>', 'scale of the prior\'s (or the mixture components\') standard deviations: below 1, more typical, less varied examples', positiveNumber, 1)
    .option('--seed <n>', 'seed of the draws (and of the mixture\'s fit)', nonNegativeInt, 0)
    .requiredOption('--output <file>', 'where to write the examples: .npy (float32), .csv or .arrow, by its extension')
    .option('--codes <file>', 'also write the codes drawn (.npy, .csv or .arrow)')
    .option('--png <file>', 'also draw the first 100 as image tiles')
    .option('--force', 'overwrite existing output files', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Each example is the decoder's mean for one code (for a Bernoulli output, pixel probabilities),
in the units of the data the model trained on.

--prior mixture draws from a density fitted to where the encoder actually puts the training
rows, "ex-post density estimation" (Ghosh et al. 2020, "From variational to deterministic
autoencoders"): a Gaussian mixture with diagonal covariances, fitted by EM to the codes of the
run's training rows (a VAE's posterior means), its number of components the one whose density
gives the run's validation rows' codes the highest log-likelihood. A VAE's prior N(0, I) puts
mass where the encoder put no example, and its samples there are ambiguous; a deterministic
autoencoder has no prior at all, and the mixture is its only sampler. The first call fits it
(a minute or a few on MNIST, depending on the sizes tried) and stores it in the run folder as
${CODE_MIXTURE_FILE}; later calls with the same sizes and seed read it back.

Examples:
  $ aekit sample --model runs/vae --count 100 --output samples.npy --png samples.png
  $ aekit sample --model runs/vae --prior mixture --count 100 --output s.npy --png s.png
  $ aekit sample --model runs/deep --prior mixture:20 --count 100 --output s.npy --png s.png`)
    .action((opts: { model: string; count: number; prior?: PriorChoice; temperature: number; seed: number; output: string; codes?: string; png?: string; force: boolean; json: boolean }) => {
      tableFormat(opts.output, '--output');
      if (opts.codes) tableFormat(opts.codes, '--codes');
      checkOutputFiles([opts.output, opts.codes, opts.png], { force: opts.force });
      const { model, record } = loadRun(opts.model);
      const shape = imageShape({ shape: model.inputShape, features: model.inputSize });
      if (opts.png && !shape) throw new UsageError(`--png: this model's examples are not images (shape [${model.inputShape.join(', ')}])`);
      const prior = opts.prior ?? { kind: 'standard' };
      const fitted = prior.kind === 'mixture' ? runMixture(opts.model, model, record, prior.components, opts.seed) : null;
      const { codes, samples } = sampleFromPrior(model, { count: opts.count, temperature: opts.temperature, seed: opts.seed, mixture: fitted?.codeMixture.mixture });
      const written = undoScaling(samples, record.data?.scale ?? null);
      writeMatrixFile(opts.output, written.x, written.n, written.features);
      if (opts.codes) writeMatrixFile(opts.codes, codes.x, codes.n, codes.features);
      if (opts.png && shape) {
        const shown = Math.min(samples.n, 100);
        writeSvgAsPng(opts.png, rowsFigure(samplesFigure({ ...samples, x: samples.x.subarray(0, shown * samples.features), n: shown }, shape, opts.temperature, fitted?.codeMixture.components)));
      }
      const mixture = fitted && {
        file: join(opts.model, CODE_MIXTURE_FILE), reused: fitted.reused, components: fitted.codeMixture.components,
        codes: fitted.codeMixture.codes, trainRows: fitted.codeMixture.trainRows, validationRows: fitted.codeMixture.validationRows, candidates: fitted.codeMixture.candidates,
      };
      emit(opts.json, {
        count: samples.n, features: samples.features, prior: prior.kind, temperature: opts.temperature, seed: opts.seed,
        output: opts.output, codes: opts.codes ?? null, png: opts.png ?? null, mixture: mixture ?? null,
      }, () => [
        ...(mixture ? [`code mixture: ${mixture.components} components (${mixture.reused ? 'read from' : 'fitted and stored in'} ${mixture.file}); validation log-likelihood per code: ${
          mixture.candidates.map((c) => `K = ${c.components}: ${fmt(c.validationLogLikelihood)}`).join(', ')}`] : []),
        `wrote ${samples.n} samples (${mixture ? 'mixture' : 'prior'}, T = ${opts.temperature}) to ${opts.output}${opts.png ? ` and ${opts.png}` : ''}`,
      ].join('\n'));
    });
}

/** The run's code mixture, read back or fitted on its own training and validation rows (progress on stderr). */
function runMixture(dir: string, model: Autoencoder, record: RunRecord, components: number[], seed: number) {
  let last = 0;
  return codeMixtureOfRun(dir, model, record, {
    components, seed,
    onProgress: ({ components: k, iteration, meanLogLikelihood }) => {
      // A line per candidate's start and then every ten seconds: a fit takes seconds to minutes.
      if (iteration === 1 || Date.now() - last > 10_000) {
        last = Date.now();
        process.stderr.write(`code mixture: K = ${k}, EM iteration ${iteration}, mean log-likelihood ${meanLogLikelihood.toFixed(3)} nats per training code\n`);
      }
    },
  });
}

/** The interpolate command. */
export function interpolateCommand(): Command {
  return new Command('interpolate')
    .description('Walk between two examples\' codes and decode each step: spherically for a VAE, straight for a deterministic autoencoder')
    .requiredOption('--model <dir>', 'run folder written by aekit train')
    .requiredOption('--from <i>', 'index of the first example', nonNegativeInt)
    .requiredOption('--to <j>', 'index of the second example', nonNegativeInt)
    .option('--steps <k>', 'points of the walk, both ends included', positiveInt, 10)
    .option('--input <spec>', 'where the examples are: mnist, fashion-mnist (their test set) or a data file; default: the test split of the run\'s own data')
    .option('--output <file>', 'also write the decoded steps (.npy, .csv or .arrow)')
    .requiredOption('--png <file>', 'the picture of the walk')
    .option('--force', 'overwrite existing output files', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
A VAE's codes are its posterior means, walked along the great circle between them (slerp), as
Gaussian codes lie near a sphere; a deterministic autoencoder has no prior, so its walk is a
straight line, and the picture says so.

Examples:
  $ aekit interpolate --model runs/vae --from 0 --to 1 --steps 10 --png walk.png
  $ aekit interpolate --model runs/deep --from 3 --to 7 --png walk-deep.png`)
    .action((opts: { model: string; from: number; to: number; steps: number; input?: string; output?: string; png: string; force: boolean; json: boolean }) => {
      if (opts.output) tableFormat(opts.output, '--output');
      checkOutputFiles([opts.output, opts.png], { force: opts.force, inputs: [opts.input] });
      const { model, record } = loadRun(opts.model);
      const shape = imageShape({ shape: model.inputShape, features: model.inputSize });
      if (!shape) throw new UsageError(`--png: this model's examples are not images (shape [${model.inputShape.join(', ')}])`);
      const scaling = record.data?.scale ?? null;
      const data = opts.input === undefined
        ? recordedData(record, opts.model, { testLimit: Math.min(Math.max(opts.from, opts.to) + 1, record.training?.testLimit ?? Infinity) }).test
        : binarizedLikeRun(record, applyScaling(inputRows(opts.input, Math.max(opts.from, opts.to) + 1, { run: record.data?.labelColumn }), scaling), 'test');
      expectRowsFit({ name: opts.input ?? 'the run\'s test data', features: data.features }, model.inputSize);
      const walk = interpolateExamples(model, data, opts.from, opts.to, opts.steps);
      writeSvgAsPng(opts.png, rowsFigure(walksFigure([{ from: opts.from, to: opts.to, walk }], shape)));
      if (opts.output) {
        const written = undoScaling(walk.outputs, scaling);
        writeMatrixFile(opts.output, written.x, written.n, written.features);
      }
      emit(opts.json, { kind: walk.kind, variational: walk.variational, from: opts.from, to: opts.to, steps: opts.steps, png: opts.png, output: opts.output ?? null }, () =>
        `${walk.variational ? 'spherical walk between VAE codes' : 'straight walk between the codes of a deterministic autoencoder'}: ${opts.steps} steps from example ${opts.from} to ${opts.to}, drawn in ${opts.png}`);
    });
}

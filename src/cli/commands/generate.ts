/**
 * `aekit sample` and `aekit interpolate`: the decoder as a generative network.
 */
import { Command } from 'commander';
import { inputRows } from '../../data/data-split.js';
import { binarizedLikeRun, recordedData } from '../../run/run-data.js';
import { samplesFigure, walksFigure } from '../../run/generative-pictures.js';
import { interpolateExamples, sampleFromPrior } from '../../run/generative.js';
import { imageShape } from '../../run/pictures.js';
import { loadRun } from '../../run/save-load.js';
import { applyScaling, undoScaling } from '../../data/scaling.js';
import { tableFormat, writeMatrixFile } from '../../data/write-table.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { rowsFigure } from '../../viz/figure.js';
import { writeSvgAsPng } from '../../viz/raster.js';
import { nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import { checkOutputFiles, emit } from '../output.js';

/** The sample command. */
export function sampleCommand(): Command {
  return new Command('sample')
    .description('New examples from a VAE: codes drawn from its prior N(0, T²I), decoded')
    .requiredOption('--model <dir>', 'run folder of a VAE (aekit train --preset vae or conv-vae)')
    .option('--count <n>', 'how many examples', positiveInt, 100)
    .option('--temperature <t>', 'scale of the prior\'s standard deviation: below 1, more typical, less varied examples', positiveNumber, 1)
    .option('--seed <n>', 'seed of the draws', nonNegativeInt, 0)
    .requiredOption('--output <file>', 'where to write the examples: .npy (float32), .csv or .arrow, by its extension')
    .option('--codes <file>', 'also write the codes drawn (.npy, .csv or .arrow)')
    .option('--png <file>', 'also draw the first 100 as image tiles')
    .option('--force', 'overwrite existing output files', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Each example is the decoder's mean for one code (for a Bernoulli output, pixel probabilities),
in the units of the data the model trained on.

Example:
  $ aekit sample --model runs/vae --count 100 --output samples.npy --png samples.png`)
    .action((opts: { model: string; count: number; temperature: number; seed: number; output: string; codes?: string; png?: string; force: boolean; json: boolean }) => {
      tableFormat(opts.output, '--output');
      if (opts.codes) tableFormat(opts.codes, '--codes');
      checkOutputFiles([opts.output, opts.codes, opts.png], { force: opts.force });
      const { model, record } = loadRun(opts.model);
      const shape = imageShape({ shape: model.inputShape, features: model.inputSize });
      if (opts.png && !shape) throw new UsageError(`--png: this model's examples are not images (shape [${model.inputShape.join(', ')}])`);
      const { codes, samples } = sampleFromPrior(model, { count: opts.count, temperature: opts.temperature, seed: opts.seed });
      const written = undoScaling(samples, record.data?.scale ?? null);
      writeMatrixFile(opts.output, written.x, written.n, written.features);
      if (opts.codes) writeMatrixFile(opts.codes, codes.x, codes.n, codes.features);
      if (opts.png && shape) {
        const shown = Math.min(samples.n, 100);
        writeSvgAsPng(opts.png, rowsFigure(samplesFigure({ ...samples, x: samples.x.subarray(0, shown * samples.features), n: shown }, shape, opts.temperature)));
      }
      emit(opts.json, { count: samples.n, features: samples.features, temperature: opts.temperature, seed: opts.seed, output: opts.output, codes: opts.codes ?? null, png: opts.png ?? null }, () =>
        `wrote ${samples.n} samples (T = ${opts.temperature}) to ${opts.output}${opts.png ? ` and ${opts.png}` : ''}`);
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

/**
 * `aekit denoise`: a trained (denoising) autoencoder cleaning corrupted inputs, measured
 * against the clean ones.
 */
import { Command } from 'commander';
import { inputRows } from '../../data/data-split.js';
import { evaluationData } from '../../run/run-data.js';
import { corruptRows, denoiseEval, denoiseMetrics, denoiseRows } from '../../apps/denoise/denoise.js';
import { loadRun } from '../../run/save-load.js';
import { imageShape, writeImageRows } from '../../run/pictures.js';
import { applyScaling, undoScaling } from '../../data/scaling.js';
import { type Dataset, expectRowsFit } from '../../data/dataset.js';
import { writeNpy } from '../../data/npy.js';
import { UsageError } from '../../errors.js';
import { parseNoise } from '../../nn/noise.js';
import { INPUT_LABEL_COLUMN_HELP, nonNegativeInt, positiveInt } from '../options.js';
import { checkOutputFiles, emit, fmt } from '../output.js';
import { noiseSpec } from '../regularization-options.js';

function checkWidth(data: Dataset, expected: number, what: string): void {
  expectRowsFit({ name: what, features: data.features }, expected);
}

/** The parsed flags of `aekit denoise`. */
interface DenoiseFlags {
  model: string;
  noise?: string;
  input?: string;
  output?: string;
  data?: string;
  testLimit?: number;
  labelColumn?: string;
  seed: number;
  png?: string;
  force: boolean;
  json: boolean;
}

/** The denoise command. */
export function denoiseCommand(): Command {
  return new Command('denoise')
    .description('Corrupt inputs with a noise spec, denoise them with a trained model, and report PSNR and sse against the clean inputs')
    .requiredOption('--model <dir>', 'run folder written by aekit train (a denoising autoencoder, e.g. --preset denoising)')
    .option('--noise <spec>', 'corruption: mask:Q, gaussian:SIGMA or salt-pepper:P (default without --input: the noise the model was trained with)', noiseSpec)
    .option('--input <file>', 'denoise this file (.npy, .csv, IDX, PNG folder) instead of the test set; with --noise it is taken as clean and corrupted first')
    .option('--output <file>', 'write the denoised rows here (.npy, float32); required with --input')
    .option('--data <spec>', 'without --input: mnist, fashion-mnist or an IDX folder (their test split), or a data file (all of it); default: the test split of the data it was trained on')
    .option('--test-limit <n>', 'use only the first N test examples (or input rows)', positiveInt)
    .option('--label-column <name>', INPUT_LABEL_COLUMN_HELP)
    .option('--seed <n>', 'seed of the corruption', nonNegativeInt, 0)
    .option('--png <file>', 'draw the first 10 examples: clean, noisy and denoised rows')
    .option('--force', 'overwrite existing output files', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
PSNR = 10·log10(1 / mse) in dB (peak 1, pixels in [0, 1]), mse pooled over every pixel of every
example; sse is the mean over examples of the summed squared error.

Examples:
  $ aekit train --preset denoising --out runs/dae
  $ aekit denoise --model runs/dae --noise mask:0.5 --json
  $ aekit denoise --model runs/dae --noise gaussian:0.3 --png denoised.png
  $ aekit denoise --model runs/dae --input noisy.npy --output clean.npy`)
    .action((opts: DenoiseFlags) => {
      checkOutputFiles([opts.output, opts.png], { force: opts.force, inputs: [opts.input] });
      const { model, record } = loadRun(opts.model);
      if (opts.output && !opts.input) throw new UsageError('denoise: --output needs --input FILE (without --input the test set is denoised and measured)');
      const trainedNoise = model.trainingNoise;

      if (opts.input) {
        const output = opts.output;
        if (!output) throw new UsageError('denoise: --input needs --output FILE for the denoised rows');
        const scaling = record.data?.scale ?? null;
        const input = applyScaling(inputRows(opts.input, opts.testLimit, { named: opts.labelColumn, run: record.data?.labelColumn }), scaling);
        checkWidth(input, model.inputSize, opts.input);
        // Without --noise the input is what needs cleaning; with it, the input is the clean reference.
        const noisy = opts.noise ? corruptRows(input, parseNoise(opts.noise), opts.seed) : input;
        const denoised = denoiseRows(model, noisy);
        const written = undoScaling(denoised, scaling);
        writeNpy(output, written.x, [written.n, written.features]);
        const shape = imageShape(input);
        if (opts.png && shape) {
          const rows = [...(opts.noise ? [{ label: 'input', data: input }, { label: `noisy (${opts.noise})`, data: noisy }] : [{ label: 'input', data: noisy }]), { label: 'denoised', data: denoised }];
          writeImageRows(opts.png, shape, `Denoising with ${opts.model}`, rows);
        }
        const metrics = opts.noise ? denoiseMetrics(input, noisy, denoised) : null;
        emit(opts.json, { ...metrics, noise: opts.noise ?? null, rows: denoised.n, output: opts.output, png: opts.png ?? null }, () => [
          `wrote ${denoised.n} denoised rows to ${opts.output}${opts.png ? ` and ${opts.png}` : ''}`,
          ...(metrics ? [`${opts.noise}: PSNR noisy ${fmt(metrics.psnrNoisy)} dB -> denoised ${fmt(metrics.psnrDenoised)} dB (sse ${fmt(metrics.sseNoisy)} -> ${fmt(metrics.sseDenoised)})`] : []),
        ].join('\n'));
        return;
      }

      const noise = opts.noise ?? trainedNoise;
      if (!noise) throw new UsageError(`denoise: ${opts.model} was trained without noise; pass --noise SPEC (e.g. mask:0.25)`);
      const test = evaluationData(record, opts.model, opts);
      checkWidth(test, model.inputSize, test.name);
      const { metrics, noisy, denoised } = denoiseEval(model, test, parseNoise(noise), opts.seed);
      const shape = imageShape(test);
      if (opts.png && shape) {
        writeImageRows(opts.png, shape, `Denoising ${test.name} with ${opts.model} (PSNR ${fmt(metrics.psnrNoisy)} -> ${fmt(metrics.psnrDenoised)} dB)`, [
          { label: 'clean', data: test }, { label: `noisy (${noise})`, data: noisy }, { label: 'denoised', data: denoised },
        ]);
      }
      emit(opts.json, { ...metrics, noise, examples: test.n, data: test.name, png: opts.png ?? null }, () => [
        `${test.name} (${test.n} examples) with ${noise}:`,
        `  PSNR noisy ${fmt(metrics.psnrNoisy)} dB -> denoised ${fmt(metrics.psnrDenoised)} dB (${(metrics.psnrDenoised - metrics.psnrNoisy).toFixed(2)} dB gain)`,
        `  sse  noisy ${fmt(metrics.sseNoisy)} -> denoised ${fmt(metrics.sseDenoised)}`,
      ].join('\n'));
    });
}

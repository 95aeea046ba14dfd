/**
 * `aekit inpaint`: a trained autoencoder filling the missing pixels of images, scored by PSNR on
 * the hole beside the mean and PCA fills of the same holes.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { inputRows } from '../../data/data-split.js';
import { recordedData } from '../../run/run-data.js';
import { defaultInpaintMethod, fillHoles, formatMask, type InpaintMethod, inpaintEval, makeMask, parseMask } from '../../apps/inpaint/inpaint.js';
import { pcaKernel } from '../../apps/pca/pca-run.js';
import { imageShape, writeImageRows } from '../../run/pictures.js';
import { loadRun } from '../../run/save-load.js';
import { applyScaling, undoScaling } from '../../data/scaling.js';
import { writeNpy } from '../../data/npy.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { fitPca } from '../../linalg/pca.js';
import { INPUT_LABEL_COLUMN_HELP, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../options.js';
import { checkOutputFiles, emit, fmt } from '../output.js';

/** The parsed flags of `aekit inpaint`. */
interface InpaintFlags {
  model: string;
  mask: string;
  input?: string;
  output?: string;
  testLimit?: number;
  labelColumn?: string;
  method?: InpaintMethod;
  iterations: number;
  steps: number;
  priorWeight: number;
  seed: number;
  png?: string;
  force: boolean;
  json: boolean;
}

/** The inpaint command. */
export function inpaintCommand(): Command {
  return new Command('inpaint')
    .description('Fill missing pixels with a trained autoencoder and report PSNR on the hole beside the mean and PCA fills')
    .requiredOption('--model <dir>', 'run folder written by aekit train (image data, e.g. --preset deep)')
    .requiredOption('--mask <spec>', 'the missing pixels: rect:X,Y,W,H (from the top-left corner), random:P (each pixel with probability P) or a PNG of the image size (white = missing)')
    .option('--input <file>', 'inpaint these complete images (.npy, .csv, IDX, PNG folder) instead of the test set; the mask removes pixels, which are then scored')
    .option('--output <file>', 'with --input: write the filled rows here (.npy, float32)')
    .option('--test-limit <n>', 'use only the first N test examples (or input rows)', positiveInt)
    .option('--label-column <name>', INPUT_LABEL_COLUMN_HELP)
    .option('--method <m>', 'one-pass: one forward pass of a model trained with holes (the default for the inpaint preset); fit-code: fit the code to the known pixels (with a prior from the training codes) and decode it (the default for other models); iterate: reconstruct and put the hole back, again and again', oneOf(['one-pass', 'fit-code', 'iterate'] as const))
    .option('--iterations <n>', 'iterations of PCA\'s projection, and of the model with --method iterate', positiveInt, 5)
    .option('--steps <n>', 'Adam steps on each code (fit-code)', positiveInt, 200)
    .option('--prior-weight <w>', 'weight of the prior over codes against the fit to the known pixels (fit-code)', positiveNumber, 0.5)
    .option('--seed <n>', 'seed of a random mask', nonNegativeInt, 0)
    .option('--png <file>', 'the picture of the first 10 images: masked, mean fill, PCA fill, aekit fill, truth (default: inpainting.png in the model folder)')
    .option('--force', 'overwrite an existing --output or --png', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
The known pixels are never changed. A model trained with holes (aekit train --preset inpaint:
random rectangles or scattered pixels set to -1 on the way in) fills them in one forward pass,
with the missing pixels set to -1 as in its training. For other models, fit-code finds, for each image, the code that best explains
its known pixels under a Gaussian prior fitted to the training codes (the prior keeps the code
among those the data has; the known pixels alone leave it free to drift), and decodes it.
Both baselines fill the same holes: the training mean of each pixel, and PCA with as many
components as the model's code, iterating x ← its projection on the hole (5 iterations: its best
on MNIST validation digits with a 12x12 hole). PSNR = 10·log10(1 / mse) in dB over the missing
pixels only, pooled over every image.

Examples:
  $ aekit train --preset inpaint --out runs/inpaint
  $ aekit inpaint --model runs/inpaint --mask rect:8,8,12,12 --json
  $ aekit train --preset deep --out runs/deep
  $ aekit inpaint --model runs/deep --mask rect:8,8,12,12 --json
  $ aekit inpaint --model runs/deep --mask random:0.5 --method iterate --test-limit 1000
  $ aekit inpaint --model runs/deep --mask hole.png --input digits.npy --output filled.npy`)
    .action((opts: InpaintFlags) => {
      const png = opts.png ?? join(opts.model, 'inpainting.png');
      checkOutputFiles([opts.output, opts.png], { force: opts.force, inputs: [opts.input] });
      if (opts.output && !opts.input) throw new UsageError('inpaint: --output needs --input FILE (without --input the test set is inpainted and scored)');
      const spec = parseMask(opts.mask);
      const { model, record } = loadRun(opts.model);
      const { train, test } = recordedData(record, opts.model, { testLimit: opts.testLimit });
      const truth = opts.input ? applyScaling(inputRows(opts.input, opts.testLimit, { named: opts.labelColumn, run: record.data?.labelColumn }), record.data?.scale ?? null) : test;
      expectRowsFit({ name: opts.input ?? truth.name, features: truth.features }, model.inputSize);
      const shape = imageShape({ shape: model.inputShape.length > 1 ? model.inputShape : truth.shape, features: truth.features });
      if (!shape) throw new UsageError(`inpaint: ${opts.model} does not take images (input shape [${model.inputShape.join(', ')}]); a mask needs a height and width`);
      const mask = makeMask(spec, shape, truth.n, opts.seed);
      const pca = fitPca(train, { components: Math.min(model.codeSize, train.features), kernel: pcaKernel() });
      const method = opts.method ?? defaultInpaintMethod(model);
      const result = inpaintEval(model, train, truth, mask, pca, { method, iterations: opts.iterations, steps: opts.steps, priorWeight: opts.priorWeight });
      // The hole drawn mid-gray in the masked row, so that it shows against a black background.
      const masked = fillHoles(truth, mask, new Float32Array(truth.features).fill(0.5));
      writeImageRows(png, shape, `Inpainting (mask ${formatMask(spec)}) with ${opts.model}`, [
        { label: 'masked (hole gray)', data: masked }, { label: 'filled: mean image', data: result.filled.mean },
        { label: 'filled: PCA', data: result.filled.pca }, { label: `filled: model (${method})`, data: result.filled.model },
        { label: 'truth', data: truth },
      ]);
      if (opts.output) {
        const written = undoScaling(result.filled.model, record.data?.scale ?? null);
        writeNpy(opts.output, written.x, [written.n, written.features]);
      }
      const { psnr } = result;
      emit(opts.json, {
        psnr, method, mask: formatMask(spec), iterations: opts.iterations,
        ...(method === 'fit-code' ? { steps: opts.steps, priorWeight: opts.priorWeight } : {}),
        examples: truth.n, missing: result.missing, data: opts.input ?? truth.name, png, output: opts.output ?? null,
      }, () => [
        `${opts.input ?? truth.name} (${truth.n} images), mask ${formatMask(spec)}: ${result.missing} pixels filled`,
        `  PSNR on the hole: aekit (${method}) ${fmt(psnr.model)} dB, PCA ${fmt(psnr.pca)} dB, mean ${fmt(psnr.mean)} dB`,
        `  wrote ${png} (rows: masked, mean, PCA, aekit, truth)${opts.output ? ` and ${opts.output}` : ''}`,
      ].join('\n'));
    });
}

/**
 * `aekit encode`, `aekit decode` and `aekit reconstruct`: a trained model applied to a file.
 */
import { Command } from 'commander';
import { inputRows } from '../../data/data-split.js';
import { loadRun } from '../../run/save-load.js';
import { imageShape } from '../../run/pictures.js';
import { applyScaling, undoScaling } from '../../data/scaling.js';
import { type Transform, transformRows } from '../../run/transform.js';
import { tableFormat, writeMatrixFile } from '../../data/write-table.js';
import { UsageError } from '../../errors.js';
import { expectRowsFit } from '../../data/dataset.js';
import { rowsFigure } from '../../viz/figure.js';
import { tileImages, upscale } from '../../viz/png.js';
import { writeSvgAsPng } from '../../viz/raster.js';
import { INPUT_LABEL_COLUMN_HELP, positiveInt } from '../options.js';
import { checkOutputFiles, emit } from '../output.js';

const WHAT: Record<Transform, { description: string; input: string; example: string }> = {
  encode: {
    description: 'Encode inputs to codes (one row per example) and write them as .npy, .csv or .arrow',
    input: 'inputs: .npy, .csv, .arrow, IDX file, PNG folder, or mnist / fashion-mnist (their test set)',
    example: 'aekit encode --model runs/deep --input mnist --output codes.npy',
  },
  decode: {
    description: 'Decode codes back to the input space and write them as .npy, .csv or .arrow',
    input: 'codes: .npy, .csv or .arrow with one code per row',
    example: 'aekit decode --model runs/deep --input codes.npy --output decoded.npy --png decoded.png',
  },
  reconstruct: {
    description: 'Reconstruct inputs (encode then decode) and write them as .npy, .csv or .arrow',
    input: 'inputs: .npy, .csv, .arrow, IDX file, PNG folder, or mnist / fashion-mnist (their test set)',
    example: 'aekit reconstruct --model runs/deep --input digits.npy --output recon.npy --png recon.png',
  },
};

/** One of the three transform commands. */
export function transformCommand(transform: Transform): Command {
  const what = WHAT[transform];
  const command = new Command(transform)
    .description(what.description)
    .requiredOption('--model <dir>', 'run folder written by aekit train')
    .requiredOption('--input <file>', what.input)
    .requiredOption('--output <file>', 'where to write the result: .npy (float32), .csv, or .arrow/.feather (Arrow IPC), by its extension')
    .option('--limit <n>', 'use only the first N rows', positiveInt)
    .option('--force', 'overwrite existing output files', false)
    .option('--json', 'print one JSON object on stdout', false);
  // Codes are not images: only decode and reconstruct draw their results; codes have no label column.
  if (transform !== 'encode') command.option('--png <file>', 'also draw the first 100 results as image tiles');
  if (transform !== 'decode') command.option('--label-column <name>', INPUT_LABEL_COLUMN_HELP);
  return command
    .addHelpText('after', `\nExample:\n  $ ${what.example}`)
    .action((opts: { model: string; input: string; output: string; limit?: number; png?: string; labelColumn?: string; force: boolean; json: boolean }) => {
      tableFormat(opts.output, '--output');
      checkOutputFiles([opts.output, opts.png], { force: opts.force, inputs: [opts.input] });
      const { model, record } = loadRun(opts.model);
      const scaling = record.data?.scale ?? null;
      const shape = imageShape({ shape: model.inputShape, features: model.inputSize });
      if (opts.png && !shape) throw new UsageError(`--png: this model's examples are not images (shape [${model.inputShape.join(', ')}])`);
      const input = inputRows(opts.input, opts.limit, transform === 'decode' ? {} : { named: opts.labelColumn, run: record.data?.labelColumn });
      const expected = transform === 'decode' ? model.codeSize : model.inputSize;
      if (input.features !== expected) {
        expectRowsFit({ name: opts.input, features: input.features }, expected, { size: `the model's ${transform === 'decode' ? 'code' : 'input'} size` });
      }
      // Inputs are scaled as the model's training data was; outputs in the input space go back to the data's units.
      const result = transformRows(model, transform, transform === 'decode' ? input : applyScaling(input, scaling));
      const written = transform === 'encode' ? result : undoScaling(result, scaling);
      writeMatrixFile(opts.output, written.x, written.n, written.features);
      if (opts.png && shape) {
        const count = Math.min(result.n, 100);
        writeSvgAsPng(opts.png, rowsFigure({
          title: `${transform === 'decode' ? 'Decoded' : 'Reconstructed'}: the first ${count} rows of ${opts.input}`,
          rows: [{ label: '', image: upscale(tileImages(result.x.subarray(0, count * result.features), shape[0], shape[1], { cols: 10 }), 2) }],
        }));
      }
      emit(opts.json, { rows: result.n, features: result.features, output: opts.output, png: opts.png ?? null }, () =>
        `wrote ${result.n} × ${result.features} to ${opts.output}${opts.png ? ` and ${opts.png}` : ''}`);
    });
}

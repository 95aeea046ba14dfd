/**
 * `aekit report`: (re)builds report.html in an output folder, optionally redrawing a training
 * run's pictures from its model first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runFormat } from '../../run/classifier-run.js';
import { evaluationData } from '../../run/run-data.js';
import { writeRunPictures } from '../../run/pictures.js';
import { writeReport } from '../../run/report.js';
import { MODEL_FORMAT } from '../../run/run-record.js';
import { loadRun } from '../../run/save-load.js';
import { UsageError } from '../../errors.js';
import { RUN_FILES } from '../../io/run-folder.js';
import { emit } from '../output.js';

/** The report command. */
export function reportCommand(): Command {
  return new Command('report')
    .description('Build report.html in a run folder: config, metrics, loss curve, pictures and plots on one page that opens from disk')
    .requiredOption('--model <dir>', 'an output folder of aekit\'s: a training run, a classifier, or a compare, pca, anomaly or segment folder')
    .option('--pictures', 'first redraw a training run\'s pictures (reconstructions, filters or kernels, sparsity plots) from its model and test data', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Every command that writes an output folder also writes its report.html; this rebuilds it, for
example after the folder's pictures changed, or for a run written by an older aekit (add
--pictures to redraw that run's pictures too). The page is one file: pictures and plots are
inlined, so it can be mailed or opened from disk with no network.

Examples:
  $ aekit report --model runs/deep
  $ aekit report --model runs/deep --pictures && xdg-open runs/deep/report.html`)
    .action(async (opts: { model: string; pictures: boolean; json: boolean }) => {
      const pictures: string[] = [];
      if (opts.pictures) {
        // Only an autoencoder's run folder has the model and test data its pictures are drawn from.
        if (!existsSync(join(opts.model, RUN_FILES.model)) || runFormat(opts.model) !== MODEL_FORMAT) throw new UsageError(`--pictures: ${opts.model} is not a training run of an autoencoder; its pictures are drawn by the command that made it`);
        const { model, record } = loadRun(opts.model);
        pictures.push(...await writeRunPictures(opts.model, model, evaluationData(record, opts.model, {})));
      }
      const path = await writeReport(opts.model);
      emit(opts.json, { report: path, pictures }, () => `wrote ${path}${pictures.length > 0 ? ` (pictures redrawn: ${pictures.join(', ')})` : ''}`);
    });
}

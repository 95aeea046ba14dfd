/**
 * `aekit export torchrun` and `aekit import torchrun`: a job folder that trains an aekit model
 * under torchrun (PyTorch DDP), and its result back as a run folder.
 */
import { Command, Option } from 'commander';
import { DEFAULT_VALIDATION_FRACTION } from '../../training/settings.js';
import { SCALE_NAMES, type ScaleName } from '../../data/scaling.js';
import { exportTorchrun } from '../../export/torchrun/export-job.js';
import { importTorchrun, type TorchrunImportResult } from '../../export/torchrun/import-job.js';
import { readJsonFile } from '../../io/read-file.js';
import { PRESETS } from '../../training/presets.js';
import { fraction, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from '../options.js';
import { emit, fmt } from '../output.js';

interface ExportFlags {
  preset?: string;
  config?: string;
  model?: string;
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  schedule?: 'constant' | 'cosine';
  optimizer?: 'adam' | 'sgd';
  weightDecay?: number;
  scale?: ScaleName;
  valFraction?: number;
  patience?: number;
  seed?: number;
  limit?: number;
  testLimit?: number;
  labelColumn?: string;
  out: string;
  force: boolean;
  json: boolean;
}


/** `aekit export torchrun`. */
export function exportTorchrunCommand(): Command {
  return new Command('torchrun')
    .description('a job folder that trains the model under torchrun (PyTorch DDP) with aekit\'s objective and writes an aekit run folder')
    .option('--preset <name>', `the model and training settings of a preset (${Object.keys(PRESETS).join(', ')}); default table for a CSV or Arrow file, else deep, as aekit train chooses`)
    .option('--config <file>', 'a JSON model config instead of the preset\'s model')
    .option('--model <dir>', 'a run folder (aekit train, aekit classify, or an aekit segment folder): the job goes on from its weights, with its settings and data')
    .option('--data <spec>', 'mnist, fashion-mnist, a folder of IDX files, or a NPY/CSV/Arrow file or PNG folder (default mnist, or the run\'s)')
    .option('--epochs <n>', 'passes over the training data (default: the preset\'s)', positiveInt)
    .option('--batch-size <n>', 'the global batch, split across the ranks (default: the preset\'s)', positiveInt)
    .option('--lr <x>', 'peak learning rate', positiveNumber)
    .option('--schedule <name>', 'constant or cosine', oneOf(['constant', 'cosine'] as const))
    .option('--optimizer <name>', 'adam or sgd (momentum 0.9)', oneOf(['adam', 'sgd'] as const))
    .option('--weight-decay <x>', 'decoupled weight decay (AdamW)', nonNegativeNumber)
    .option('--scale <how>', 'unit, standardize or none (computed here on the training rows and written into the job)', oneOf(SCALE_NAMES))
    .addOption(new Option('--val-fraction <f>', 'share of training examples held out for validation').argParser(fraction).default(undefined, '1/12'))
    .option('--patience <n>', 'stop after N epochs without a better validation loss', nonNegativeInt)
    .option('--seed <n>', 'seed for the initial weights, the split and the order of examples', nonNegativeInt)
    .option('--limit <n>', 'use only the first N training examples', positiveInt)
    .option('--test-limit <n>', 'evaluate on only the first N test examples', positiveInt)
    .option('--label-column <name>', 'a CSV or Arrow column holding labels, not a feature')
    .requiredOption('--out <dir>', 'the job folder to write')
    .option('--force', 'replace the job in an existing job folder (its checkpoints and run too)', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
The job folder holds train.py, model.py (the module of aekit export pytorch), job.json,
init.safetensors (aekit's initial weights for the seed) and a README with the commands. train.py
needs PyTorch and NumPy; it trains with aekit's loss, penalties, noise, optimizer, schedule,
global batch and order of examples, saves its state every epoch (a rerun resumes) and writes
JOBDIR/run/, an aekit run folder. CSV, Arrow and PNG data are converted to NPY in the folder.

Examples:
  $ aekit export torchrun --preset deep --out jobs/deep
  $ torchrun --standalone --nproc_per_node 2 jobs/deep/train.py
  $ aekit eval --model jobs/deep/run
  $ aekit export torchrun --preset sparse --data table.npy --epochs 5 --out jobs/sparse`)
    .action((opts: ExportFlags) => {
      const result = exportTorchrun({
        preset: opts.preset, config: opts.config ? readJsonFile(opts.config, 'model config file') as never : undefined, model: opts.model, data: opts.data,
        epochs: opts.epochs, batchSize: opts.batchSize, lr: opts.lr, schedule: opts.schedule, optimizer: opts.optimizer, weightDecay: opts.weightDecay,
        scale: opts.scale, validationFraction: opts.valFraction ?? (opts.model ? undefined : DEFAULT_VALIDATION_FRACTION), patience: opts.patience,
        seed: opts.seed, limit: opts.limit, testLimit: opts.testLimit, labelColumn: opts.labelColumn, out: opts.out, force: opts.force,
      });
      emit(opts.json, result, () => [
        `wrote the torchrun job of ${result.preset ?? 'the model'} to ${result.out} (${result.files.join(', ')})`,
        `${result.data.name}: ${result.data.train} training, ${result.data.validation} validation, ${result.data.test} test examples; ${result.training.epochs} epochs, global batch ${result.training.batchSize}`,
        `run it: ${result.command}`,
      ].join('\n'));
    });
}

/** The test scores aekit computed, beside the job's own, in one line. */
function testLine({ test, jobTest }: TorchrunImportResult): string {
  const theirs = (key: string) => (jobTest && typeof jobTest[key as keyof typeof jobTest] === 'number' ? `; the job reported ${fmt(jobTest[key as keyof typeof jobTest] as number)}` : '');
  if ('sse' in test) return `test sse ${fmt(test.sse)}  mse ${fmt(test.mse)}  bce ${fmt(test.bce)} (aekit)${theirs('sse')}`;
  if ('accuracy' in test) return `test accuracy ${fmt(test.accuracy)} (aekit)${theirs('accuracy')}`;
  return `test pixel accuracy ${fmt(test.pixelAccuracy)}  mean IoU ${fmt(test.meanIoU)} (aekit)${theirs('meanIoU')}`;
}

/** `aekit import torchrun`. */
export function importTorchrunCommand(): Command {
  return new Command('torchrun')
    .description('the run folder a torchrun job wrote, checked, evaluated and completed by aekit (pictures, report)')
    .argument('<jobdir>', 'the job folder of aekit export torchrun, after the job ran')
    .option('--out <dir>', 'where to write the run folder (default: JOBDIR/run, completed in place)')
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Loads the job's weights (JOBDIR/run/model.safetensors) into the model of its job.json, refusing a
missing or misshapen tensor, evaluates the test metrics with aekit on the run's recorded data,
draws the pictures and the report, and keeps the job's loss curve in metrics.json.

Example:
  $ aekit import torchrun jobs/deep && aekit eval --model jobs/deep/run`)
    .action(async (jobDir: string, opts: { out?: string; json: boolean }) => {
      const result = await importTorchrun(jobDir, opts.out);
      emit(opts.json, result, () => [
        `imported the job ${jobDir} into ${result.out}: ${result.trainLoss.length} epochs, best ${result.bestEpoch}`,
        testLine(result),
      ].join('\n'));
    });
}

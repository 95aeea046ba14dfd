/**
 * `aekit train`: trains an autoencoder and writes its run folder.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_VALIDATION_FRACTION } from '../../data/data-split.js';
import { SCALE_NAMES, type ScaleName } from '../../data/scaling.js';
import { resumeRun, trainRun, type TrainRunResult } from '../../apps/train/train-run.js';
import { CONFIG_TRAINING } from '../../apps/train/plan.js';
import { DataError, UsageError } from '../../errors.js';
import { implicitChoices } from '../../models/config.js';
import { PRESETS, DEFAULT_PRESET } from '../../models/presets.js';
import { addDataOptions, byteSize, type DataFlags, fraction, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from '../options.js';
import { emit, fmt, timestamp } from '../output.js';
import { interruptible } from '../interrupt.js';
import { progressReporter } from '../progress.js';
import { addRegularizationOptions, overridesFromFlags, type RegularizationFlags } from '../regularization-options.js';

/** The parsed flags of `aekit train`. */
interface TrainFlags extends DataFlags, RegularizationFlags {
  preset: string;
  config?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  schedule?: 'constant' | 'cosine';
  optimizer?: 'adam' | 'sgd';
  weightDecay?: number;
  scale?: ScaleName;
  valFraction: number;
  patience?: number;
  testCurve: boolean;
  seed: number;
  out?: string;
  force: boolean;
  checkpointEvery?: number;
  maxMemory?: number;
  labelColumn?: string;
  binarize?: 'dynamic' | 'none';
  resume?: string;
  json: boolean;
}

const presetList = Object.entries(PRESETS).map(([name, p]) => `  ${name.padEnd(22)} ${p.description}`).join('\n');

/** Reads a model config file (JSON). */
function readConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError(`${path}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}


/** The train command. */
export function trainCommand(): Command {
  return addRegularizationOptions(addDataOptions(new Command('train')
    .description('Train an autoencoder and write a run folder (model.json, model.safetensors, metrics.json, pictures)'))
    .option('--preset <name>', `model and training defaults (${Object.keys(PRESETS).join(', ')})`, DEFAULT_PRESET)
    .option('--config <file>', 'a JSON model config instead of the preset\'s model (layers, activations, loss, …)')
    .option('--epochs <n>', 'passes over the training data (default: the preset\'s)', positiveInt)
    .option('--batch-size <n>', 'examples per step (default: the preset\'s)', positiveInt)
    .option('--lr <x>', 'peak learning rate (default: the preset\'s)', positiveNumber)
    .option('--schedule <name>', 'learning-rate schedule: constant or cosine', oneOf(['constant', 'cosine'] as const))
    .option('--optimizer <name>', 'adam or sgd (momentum 0.9)', oneOf(['adam', 'sgd'] as const))
    .option('--weight-decay <x>', 'decoupled weight decay (AdamW): weights shrink by lr·x each step, outside the gradient (default: the preset\'s; --l2 is the coupled kind)', nonNegativeNumber)
    .option('--scale <how>', 'unit: map the training data\'s range onto [0, 1]; standardize: each feature to mean 0, standard deviation 1; none: as loaded (the scaling is saved with the model and applied by every later command)', oneOf(SCALE_NAMES))
    .addOption(new Option('--val-fraction <f>', 'share of training examples held out for validation').argParser(fraction).default(DEFAULT_VALIDATION_FRACTION, '1/12'))
    .option('--patience <n>', 'stop after N epochs without a better validation loss', nonNegativeInt)
    .option('--test-curve', 'evaluate the test sse after every epoch (recorded in metrics.json)', false)
    .option('--seed <n>', 'seed for weights, split and shuffles', nonNegativeInt, 0)
    .option('--out <dir>', 'run folder (default: runs/<preset>-<time>)')
    .option('--force', 'replace the run in an existing run folder', false)
    .option('--max-memory <size>', 'memory budget (e.g. 256MB): a NPY, CSV or Arrow file too large for it is streamed from disk through a shuffle window', byteSize)
    .option('--label-column <name>', 'a CSV or Arrow column holding the labels, not a feature (a header name or a 0-based index)')
    .option('--binarize <how>', 'dynamic: every training batch binarised afresh (a pixel v becomes 1 with probability v), validation and test once with a fixed seed; none (default: the preset\'s; dynamic for vae and conv-vae)', oneOf(['dynamic', 'none'] as const))
    .option('--checkpoint-every <n>', 'also save the training state every N steps (it is saved after every epoch and on Ctrl-C)', positiveInt)
    .option('--resume <dir>', 'continue the stopped or killed run in DIR from its checkpoint, with its own settings')
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false))
    .addHelpText('after', `
Presets:
${presetList}

Ctrl-C stops after the current step and keeps the best model so far; --resume DIR goes on from
there (and from a run that was killed: its state is saved after every epoch), ending with the
same model file as a run that never stopped.

Examples:
  $ aekit train                                   # the deep autoencoder on MNIST
  $ aekit train --preset undercomplete --epochs 5
  $ aekit train --preset linear --limit 5000 --out runs/linear --json
  $ aekit train --config my-model.json --data ./my-idx-folder
  $ aekit train --preset undercomplete --noise mask:0.25 --tied    # a tied denoising autoencoder
  $ aekit train --preset sparse --sparsity 0.05:3 --l2 1e-4
  $ aekit train --preset linear --data table.arrow --scale standardize --label-column class
  $ aekit train --preset vae --out runs/vae     # a variational autoencoder; aekit eval gives its NLL
  $ aekit train --preset undercomplete --data big.npy --max-memory 256MB   # streamed from disk`)
    .action(async (opts: TrainFlags, command: Command) => {
      if (opts.resume !== undefined) {
        // The run's model.json says how to go on; a flag that would change it is a mistake.
        const changed = command.options.map((o) => o.attributeName()).filter((key) => !['resume', 'json'].includes(key) && command.getOptionValueSource(key) === 'cli');
        if (changed.length > 0) throw new UsageError(`--resume goes on with the run's own settings; drop ${changed.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
        const resumed = await interruptible((signal) => resumeRun(opts.resume!, { signal, onEvent: progressReporter() }));
        emit(opts.json, resumed, () => resumed.alreadyDone ? `${resumed.outDir}: the run had finished; nothing to do` : describeTrainRun(resumed));
        return;
      }
      const out = opts.out ?? `runs/${opts.config ? 'custom' : opts.preset}-${timestamp()}`;
      const config = opts.config ? readConfig(opts.config) : undefined;
      for (const note of implicitChoices(config)) process.stderr.write(`aekit: ${opts.config}: ${note}\n`);
      // A config with no --preset trains with settings of its own, said before it starts.
      const presetNamed = command.getOptionValueSource('preset') === 'cli';
      if (opts.config && !presetNamed) process.stderr.write(`aekit: ${opts.config}: ${describeConfigTraining(opts)}\n`);
      const result = await interruptible((signal) => trainRun({
        preset: opts.config && !presetNamed ? undefined : opts.preset,
        config: config as never,
        modelOverrides: overridesFromFlags(opts),
        data: opts.data,
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        lr: opts.lr,
        weightDecay: opts.weightDecay,
        schedule: opts.schedule,
        scale: opts.scale,
        optimizer: opts.optimizer,
        limit: opts.limit,
        testLimit: opts.testLimit,
        validationFraction: opts.valFraction,
        patience: opts.patience,
        testCurve: opts.testCurve,
        checkpointEvery: opts.checkpointEvery,
        maxMemory: opts.maxMemory,
        labelColumn: opts.labelColumn,
        binarize: opts.binarize,
        seed: opts.seed,
        out,
        force: opts.force,
        signal,
        onEvent: progressReporter(),
      }));
      emit(opts.json, result, () => describeTrainRun(result, opts.config));
    });
}

/** The training settings of a config run with no --preset, the flags applied, as one sentence. */
function describeConfigTraining(opts: TrainFlags): string {
  const d = CONFIG_TRAINING;
  return `training ${opts.epochs ?? d.epochs} epochs in batches of ${opts.batchSize ?? d.batchSize}, ${opts.optimizer ?? 'adam'} at lr ${opts.lr ?? d.lr} `
    + `with a ${opts.schedule ?? d.schedule} schedule, weight decay ${opts.weightDecay ?? d.weightDecay ?? 0} `
    + '(a config\'s defaults without --preset; --epochs, --batch-size, --lr, --schedule and --weight-decay change them)';
}

/**
 * What `aekit train` tells a person: what trained for how long, the test metrics, which weights
 * the model holds, and where the run folder is.
 * @param config the --config file, which names the model when no preset did
 */
export function describeTrainRun(result: TrainRunResult, config?: string): string {
  const epochs = `${result.epochs} epoch${result.epochs === 1 ? '' : 's'}`;
  const best = result.bestEpoch === 0 ? 'no epoch finished: the weights as they were when it stopped'
    : result.monitored === 'validation' ? `the weights of epoch ${result.bestEpoch}, the best on validation`
      : 'the last epoch\'s weights: no validation examples, so the training loss was monitored';
  const name = result.preset ?? `the model of ${config ?? 'its config'}`;
  const what = result.aborted ? `Stopped by Ctrl-C after ${epochs} of ${name}` : `Trained ${name} for ${epochs}`;
  return [
    `${what} in ${result.seconds.toFixed(1)}s (${Math.round(result.samplesPerSecond)} samples/s, ${result.backend} backend)`,
    `test sse ${fmt(result.test.sse)}  mse ${fmt(result.test.mse)}  bce ${fmt(result.test.bce)}  (${best})`,
    `run folder: ${result.outDir}`,
  ].join('\n');
}

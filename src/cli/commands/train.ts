/**
 * `aekit train`: trains an autoencoder and writes its run folder.
 */
import { Command } from 'commander';
import { TRAIN_SETTING_KEYS, type TrainRunOptions, type TrainSettingKey } from '../../apps/train/plan.js';
import { defaultPresetFor } from '../../training/model-for-data.js';
import { resumeRun, trainRun, type TrainRunResult } from '../../apps/train/train-run.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_PRESET, DEFAULT_TABLE_PRESET, PRESETS } from '../../training/presets.js';
import { CONFIG_TRAINING, DEFAULT_VALIDATION_FRACTION, TRAINING_DEFAULTS } from '../../training/settings.js';
import { readJsonFile } from '../../io/read-file.js';
import { implicitChoices } from '../../models/config.js';
import { addDataOptions, type DataFlags, kebabCase, oneOf } from '../options.js';
import { emit, fmt, timestamp } from '../output.js';
import { interruptible } from '../interrupt.js';
import { progressReporter } from '../progress.js';
import { addRegularizationOptions, overridesFromFlags, type RegularizationFlags } from '../regularization-options.js';
import { addSettingOptions, type SettingFlag, settingValues } from '../setting-options.js';

/** The settings `aekit train` takes as flags, generated from the schema; --limit and --test-limit come with the data options. */
const FLAG_SETTINGS = TRAIN_SETTING_KEYS.filter((key) => key !== 'limit' && key !== 'testLimit');

/** How `aekit train` shows some settings: the preset gives their defaults; --val-fraction is shorter. */
const SHOWN: Partial<Record<TrainSettingKey, SettingFlag>> = {
  epochs: { note: '(default: the preset\'s)' },
  batchSize: { note: '(default: the preset\'s)' },
  lr: { note: '(default: the preset\'s)' },
  weightDecay: { note: '(default: the preset\'s; --l2 is the coupled kind)' },
  scale: { placeholder: 'how', note: '(default: the preset\'s: standardize for table, else none)' },
  validationFraction: { flag: 'val-fraction', default: { value: DEFAULT_VALIDATION_FRACTION, shown: '1/12' } },
  seed: { placeholder: 'n', default: { value: 0 } },
  maxMemory: { placeholder: 'size' },
};

/** The parsed flags of `aekit train` besides the generated settings. */
interface TrainFlags extends DataFlags, RegularizationFlags {
  preset?: string;
  config?: string;
  out?: string;
  force: boolean;
  labelColumn?: string;
  binarize?: 'dynamic' | 'none';
  resume?: string;
  json: boolean;
}

const presetList = Object.entries(PRESETS).map(([name, p]) => `  ${name.padEnd(22)} ${p.description}`).join('\n');

/** The train command. */
export function trainCommand(): Command {
  const command = addDataOptions(new Command('train')
    .description('Train an autoencoder and write a run folder (model.json, model.safetensors, metrics.json, pictures)'))
    .option('--preset <name>', `model and training defaults (${Object.keys(PRESETS).join(', ')}) (default: ${DEFAULT_TABLE_PRESET} for a CSV or Arrow table, else ${DEFAULT_PRESET})`)
    .option('--config <file>', 'a JSON model config instead of the preset\'s model (layers, activations, loss, …)');
  return addRegularizationOptions(addSettingOptions(command, FLAG_SETTINGS, SHOWN)
    .option('--out <dir>', 'run folder (default: runs/<preset>-<time>)')
    .option('--force', 'replace the run in an existing run folder', false)
    .option('--label-column <name>', 'a CSV or Arrow column holding the labels, not a feature (a header name or a 0-based index)')
    .option('--binarize <how>', 'dynamic: every training batch binarised afresh (a pixel v becomes 1 with probability v), validation and test once with a fixed seed; none (default: the preset\'s; dynamic for vae and conv-vae)', oneOf(['dynamic', 'none'] as const))
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
  $ aekit train --data table.csv --label-column class   # the table preset, sized from the table's width
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
        if (changed.length > 0) throw new UsageError(`--resume goes on with the run's own settings; drop ${changed.map((k) => `--${kebabCase(k)}`).join(', ')}`);
        const resumed = await interruptible((signal) => resumeRun(opts.resume!, { signal, onEvent: progressReporter() }));
        emit(opts.json, resumed, () => resumed.alreadyDone ? `${resumed.outDir}: the run had finished; nothing to do` : describeTrainRun(resumed));
        return;
      }
      const out = opts.out ?? `runs/${opts.config && opts.preset === undefined ? 'custom' : opts.preset ?? defaultPresetFor(opts.data)}-${timestamp()}`;
      const config = opts.config ? readJsonFile(opts.config, 'model config file') : undefined;
      for (const note of implicitChoices(config)) process.stderr.write(`aekit: ${opts.config}: ${note}\n`);
      // A table with no --preset trains the table preset, and a config with no --preset with
      // settings of its own: each said before it starts.
      if (!opts.config && opts.preset === undefined && defaultPresetFor(opts.data) === DEFAULT_TABLE_PRESET) {
        process.stderr.write(`aekit: ${opts.data} is a table: training the ${DEFAULT_TABLE_PRESET} preset (layers sized from its width, standardized inputs, a linear output with squared error); --preset NAME trains another\n`);
      }
      if (opts.config && opts.preset === undefined) process.stderr.write(`aekit: ${opts.config}: ${describeConfigTraining(settingValues(opts as unknown as Record<string, unknown>, FLAG_SETTINGS, SHOWN) as Partial<TrainRunOptions>)}\n`);
      const result = await interruptible((signal) => trainRun({
        preset: opts.preset,
        config: config as never,
        modelOverrides: overridesFromFlags(opts),
        data: opts.data,
        ...(settingValues(opts as unknown as Record<string, unknown>, FLAG_SETTINGS, SHOWN) as Pick<TrainRunOptions, (typeof FLAG_SETTINGS)[number]>),
        limit: opts.limit,
        testLimit: opts.testLimit,
        labelColumn: opts.labelColumn,
        binarize: opts.binarize,
        out,
        force: opts.force,
        signal,
        onEvent: progressReporter(),
      }));
      emit(opts.json, result, () => describeTrainRun(result, opts.config));
    });
}

/** The training settings of a config run with no --preset, the flags applied, as one sentence. */
function describeConfigTraining(opts: Partial<TrainRunOptions>): string {
  const d = CONFIG_TRAINING;
  return `training ${opts.epochs ?? d.epochs} epochs in batches of ${opts.batchSize ?? d.batchSize}, ${opts.optimizer ?? TRAINING_DEFAULTS.optimizer} at lr ${opts.lr ?? d.lr} `
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

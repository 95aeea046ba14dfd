/**
 * `aekit export encoder`: the encoder of a trained model as a run folder of its own.
 */
import { Command } from 'commander';
import { exportEncoder } from '../../apps/classifier-run.js';
import { emit } from '../output.js';

/** The export command and its subcommands. */
export function exportCommand(): Command {
  const encoder = new Command('encoder')
    .description('Write the encoder of a run folder alone as a run folder (model.json, model.safetensors)')
    .requiredOption('--model <dir>', 'a run folder with an encoder: aekit train\'s or a classifier\'s')
    .requiredOption('--out <dir>', 'the encoder\'s run folder')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
Noise layers are left out (they act only while an autoencoder trains). The folder records the data
the encoder learned from, so aekit classify --model DIR works on it as on the run it came from.

Example:
  $ aekit export encoder --model runs/sdae --out runs/sdae-encoder`)
    .exitOverride()
    .action((opts: { model: string; out: string; force: boolean; json: boolean }) => {
      const record = exportEncoder(opts.model, opts.out, { force: opts.force });
      const layers = record.model.encoder.map((s) => s.type).join(', ');
      emit(opts.json, { out: opts.out, input: record.model.input, layers: record.model.encoder.map((s) => s.type), source: record.source.dir }, () =>
        `wrote the encoder of ${opts.model} (${layers}) to ${opts.out}`);
    });
  return new Command('export')
    .description('Export part of a trained model: aekit export encoder --model DIR --out DIR')
    .exitOverride()
    .addCommand(encoder);
}

/**
 * `aekit export encoder`: the encoder of a trained model as a run folder of its own.
 */
import { Argument, Command } from 'commander';
import { exportEncoder } from '../../apps/classifier-run.js';
import { emit } from '../output.js';

/** The export command. */
export function exportCommand(): Command {
  return new Command('export')
    .description('Export part of a trained model as a run folder of its own: aekit export encoder --model DIR --out DIR')
    .addArgument(new Argument('<part>', 'what to export').choices(['encoder']))
    .requiredOption('--model <dir>', 'a run folder with an encoder: aekit train\'s or a classifier\'s')
    .requiredOption('--out <dir>', 'the new run folder')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
encoder: the encoder alone (model.json with format aekit-encoder, model.safetensors with its
encoder.N tensors). Noise layers are left out (they act only while an autoencoder trains). The
folder records the data the encoder learned from, so aekit classify --model DIR works on it as on
the run it came from.

Example:
  $ aekit export encoder --model runs/sdae --out runs/sdae-encoder`)
    .action((_part: 'encoder', opts: { model: string; out: string; force: boolean; json: boolean }) => {
      const record = exportEncoder(opts.model, opts.out, { force: opts.force });
      const layers = record.model.encoder.map((s) => s.type);
      emit(opts.json, { out: opts.out, input: record.model.input, layers, source: record.source.dir }, () =>
        `wrote the encoder of ${opts.model} (${layers.join(', ')}) to ${opts.out}`);
    });
}

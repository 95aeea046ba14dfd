/**
 * `aekit import safetensors`: a PyTorch state dict (saved with safetensors) as an aekit run folder.
 */
import { Command } from 'commander';
import { importSafetensors } from '../../export/import-safetensors.js';
import { emit } from '../output.js';
import { importTorchrunCommand } from './torchrun.js';

function safetensorsCommand(): Command {
  return new Command('safetensors')
    .description('a PyTorch state dict saved as safetensors, with the model config it was built from, as a run folder')
    .requiredOption('--input <file>', 'the .safetensors file (torch: safetensors.torch.save_file(model.state_dict(), FILE))')
    .requiredOption('--config <file>', 'the model config (JSON, as aekit train --config takes it) or a preset name')
    .requiredOption('--out <dir>', 'the run folder to write')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
The state dict must be that of the module aekit export pytorch writes for the same config: names
numbered as its nn.Sequential stacks number their modules (encoder.0.weight, encoder.2.weight,
...), nn.Linear, nn.Conv2d, nn.ConvTranspose2d and BatchNorm layouts. Every tensor must be there
with its shape; a missing, extra or misshapen one is refused, named with the shape expected.
BatchNorm's num_batches_tracked counters are read and left out. The run folder works with every
command that takes --model (eval, encode, decode, reconstruct, export).

Examples:
  $ aekit import safetensors --input conv.safetensors --config conv --out runs/from-torch
  $ aekit import safetensors --input weights.safetensors --config model.json --out runs/mine
  $ aekit eval --model runs/mine`)
    .action((opts: { input: string; config: string; out: string; force: boolean; json: boolean }) => {
      const result = importSafetensors(opts.input, opts.config, opts.out, { force: opts.force });
      emit(opts.json, result, () =>
        `read ${result.tensors.length} tensors of ${opts.input} into the model of ${opts.config} (input [${result.input.join(', ')}], code [${result.code.join(', ')}]) and wrote ${opts.out}` +
        (result.ignored.length > 0 ? `; left out ${result.ignored.length} num_batches_tracked counters` : ''));
    });
}

/** The import command. */
export function importCommand(): Command {
  const command = new Command('import')
    .description('Bring a model made elsewhere in: aekit import safetensors --input FILE --config CONFIG --out DIR, or aekit import torchrun JOBDIR')
    .addHelpText('after', `
Examples:
  $ aekit import safetensors --input conv.safetensors --config conv --out runs/from-torch
  $ aekit import torchrun jobs/deep`);
  command.addCommand(safetensorsCommand().exitOverride());
  command.addCommand(importTorchrunCommand().exitOverride());
  return command;
}

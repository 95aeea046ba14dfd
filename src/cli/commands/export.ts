/**
 * `aekit export encoder|onnx|pytorch`: a trained model taken out of aekit: its encoder as a run
 * folder of its own, a part of it as an ONNX file, or the PyTorch module its weights load into.
 */
import { Command, Option } from 'commander';
import { exportEncoder } from '../../run/classifier-run.js';
import { exportOnnx, exportableRun, ONNX_OPSET, ONNX_PARTS, type OnnxPart } from '../../export/onnx-export.js';
import { pytorchSource } from '../../export/pytorch-code.js';
import { UsageError } from '../../errors.js';
import { sha256Hex } from '../../io/digest.js';
import { writeFileAtomic } from '../../io/run-folder.js';
import { checkOutputFiles, emit } from '../output.js';
import { exportTorchrunCommand } from './torchrun.js';

function encoderCommand(): Command {
  return new Command('encoder')
    .description('the encoder alone, as a run folder of its own')
    .requiredOption('--model <dir>', 'a run folder with an encoder: aekit train\'s or a classifier\'s')
    .requiredOption('--out <dir>', 'the new run folder')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
The encoder alone (model.json with format aekit-encoder, model.safetensors with its encoder.N
tensors). Noise layers are left out (they act only while an autoencoder trains). The folder
records the data the encoder learned from, so aekit classify --model DIR works on it as on the run
it came from.

Example:
  $ aekit export encoder --model runs/sdae --out runs/sdae-encoder`)
    .action((opts: { model: string; out: string; force: boolean; json: boolean }) => {
      const record = exportEncoder(opts.model, opts.out, { force: opts.force });
      const layers = record.model.encoder.map((s) => s.type);
      emit(opts.json, { out: opts.out, input: record.model.input, layers, source: record.source.dir }, () =>
        `wrote the encoder of ${opts.model} (${layers.join(', ')}) to ${opts.out}`);
    });
}

function onnxCommand(): Command {
  return new Command('onnx')
    .description(`a trained autoencoder, classifier or segmenter (or its encoder, decoder or head) as an ONNX file, opset ${ONNX_OPSET}`)
    .requiredOption('--model <dir>', 'the run folder of aekit train (or aekit import), aekit classify or aekit segment')
    .addOption(new Option('--part <part>', 'encoder: inputs to codes; decoder: codes to reconstructions (a classifier\'s head: codes to class probabilities); full: inputs to reconstructions (or class probabilities)').choices(ONNX_PARTS).default('full'))
    .requiredOption('--output <file>', 'the .onnx file to write')
    .option('--force', 'replace an existing file', false)
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', `
The graph takes a float32 batch named "input" (or "code" for --part decoder) of shape
[batch, ...example shape] and gives "code" or "reconstruction"; the batch size is free. The
decoder part ends with the model's output activation (a sigmoid for data in [0, 1]), as
aekit decode does. A classifier's graph gives "probabilities" [batch, classes], the softmax of
its head's scores; the most probable class is the one aekit eval counts. A segment folder's
gives "probabilities" [batch, classes, height, width], a softmax per pixel. Noise and dropout
layers act only while training and export as nothing; batch norm exports with its running
statistics. A decoder that unpools with its encoder's pooling indices (SegNet) needs them from
the same pass, so it exports only with --part full.

Examples:
  $ aekit export onnx --model runs/deep --part encoder --output deep-encoder.onnx
  $ aekit export onnx --model runs/conv --output conv.onnx
  $ aekit export onnx --model runs/sdae-classify --output digits.onnx
  $ python3 -c "import onnxruntime as ort, numpy as np; s = ort.InferenceSession('conv.onnx'); print(s.run(None, {'input': np.zeros((1, 1, 28, 28), np.float32)})[0].shape)"`)
    .action((opts: { model: string; part: OnnxPart; output: string; force: boolean; json: boolean }) => {
      checkOutputFiles([opts.output], { force: opts.force });
      const result = exportOnnx(opts.model, opts.part, opts.output, { force: opts.force });
      emit(opts.json, result, () =>
        `wrote the ${opts.part === 'full' ? 'full model' : opts.part} of ${opts.model} to ${opts.output} (${result.operators.length} nodes, ${(result.bytes / 1024).toFixed(0)} KiB): ` +
        `${result.input.name} [batch, ${result.input.shape.join(', ')}] -> ${result.output.name} [batch, ${result.output.shape.join(', ')}]`);
    });
}

function pytorchCommand(): Command {
  return new Command('pytorch')
    .description('the Python code of the PyTorch module that the run\'s model.safetensors loads into with strict=True')
    .requiredOption('--model <dir>', 'the run folder of aekit train (or aekit import), aekit classify or aekit segment')
    .option('--output <file>', 'write the code to this .py file instead of printing it')
    .option('--force', 'replace an existing file', false)
    .option('--json', 'print one JSON object on stdout (with the code as "source")', false)
    .addHelpText('after', `
The module is an nn.Module with "encoder" and "decoder" nn.Sequential stacks; each aekit layer is
one module and an activation after a dense or convolution layer is a module of its own, so the
tensor names (encoder.0.weight, encoder.2.weight, ...) and layouts (nn.Linear [out, in],
nn.Conv2d [out, in, kh, kw], nn.ConvTranspose2d [in, out, kh, kw], BatchNorm running_mean and
running_var) are the file's. The decoder ends with the output activation, so model(x) is the
reconstruction. Noise layers (training only) have no module. A classifier run gives a Classifier
module with "encoder" and "head" stacks: model(x) is the class scores (logits, as
nn.CrossEntropyLoss takes them) and model.probabilities(x) their softmax; a segment folder, a
Segmenter module with "encoder" and "decoder", the same per pixel.

Examples:
  $ aekit export pytorch --model runs/conv --output conv_model.py
  $ python3 -c "
  from safetensors.torch import load_file
  from conv_model import Autoencoder
  model = Autoencoder(); model.load_state_dict(load_file('runs/conv/model.safetensors'), strict=True); model.eval()"`)
    .action((opts: { model: string; output?: string; force: boolean; json: boolean }) => {
      if (opts.output !== undefined) {
        if (!opts.output.endsWith('.py')) throw new UsageError(`${opts.output}: --output names a Python file, ending in .py`);
        checkOutputFiles([opts.output], { force: opts.force });
      }
      const source = pytorchSource(exportableRun(opts.model), opts.model);
      if (opts.output !== undefined) writeFileAtomic(opts.output, source);
      const written = opts.output;
      emit(opts.json, { model: opts.model, output: written ?? null, sha256: sha256Hex(Buffer.from(source)), source }, () =>
        written !== undefined ? `wrote the PyTorch module of ${opts.model} to ${written}` : source.trimEnd());
    });
}

/** The export command and its three kinds. */
export function exportCommand(): Command {
  const command = new Command('export')
    .description('Take a trained model out: aekit export encoder|onnx|pytorch --model DIR ..., or a torchrun job: aekit export torchrun --preset NAME --out JOBDIR')
    .addHelpText('after', `
Examples:
  $ aekit export onnx --model runs/conv --part full --output conv.onnx
  $ aekit export pytorch --model runs/conv --output conv_model.py
  $ aekit export encoder --model runs/sdae --out runs/sdae-encoder
  $ aekit export torchrun --preset deep --out jobs/deep`);
  for (const sub of [encoderCommand(), onnxCommand(), pytorchCommand(), exportTorchrunCommand()]) command.addCommand(sub.exitOverride());
  return command;
}

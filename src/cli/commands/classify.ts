/**
 * `aekit classify`: a softmax on a trained encoder's codes, or the encoder fine-tuned with it,
 * scored on the test split beside the pixels, PCA and from-scratch baselines.
 */
import { Command } from 'commander';
import { classify, CLASSIFY_DEFAULTS, type ClassifyResult } from '../../apps/classify/classify.js';
import { interruptible } from '../interrupt.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../options.js';
import { emit, timestamp } from '../output.js';
import { progressReporter } from '../progress.js';

/** The parsed flags of `aekit classify`. */
interface ClassifyFlags {
  model: string;
  finetune: boolean;
  labels?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  shift?: number;
  rotate?: number;
  scale?: number;
  data?: string;
  labelColumn?: string;
  testLimit?: number;
  baselines: boolean;
  out?: string;
  force: boolean;
  json: boolean;
}

const percent = (accuracy: number) => `${(100 * accuracy).toFixed(2)}%`;

/** What `aekit classify` tells a person. */
function describe(r: ClassifyResult, model: string): string {
  const moves = [r.shift > 0 ? `shifted by up to ${r.shift} pixels` : '', r.rotate > 0 ? `turned by up to ${r.rotate} degrees` : '', r.scale > 0 ? `scaled by up to ${r.scale}` : ''].filter(Boolean);
  const what = r.finetune ? `fine-tuned encoder + softmax${moves.length > 0 ? `, images ${moves.join(', ')}` : ''}` : 'softmax on the codes (encoder frozen)';
  const lines = [
    `${model}: ${what}, ${r.labels} labelled examples, ${r.epochs} epochs, ${r.seconds.toFixed(0)} s`,
    `  test accuracy ${percent(r.accuracy)} (error ${percent(r.error)}) on ${r.examples} examples`,
  ];
  if (r.baselines) {
    lines.push(`  baselines: pixels ${percent(r.baselines.pixels)}, PCA ${r.pcaComponents} ${percent(r.baselines.pca)}, same network from scratch ${percent(r.baselines.scratch)}`);
  }
  if (r.out) lines.push(`  classifier run folder: ${r.out}`);
  return lines.join('\n');
}

/** The classify command. */
export function classifyCommand(): Command {
  const { epochs, batchSize, networkLr, softmaxLr, minSteps, imageShift, shiftedEpochs } = CLASSIFY_DEFAULTS;
  return new Command('classify')
    .description('Classify with a trained encoder: a softmax on its codes, or (--finetune) the encoder trained with it, beside pixel, PCA and from-scratch baselines')
    .requiredOption('--model <dir>', 'a run folder with an encoder: aekit train\'s, aekit export encoder\'s, or a classifier\'s')
    .option('--finetune', 'train the encoder together with the softmax (default: encoder frozen)', false)
    .option('--labels <n>', 'use only N labelled training examples, N / classes of each class, drawn with --seed (default: all)', positiveInt)
    .option('--epochs <n>', `passes over the labelled examples (default ${epochs}, ${shiftedEpochs} with --shift; more with few labels: at least ${minSteps} steps)`, positiveInt)
    .option('--batch-size <n>', `examples per step (default ${batchSize})`, positiveInt)
    .option('--lr <x>', `peak learning rate of Adam, cosine schedule, for the classifier and every baseline (default ${networkLr} for a network trained whole, ${softmaxLr} for a softmax on fixed features)`, positiveNumber)
    .option('--shift <n>', `with --finetune, images only: move each training image by up to N pixels along each axis, a new draw every step (data augmentation; the scratch baseline too); default ${imageShift} for an encoder of images, with ${shiftedEpochs} epochs; 0 turns it off`, nonNegativeInt)
    .option('--rotate <degrees>', 'with --finetune, images only: also turn each training image by up to ± this many degrees, resampled bilinearly (default 0)', nonNegativeNumber)
    .option('--scale <x>', 'with --finetune, images only: also scale each training image by a factor within 1 ± x (default 0)', nonNegativeNumber)
    .option('--seed <n>', 'seed for the labelled sample, the heads\' weights and the shuffles', nonNegativeInt, 0)
    .option('--data <spec>', 'labelled data other than the run\'s own: mnist, fashion-mnist or an IDX folder (train and test splits), or a CSV or Arrow table with a label column (a seeded sixth held out as the test set)')
    .option('--label-column <name>', 'with --data: the column of the CSV or Arrow table holding the class labels, 0 to K-1 (default: the run\'s own label column)')
    .option('--test-limit <n>', 'score on only the first N test examples', positiveInt)
    .option('--no-baselines', 'train and score the classifier only')
    .option('--out <dir>', 'the classifier\'s run folder (default: runs/classify-<time>)')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false)
    .addHelpText('after', `
The data is the run's own: the training split the autoencoder learned from (less its validation
share) and the test split. The baselines learn from the same labelled examples with the same
settings: a softmax on the raw pixels, a softmax on PCA codes of the code's size (PCA fitted on all
training images, as the autoencoder was), and the same network (encoder + softmax) trained from
random initial weights. Noise layers of the autoencoder's encoder are left out. The classifier is
saved as a run folder: aekit eval --model DIR gives its test accuracy and confusion matrix.

Examples:
  $ aekit train --preset sdae --out runs/sdae
  $ aekit classify --model runs/sdae --finetune --json
  $ aekit classify --model runs/sdae --finetune --labels 1000
  $ aekit classify --model runs/conv --no-baselines --out runs/conv-softmax`)
    .action(async (opts: ClassifyFlags) => {
      const result = await interruptible((signal) => classify({
        ...opts, out: opts.out ?? `runs/classify-${timestamp()}`, signal, onEvent: progressReporter(),
        onStage: (stage) => process.stderr.write(`aekit: training ${stage === 'classifier' ? 'the classifier' : `the ${stage} baseline`}\n`),
      }));
      emit(opts.json, result, () => describe(result, opts.model));
    });
}

/**
 * `aekit segment`: the segnet preset trained on scenes of MNIST digits, scored per pixel.
 */
import { Command } from 'commander';
import { segment } from '../../apps/segment/segment.js';
import { SEGNET } from '../../training/presets.js';
import { interruptible } from '../interrupt.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../options.js';
import { emit, fmt, timestamp } from '../output.js';
import { progressReporter } from '../progress.js';

/** The parsed flags of `aekit segment`. */
interface SegmentFlags {
  scenes: number;
  testScenes: number;
  size: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  jaccardWeight?: number;
  validationScenes: number;
  seed: number;
  out?: string;
  force: boolean;
  json: boolean;
}

/** The segment command. */
export function segmentCommand(): Command {
  return new Command('segment')
    .description('Train SegNet (the segnet preset) on scenes of MNIST digits and report pixel accuracy and IoU per class on test scenes')
    .option('--scenes <n>', 'training scenes, made from MNIST training digits', positiveInt, SEGNET.scenes)
    .option('--test-scenes <n>', 'test scenes, made from MNIST test digits', positiveInt, 1000)
    .option('--size <n>', 'the scenes\' side in pixels (at least 28)', positiveInt, 64)
    .option('--epochs <n>', `training epochs (default ${SEGNET.training.epochs})`, positiveInt)
    .option('--batch-size <n>', `scenes per step (default ${SEGNET.training.batchSize})`, positiveInt)
    .option('--lr <rate>', `Adam's learning rate (default ${SEGNET.training.lr})`, positiveNumber)
    .option('--jaccard-weight <w>', `the weight of a soft Jaccard (IoU) loss term beside the weighted cross-entropy (default ${SEGNET.settings.jaccardWeight}; 0: none, which a torchrun job needs)`, nonNegativeNumber)
    .option('--validation-scenes <n>', 'scenes made from 5,000 held-out training digits (the training scenes then come from the other 55,000), scored beside the test scenes: for choosing settings', nonNegativeInt, 0)
    .option('--seed <n>', 'seed for the scenes, weights and shuffles', nonNegativeInt, 0)
    .option('--out <dir>', 'folder for segment.json, model.safetensors and segmentation.png (default: runs/segment-<time>)')
    .option('--force', 'replace an existing output folder of aekit\'s', false)
    .option('--json', 'print one JSON object on stdout; progress stays on stderr', false)
    .addHelpText('after', `
Each scene holds one to three digits at random places, no two overlapping; a pixel's label is 0
(background) or 1 + its digit where the digit's intensity is above one half. pixelAccuracy is the
share of test pixels labelled right; perClassIoU is, for each of the 11 classes, the pixels both
predicted and labelled that class over those either predicted or labelled it; meanIoU their mean.
segmentation.png shows test scenes, their labels and the predictions (gray level = class).
The defaults (${SEGNET.scenes} scenes x ${SEGNET.training.epochs} epochs, Adam at ${SEGNET.training.lr} with a cosine schedule, the
soft Jaccard term at weight ${SEGNET.settings.jaccardWeight}) were chosen on validation scenes (README, "Segmentation").

Examples:
  $ aekit segment --json
  $ aekit segment --scenes 2000 --epochs 3 --out runs/segnet-small
  $ aekit segment --jaccard-weight 0 --validation-scenes 1000 --json`)
    .action(async ({ jaccardWeight, ...opts }: SegmentFlags) => {
      const result = await interruptible((signal) => segment({
        ...opts, ...(jaccardWeight === undefined ? {} : { settings: { jaccardWeight } }), out: opts.out ?? `runs/segment-${timestamp()}`, signal, onEvent: progressReporter(),
      }));
      emit(opts.json, result, () => [
        `segnet, ${result.scenes} training scenes, ${result.epochs} epochs in ${result.seconds.toFixed(0)} s; ${result.testScenes} test scenes:`,
        `  pixel accuracy ${fmt(result.pixelAccuracy)}, mean IoU ${fmt(result.meanIoU)}`,
        `  IoU per class: ${result.classes.map((c, i) => `${c} ${result.perClassIoU[i]?.toFixed(3) ?? '-'}`).join(', ')}`,
        ...(result.validation ? [`  ${result.validation.scenes} validation scenes: pixel accuracy ${fmt(result.validation.pixelAccuracy)}, mean IoU ${fmt(result.validation.meanIoU)}`] : []),
        `  wrote ${result.out}`,
      ].join('\n'));
    });
}

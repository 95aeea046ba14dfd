/**
 * The fine-tuned classifier's validation sweep (README, "Classification"): the encoder of a run
 * folder fine-tuned with a softmax on that run's training split, as `aekit classify --finetune`
 * does, and scored on the run's validation share (the training digits the autoencoder held out),
 * never the test set. Prints one JSON line: validation error, settings, CPU seconds.
 *   node --import tsx scripts/sweeps/classify-validation.ts RUN '{"shift":2,"rotate":10,"scale":0.1}'
 * Settings: shift, rotate, scale (the classifier spec's augmentation), epochs (default 60), lr
 * (1e-3), batchSize (64), seed (0).
 */
import '../../src/index.js';
import { scoreClassifier } from '../../src/apps/classify/classify.js';
import { Classifier } from '../../src/models/classifier.js';
import { loadTensors } from '../../src/models/state.js';
import { encoderTensors, loadEncoder } from '../../src/run/classifier-run.js';
import { classCount, labelledSplits } from '../../src/run/labelled-data.js';
import { fit } from '../../src/training/fit.js';

const run = process.argv[2];
const defaults = { shift: 2, rotate: 0, scale: 0, epochs: 60, lr: 1e-3, batchSize: 64, seed: 0 };
const settings: typeof defaults = { ...defaults, ...(JSON.parse(process.argv[3] ?? '{}') as Partial<typeof defaults>) };
const started = process.cpuUsage();
const encoder = loadEncoder(run);
const { train, validation } = labelledSplits(encoder, run);
if (validation.n === 0) throw new Error(`${run}: its training held out no validation share to score on`);
const classes = classCount(train, validation);
const net = Classifier.create({ input: encoder.input, encoder: encoder.encoder, classes, shift: settings.shift, rotate: settings.rotate, scale: settings.scale }, settings.seed);
loadTensors(encoderTensors(net), encoder.weights, `${run}/model.safetensors`);
await fit(net, train, { epochs: settings.epochs, batchSize: settings.batchSize, lr: settings.lr, schedule: 'cosine', seed: settings.seed });
const { error } = scoreClassifier(net, validation);
const cpu = process.cpuUsage(started);
console.log(JSON.stringify({ ...settings, validationError: error, validation: validation.n, train: train.n, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));

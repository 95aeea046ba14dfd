/**
 * The segnet preset's validation sweep (README, "Segmentation"): `aekit segment`'s app with
 * validation scenes made from 5,000 held-out training digits, so settings are ranked without the
 * test scenes; prints the validation scores with wall and CPU time. The JSON holds `scenes`,
 * `epochs`, `validationScenes`, optionally `lr`, `seed`, `batchSize`, and any of `SegnetSettings`:
 *   node --import tsx scripts/sweeps/segnet-validation.ts '{"scenes":4000,"epochs":4,"validationScenes":500,"jaccardWeight":1}' OUT
 */
import '../../src/index.js';
import { segment, type SegnetSettings } from '../../src/apps/segment/segment.js';

type Sweep = Partial<SegnetSettings> & { scenes: number; epochs: number; validationScenes: number; lr?: number; seed?: number; batchSize?: number };
const { scenes, epochs, validationScenes, lr, seed, batchSize, ...settings } = JSON.parse(process.argv[2]) as Sweep;
const out = process.argv[3];
const started = performance.now();
const cpu = process.cpuUsage();
const result = await segment({ scenes, epochs, validationScenes, testScenes: 1, lr, seed, batchSize, settings, out, force: true });
const used = process.cpuUsage(cpu);
const v = result.validation!;
console.log(JSON.stringify({
  scenes, epochs, lr: result.lr, seed: result.seed, batchSize: result.batchSize, settings, validationMeanIoU: Number(v.meanIoU.toFixed(4)),
  validationPixelAccuracy: Number(v.pixelAccuracy.toFixed(4)), perClassIoU: v.perClassIoU.map((x) => (x === null ? null : Number(x.toFixed(3)))),
  scenesPerSecond: Math.round(result.samplesPerSecond), wallSeconds: Math.round((performance.now() - started) / 1000), cpuSeconds: Math.round((used.user + used.system) / 1e6),
}));

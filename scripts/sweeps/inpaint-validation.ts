/**
 * The inpaint preset's validation sweep (`inpaintModel` in src/training/presets.ts): train a
 * variant on the first LIMIT training digits, fill held-out training digits 55,000 to 55,999 in
 * one pass (never the test set), and print PSNR on the hole for the centre 12x12 hole and random
 * masks. The JSON holds `limit`, `epochs`, optionally `lr`, `batchSize`, `schedule` and `seed`, and
 * any of `InpaintModelOptions`:
 *   node --import tsx scripts/sweeps/inpaint-validation.ts '{"limit":10000,"epochs":5,"hidden":1024}' OUT
 */
import '../../src/index.js';
import { holePsnr, makeMask, onePassFill, parseMask } from '../../src/apps/inpaint/inpaint.js';
import { loadRun } from '../../src/run/save-load.js';
import { trainRun } from '../../src/apps/train/train-run.js';
import { takeRows } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/load-data.js';
import { inpaintModel, type InpaintModelOptions } from '../../src/training/presets.js';

const { limit, epochs, lr, batchSize, schedule, seed, ...options } = JSON.parse(process.argv[2]) as InpaintModelOptions & {
  limit: number; epochs: number; lr?: number; batchSize?: number; schedule?: 'constant' | 'cosine'; seed?: number;
};
const out = process.argv[3];
const started = performance.now();
const cpu = process.cpuUsage();
await trainRun({ preset: 'inpaint', config: inpaintModel(options), limit, epochs, ...(lr ? { lr } : {}), ...(batchSize ? { batchSize } : {}), ...(schedule ? { schedule } : {}), ...(seed ? { seed } : {}), out, force: true, onEvent: () => {} });
const { model } = loadRun(out);
const validation = takeRows(loadData('mnist'), Array.from({ length: 1000 }, (_, i) => 55000 + i));
const psnr: Record<string, number> = {};
for (const spec of ['rect:8,8,12,12', 'random:0.5', 'random:0.75']) {
  const mask = makeMask(parseMask(spec), [28, 28], validation.n, 0);
  psnr[spec] = Number(holePsnr(validation, onePassFill(model, validation, mask), mask).toFixed(3));
}
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ limit, epochs, lr, batchSize, schedule, seed, options, psnr, wallSeconds: Math.round((performance.now() - started) / 1000), cpuSeconds: Math.round((used.user + used.system) / 1e6) }));

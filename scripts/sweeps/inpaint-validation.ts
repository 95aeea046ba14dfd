/**
 * The inpaint preset's validation sweep (its TSDoc in src/models/presets.ts): train on the first
 * N training digits, fill held-out training digits 55,000 to 55,999 in one pass (never the test
 * set), and print PSNR on the hole for the centre 12x12 hole and random masks.
 *   node --import tsx scripts/sweeps/inpaint-validation.ts LIMIT EPOCHS LARGEST CODE OUT [HOLE_WEIGHT]
 */
import '../../src/index.js';
import { holePsnr, makeMask, onePassFill, parseMask } from '../../src/apps/inpaint/inpaint.js';
import { loadRun } from '../../src/run/save-load.js';
import { trainRun } from '../../src/apps/train/train-run.js';
import { takeRows } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/load-data.js';
import { inpaintModel } from '../../src/models/presets.js';

const [limit, epochs, largest, code] = process.argv.slice(2, 6).map(Number);
const out = process.argv[6];
const holeWeight = Number(process.argv[7] ?? 0);
const started = performance.now();
const cpu = process.cpuUsage();
await trainRun({ preset: 'inpaint', config: inpaintModel(largest, code, holeWeight), limit, epochs, out, force: true, onEvent: () => {} });
const { model } = loadRun(out);
const validation = takeRows(loadData('mnist'), Array.from({ length: 1000 }, (_, i) => 55000 + i));
const psnr: Record<string, number> = {};
for (const spec of ['rect:8,8,12,12', 'random:0.5', 'random:0.75']) {
  const mask = makeMask(parseMask(spec), [28, 28], validation.n, 0);
  psnr[spec] = holePsnr(validation, onePassFill(model, validation, mask), mask);
}
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ limit, epochs, largest, code, holeWeight, psnr, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 }));

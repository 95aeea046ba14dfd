/**
 * The hash preset's validation sweep (README, "Semantic hashing"): the database is the first LIMIT
 * training digits, the queries 1,000 other training digits (100 per class, drawn from 50,000 to
 * 59,999 with seed 0): never the test set. Trains the preset with the noise σ and hashing terms
 * given, and prints the mAP of its codes beside ITQ's at each code length. The JSON holds
 * `limit`, `epochs`, `bits` (a list), optionally `seed`, `sigma`, `hashing` (the preset's terms when absent, none for {}) and `baselines`:
 *   node --import tsx scripts/sweeps/hash-validation.ts '{"limit":20000,"epochs":10,"bits":[32],"hashing":{"consistency":1}}' OUT
 */
import '../../src/index.js';
import { join } from 'node:path';
import { retrieve } from '../../src/apps/retrieve/retrieve.js';
import { balancedSample } from '../../src/data/balanced-sample.js';
import { takeRows } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/load-data.js';
import { writeIdxFolder } from '../../src/data/retrieval-split.js';
import type { ModelSpecInput } from '../../src/models/config.js';

interface SweepPoint { limit: number; epochs: number; bits: number[]; seed?: number; sigma?: number; hashing?: ModelSpecInput['hashing']; baselines?: boolean }
const point = JSON.parse(process.argv[2]) as SweepPoint;
const out = process.argv[3];
const train = loadData('mnist');
const tail = Array.from({ length: 10000 }, (_, i) => 50000 + i);
const picked = balancedSample(takeRows(train, tail).labels!, 1000, 10, 0);
const folder = join(out, 'validation-data');
writeIdxFolder(folder, takeRows(train, Array.from({ length: point.limit }, (_, i) => i)), takeRows(train, Array.from(picked, (k) => tail[k])));
const started = performance.now();
const cpu = process.cpuUsage();
const { results } = await retrieve({
  data: folder, bits: point.bits, epochs: point.epochs, seed: point.seed, out, force: true, baselines: point.baselines ?? false,
  hashModel: { sigma: point.sigma, hashing: point.hashing }, onEvent: () => {},
});
const used = process.cpuUsage(cpu);
const mAP = Object.fromEntries(results.map((r) => [r.bits, { aekit: Number(r.mAP.toFixed(4)), itq: r.baselines ? Number(r.baselines.itq.mAP.toFixed(4)) : null }]));
console.log(JSON.stringify({ ...point, mAP, wallSeconds: Math.round((performance.now() - started) / 1000), cpuSeconds: Math.round((used.user + used.system) / 1e6) }));

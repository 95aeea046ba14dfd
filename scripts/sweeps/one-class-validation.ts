/**
 * The one-class score's validation sweep (README, "Anomaly scores"): per digit, the anomaly preset
 * trains on 90% of that digit's training images and scores 6,000 held-out training images of all
 * digits; never the test set. Prints ROC-AUCs of sse, of sse mixed with the code's Mahalanobis
 * distance, and of sse relative to the image's energy (sse / (Σx² + 1)^p).
 *   node --import tsx scripts/sweeps/one-class-validation.ts 2,3,5,8,9 [epochs]
 */
import '../../src/index.js';
import { anomalyScores } from '../../src/apps/anomaly/anomaly.js';
import { rocAuc } from '../../src/apps/anomaly/anomaly-metrics.js';
import { transformRows } from '../../src/run/transform.js';
import { type Matrix, takeRows } from '../../src/data/dataset.js';
import { loadData } from '../../src/data/load-data.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { PRESETS } from '../../src/models/presets.js';
import { fit } from '../../src/training/fit.js';
import { Prng } from '../../src/util/prng.js';

const digits = process.argv[2].split(',').map(Number);
const epochs = Number(process.argv[3] ?? 30);
const all = loadData('mnist');
const order = new Prng(7).permutation(all.n);
const held = new Set(order.subarray(0, 6000));
const validation = takeRows(all, order.subarray(0, 6000));

/** (s − mean) / sd of `reference`. */
const standardized = (s: ArrayLike<number>, reference: ArrayLike<number>): number[] => {
  const ref = Array.from(reference);
  const m = ref.reduce((a, b) => a + b, 0) / ref.length;
  const sd = Math.sqrt(ref.reduce((a, b) => a + (b - m) ** 2, 0) / ref.length);
  return Array.from(s, (v) => (v - m) / sd);
};

const rows: Record<string, number>[] = [];
for (const digit of digits) {
  const indices: number[] = [];
  for (let i = 0; i < all.n; i++) if (all.labels![i] === digit && !held.has(i)) indices.push(i);
  const normal = takeRows(all, indices);
  const model = Autoencoder.create(PRESETS.anomaly.model, 0);
  await fit(model, normal, { epochs, batchSize: 64, lr: 1e-3, schedule: 'cosine', seed: 0 });
  const sse = anomalyScores(model, validation, 'sse');
  // The code's squared Mahalanobis distance under a diagonal Gaussian of the normal training codes.
  const codes = transformRows(model, 'encode', normal);
  const k = codes.features;
  const mean = new Float64Array(k);
  const variance = new Float64Array(k);
  codes.x.forEach((v, i) => { mean[i % k] += v / codes.n; });
  codes.x.forEach((v, i) => { variance[i % k] += (v - mean[i % k]) ** 2 / codes.n; });
  const mahalanobis = (m: Matrix) => {
    const c = transformRows(model, 'encode', m);
    const s = new Float64Array(m.n);
    c.x.forEach((v, i) => { s[Math.floor(i / k)] += (v - mean[i % k]) ** 2 / variance[i % k]; });
    return s;
  };
  const zSse = standardized(sse, anomalyScores(model, normal, 'sse'));
  const zCode = standardized(mahalanobis(validation), mahalanobis(normal));
  const isAnomaly = Uint8Array.from(validation.labels!, (l) => (l === digit ? 0 : 1));
  const row: Record<string, number> = { digit };
  for (const a of [0, 0.1, 0.25, 0.5, 1]) row[`sse+${a}·code`] = rocAuc(Float64Array.from(zSse, (v, i) => v + a * zCode[i]), isAnomaly);
  row.code = rocAuc(mahalanobis(validation), isAnomaly);
  const energy = Array.from({ length: validation.n }, (_, i) => validation.x.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v * v, 0));
  for (const p of [0.25, 0.5, 0.75, 1]) row[`sse/energy^${p}`] = rocAuc(Float64Array.from(sse, (v, i) => v / Math.pow(energy[i] + 1, p)), isAnomaly);
  rows.push(row);
  console.log(JSON.stringify(row));
}
const keys = Object.keys(rows[0]).filter((key) => key !== 'digit');
console.log(JSON.stringify({ epochs, mean: Object.fromEntries(keys.map((key) => [key, rows.reduce((s, r) => s + r[key], 0) / rows.length])) }));

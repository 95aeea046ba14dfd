/**
 * The table preset against PCA with as many components, on CSV tables: each table trained as
 * `aekit train --data FILE` trains it (no preset named, so the table preset, standardized), then
 * PCA fitted on the same standardized training rows; both scored by test sse on the same test rows.
 *
 *   /usr/bin/python3 bench/sklearn_tables.py /tmp/tables      # wine, breast cancer, diabetes, digits as CSV
 *   node --import tsx bench/table-preset.ts /tmp/tables/*.csv [--epochs N --batch-size N --lr X]
 *
 * Prints one JSON line per table: the layers, the rows, the autoencoder's and PCA's test sse and
 * the training seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { trainRun } from '../src/apps/train/train-run.js';
import { selectBackend } from '../src/backend/select.js';
import { loadRunData } from '../src/data/data-split.js';
import { FeatureStats } from '../src/data/feature-stats.js';
import { applyScaling, scalingFromStats } from '../src/data/scaling.js';
import { fitPca } from '../src/linalg/pca.js';
import { setBackend } from '../src/tensor/index.js';
import { DEFAULT_VALIDATION_FRACTION } from '../src/training/settings.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' } } });
const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
setBackend(selectBackend());
const work = mkdtempSync(join(tmpdir(), 'table-preset-'));
try {
  for (const file of positionals) {
    const out = join(work, file.replace(/\W/g, '_'));
    const run = await trainRun({ data: file, out, epochs: number(values.epochs), batchSize: number(values['batch-size']), lr: number(values.lr) });
    const record = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { model: { encoder: { type: string; units?: number }[] } };
    const layers = record.model.encoder.filter((l) => l.type === 'dense').map((l) => l.units!);
    // The run's split and scaling, made again: the same seed gives the same rows.
    const loaded = loadRunData({ data: file, validationFraction: DEFAULT_VALIDATION_FRACTION, seed: 0 });
    const scaling = scalingFromStats('standardize', FeatureStats.of(loaded.train));
    const [train, test] = [loaded.train, loaded.test].map((d) => applyScaling(d, scaling));
    const pca = fitPca(train, { components: layers.at(-1)! }).reconstructionError(test);
    console.log(JSON.stringify({ file, preset: run.preset, layers: [train.features, ...layers], train: train.n, test: test.n, aeSse: run.test.sse, pcaSse: pca.sse, seconds: run.seconds }));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

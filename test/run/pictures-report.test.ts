/**
 * Pictures and reports checked as a program can: sizes, not blank, text drawn where the labels
 * go, filter tiles that differ, reconstructions that correlate with their inputs, plots with
 * axis titles, and a report.html that inlines every picture and draws every epoch.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  Autoencoder, buildReport, type Dense, figureLayout, filtersFigure, fit, loadData, parseRunEvents, reconstructionsFigure, rowsFigure,
  svgToPng, trainRun, UsageError, writeRunPictures,
} from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('pictures');
const train = loadData('mnist', { limit: 300 });
const test10 = loadData('mnist', { split: 'test', limit: 50 });

/** Gray values (0..255, the red channel) of a rectangle of a decoded PNG. */
function crop(png: PNG, x: number, y: number, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = png.data[4 * ((y + r) * png.width + x + c)];
  return out;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const darkPixels = (values: Float64Array) => values.filter((v) => v < 100).length;

test('reconstructions.png: titled, labelled rows, and the reconstruction row correlates with the inputs above it', async () => {
  const model = Autoencoder.create({ layers: [784, 32], codeActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce' }, 1);
  await fit(model, train, { epochs: 20, lr: 3e-3, batchSize: 32, seed: 1 });
  const figure = reconstructionsFigure(model, test10, [28, 28]);
  const layout = figureLayout(figure);
  const png = PNG.sync.read(svgToPng(rowsFigure(figure)));
  assert.deepEqual([png.width, png.height], [layout.width, layout.height]);
  const [inputs, outputs] = layout.rows.map((r) => crop(png, r.x, r.y, r.width, r.height));
  // Ten digits enlarged twice, with 2 px of padding around each.
  assert.deepEqual([layout.rows[0].width, layout.rows[0].height], [10 * 58 + 2, 60]);
  const r = correlation(inputs, outputs);
  assert.ok(r > 0.6, `the reconstructions correlate with their inputs: r = ${r}`);
  // A model that learned nothing draws rows that do not match the inputs.
  const untrained = Autoencoder.create({ layers: [784, 32], codeActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce' }, 1);
  const blankLayout = figureLayout(reconstructionsFigure(untrained, test10, [28, 28]));
  const blank = PNG.sync.read(svgToPng(rowsFigure(reconstructionsFigure(untrained, test10, [28, 28]))));
  const [i2, o2] = blankLayout.rows.map((row) => crop(blank, row.x, row.y, row.width, row.height));
  assert.ok(correlation(i2, o2) < r - 0.2, `untrained ${correlation(i2, o2)} vs trained ${r}`);
  // Text: the title band and each row's label column hold dark (black text) pixels; the margins do not.
  assert.ok(darkPixels(crop(png, 0, 0, 200, layout.rows[0].y - 2)) > 50, 'title drawn');
  for (const [i, row] of layout.rows.entries()) {
    assert.ok(darkPixels(crop(png, 0, row.y, row.x - 2, row.height)) > 30, `label ${figure.rows[i].label} drawn`);
  }
  assert.equal(darkPixels(crop(png, 0, png.height - 8, png.width, 8)), 0, 'bottom margin empty');
});

test('filters.png: one tile per unit, tiles that differ from each other, a caption', async () => {
  const model = Autoencoder.create({ layers: [784, 20], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' }, 2);
  await fit(model, train, { epochs: 2, lr: 3e-3, seed: 2 });
  const figure = filtersFigure(model.encoder.layers.find((l) => l.type === 'dense') as Dense, [28, 28]);
  const layout = figureLayout(figure);
  assert.equal(figure.title, 'First-layer filters: the weights into each hidden unit');
  assert.ok(figure.caption && layout.captionBaseline !== null);
  const png = PNG.sync.read(svgToPng(rowsFigure(figure)));
  const grid = layout.rows[0];
  // Ten tiles a row of 56 px (28 px enlarged twice) behind 2 px of padding.
  const tiles = Array.from({ length: 20 }, (_, t) => crop(png, grid.x + 2 + (t % 10) * 58, grid.y + 2 + Math.floor(t / 10) * 58, 56, 56));
  for (const tile of tiles) assert.ok(Math.max(...tile) - Math.min(...tile) > 100, 'a tile with contrast');
  for (let a = 0; a < tiles.length; a++) {
    for (let b = a + 1; b < tiles.length; b++) assert.ok(Math.abs(correlation(tiles[a], tiles[b])) < 0.95, `tiles ${a} and ${b} differ`);
  }
});

test('a training run leaves labelled pictures, events and a report that inlines them all', async () => {
  const out = join(work, 'sparse');
  const result = await trainRun({ preset: 'sparse', limit: 400, testLimit: 100, epochs: 3, out, seed: 3 });
  for (const f of ['reconstructions.png', 'filters.png', 'code-activity.svg', 'kl-penalty.svg', 'events.jsonl', 'report.html']) assert.ok(existsSync(join(out, f)), f);
  const events = parseRunEvents(readFileSync(join(out, 'events.jsonl'), 'utf8'));
  assert.deepEqual(events.map((e) => e.type), ['start', 'epoch', 'epoch', 'epoch', 'end']);
  const epochs = events.filter((e) => e.type === 'epoch');
  assert.deepEqual(epochs.map((e) => e.trainLoss), result.trainLoss);
  // The sparsity plots carry their axis titles and the target.
  const histogram = readFileSync(join(out, 'code-activity.svg'), 'utf8');
  for (const label of ['mean activation ρ̂ over the test set', 'code units', 'ρ = 0.05']) assert.ok(histogram.includes(label), label);
  assert.ok(readFileSync(join(out, 'kl-penalty.svg'), 'utf8').includes('Ω(ρ̂)'));

  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.equal(html.match(/<img src="data:image\/(png|svg\+xml);base64,/g)?.length, 4, 'every picture inlined');
  assert.ok(!/src="(?!data:)/.test(html), 'nothing loaded from elsewhere');
  assert.equal(linePoints(html, 'train'), 3, 'one point per epoch on the loss curve');
  assert.ok(html.includes('activityRegularizer') && html.includes('Training') && html.includes(`${result.test.sse.toPrecision(6).replace(/0+$/, '')}`));

  // While a run trains (no metrics.json yet) the curve comes from its events.
  const live = join(work, 'live');
  mkdirSync(live);
  for (const f of ['model.json', 'reconstructions.png']) copyFileSync(join(out, f), join(live, f));
  writeFileSync(join(live, 'events.jsonl'), readFileSync(join(out, 'events.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n{"type":"epo');
  assert.equal(linePoints(await buildReport(live), 'train'), 2, 'two epochs so far; the half-written line is skipped');
  rmSync(join(live, 'events.jsonl'));
  assert.ok(!(await buildReport(live)).includes('id="loss-curve"'), 'no curve before the first epoch');

  await assert.rejects(buildReport(join(work, 'nowhere')), (e: unknown) => e instanceof UsageError && /not an output folder of aekit's/.test(e.message));
});

test('conv models draw their first kernels and feature maps', async () => {
  const model = Autoencoder.create({
    input: [1, 28, 28],
    encoder: [{ type: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 1, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 16, activation: 'sigmoid' }],
    output: { activation: 'sigmoid', loss: 'bce' },
  }, 4);
  const dir = join(work, 'conv');
  mkdirSync(dir);
  const written = await writeRunPictures(dir, model, { ...test10, shape: [1, 28, 28] });
  assert.deepEqual(written, ['reconstructions.png', 'kernels.png', 'feature-maps.png']);
  const maps = PNG.sync.read(readFileSync(join(dir, 'feature-maps.png')));
  // Three test images, each above its 8 maps: six labelled rows.
  assert.ok(maps.height > 3 * (56 + 28) && maps.width > 8 * 28, `${maps.width}x${maps.height}`);
});

/** Points of the named series' line in the report's inline loss curve (Vega draws one path per series). */
function linePoints(html: string, series: string): number {
  const curve = html.slice(html.indexOf('id="loss-curve"'));
  const paths = [...curve.matchAll(/<path aria-label="[^"]*series: ([^";]+)"[^>]*aria-roledescription="line mark" d="([^"]+)"/g)];
  const path = paths.find((m) => m[1].trim() === series);
  assert.ok(path, `a line for ${series}`);
  return path[2].split(/[ML]/).filter((p) => p.trim() !== '').length;
}

test('aekit report rebuilds a report, redraws pictures on asking, and bad input is one line with exit code 2', async () => {
  const out = join(work, 'cli-run');
  await trainRun({ preset: 'undercomplete', limit: 300, testLimit: 50, epochs: 1, out, seed: 5 });
  rmSync(join(out, 'report.html'));
  rmSync(join(out, 'filters.png'));
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), 'src/cli/main.ts', 'report', ...args], { encoding: 'utf8' });
  const run = cli('--model', out, '--pictures', '--json');
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { report: join(out, 'report.html'), pictures: ['reconstructions.png', 'filters.png'] });
  assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'filters.png')));
  const empty = join(work, 'empty');
  mkdirSync(empty);
  // Folders whose pictures their own commands draw: a PCA folder, a classifier.
  const pca = join(work, 'pca-folder');
  mkdirSync(pca);
  writeFileSync(join(pca, 'pca.json'), JSON.stringify({ data: 'mnist', components: 3, test: { sse: 1 } }));
  const classifier = join(work, 'classifier-folder');
  mkdirSync(classifier);
  writeFileSync(join(classifier, 'model.json'), JSON.stringify({ format: 'aekit-classifier' }));
  for (const [args, message] of [
    [['--model', empty], /empty: not an output folder of aekit's/],
    [['--model', join(work, 'missing')], /missing: not an output folder of aekit's/],
    [['--model', pca, '--pictures'], /^aekit: --pictures: .*pca-folder is not a training run of an autoencoder; its pictures are drawn by the command that made it$/m],
    [['--model', classifier, '--pictures'], /--pictures: .*classifier-folder is not a training run of an autoencoder/],
  ] as const) {
    const bad = cli(...args);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, message);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
});

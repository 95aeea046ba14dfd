/**
 * What a new user hit in the first hour (issue 25), each checked as they met it: the line they
 * read, the exit code, the file they got. In-process CLI, tiny data.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserOpener } from '../../src/cli/commands/serve.js';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('new-user');
// A 20-column table of real values (about −2 to 2), as a user's own data would be.
const rng = new Prng(3);
const table = join(work, 'mydata.csv');
writeFileSync(table, [
  Array.from({ length: 20 }, (_, j) => `f${j}`).join(','),
  ...Array.from({ length: 120 }, () => Array.from({ length: 20 }, () => rng.normal().toFixed(3)).join(',')),
].join('\n'));
const config = (name: string, value: object) => {
  writeFileSync(join(work, name), JSON.stringify(value));
  return join(work, name);
};

test('data outside [0, 1] for a sigmoid output: one plain sentence that names the config keys', async () => {
  const mse = config('mse.json', { layers: [20, 4], loss: 'mse' });
  const r = await aekitInProcess('train', '--config', mse, '--data', table, '--out', join(work, 'r1'));
  assert.equal(r.code, 2);
  // Squared error asked for, the sigmoid output left to its default: said before anything else.
  assert.match(r.stderr, /mse\.json: "loss": "mse" keeps the default "outputActivation": "sigmoid", so outputs lie in \[0, 1\]; for real-valued data write "outputActivation": "identity"/);
  assert.match(r.stderr, /mydata\.csv: values lie in \[-?[0-9.]+, [0-9.]+\], but this model's sigmoid output needs data in \[0, 1\]; pass --scale unit .*, or give the model a linear output with squared error \("outputActivation": "identity" and "loss": "mse" in a --config file\)\n$/);
  assert.doesNotMatch(r.stderr, /model's a |--preset linear/);
  const bce = await aekitInProcess('train', '--config', config('bce.json', { layers: [20, 4] }), '--data', table, '--out', join(work, 'r2'));
  assert.equal(bce.code, 2);
  assert.match(bce.stderr, /this model's binary cross-entropy on a sigmoid output needs data in \[0, 1\]/);
  assert.doesNotMatch(bce.stderr, /keeps the default/, 'no note when the loss is the default');
});

/** A small MNIST run, trained once for the tests that need one. */
let digitsRun: Promise<string> | null = null;
function smallRun(): Promise<string> {
  digitsRun ??= (async () => {
    const dir = join(work, 'digits');
    const r = await aekitInProcess('train', '--preset', 'undercomplete', '--limit', '300', '--test-limit', '50', '--epochs', '1', '--out', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    return dir;
  })();
  return digitsRun;
}

test('export into a folder that does not exist: what the other commands say, no temporary name', async () => {
  const run = await smallRun();
  for (const [kind, file] of [['onnx', 'm.onnx'], ['pytorch', 'm.py']]) {
    const r = await aekitInProcess('export', kind, '--model', run, '--output', join(work, 'no', 'such', file));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `aekit: ${join(work, 'no', 'such', file)}: the folder ${join(work, 'no', 'such')} does not exist; create it first\n`);
  }
});

test('a standardized table\'s report shows its scaling in one short cell, and long cells wrap', async () => {
  const linear = config('linear.json', { layers: [20, 4], outputActivation: 'identity', loss: 'mse' });
  const out = join(work, 'scaled');
  const r = await aekitInProcess('train', '--config', linear, '--data', table, '--scale', 'standardize', '--epochs', '1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  // The training settings' row says "standardize"; the data's row holds the offsets and factors.
  const scale = [...html.matchAll(/<tr><th>scale<\/th><td>([^<]*)<\/td><\/tr>/g)].find((m) => m[1].includes('offset'));
  assert.ok(scale, 'a scale row with the offsets');
  assert.match(scale[1], /offset&quot;: \[-?[0-9.e-]+, .*, … \(20 values\)\]/);
  assert.ok(scale[1].length < 300, `${scale[1].length} characters`);
  assert.match(html, /td \{[^}]*overflow-wrap: anywhere/);
  // The data is named by its file; its parts are not paths.
  assert.doesNotMatch(html, /mydata\.csv\/(train|test|validation)/);
});

test('--json on a failure: exactly one JSON object on stdout, {"error": {message, code}}, and exit code 2', async () => {
  const cases: [string[], RegExp, string][] = [
    [['eval', '--model', join(work, 'nowhere'), '--json'], /nowhere: not a run folder/, 'DataError'],
    [['train', '--preset', 'nonesuch', '--json'], /unknown preset "nonesuch"/, 'UsageError'],
    [['encode', '--model', join(work, 'nowhere'), '--input', 'mnist', '--output', 'x.npy', '--png', 'x.png', '--json'], /unknown option '--png'/, 'commander.unknownOption'],
  ];
  for (const [args, message, code] of cases) {
    const r = await aekitInProcess(...args);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const { error } = JSON.parse(lines[0]);
    assert.match(error.message, message);
    assert.equal(error.code, code);
    assert.ok(r.stderr.length > 0, 'the line for people stays on stderr');
  }
});

test('serve --open with no display says the address to open; anomaly --help names .arrow inputs', async () => {
  assert.deepEqual(browserOpener('linux', {}), { command: null, why: 'no display to open a browser on (DISPLAY and WAYLAND_DISPLAY are unset)' });
  assert.deepEqual(browserOpener('linux', { DISPLAY: ':0' }), { command: 'xdg-open', why: null });
  assert.equal(browserOpener('darwin', {}).command, 'open');
  const help = await aekitInProcess('anomaly', '--help');
  assert.match(help.stdout.replace(/\s+/g, ' '), /--input <file> +the rows to score: \.npy, \.csv, \.arrow,/);
});

test('a config with no --preset trains with settings of its own, said at the start, not the deep preset\'s', async () => {
  const linear = config('linear-own.json', { layers: [20, 4], outputActivation: 'identity', loss: 'mse' });
  const out = join(work, 'own-settings');
  const r = await aekitInProcess('train', '--config', linear, '--data', table, '--epochs', '1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /linear-own\.json: training 1 epochs in batches of 64, adam at lr 0\.001 with a cosine schedule, weight decay 0 \(a config's defaults without --preset;/);
  const training = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).training;
  assert.deepEqual([training.batchSize, training.lr, training.schedule, training.weightDecay], [64, 1e-3, 'cosine', 0]);
  // Naming a preset takes its settings, as before: the deep preset's weight decay.
  const withPreset = await aekitInProcess('train', '--config', linear, '--preset', 'deep', '--data', table, '--epochs', '1', '--out', join(work, 'deep-settings'), '--json');
  assert.equal(withPreset.code, 0, withPreset.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'deep-settings', 'model.json'), 'utf8')).training.weightDecay, 0.3);
});

test('a table of any width trains with a dense preset and with a spec config without "input"; an image preset says it is for images', async () => {
  for (const [preset, scale] of [['deep', 'unit'], ['linear', 'standardize'], ['anomaly', 'unit'], ['undercomplete', 'unit']]) {
    const out = join(work, `table-${preset}`);
    const r = await aekitInProcess('train', '--preset', preset, '--data', table, '--scale', scale, '--epochs', '1', '--out', out, '--json');
    assert.equal(r.code, 0, `${preset}: ${r.stderr}`);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).model;
    assert.deepEqual(model.input, [20], preset);
    assert.equal(model.encoder.find((l: { type: string }) => l.type === 'dense').units > 0, true);
    assert.equal(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).preset, preset, 'the run still names its preset');
  }
  const spec = config('spec.json', { encoder: [{ type: 'dense', units: 4 }], output: { activation: 'identity', loss: 'mse' } });
  const r = await aekitInProcess('train', '--config', spec, '--data', table, '--epochs', '1', '--out', join(work, 'table-spec'), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(work, 'table-spec', 'model.json'), 'utf8')).model.input, [20]);
  const conv = await aekitInProcess('train', '--preset', 'conv', '--data', table, '--scale', 'unit', '--out', join(work, 'table-conv'));
  assert.equal(conv.code, 2);
  assert.match(conv.stderr, /^aekit: the conv preset is for images of shape 1x28x28 \(784 values\); this data has 20 values an example/m);
});

/** A table of `width` real-valued columns (about −2 to 2), 60 rows. */
function tableOf(width: number): string {
  const path = join(work, `table-${width}.csv`);
  const random = new Prng(width);
  writeFileSync(path, [
    Array.from({ length: width }, (_, j) => `c${j}`).join(','),
    ...Array.from({ length: 60 }, () => Array.from({ length: width }, () => random.normal().toFixed(3)).join(',')),
  ].join('\n'));
  return path;
}

test('a table of 7, 20 or 100 columns trains with deep, linear, anomaly and, with no preset, the table preset sized from its width', async () => {
  for (const width of [7, 20, 100]) {
    const data = tableOf(width);
    // 20 columns with these presets: the test above.
    for (const [preset, scale] of width === 20 ? [] : [['deep', 'unit'], ['linear', 'standardize'], ['anomaly', 'unit']]) {
      const out = join(work, `w${width}-${preset}`);
      const r = await aekitInProcess('train', '--preset', preset, '--data', data, '--scale', scale, '--epochs', '1', '--out', out, '--json');
      assert.equal(r.code, 0, `${width} ${preset}: ${r.stderr}`);
      const record = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
      assert.deepEqual([record.preset, record.model.input], [preset, [width]]);
    }
    // No preset: the table preset, told on stderr, recorded, standardized, linear output, squared error.
    const out = join(work, `w${width}-default`);
    const r = await aekitInProcess('train', '--data', data, '--epochs', '1', '--out', out, '--json');
    assert.equal(r.code, 0, `${width}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).preset, 'table');
    assert.match(r.stderr, /is a table: training the table preset \(layers sized from its width, standardized inputs, a linear output with squared error\)/);
    const record = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(record.preset, 'table');
    assert.equal(record.training.scale, 'standardize');
    assert.equal(record.data.scale.offset.length, width, 'a mean per column');
    assert.deepEqual(record.model.output, { activation: 'identity', loss: 'mse' });
    const units = record.model.encoder.filter((l: { type: string }) => l.type === 'dense').map((l: { units: number }) => l.units);
    // Hidden 2w within [16, 256], code ceil(w/4) at most 32 (src/training/table-model.ts).
    assert.deepEqual(units, { 7: [16, 2], 20: [40, 5], 100: [200, 25] }[width], `width ${width}`);
    assert.equal(record.training.epochs, 1, '--epochs still applies');
    assert.equal(record.training.batchSize, 32, 'the preset\'s batches');
  }
  // A scale the user names wins over the preset's.
  const unit = await aekitInProcess('train', '--data', tableOf(7), '--scale', 'unit', '--epochs', '1', '--out', join(work, 'w7-unit'), '--json');
  assert.equal(unit.code, 0, unit.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'w7-unit', 'model.json'), 'utf8')).training.scale, 'unit');
});

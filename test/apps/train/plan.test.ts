/**
 * The plan of a run: which preset a run without one trains (table for a CSV or Arrow file, deep
 * for images), the scaling a preset asks for, and the table preset's model for any width.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planOf } from '../../../src/apps/train/plan.js';
import { defaultPresetFor, modelForData } from '../../../src/training/model-for-data.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { tableModel } from '../../../src/training/table-model.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('plan');

test('with no preset, a CSV or Arrow table trains the table preset, standardized; images and NPY arrays the deep preset', () => {
  for (const data of ['x.csv', 'x.tsv', 'x.arrow', 'x.feather', 'X.CSV']) assert.equal(defaultPresetFor(data), 'table', data);
  for (const data of ['mnist', 'fashion-mnist', 'x.npy', 'train-images-idx3-ubyte.gz']) assert.equal(defaultPresetFor(data), 'deep', data);
  const table = planOf({ data: 'rows.csv', out: 'o' });
  assert.deepEqual([table.preset, table.training.scale, table.training.epochs], ['table', 'standardize', 100]);
  const images = planOf({ out: 'o' });
  assert.deepEqual([images.preset, images.training.scale], ['deep', 'none']);
  // A named preset, or a config, is not replaced; a named scale is kept.
  assert.equal(planOf({ data: 'rows.csv', preset: 'deep', out: 'o' }).preset, 'deep');
  assert.equal(planOf({ data: 'rows.csv', preset: 'deep', out: 'o' }).training.scale, 'none');
  assert.equal(planOf({ data: 'rows.csv', config: { layers: [3, 1] }, out: 'o' }).preset, null);
  assert.equal(planOf({ data: 'rows.csv', config: { layers: [3, 1] }, out: 'o' }).training.scale, 'none');
  assert.equal(planOf({ data: 'rows.csv', scale: 'unit', out: 'o' }).training.scale, 'unit');
  // A folder is PNG images, whatever its name.
  const folder = join(work, 'pictures.csv');
  mkdirSync(folder);
  assert.equal(defaultPresetFor(folder), 'deep');
});

test('the table preset builds its whole model from the width; its overrides still apply; a resumed model is kept', () => {
  const plan = planOf({ data: 'rows.csv', out: 'o' });
  for (const [width, layers] of [[1, [1, 16, 1]], [4, [4, 16, 1]], [7, [7, 16, 2]], [20, [20, 40, 5]], [100, [100, 200, 25]], [784, [784, 256, 32]], [5000, [5000, 256, 32]]] as const) {
    const model = modelForData(plan, [width]);
    assert.deepEqual((model as { layers: number[] }).layers, layers, `width ${width}`);
    const ae = Autoencoder.create(model, 0);
    assert.equal(ae.inputSize, width);
    assert.equal(ae.output.activation, 'identity');
  }
  assert.deepEqual(modelForData(planOf({ data: 'rows.csv', out: 'o', modelOverrides: { code: 3, tied: true } }), [20]), { ...tableModel(20), layers: [20, 40, 3], tied: true });
  // On resume, the record's model (spec form, built for the data) is used as it is.
  const resumed = Autoencoder.create(tableModel(20), 0).config;
  assert.equal(modelForData({ preset: 'table', model: resumed }, [20]), resumed);
});

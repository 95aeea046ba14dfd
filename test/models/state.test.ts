/**
 * Loading named arrays into tensors, the one loader every model's weights go through (autoencoders,
 * classifiers, encoders, segmenters): all must fit before any is copied, and each refusal names
 * the file, the tensor and what was expected.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { loadTensors } from '../../src/models/state.js';
import { Tensor } from '../../src/tensor/index.js';

const targets = () => [{ name: 'encoder.0.weight', tensor: Tensor.zeros([2, 3]) }, { name: 'encoder.0.bias', tensor: Tensor.zeros([2]) }];
const array = (name: string, shape: number[], fill = 1) => ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
const refused = (pattern: RegExp) => (e: unknown) => e instanceof DataError && pattern.test(e.message);

test('loadTensors copies arrays that fit, by name whatever their order', () => {
  const t = targets();
  loadTensors(t, [array('encoder.0.bias', [2], 7), array('encoder.0.weight', [2, 3], 5)], 'w.safetensors');
  assert.deepEqual(t[0].tensor.toArray(), [5, 5, 5, 5, 5, 5]);
  assert.deepEqual(t[1].tensor.toArray(), [7, 7]);
});

test('loadTensors refuses a missing, misshapen, non-finite or stray tensor, and then copies none', () => {
  const t = targets();
  assert.throws(() => loadTensors(t, [array('encoder.0.weight', [2, 3])], 'w.safetensors'),
    refused(/^w\.safetensors: tensor "encoder\.0\.bias" is missing \(expected shape \[2\]\)$/));
  assert.throws(() => loadTensors(t, [array('encoder.0.weight', [3, 2]), array('encoder.0.bias', [2])], 'w.safetensors'),
    refused(/^w\.safetensors: tensor "encoder\.0\.weight" has shape \[3, 2\], expected \[2, 3\]$/));
  const nan = array('encoder.0.bias', [2]);
  nan.data[1] = Number.NaN;
  assert.throws(() => loadTensors(t, [array('encoder.0.weight', [2, 3]), nan], 'w.safetensors'),
    refused(/^w\.safetensors: tensor "encoder\.0\.bias" holds NaN at index 1; a model's weights must be finite$/));
  assert.throws(() => loadTensors(t, [array('encoder.0.weight', [2, 3]), array('encoder.0.bias', [2]), array('head.0.bias', [4])], 'w.safetensors'),
    refused(/^w\.safetensors: holds "head\.0\.bias", which the model does not have \(it has encoder\.0\.weight, encoder\.0\.bias\)$/));
  assert.ok(t.every(({ tensor }) => tensor.toArray().every((v) => v === 0)), 'nothing was copied');
});

test('the hints about tied decoders are an autoencoder\'s only', () => {
  const decoder = [{ name: 'decoder.0.weight', tensor: Tensor.zeros([1]) }];
  assert.throws(() => loadTensors(decoder, [], 'f'), refused(/is missing \(expected shape \[1\]\)$/));
  assert.throws(() => loadTensors(decoder, [], 'f', { tied: false }), refused(/is missing \(expected shape \[1\]\) \(a tied model stores only encoder weights; this model is not tied\)$/));
  assert.throws(() => loadTensors([], [array('decoder.0.weight', [1])], 'f', { tied: true }), refused(/holds "decoder\.0\.weight", but the model has tied weights/));
});

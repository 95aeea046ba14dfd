/**
 * One kernel table across the N-API boundary: the ops and activations the native kernels take by
 * number are named once in native/kernel_names.h and once in src/backend/backend.ts; the addon
 * reports its names and they must be the same lists in the same order. A mismatched addon is
 * refused at load time, with both lists in the message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVATIONS, BINARY_OPS, UNARY_OPS } from '../../src/backend/backend.js';
import { createReferenceBackend } from '../../src/backend/reference/reference-backend.js';
import { availableBackends } from '../helpers/backends.js';

const nativeModule = (await availableBackends()).length > 1 ? await import('../../src/backend/native/native-backend.js') : null;

test('the addon names its activations, unary and binary ops as backend.ts does, in the same order', { skip: !nativeModule && 'the native addon is not built' }, () => {
  const names = nativeModule!.nativeKernelNames();
  assert.deepEqual(names.activations, [...ACTIVATIONS]);
  assert.deepEqual(names.unaryOps, [...UNARY_OPS]);
  assert.deepEqual(names.binaryOps, [...BINARY_OPS]);
  assert.equal(nativeModule!.kernelNameMismatch(names), null);
});

test('a mismatch by order or by count is found and named', { skip: !nativeModule && 'the native addon is not built' }, () => {
  const names = nativeModule!.nativeKernelNames();
  const swapped = { ...names, activations: [names.activations[1], names.activations[0], ...names.activations.slice(2)] };
  assert.match(nativeModule!.kernelNameMismatch(swapped) ?? '', /its activations are \[sigmoid, identity, /);
  assert.match(nativeModule!.kernelNameMismatch({ ...names, binaryOps: names.binaryOps.slice(1) }) ?? '', /binary ops/);
});

test('the reference backend implements every kernel the native backend has, and no other', { skip: !nativeModule && 'the native addon is not built' }, () => {
  const reference = createReferenceBackend();
  const native = nativeModule!.createNativeBackend();
  assert.deepEqual(Object.keys(native).sort(), Object.keys(reference).sort());
});

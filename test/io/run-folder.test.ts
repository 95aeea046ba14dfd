/** writeFileAtomic's failures name the file meant, never its temporary sibling. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/io/run-folder.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a write into a missing folder names the file, not the temporary one', () => {
  const path = join(tempDir('atomic'), 'missing', 'm.onnx');
  assert.throws(() => writeFileAtomic(path, 'x'), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.path, path);
    assert.doesNotMatch(error.message, /\.tmp-/);
    assert.match(error.message, /m\.onnx'$/);
    return true;
  });
});

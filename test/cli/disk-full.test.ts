/**
 * A full disk and a read-only folder, made real with small tmpfs mounts (root only, as on CI): a
 * clear error naming the file, and the good files already there left whole.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';

const tsx = import.meta.resolve('tsx');
const aekit = (args: string[]) => spawnSync(process.execPath, ['--import', tsx, resolve('src/cli/main.ts'), ...args], { encoding: 'utf8' });
// Unmounted before the temporary folder is removed: hooks run in the order they are registered.
const mounts: string[] = [];
after(() => mounts.reverse().forEach((m) => spawnSync('umount', [m])));
const work = tempDir('disk');

/** Mounts a tmpfs of `size` at a new folder; null where this machine does not let the tests mount. */
function tmpfs(name: string, size: string, readOnly = false): string | null {
  const dir = join(work, name);
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  if (mounted.status !== 0) return null;
  mounts.push(dir);
  return dir;
}

const canMount = (() => {
  const probe = tmpfs('probe', '64k');
  return probe === null ? 'mounting a tmpfs needs root (CI runs as root; run these tests as root to see them)' : false;
})();

test('a disk that fills up mid-run: one line naming the file, exit 1, model.json whole, no temporary file left', { skip: canMount }, () => {
  // Room for model.json and the model's weights (400 KB), not for the checkpoint (1.6 MB).
  const disk = tmpfs('full', '700k')!;
  const out = join(disk, 'run');
  const r = aekit(['train', '--preset', 'undercomplete', '--limit', '300', '--test-limit', '50', '--epochs', '2', '--out', out]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^aekit: .*run\/checkpoint\.safetensors: no space left on device/);
  assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('aekit:')).length, 1);
  assert.equal(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).status, 'training');
  assert.deepEqual(readdirSync(out).filter((f) => f.includes('.tmp-')), []);
});

test('a read-only folder: writing into it fails with one line, and the run in it still loads', { skip: canMount }, () => {
  const source = join(work, 'made');
  assert.equal(aekit(['train', '--preset', 'undercomplete', '--limit', '300', '--test-limit', '50', '--epochs', '1', '--out', source]).status, 0);
  const readOnly = tmpfs('ro', '2m')!;
  // Fill the tmpfs with the run, then make it read-only.
  spawnSync('cp', ['-r', source, join(readOnly, 'run')]);
  assert.equal(spawnSync('mount', ['-o', 'remount,ro', readOnly]).status, 0);
  const r = aekit(['encode', '--model', join(readOnly, 'run'), '--input', 'mnist', '--limit', '5', '--output', join(readOnly, 'run', 'codes.npy')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^aekit: .*codes\.npy: read-only file system/);
  const resumed = aekit(['train', '--resume', join(readOnly, 'run')]);
  assert.equal(resumed.status, 0, 'a finished run on a read-only disk: nothing to do, nothing written');
  const e = aekit(['eval', '--model', join(readOnly, 'run'), '--test-limit', '20', '--json']);
  assert.equal(e.status, 0, e.stderr);
});

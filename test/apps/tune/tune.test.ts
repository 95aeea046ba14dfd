/**
 * `aekit tune` on the native backend (src/apps/tune/tune.ts), on the conv presets' shapes alone
 * (SegNet's take most of the second or two): every convolution pass measured once, the faster
 * algorithm chosen, the file written to $AEKIT_CACHE_DIR for this CPU and applied at once. Speed is
 * not judged here (that is `npm run bench`'s conv.tuning).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/temp-dir.js';
import { tune } from '../../../src/apps/tune/tune.js';
import { applyTuning, cpuIdentity, type TuningAddon, type TuningFile, writeTuning } from '../../../src/backend/native/tuning.js';
import { selectBackend } from '../../../src/backend/select.js';

let native: typeof import('../../../src/backend/native/native-backend.js') | null = null;
try {
  native = await import('../../../src/backend/native/native-backend.js');
  native.nativeInfo();
} catch {
  native = null;
}

test('tune measures each pass and shape of the conv presets once and caches the choices for this CPU', { skip: !native && 'the native addon is not built' }, () => {
  const dir = tempDir('tune');
  const before = process.env.AEKIT_CACHE_DIR;
  process.env.AEKIT_CACHE_DIR = dir;
  const backend = selectBackend();
  try {
    const shapes: string[] = [];
    const { path, file, seconds, contention } = tune(backend, { models: ['conv', 'conv-denoising'], onShape: (c) => shapes.push(c.pass) });
    assert.equal(path, join(dir, 'tuning.json'));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), file);
    assert.deepEqual(file.cpu, cpuIdentity(native!.nativeInfo().isa));
    assert.match(file.kernels!, /^[0-9a-f]{16}$/);
    assert.equal(file.kernels, native!.nativeKernelsDigest(), 'the build whose kernels were timed');
    assert.ok(seconds > 0);
    // Whether other work held the cores is measured and recorded, not judged here.
    assert.ok(contention.peakGflops > 0 && contention.corePeakGflops > 0 && contention.threads >= 1);
    assert.equal(contention.contended, contention.peakGflops < 0.8 * contention.threads * contention.corePeakGflops);
    assert.equal(file.contended, contention.contended);
    // The two presets share their shapes: conv 1->32 on 28x28 and 32->64 on 14x14 (stride 2), each
    // pass once; the transposed mirrors' forward and input gradient are the convolutions' passes.
    const key = (c: TuningFile['conv'][number]) => `${c.pass} ${c.geometry.inChannels}->${c.geometry.outChannels} ${c.geometry.inHeight}`;
    assert.deepEqual(file.conv.map(key).sort(), ['backwardFilter 1->32 28', 'backwardFilter 32->64 14', 'backwardInput 1->32 28',
      'backwardInput 32->64 14', 'forward 1->32 28', 'forward 32->64 14']);
    assert.equal(shapes.length, 6);
    for (const c of file.conv) {
      const faster = c.im2colMs > c.directMs ? 'direct' : 'im2col';
      if (c.reps! < 5) assert.equal(c.algorithm, faster, 'stopped early: the clear winner');
      else assert.ok(c.algorithm === faster || c.algorithm === c.rule, 'a close call keeps the rule');
      assert.ok(c.reps! >= 2 && c.reps! <= 5 && c.im2colMs > 0 && c.directMs > 0);
      assert.equal(c.geometry.batch, 64, 'timed at the batch the conv preset trains with');
    }
    // What the next load of the addon does with the file.
    const noted: number[][] = [];
    const addon: TuningAddon = { setConvTuned: (pass, sizes, algo) => { noted.push([pass, ...sizes, algo]); }, clearConvTuned: () => {}, convRule: () => 'im2col' };
    if (file.contended) {
      // Measured on a loaded machine: kept but not applied; as if it had been quiet, it would be.
      assert.equal(applyTuning(addon, { isa: file.cpu.isa, kernels: file.kernels }, { AEKIT_CACHE_DIR: dir }).state, 'ignored');
      writeTuning({ ...file, contended: false }, { AEKIT_CACHE_DIR: dir });
    }
    assert.equal(applyTuning(addon, { isa: file.cpu.isa, kernels: file.kernels }, { AEKIT_CACHE_DIR: dir }).state, 'applied');
    assert.equal(noted.length, 6);
    assert.deepEqual(noted.map((n) => n.at(-1)), file.conv.map((c) => (c.algorithm === 'im2col' ? 1 : 2)));
  } finally {
    if (before === undefined) delete process.env.AEKIT_CACHE_DIR;
    else process.env.AEKIT_CACHE_DIR = before;
    native?.nativeTuningHooks().clearConvTuned();
  }
});

test('tune with write: false leaves the cache file alone', { skip: !native && 'the native addon is not built' }, () => {
  const dir = tempDir('tune-nowrite');
  const before = process.env.AEKIT_CACHE_DIR;
  process.env.AEKIT_CACHE_DIR = dir;
  try {
    const { path, file } = tune(selectBackend(), { models: ['conv'], write: false, timing: { maxReps: 2 } });
    assert.equal(path, null);
    assert.equal(file.conv.length, 6);
    assert.equal(applyTuning({ setConvTuned: () => {}, clearConvTuned: () => {}, convRule: () => 'im2col' }, { isa: file.cpu.isa, kernels: file.kernels! }, { AEKIT_CACHE_DIR: dir }).state, 'absent');
  } finally {
    if (before === undefined) delete process.env.AEKIT_CACHE_DIR;
    else process.env.AEKIT_CACHE_DIR = before;
    native?.nativeTuningHooks().clearConvTuned();
  }
});

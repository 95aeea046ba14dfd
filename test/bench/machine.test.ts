/**
 * The machine record a benchmark carries: sysfs cache sizes and /proc/cpuinfo read by hand, checked
 * on texts written out here, and the live record checked against what Node itself reports.
 */
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { describeMachine, machineLine, parseCacheSize, parseCpuinfo } from '../../bench/machine.js';

test('cache sizes as sysfs writes them', () => {
  assert.equal(parseCacheSize('32K\n'), 32 * 1024);
  assert.equal(parseCacheSize('1024K'), 2 ** 20);
  assert.equal(parseCacheSize('2M'), 2 * 2 ** 20);
  assert.equal(parseCacheSize('48'), 48);
  assert.equal(parseCacheSize('unknown'), null);
});

test('cpuinfo: the first processor only, fields by name', () => {
  const text = [
    'processor\t: 0', 'vendor_id\t: GenuineIntel', 'cpu family\t: 6', 'model\t\t: 143',
    'model name\t: Intel(R) Xeon(R) Platinum 8480+', 'flags\t\t: fpu avx2 fma avx512f avx512bw', '',
    'processor\t: 1', 'model name\t: another CPU', '',
  ].join('\n');
  const f = parseCpuinfo(text);
  assert.equal(f.get('model name'), 'Intel(R) Xeon(R) Platinum 8480+');
  assert.equal(f.get('cpu family'), '6');
  assert.equal(f.get('model'), '143');
  assert.equal(f.get('flags'), 'fpu avx2 fma avx512f avx512bw');
});

test('the live record agrees with Node and prints on one line', () => {
  const m = describeMachine();
  assert.equal(m.logicalCpus, cpus().length);
  if (process.platform === 'linux' && process.arch === 'x64') {
    assert.ok(m.family !== null && m.model !== null);
    // Some virtual machines expose no cache folder in sysfs: the record then says unknown (null).
    if (existsSync('/sys/devices/system/cpu/cpu0/cache')) assert.ok(m.caches.l1d !== null && m.caches.l1d >= 16 * 1024, `L1d ${m.caches.l1d}`);
    else assert.equal(m.caches.l1d, null);
    // AVX-512 implies AVX2 on every x86 CPU that has it.
    if (m.features.avx512f) assert.ok(m.features.avx2);
  }
  const line = machineLine(m);
  assert.ok(line.startsWith(m.cpuModel) && !line.includes('\n'), line);
});

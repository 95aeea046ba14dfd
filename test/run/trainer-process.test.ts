/**
 * Telling a live training process from a gone one: this process, one that has ended, a zombie (killed,
 * not yet collected by its parent), a pid taken by a later process, and a process on another host.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { currentTrainer, trainerRunning } from '../../src/run/trainer-process.js';

const linux = process.platform === 'linux';
const startTicks = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);

test('this process runs; one that has ended does not; another host cannot be told', () => {
  const me = currentTrainer();
  assert.equal(me.pid, process.pid);
  assert.equal(me.host, hostname());
  if (linux) assert.equal(me.startTicks, startTicks(process.pid));
  assert.equal(trainerRunning(me), true);
  const ended = spawnSync(process.execPath, ['-e', '']).pid;
  assert.equal(trainerRunning({ ...me, pid: ended }), false);
  assert.equal(trainerRunning({ pid: ended, host: hostname() }), false, 'a record without a start time: by the pid alone');
  assert.equal(trainerRunning({ ...me, host: `${hostname()}-elsewhere` }), null);
  assert.equal(trainerRunning(undefined), null, 'a record written before aekit named its trainer');
});

test('Linux: a zombie, and a pid that now names a later process, are not the trainer', { skip: !linux }, async () => {
  // A short sleep runs in the background and ends after `exec sleep 30` has taken the shell's
  // place, which never collects it. (A child that ends before the exec may be reaped by the shell.)
  const shell = spawn('sh', ['-c', 'sleep 0.5 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number(await new Promise<string>((done) => shell.stdout.once('data', (b: Buffer) => done(b.toString()))));
    for (let i = 0; i < 250 && readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1][0] !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(trainerRunning({ pid: zombie, host: hostname(), startTicks: startTicks(zombie) }), false, 'a zombie');
    const live = shell.pid!;
    assert.equal(trainerRunning({ pid: live, host: hostname(), startTicks: startTicks(live) }), true);
    assert.equal(trainerRunning({ pid: live, host: hostname(), startTicks: startTicks(live) - 1 }), false, 'the same pid, started at another time');
  } finally {
    shell.kill('SIGKILL');
  }
});

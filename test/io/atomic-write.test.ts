/**
 * Every writer is crash-safe: one helper writes every file (a scan of src/ finds no other way of
 * writing one), a process SIGKILLed at seeded random moments while it rewrites a file leaves the
 * old file or a new one whole under its name, and no command replaces an existing output
 * without --force.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { saveModel } from '../../src/run/save-load.js';
import { writeNpy } from '../../src/data/npy.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('atomic');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every file aekit writes goes through writeFileAtomic: no other writer in src/', () => {
  // events.jsonl is appended a line at a time, and its readers skip a cut last line.
  // The backend imports nothing of the project: its tuning cache writes a temporary file and renames it itself.
  const allowed = new Map([['src/io/atomic-write.ts', /writeFileSync\(fd, data\)/], ['src/run/run-events.ts', /appendFileSync\(/], ['src/backend/native/tuning.ts', /writeFileSync\(temp, /]]);
  const offenders: string[] = [];
  for (const file of sourceFiles('src')) {
    const code = readFileSync(file, 'utf8').split('\n').filter((line) => !/^\s*(\*|\/\/)/.test(line)).join('\n');
    for (const match of code.matchAll(/\b(writeFileSync|appendFileSync|createWriteStream|writeFile|appendFile)\(/g)) {
      const name = relative('.', file);
      const line = code.slice(code.lastIndexOf('\n', match.index) + 1, code.indexOf('\n', match.index));
      if (!allowed.get(name)?.test(line)) offenders.push(`${name}: ${line.trim()}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('SIGKILL at seeded random moments leaves the old file or a whole new one under the name', async () => {
  const target = join(root, 'killed.bin');
  const old = Buffer.from('the file that was there before\n');
  const size = 4 << 20;
  const prng = new Prng(4);
  for (let trial = 0; trial < 3; trial++) {
    writeFileSync(target, old);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/atomic-writer-child.ts', target, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // Somewhere in the first dozens of rewrites: mid-write, mid-flush or mid-rename.
    await new Promise((r) => setTimeout(r, 20 + prng.uniform() * 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const now = readFileSync(target);
    const whole = now.equals(old) || (now.length === size && now.every((b) => b === now[0]));
    assert.ok(whole, `trial ${trial}: ${now.length} bytes under the name, neither the old file nor a whole new one`);
  }
});

test('no command replaces an existing output without --force; with it, the output is replaced whole', async () => {
  const model = join(root, 'model');
  saveModel(Autoencoder.create({ layers: [12, 6, 3] }, 1), model);
  const input = join(root, 'in.npy');
  writeNpy(input, Float32Array.from({ length: 48 }, (_, i) => (i % 12) / 12), [4, 12]);
  const codes = join(root, 'codes.npy');
  writeNpy(codes, Float32Array.from({ length: 12 }, (_, i) => i / 12), [4, 3]);
  const commands: [string, string[]][] = [
    ['out.npy', ['encode', '--model', model, '--input', input, '--output']],
    ['out-decoded.npy', ['decode', '--model', model, '--input', codes, '--output']],
    ['out-rec.npy', ['reconstruct', '--model', model, '--input', input, '--output']],
    ['scores.csv', ['anomaly', '--model', model, '--input', input, '--contamination', '0.25', '--output']],
    ['model.onnx', ['export', 'onnx', '--model', model, '--output']],
    ['module.py', ['export', 'pytorch', '--model', model, '--output']],
  ];
  for (const [name, args] of commands) {
    const output = join(root, name);
    const before = Buffer.from(`precious ${name}\n`);
    writeFileSync(output, before);
    const refused = await aekitInProcess(...args, output, '--json');
    assert.equal(refused.code, 2, `${args[0]}: ${refused.stderr}`);
    assert.match(refused.stderr, /exists; pass --force/);
    assert.ok(readFileSync(output).equals(before), `${args[0]} changed ${name} without --force`);
    const forced = await aekitInProcess(...args, output, '--force', '--json');
    assert.equal(forced.code, 0, `${args[0]} --force: ${forced.stderr}`);
    assert.ok(!readFileSync(output).equals(before));
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith(`${name}.tmp-`)), [], 'no temporary file left');
  }
});

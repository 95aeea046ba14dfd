/**
 * The command line's parser driven with random flag sets for every command: unknown, repeated,
 * empty, huge, negative, non-decimal, unicode and option-looking values. Every run ends with
 * exit 0 or with exit 2 and one line on stderr, never a stack trace, an internal error or a hang.
 * Each command's data, model or runs folder is pointed at a missing path (segment's --out under a
 * file), given last so that it wins over a fuzzed one: no run trains for long. fast-check with a fixed seed;
 * AEKIT_FUZZ_RUNS=5000 for a longer local run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import fc from 'fast-check';
import { program } from '../../src/cli/program.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('argument-fuzz');
const missing = join(work, 'not-there');
// A file where a folder would have to be made: an --out under it cannot be created.
const blocker = join(work, 'a-file');
writeFileSync(blocker, '');

/** Every leaf command, with its path (`export onnx`) and long options. */
function leaves(command: Command, path: string[] = []): { path: string[]; options: string[] }[] {
  if (command.commands.length === 0) return [{ path, options: command.options.map((o) => o.long ?? '').filter(Boolean) }];
  return command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

const COMMANDS = leaves(await program());
/** The flags that point a command at a missing input, where it has them; segment writes into a folder that cannot be made. */
const ANCHORS = ['--model', '--data', '--input', '--runs', '--resume'];

const value = fc.oneof(
  fc.constantFrom('', '0', '-1', '-0', '1e308', '1e-320', '99999999999999999999999', '0x1f', '0b101', '1_000', '1,5', 'NaN', 'Infinity', '-Infinity',
    '٣', '５', 'é', '\u202e', '\u0000', '--json', '-', '--', '../../etc/passwd', ' 3 ', 'mnist', 'true', 'null', '{}', '[1]'),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 12 }),
  fc.constant('7'.repeat(4000)),
);

function flags(options: string[]) {
  const known = fc.tuple(fc.constantFrom(...options), fc.option(value, { nil: undefined })).map(([flag, v]) => (v === undefined ? [flag] : [flag, v]));
  const equals = fc.tuple(fc.constantFrom(...options), value).map(([flag, v]) => [`${flag}=${v}`]);
  const unknown = fc.constantFrom(['--bogus'], ['--Data', 'x'], ['-x'], ['--'], ['positional'], ['--no-such-flag=1'], ['-'], ['---json']);
  return fc.array(fc.oneof({ weight: 5, arbitrary: known }, { weight: 1, arbitrary: equals }, { weight: 1, arbitrary: unknown }), { maxLength: 6 }).map((groups) => groups.flat());
}

const cases = fc.constantFrom(...COMMANDS).chain((command) => flags(command.options).map((args) => ({ command, args })));

test('random flag sets for every command: exit 0, or exit 2 and one line; no stack trace, no hang', async () => {
  assert.ok(COMMANDS.length >= 18, `${COMMANDS.length} commands`);
  const runs = Number(process.env.AEKIT_FUZZ_RUNS ?? 100);
  await fc.assert(fc.asyncProperty(cases, async ({ command, args }) => {
    const anchors = ANCHORS.filter((a) => command.options.includes(a)).flatMap((a) => [a, missing]);
    if (command.path[0] === 'segment') anchors.push('--out', join(blocker, 'x'));
    const argv = [...command.path, ...args, ...anchors];
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`aekit ${JSON.stringify(argv)} did not end in 20 s`)), 20_000); });
    const { code, stderr } = await Promise.race([aekitInProcess(...argv), hang]).finally(() => clearTimeout(timer));
    const what = `aekit ${JSON.stringify(argv)} -> ${code}: ${stderr.slice(0, 400)}`;
    assert.ok(code === 0 || code === 2, what);
    assert.doesNotMatch(stderr, /internal error|\n\s+at /, what);
    if (code === 2) assert.equal(stderr.trim().split('\n').length, 1, what);
  }), { seed: 26, numRuns: runs });
});

/**
 * The command line loads a command's modules only when that command runs: `--version` and
 * `--help` load none of them (they took 0.6-0.7 s, nearly all of it loading every command's
 * apps, models and pictures), and each command's summary in the table is its own description.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { COMMAND_NAMES, program } from '../../src/cli/program.js';

/** Runs `aekit ...args` in a process of its own; returns its exit code, stdout, and the project's modules it loaded. */
function modulesLoadedBy(...args: string[]) {
  const script = `import { main } from ${JSON.stringify(resolve('src/cli/program.ts'))}; process.exitCode = await main(${JSON.stringify(args)});`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', resolve('test/helpers/module-log.mjs'), '--input-type=module', '-e', script], { encoding: 'utf8' });
  const log = /\nmodules: (.*)\n$/.exec(run.stderr);
  assert.ok(log, run.stderr);
  const src = new URL(`file://${resolve('src')}/`).href;
  const ours = (JSON.parse(log[1]) as string[]).filter((u) => u.startsWith(src)).map((u) => u.slice(src.length));
  return { code: run.status, stdout: run.stdout, modules: ours };
}

test('--version and --help load no command, no app and no backend', () => {
  for (const flag of ['--version', '--help']) {
    const { code, stdout, modules } = modulesLoadedBy(flag);
    assert.equal(code, 0);
    assert.ok(stdout.length > 0);
    const heavy = modules.filter((m) => !['cli/program.ts', 'cli/interrupt.ts', 'run/version.ts', 'errors.ts', 'io/digest.ts'].includes(m));
    assert.deepEqual(heavy, [], `${flag} loaded ${heavy.join(', ')}`);
  }
});

test('a command loads its own module, not the others\'', () => {
  const { code, modules } = modulesLoadedBy('eval', '--help');
  assert.equal(code, 0);
  assert.ok(modules.includes('cli/commands/eval.ts'), modules.join(', '));
  for (const other of ['train', 'serve', 'segment', 'export', 'retrieve']) assert.ok(!modules.includes(`cli/commands/${other}.ts`), `eval loaded ${other}`);
});

test('the top-level help\'s summaries are the commands\' own descriptions, all commands listed', async () => {
  const [light, full] = [await program([]), await program('all')];
  assert.deepEqual(light.commands.map((c) => c.name()), COMMAND_NAMES);
  assert.deepEqual(full.commands.map((c) => c.name()), COMMAND_NAMES);
  light.commands.forEach((stub, i) => assert.equal(stub.description(), full.commands[i].description(), stub.name()));
});

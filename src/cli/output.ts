import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * How commands speak: with --json, exactly one JSON object on stdout; otherwise lines for a
 * person. Progress and logs always go to stderr.
 */

/** Prints the command's result. */
export function emit(json: boolean, result: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** A metric for people: four significant decimals. */
export function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(4);
}

/** The time now as 20261129-214500, for default run folder names. */
export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Checks the files a command will write before it does any work: each must not exist (unless
 * `force`), must not be one of the inputs, and must sit in an existing folder.
 * @throws UsageError naming the file and what to do
 */
export function checkOutputFiles(outputs: readonly (string | undefined)[], options: { force: boolean; inputs?: readonly (string | undefined)[] }): void {
  const inputs = new Set((options.inputs ?? []).filter((p): p is string => p !== undefined).map((p) => resolve(p)));
  for (const path of outputs) {
    if (path === undefined) continue;
    if (inputs.has(resolve(path))) throw new UsageError(`${path}: is also an input of this command; write the result to another file`);
    const folder = dirname(resolve(path));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`${path}: the folder ${folder} does not exist; create it first`);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) throw new UsageError(`${path}: is a folder; expected a file name`);
    if (!options.force) throw new UsageError(`${path}: exists; pass --force to overwrite it`);
  }
}

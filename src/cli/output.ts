import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError, UsageError } from '../errors.js';

/**
 * How commands speak: with --json, exactly one JSON object on stdout; otherwise lines for a
 * person. Progress and logs always go to stderr.
 */

/**
 * Prints the command's result. A result holding NaN is refused (exit 2), never printed as a
 * success: a metric that could not be computed must be named, not shown as "NaN" or null.
 * @throws DataError naming the first NaN field
 */
export function emit(json: boolean, result: unknown, human: () => string): void {
  const missing = firstNaN(result, '');
  if (missing !== undefined) {
    throw new DataError(`the result's ${missing} could not be computed (NaN: an empty set or an undefined quantity); nothing is reported as a success`);
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** The path of the first NaN inside `value` (objects and arrays), or undefined. */
function firstNaN(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? path || 'value' : undefined;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = firstNaN(item, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
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

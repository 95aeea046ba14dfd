/**
 * Parsers for command-line values: each rejects bad text with a message commander prints as
 * one line, before any work starts.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { parseDecimal as decimal } from '../util/decimal.js';

/** `--label-column` of the commands that apply a trained model to a table. */
export const INPUT_LABEL_COLUMN_HELP = "a column of the CSV or Arrow input that is not a feature (a header name or a 0-based index); default: the run's own label column, left out when the input has it";

/** A whole number ≥ 1 (1000 or 1e3). */
export function positiveInt(text: string): number {
  const n = decimal(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${text}"`);
  return n;
}

/** A whole number ≥ 0. */
export function nonNegativeInt(text: string): number {
  const n = decimal(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${text}"`);
  return n;
}

/** A finite number > 0. */
export function positiveNumber(text: string): number {
  const n = decimal(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${text}"`);
  return n;
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(text: string): number {
  const n = decimal(text);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${text}"`);
  return n;
}

/** A number in [0, 1). */
export function fraction(text: string): number {
  const n = decimal(text);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`expected a number in [0, 1), got "${text}"`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30 };

/** A size in bytes: 268435456, 256MB, 256M, 1.5GB (K, M and G are powers of 1024). */
export function byteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!(Number.isSafeInteger(bytes) && bytes >= 1)) throw new InvalidArgumentError(`expected a size such as 256MB, 1GB or a number of bytes, got "${text}"`);
  return bytes;
}

/** One of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${text}"`);
    return text as T;
  };
}

/** The parsed data options. */
export interface DataFlags {
  data: string;
  limit?: number;
  testLimit?: number;
}

/** The data options that train, pca and compare share, declared once: --data, --limit, --test-limit. */
export function addDataOptions(command: Command): Command {
  return command
    .option('--data <spec>', 'mnist, fashion-mnist, a folder of IDX files, or a CSV/NPY/Arrow file or PNG folder', 'mnist')
    .option('--limit <n>', 'use only the first N training examples', positiveInt)
    .option('--test-limit <n>', 'evaluate on only the first N test examples', positiveInt);
}

/** A camel-case name as a flag is typed: perFeature → per-feature. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

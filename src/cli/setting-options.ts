/**
 * Command-line options generated from the training-settings schema (training/settings.ts): the
 * flag is the setting's name in kebab case, the parser follows the schema's type and bounds, the
 * help is its description. A setting's range is thus checked by the same rule on the command
 * line as in the library.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { expectation, SETTING_SCHEMAS } from '../training/settings.js';
import { byteSize, kebabCase, oneOf } from './options.js';
import { parseDecimal } from '../util/decimal.js';

type SettingKey = keyof typeof SETTING_SCHEMAS;

/** How one command shows a setting: a different flag, help added after the description, a default. */
export interface SettingFlag {
  /** The flag without its dashes, when not the setting's name in kebab case (e.g. val-fraction). */
  flag?: string;
  /** Added to the schema's description, e.g. "(default: the preset's)". */
  note?: string;
  /** The value's name in help, when not n (whole numbers), f (fractions), x (other numbers) or name (choices). */
  placeholder?: string;
  /** The default value, and how help shows it. */
  default?: { value: unknown; shown?: string };
}

/** Settings whose text is not a plain number: a size in bytes. */
const CUSTOM_PARSERS: Partial<Record<SettingKey, (text: string) => unknown>> = { maxMemory: byteSize };

/** The parser of a setting's text: its schema decides, with the schema's own words on failure. */
export function settingParser(key: SettingKey): (text: string) => unknown {
  const custom = CUSTOM_PARSERS[key];
  if (custom) return custom;
  const schema: z.ZodType = SETTING_SCHEMAS[key];
  if (schema instanceof z.ZodEnum) return oneOf(schema.options as string[]);
  return (text) => {
    const value = parseDecimal(text);
    if (!schema.safeParse(value).success) throw new InvalidArgumentError(`expected ${describeExpected(schema)}, got "${text}"`);
    return value;
  };
}

/** The words of the CLI's older parsers (a whole number ≥ 1, …), kept so that messages read as before. */
function describeExpected(schema: z.ZodType): string {
  switch (expectation(schema)) {
    case 'a positive integer': return 'a whole number ≥ 1';
    case 'a non-negative integer': return 'a whole number ≥ 0';
    case 'positive': return 'a number > 0';
    case 'non-negative': return 'a number ≥ 0';
    default: return expectation(schema);
  }
}

/** The usual name of a setting's value in help. */
function placeholder(schema: z.ZodType): string {
  if (schema instanceof z.ZodEnum) return 'name';
  const words = expectation(schema);
  return words.endsWith('integer') ? 'n' : words.startsWith('a number in') ? 'f' : 'x';
}

/** The attribute commander stores a setting's value under. */
export function settingAttribute(key: SettingKey, shown: SettingFlag = {}): string {
  return new Option(`--${shown.flag ?? kebabCase(key)}`).attributeName();
}

/**
 * Adds one option per setting of `keys`, in that order.
 * @example
 * addSettingOptions(command, ['epochs', 'lr'], { epochs: { note: "(default: the preset's)" } });
 */
export function addSettingOptions(command: Command, keys: readonly SettingKey[], shown: Partial<Record<SettingKey, SettingFlag>> = {}): Command {
  for (const key of keys) {
    const how = shown[key] ?? {};
    const schema: z.ZodType = SETTING_SCHEMAS[key];
    const help = [schema.description ?? key, how.note].filter(Boolean).join(' ');
    const flag = `--${how.flag ?? kebabCase(key)}`;
    const option = schema instanceof z.ZodBoolean
      ? new Option(flag, help).default(false)
      : new Option(`${flag} <${how.placeholder ?? placeholder(schema)}>`, help).argParser(settingParser(key));
    if (how.default) option.default(how.default.value, how.default.shown);
    command.addOption(option);
  }
  return command;
}

/** The values of `keys` from a command's parsed flags, under their setting names (unset ones left out). */
export function settingValues<K extends SettingKey>(flags: Record<string, unknown>, keys: readonly K[], shown: Partial<Record<SettingKey, SettingFlag>> = {}): Partial<Record<K, unknown>> {
  const values: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const value = flags[settingAttribute(key, shown[key])];
    if (value !== undefined) values[key] = value;
  }
  return values;
}

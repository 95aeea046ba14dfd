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

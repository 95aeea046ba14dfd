/** aekit's version, read from its package.json so there is one place to change it. */
import { readFileSync } from 'node:fs';

function findVersion(): string {
  // src/apps/ (tsx) and dist/apps/ (compiled) are both two levels below the package root.
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** The package version, e.g. "0.1.0". */
export const AEKIT_VERSION = findVersion();

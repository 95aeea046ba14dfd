/**
 * Where the job's Python script is: beside this module when it runs from the sources (tsx), in
 * the package's src/ folder when it runs from dist/ (tsc copies no .py files; package.json ships
 * the folder).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The path of train.py, the script every job folder gets.
 * @throws Error when the package was installed without it
 */
export function trainScriptPath(): string {
  const candidates = [new URL('./python/train.py', import.meta.url), new URL('../../../src/export/torchrun/python/train.py', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`aekit's torchrun script is missing (looked in ${candidates.join(' and ')}): reinstall aekit`);
  return found;
}

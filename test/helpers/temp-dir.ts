/** A fresh temporary folder for one test file, removed when the file's tests are done. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `aekit-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writing a file so that a crash never leaves half of it under its name: every file aekit writes
 * (run folders, encode/decode/reconstruct outputs, anomaly scores, exports, indexes, reports and
 * pictures) goes through writeFileAtomic.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` so that a crash at any moment (SIGKILL, power loss) leaves either the
 * old file or the new one, whole: a temporary file, flushed to disk, renamed over the old one,
 * and the folder flushed so that the rename itself lasts. On failure (a full disk, a read-only
 * folder) the old file is untouched and the temporary one removed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // Beside the file (a rename stays within its file system); named by the process, so two never share one.
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    // Name the file meant, not the temporary one (a write on a descriptor names none).
    const system = error as NodeJS.ErrnoException;
    system.path = path;
    if (typeof system.message === 'string') system.message = system.message.split(tmp).join(path);
    throw error;
  }
  syncFolder(dirname(path));
}

/** Flushes a folder's entries (a rename in it) to disk, where the system allows it. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is then as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

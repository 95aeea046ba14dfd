/**
 * Weights that prove they are intact: SHA-256 digests written with aekit's files and checked
 * where they are read. A safetensors file aekit writes carries its own digest in its metadata
 * (`aekit_sha256`, over every byte of the file with that digest's 64 characters read as zeros),
 * so a flipped bit anywhere is caught; a run folder's model.json also records the digest of its
 * whole model.safetensors, so a file swapped in from another run is caught too.
 */
import { createHash } from 'node:crypto';
import { DataError } from '../errors.js';

/** The metadata key of a safetensors file's own digest. */
export const SELF_DIGEST_KEY = 'aekit_sha256';

const PLACEHOLDER = '0'.repeat(64);

/** The SHA-256 of `bytes`, as 64 hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let ignoring = false;

/**
 * Switches digest checks off (`--ignore-digest`) or on: for a user who changed a
 * weights file on purpose. Set per process by the command line; library callers leave it off.
 * @example
 * ignoreDigests(true); // then loadRun reads a model whose weights were edited by hand
 */
export function ignoreDigests(ignore: boolean): void {
  ignoring = ignore;
}

/** Whether digest checks are switched off for this process. */
export function digestsIgnored(): boolean {
  return ignoring;
}

/** The metadata entry that makes a safetensors file carry its own digest, before it is filled in. */
export function selfDigestPlaceholder(): Record<string, string> {
  return { [SELF_DIGEST_KEY]: PLACEHOLDER };
}

/** Where the digest's 64 characters sit in the file (the placeholder or a written digest), or -1. */
function digestPosition(bytes: Uint8Array, headerEnd: number): number {
  const key = Buffer.from(`"${SELF_DIGEST_KEY}":"`, 'latin1');
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(headerEnd, bytes.byteLength)).indexOf(key);
  return at < 0 ? -1 : at + key.length;
}

/** The digest of `bytes` with the 64 characters at `at` read as zeros. */
function digestWithout(bytes: Uint8Array, at: number): string {
  return createHash('sha256').update(bytes.subarray(0, at)).update(PLACEHOLDER, 'latin1').update(bytes.subarray(at + 64)).digest('hex');
}

/**
 * Fills in a safetensors file's own digest (encoded with selfDigestPlaceholder() in its
 * metadata), in place: the digest has the placeholder's length, so no offset moves.
 * @param headerEnd the end of its JSON header (8 + the header length)
 */
export function sealSelfDigest(bytes: Uint8Array, headerEnd: number): void {
  const at = digestPosition(bytes, headerEnd);
  if (at < 0) return;
  bytes.set(Buffer.from(digestWithout(bytes, at), 'latin1'), at);
}

/**
 * Checks a safetensors file's own digest when its metadata holds one (files from other tools
 * have none, and pass unless `required`).
 * @throws DataError naming the file, unless digests are ignored
 */
export function checkSelfDigest(bytes: Uint8Array, headerEnd: number, recorded: string | undefined, file: string, required = false): void {
  if (ignoring) return;
  if (recorded === undefined) {
    // A flipped bit in the key's own name hides the digest: files that must have one say so.
    if (required) throw new DataError(`${file}: carries no digest (${SELF_DIGEST_KEY} in its metadata): the file was damaged, or written by an older aekit; retrain or pass --ignore-digest`);
    return;
  }
  const at = digestPosition(bytes, headerEnd);
  if (at < 0 || digestWithout(bytes, at) !== recorded) {
    throw new DataError(`${file}: does not match the digest written with it (${SELF_DIGEST_KEY} in its metadata): the file was changed or damaged after it was written; retrain or pass --ignore-digest`);
  }
}

/**
 * Checks a run folder's weights against the digest its record holds (a record without one, from
 * an older aekit, passes). While a write is under way the record also holds the digest of the
 * file about to replace the weights, so a crash between the two renames leaves a folder that reads.
 * @param record model.json as parsed
 * @throws DataError in the words a user can act on, unless digests are ignored
 */
export function checkRecordedDigest(bytes: Uint8Array, record: unknown, weightsFile: string, recordFile: string): void {
  if (ignoring || record === null || typeof record !== 'object') return;
  const { weightsSha256, weightsSha256Pending } = record as { weightsSha256?: unknown; weightsSha256Pending?: unknown };
  if (typeof weightsSha256 !== 'string') return;
  const actual = sha256Hex(bytes);
  if (actual === weightsSha256 || actual === weightsSha256Pending) return;
  throw new DataError(`${weightsFile} does not match the digest in ${recordFile}: the file was changed after training; retrain or pass --ignore-digest`);
}

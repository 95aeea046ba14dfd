/**
 * Picks the backend once per process: AEKIT_BACKEND=native|reference forces one; otherwise native
 * when the addon loads, else reference with one warning line on stderr.
 */
import type { Backend } from './backend.js';
import { BackendError } from '../errors.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { createNativeBackend, nativeLoadFailure } from './native/native-backend.js';

let selected: Backend | null = null;

/** The backend to use, chosen once per process (the choice is cached). */
export function selectBackend(): Backend {
  if (selected) return selected;
  const forced = process.env.AEKIT_BACKEND;
  if (forced !== undefined && forced !== '' && forced !== 'native' && forced !== 'reference') {
    throw new BackendError(`AEKIT_BACKEND must be "native" or "reference", got "${forced}"`);
  }
  if (forced === 'reference') {
    selected = createReferenceBackend();
  } else if (forced === 'native') {
    selected = createNativeBackend(); // throws BackendError with the reason when missing
  } else {
    try {
      selected = createNativeBackend();
    } catch (e) {
      const reason = nativeLoadFailure() ?? (e instanceof Error ? e.message : String(e));
      process.stderr.write(`aekit: native addon not available (${reason}); using the reference backend\n`);
      selected = createReferenceBackend();
    }
  }
  return selected;
}

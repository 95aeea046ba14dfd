/**
 * Picks the backend once per process: AEKIT_BACKEND=native|reference forces one; otherwise native
 * when the addon loads, else reference. Nothing is printed: the reason for a fallback is kept for
 * the caller to show (the CLI prints it once on stderr).
 */
import type { Backend } from './backend.js';
import { BackendError } from '../errors.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { createNativeBackend, nativeLoadFailure } from './native/native-backend.js';

let selected: Backend | null = null;
let fallback: string | null = null;

/**
 * The backend to use, chosen once per process (the choice is cached).
 * @throws BackendError when AEKIT_BACKEND names an unknown backend, or native is forced but missing
 * @example
 * setBackend(selectBackend());
 * if (backendFallbackReason()) console.warn(backendFallbackReason());
 */
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
      fallback = `native addon not available (${nativeLoadFailure() ?? (e instanceof Error ? e.message : String(e))}); using the reference backend`;
      selected = createReferenceBackend();
    }
  }
  return selected;
}

/** Why `selectBackend` fell back to the reference backend, or null when it did not. */
export function backendFallbackReason(): string | null {
  return fallback;
}

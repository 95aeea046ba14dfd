/**
 * Picks the backend once per process: AEKIT_BACKEND=native|wasm|reference forces one; otherwise
 * native when the addon loads, else the WebAssembly build of the same kernels, else reference.
 * Nothing is printed: which backend runs and why is kept for the caller to show (the CLI prints
 * it once on stderr when it is not the native one).
 */
import type { Backend } from './backend.js';
import { BackendError } from '../errors.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { createNativeBackend, nativeLoadFailure } from './native/native-backend.js';
import { createNodeWasmBackend } from './wasm/load-node.js';

let selected: Backend | null = null;
let fallback: string | null = null;
let note: string | null = null;

const FORCEABLE = ['native', 'wasm', 'reference'];

/**
 * The backend to use, chosen once per process (the choice is cached).
 * @throws BackendError when AEKIT_BACKEND names an unknown backend, or a forced one is missing
 * @example
 * setBackend(selectBackend());
 * if (backendNote()) console.warn(backendNote());
 */
export function selectBackend(): Backend {
  if (selected) return selected;
  const forced = process.env.AEKIT_BACKEND;
  if (forced !== undefined && forced !== '' && !FORCEABLE.includes(forced)) {
    throw new BackendError(`AEKIT_BACKEND must be "native", "wasm" or "reference", got "${forced}"`);
  }
  if (forced === 'reference') {
    selected = createReferenceBackend();
  } else if (forced === 'native') {
    selected = createNativeBackend(); // throws BackendError with the reason when missing
  } else if (forced === 'wasm') {
    selected = createNodeWasmBackend(); // throws BackendError with the reason when missing
  } else {
    selected = chooseAutomatically();
  }
  if (forced) note = `using the ${selected.name} backend (AEKIT_BACKEND=${forced})`;
  return selected;
}

function chooseAutomatically(): Backend {
  try {
    return createNativeBackend();
  } catch (e) {
    const nativeWhy = `native addon not available (${nativeLoadFailure() ?? (e instanceof Error ? e.message : String(e))})`;
    try {
      const wasm = createNodeWasmBackend();
      fallback = `${nativeWhy}; using the wasm backend`;
      return wasm;
    } catch (w) {
      fallback = `${nativeWhy}; wasm backend not available (${w instanceof Error ? w.message : String(w)}); using the reference backend`;
      return createReferenceBackend();
    }
  }
}

/** Why `selectBackend` fell back from native (to wasm or reference), or null when it did not. */
export function backendFallbackReason(): string | null {
  return fallback;
}

/** One line saying which backend runs and why, when it is not native chosen by default; else null. */
export function backendNote(): string | null {
  return fallback ?? note;
}

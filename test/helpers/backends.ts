/** The backends a test can run on: reference always, native when the addon is built. */
import type { Backend } from '../../src/backend/backend.js';
import { createReferenceBackend } from '../../src/backend/reference/reference-backend.js';

export async function availableBackends(): Promise<Backend[]> {
  const backends = [createReferenceBackend()];
  try {
    const { createNativeBackend } = await import('../../src/backend/native/native-backend.js');
    backends.push(createNativeBackend());
  } catch {
    // The addon is not built here; the conformance suite reports that on its own.
  }
  return backends;
}

/**
 * Loads the WebAssembly backend in Node: reads native/wasm/aekit.wasm from the package (it is
 * committed and shipped, so no compiler is needed) and instantiates it synchronously.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../errors.js';
import { webAssembly, type WasmInstance } from './wasm-api.js';
import { createWasmBackend, type WasmBackend } from './wasm-backend.js';

/** The path of the committed module, found from this file (src/ under tsx, dist/ when built). */
export function wasmModulePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'native', 'wasm', 'aekit.wasm');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new BackendError('aekit: wasm backend unavailable: native/wasm/aekit.wasm not found above the package');
    dir = parent;
  }
}

let loaded: WasmBackend | null = null;

/**
 * The WebAssembly backend, loaded once per process.
 * @throws BackendError when the module is missing or this runtime cannot compile it (no SIMD128)
 * @example
 * setBackend(createNodeWasmBackend());
 */
export function createNodeWasmBackend(): WasmBackend {
  if (loaded) return loaded;
  const path = wasmModulePath();
  let instance: WasmInstance;
  try {
    const wasm = webAssembly();
    instance = new wasm.Instance(new wasm.Module(readFileSync(path)), {});
  } catch (e) {
    throw new BackendError(`aekit: wasm backend unavailable: ${path} did not load: ${(e as Error).message}`);
  }
  loaded = createWasmBackend(instance);
  return loaded;
}

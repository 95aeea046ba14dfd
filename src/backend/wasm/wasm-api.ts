/**
 * The part of the WebAssembly JavaScript API the wasm backend uses, typed here because the
 * project's TypeScript settings hold no DOM library (where TypeScript declares WebAssembly); the
 * object itself is the runtime's global, in Node and in browsers alike.
 */

/** A compiled module. */
export type WasmModule = object;

/** An instance: what the backend needs of it is its exports. */
export interface WasmInstance {
  readonly exports: object;
}

/** A linear memory; `buffer` is replaced (the old one detached) when it grows. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WebAssemblyGlobal {
  Module: (new (bytes: Uint8Array) => WasmModule) & { exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
}

/**
 * The runtime's WebAssembly object.
 * @throws Error when this runtime has none
 */
export function webAssembly(): WebAssemblyGlobal {
  const api = (globalThis as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;
  if (!api) throw new Error('this JavaScript runtime has no WebAssembly');
  return api;
}

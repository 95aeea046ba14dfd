/**
 * Loads the WebAssembly backend in a browser page: the threaded module with a Web Worker per
 * extra thread where the page is cross-origin isolated (SharedArrayBuffer exists), else the
 * one-thread module. Used by the playground (src/serve/playground/browser-api.ts) and the
 * Chromium bench page; nothing here touches Node.
 */
import { webAssembly } from './wasm-api.js';
import { createWasmBackend, type WasmBackend } from './wasm-backend.js';
import { canShareMemory, instantiateThreaded, WORKER_BODY, type WorkerStart } from './wasm-threads.js';

interface BrowserWorker { postMessage(message: unknown): void }
interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string };
}

async function fetchModule(url: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return webAssembly().compile(new Uint8Array(await response.arrayBuffer()));
}

/**
 * How many threads the page can run kernels on: one per logical core (at most 8) when it is
 * cross-origin isolated, so that a WebAssembly memory can be shared with workers; else 1.
 */
export function pageThreads(): number {
  const g = globalThis as unknown as BrowserGlobals;
  if (g.crossOriginIsolated !== true || !g.Worker || !g.Blob || !canShareMemory()) return 1;
  return Math.max(1, Math.min(8, g.navigator?.hardwareConcurrency ?? 1));
}

/**
 * Fetches and instantiates aekit's wasm module: the threaded one (`threadsUrl`) when `threads`
 * is above 1, else the one-thread one (`url`).
 * @param url aekit.wasm
 * @param threadsUrl aekit-threads.wasm; without it the page runs one thread
 * @param threads threads per kernel, the page's own included (default pageThreads())
 * @example
 * const backend = await loadBrowserWasmBackend('aekit.wasm', 'aekit-threads.wasm');
 */
export async function loadBrowserWasmBackend(url: string, threadsUrl?: string, threads = pageThreads()): Promise<WasmBackend> {
  if (!threadsUrl || threads <= 1) return createWasmBackend(await webAssembly().instantiate(await fetchModule(url), {}));
  const g = globalThis as unknown as BrowserGlobals;
  const module = await fetchModule(threadsUrl);
  // The workers' script is made in the page (a blob), so a static copy of the page needs no
  // extra file; a blob worker inherits the page's policy, wasm-unsafe-eval included.
  const script = g.URL.createObjectURL(new g.Blob!([`${WORKER_BODY}\nself.onmessage = (e) => startAekitWorker(e.data);`], { type: 'text/javascript' }));
  const spawn = (start: WorkerStart): void => new g.Worker!(script).postMessage(start);
  const { instance, memory } = instantiateThreaded(module, threads, spawn);
  return createWasmBackend(instance, { memory, threads });
}

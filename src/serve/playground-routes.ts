/**
 * The playground's routes: GET /playground, the page (web/playground.html) under a policy that
 * lets it compile WebAssembly and start workers, cross-origin isolated so that it runs threaded, and GET /api/weights?run=ID, a run's model.safetensors for the page
 * to load (run files are otherwise served only as pictures, pages and JSON).
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RunList } from './run-list.js';
import { resolveUnder } from './safe-path.js';
import { APP_CSP } from './security.js';

/**
 * The dashboard's policy plus WebAssembly compilation ('wasm-unsafe-eval' allows wasm, not eval)
 * and the kernel workers, whose script the page makes as a blob.
 */
export const PLAYGROUND_CSP = `${APP_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")}; worker-src blob:`;

/**
 * Cross-origin isolation for the playground page: with these the page gets SharedArrayBuffer,
 * so its WebAssembly memory can be shared with workers and the kernels run threaded. The page
 * loads only same-origin files, which require-corp allows.
 */
export const PLAYGROUND_ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } as const;

/**
 * Adds the playground's routes to `app`.
 * @param app the dashboard (after @fastify/static, whose sendFile the page route uses)
 * @param context the runs folder's real path and its run list
 * @example
 * registerPlayground(app, { root, runs });
 */
export function registerPlayground(app: FastifyInstance, context: { root: string; runs: RunList }): void {
  app.get('/playground', (_request, reply) => reply.header('content-security-policy', PLAYGROUND_CSP).headers(PLAYGROUND_ISOLATION).sendFile('playground.html'));
  app.get<{ Querystring: { run?: string } }>('/api/weights', (request, reply) => {
    const id = typeof request.query.run === 'string' ? request.query.run : undefined;
    const summary = id === undefined ? null : context.runs.get(id);
    const dir = id !== undefined && summary !== null && summary.kind === 'autoencoder' ? resolveUnder(context.root, id) : null;
    if (dir === null || !existsSync(join(dir, 'model.safetensors'))) return reply.code(404).send({ error: id === undefined ? 'say which run: ?run=NAME' : `no autoencoder run named ${JSON.stringify(id)} under the runs folder` });
    return reply.type('application/octet-stream').header('cache-control', 'no-store').send(createReadStream(join(dir, 'model.safetensors')));
  });
}

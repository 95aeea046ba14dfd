/**
 * The dashboard's guards besides path checks: which Host names it answers (a page on another site
 * must not reach a loopback dashboard by DNS rebinding), a rate limit per client, GET and HEAD
 * only, and response headers that keep what it serves inert: no sniffing of content types, and a
 * sandbox for pages from run folders, so a report.html never runs script in the dashboard's origin.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback, LOOPBACK_NAMES } from './defaults.js';

/** Content-Security-Policy of the dashboard's own pages: its scripts and styles, its API and run files. */
export const APP_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Content-Security-Policy of files from run folders: a sandbox without scripts (and no script
 * source allowed either), pictures inlined as data: URIs and inline styles only, which is all a
 * report needs. The sandbox keeps the page's origin (allow-same-origin), else the browser's own
 * requests from it (the favicon) would be cross-origin and blocked by the CORP header.
 */
export const RUN_FILE_CSP = "sandbox allow-same-origin; default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** What the guards are told. */
export interface GuardOptions {
  /** The host the server is bound to: a loopback address turns the Host check on. */
  host: string;
  /** Requests per minute per client; 0 turns the limit off (the load test's throughput run). */
  rateLimit: number;
}

/**
 * Registers the guards on `app`: rate limit, methods, Host check and security headers.
 * @param app the dashboard's fastify instance, before its routes.
 * @param options the bound host and the rate limit.
 * @example
 * await registerGuards(app, { host: '127.0.0.1', rateLimit: DEFAULT_RATE_LIMIT });
 */
export async function registerGuards(app: FastifyInstance, options: GuardOptions): Promise<void> {
  const checkHost = isLoopback(options.host);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // Nothing here takes a body: answered before any of it is read.
      return reply.code(405).header('allow', 'GET, HEAD').header('connection', 'close').send({ error: 'the dashboard only reads: GET and HEAD' });
    }
    if (checkHost && !LOOPBACK_NAMES.has(hostName(request.headers.host ?? ''))) {
      return reply.code(403).send({ error: 'this dashboard answers to localhost only (start it with --host to serve other names)' });
    }
  });
  if (options.rateLimit > 0) {
    await app.register(rateLimit, { max: options.rateLimit, timeWindow: 60_000, hook: 'onRequest' });
  }
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) {
      // By the route matched, not the URL's spelling, which may encode its letters (/%72uns/).
      const fromRuns = (request.routeOptions.url ?? '').startsWith('/runs/') || request.url.startsWith('/runs/');
      reply.header('content-security-policy', fromRuns ? RUN_FILE_CSP : APP_CSP);
    }
  });
}

/** The name part of a Host header: `localhost:6006` → `localhost`, `[::1]:6006` → `[::1]`. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.replace(/:\d+$/, '');
}

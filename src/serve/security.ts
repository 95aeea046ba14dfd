/**
 * The dashboard's guards besides path checks: which Host names it answers (a page on another site
 * must not reach a loopback dashboard by DNS rebinding), a rate limit per client, GET and HEAD
 * only, and response headers that keep what it serves inert: no sniffing of content types, and a
 * sandbox for pages from run folders, so a report.html never runs script in the dashboard's origin.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import { LOOPBACK_NAMES } from './defaults.js';

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
  /** The host the server is bound to: answered to as a Host name, beside the loopback names. */
  host: string;
  /** Requests per minute per client; 0 turns the limit off (the load test's throughput run). */
  rateLimit: number;
  /** More Host names to answer to (`--allow-host`). */
  allowHosts?: readonly string[];
  /** The token every request must carry (query `token`, or the cookie the first one sets). */
  token?: string;
}

/** The cookie that carries the access token after the first page. */
const TOKEN_COOKIE = 'aekit_token';

/**
 * The Host names a dashboard answers to: loopback names, the address it is bound to and this
 * machine's name, and those given. Anything else is refused, whatever the bind: a page on another
 * site that rebinds its DNS name to this machine's address still sends its own name.
 * @example
 * allowedHostNames('0.0.0.0', ['ae.lab.example']).has('ae.lab.example'); // true
 */
export function allowedHostNames(host: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  for (const name of [host, hostname(), ...extra]) if (name) names.add(bracket(name.toLowerCase()));
  return names;
}

/**
 * Registers the guards on `app`: rate limit, methods, Host check and security headers.
 * @param app the dashboard's fastify instance, before its routes.
 * @param options the bound host and the rate limit.
 * @example
 * await registerGuards(app, { host: '127.0.0.1', rateLimit: DEFAULT_RATE_LIMIT });
 */
export async function registerGuards(app: FastifyInstance, options: GuardOptions): Promise<void> {
  const allowed = allowedHostNames(options.host, options.allowHosts);
  const token = options.token === undefined ? undefined : Buffer.from(options.token);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // Nothing here takes a body: answered before any of it is read.
      return reply.code(405).header('allow', 'GET, HEAD').header('connection', 'close').send({ error: 'the dashboard only reads: GET and HEAD' });
    }
    if (!allowed.has(hostName(request.headers.host ?? ''))) {
      return reply.code(403).send({ error: 'this dashboard does not answer to that Host name (start it with --allow-host NAME to add one)' });
    }
    if (token !== undefined) {
      const fromQuery = new URL(request.url, 'http://x').searchParams.get('token');
      if (fromQuery !== null && sameToken(fromQuery, token)) {
        // The page's own requests (scripts, API, pictures, the live stream) then carry the cookie.
        reply.header('set-cookie', `${TOKEN_COOKIE}=${options.token}; Path=/; HttpOnly; SameSite=Strict`);
        return;
      }
      const fromCookie = cookie(request.headers.cookie ?? '', TOKEN_COOKIE);
      if (fromCookie === null || !sameToken(fromCookie, token)) {
        return reply.code(401).send({ error: 'this dashboard needs its access token: open the URL aekit serve printed (with ?token=…)' });
      }
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

/** Compared in constant time, so the token cannot be guessed a character at a time. */
function sameToken(given: string, token: Buffer): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === token.length && timingSafeEqual(bytes, token);
}

/** The value of cookie `name` in a Cookie header, or null. */
function cookie(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

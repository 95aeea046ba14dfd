/**
 * The dashboard server: fastify with @fastify/static for the page's own files (web/, shipped with
 * the package) and for the files of the runs folder, the JSON API the pages read, loss plots as
 * SVG and live events. It reads run folders and never runs anything from them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { UsageError } from '../errors.js';
import { type ApiContext, registerApi } from './api.js';
import { registerPlayground } from './playground-routes.js';
import { LiveStreams, type StreamLimits } from './live-stream.js';
import { LossPlots } from './loss-plot.js';
import { RunList } from './run-list.js';
import { isServedFile } from './safe-path.js';
import { DEFAULT_PORT, DEFAULT_RATE_LIMIT, isLoopback } from './defaults.js';
import { registerGuards } from './security.js';

/**
 * The dashboard's page files. The same relative path works from src/serve (run through tsx) and
 * from dist/serve (the built package): both sit two levels below the package root, beside web/.
 */
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

/** The run list is looked up on disk at most once a second; the page refreshes it every five. */
const LIST_MAX_AGE_MS = 1000;

/** Request bodies are refused above this (nothing takes one); headers above 16 KiB too. */
const BODY_LIMIT = 1024;

/** What the dashboard is told. */
export interface DashboardOptions {
  /** The runs folder. */
  runs: string;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port; default 6006; 0 picks a free one. */
  port?: number;
  /** Requests per minute per client; 0 turns the limit off; default DEFAULT_RATE_LIMIT. */
  rateLimit?: number;
  /** More Host names to answer to, besides loopback names, the bound address and this machine's name. */
  allowHosts?: readonly string[];
  /**
   * The access token a request must carry (`?token=`, then a cookie) when the bind is not
   * loopback; startDashboard makes a random one then. Undefined: none asked for.
   */
  token?: string;
  /** Limits of the live streams (tests lower them). */
  streams?: Partial<StreamLimits>;
}

/** A running dashboard. */
export interface Dashboard {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:6006/. */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the dashboard's fastify instance without listening (tests use `app.inject`).
 * @param options the runs folder, the host it will bind (for the Host check) and the rate limit.
 * @throws UsageError when the runs folder is missing or not a folder.
 * @example
 * const app = await buildDashboard({ runs: 'runs' });
 * const res = await app.inject({ url: '/api/runs' });
 */
export async function buildDashboard(options: DashboardOptions): Promise<FastifyInstance> {
  const root = options.runs;
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root}: no such folder; --runs names the folder your runs are in (aekit train --out RUNS/NAME)`);
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    http: { maxHeaderSize: 16 * 1024 },
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    // Live streams stay open; closing the server must end them rather than wait for them.
    forceCloseConnections: true,
  });
  await registerGuards(app, { host: options.host ?? '127.0.0.1', rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT, allowHosts: options.allowHosts, token: options.token });
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: ['index.html'], list: false, dotfiles: 'deny', wildcard: false });
  // Browsers ask for /favicon.ico on every page, reports included; answer with the dashboard's icon.
  app.get('/favicon.ico', (_request, reply) => reply.sendFile('favicon.svg'));
  const realRoot = realpathSync(root);
  // Run files by a route of its own, not a second static mount: @fastify/static decodes the path
  // with decodeURI and encodes it again, so a run named lr=0.01 (linked as lr%3D0.01) was never
  // found. Fastify decodes the wildcard once; a second encoding is refused by the spelling check.
  app.get<{ Params: { '*': string } }>('/runs/*', (request, reply) => {
    const relative = request.params['*'];
    // The spelling, the extension, and that its realpath lies under the runs folder.
    if (!isServedFile(realRoot, relative)) return reply.callNotFound();
    // Pictures change as a run trains; the page asks again with a new query string anyway.
    return reply.sendFile(relative, realRoot, { cacheControl: false, dotfiles: 'deny' });
  });
  const context = { root: realRoot, runs: new RunList(realRoot, LIST_MAX_AGE_MS), plots: new LossPlots(realRoot), streams: new LiveStreams(realRoot, options.streams) };
  parts.set(app, context);
  registerApi(app, context);
  registerPlayground(app, { root: realRoot, runs: context.runs });
  return app;
}

const parts = new WeakMap<FastifyInstance, ApiContext>();

/**
 * What a dashboard built by buildDashboard reads with: its run list, plots and live streams (for
 * tests and benchmarks that watch its resources).
 * @example
 * dashboardParts(app).streams.count; // live streams open now
 */
export function dashboardParts(app: FastifyInstance): ApiContext {
  const context = parts.get(app);
  if (!context) throw new UsageError('dashboardParts: not a dashboard made by buildDashboard');
  return context;
}

/**
 * Starts the dashboard and returns where it listens.
 * @param options the runs folder, host, port and rate limit.
 * @example
 * const { url, close } = await startDashboard({ runs: 'runs', port: 0 });
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  // Reachable from other machines: only with the token of this start (as Jupyter does).
  const token = options.token ?? accessTokenFor(host);
  const app = await buildDashboard({ ...options, token });
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? DEFAULT_PORT;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shown}:${port}/${token === undefined ? '' : `?token=${token}`}`, close: () => app.close() };
}

/**
 * The access token a dashboard bound to `host` asks for: a fresh random one (192 bits) when
 * the address is not loopback, none on loopback.
 * @example
 * accessTokenFor('0.0.0.0'); // 'q8Z…' (32 characters)
 */
export function accessTokenFor(host: string): string | undefined {
  return isLoopback(host) ? undefined : randomBytes(24).toString('base64url');
}


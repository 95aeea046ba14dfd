/**
 * The dashboard's JSON and SVG API, read by its pages:
 * - GET /api/runs — every output folder under the runs folder, summarized;
 * - GET /api/run?run=ID — one folder's summary;
 * - GET /api/loss.svg?run=ID — one run's loss curves; with several `run`s, their losses on one
 *   plot (`curve=train|validation`);
 * - GET /api/events?run=ID — the run's events as server-sent events, live.
 * A run is named by its folder relative to the runs folder; names are checked like file paths.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LiveStreams } from './live-stream.js';
import type { CompareCurve, LossPlots } from './loss-plot.js';
import type { RunList } from './run-list.js';
import { resolveUnder } from './safe-path.js';

/** Runs one comparison plots, at most: a plot of more is unreadable, and each costs a render. */
export const MAX_COMPARED = 12;

/** What the API reads from. */
export interface ApiContext {
  /** The runs folder's real path. */
  root: string;
  runs: RunList;
  plots: LossPlots;
  streams: LiveStreams;
}

interface RunQuery {
  run?: string | string[];
  curve?: string;
}

/**
 * Adds the API's routes to `app`.
 * @param app the dashboard.
 * @param context the runs folder and the helpers that read it.
 * @example
 * registerApi(app, { root, runs: new RunList(root), plots: new LossPlots(), streams: new LiveStreams() });
 */
export function registerApi(app: FastifyInstance, context: ApiContext): void {
  const { root, runs, plots, streams } = context;

  app.get('/api/runs', () => {
    const started = performance.now();
    const list = runs.list();
    return { runs: list, count: list.length, milliseconds: Math.round(performance.now() - started) };
  });

  app.get<{ Querystring: RunQuery }>('/api/run', (request, reply) => {
    const [id] = ids(request.query);
    const summary = id === undefined ? null : runs.get(id);
    return summary ?? notFound(reply, id);
  });

  app.get<{ Querystring: RunQuery }>('/api/loss.svg', async (request, reply) => {
    const wanted = ids(request.query);
    if (wanted.length === 0 || wanted.length > MAX_COMPARED) return reply.code(400).send({ error: `give 1 to ${MAX_COMPARED} runs: ?run=NAME&run=NAME` });
    const folders: { dir: string; id: string }[] = [];
    for (const id of wanted) {
      const dir = runDir(root, runs, id);
      if (dir === null) return notFound(reply, id);
      folders.push({ dir, id });
    }
    const curve: CompareCurve = request.query.curve === 'validation' ? 'validation' : 'train';
    const svg = folders.length === 1 ? await plots.run(folders[0].dir, folders[0].id) : await plots.compare(folders, curve);
    if (svg === null) return reply.code(404).send({ error: 'no loss curve yet: no epoch has ended' });
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-store').send(svg);
  });

  app.get<{ Querystring: RunQuery }>('/api/events', (request, reply) => {
    const [id] = ids(request.query);
    const dir = id === undefined ? null : runDir(root, runs, id);
    if (dir === null) return notFound(reply, id);
    return streams.open(request, reply, dir);
  });
}

/** The `run` parameters of a query, one or many. */
function ids(query: RunQuery): string[] {
  const run = query.run;
  if (run === undefined) return [];
  return (Array.isArray(run) ? run : [run]).filter((r) => typeof r === 'string' && r !== '');
}

/** The real folder of the run named `id`, or null when no output folder under the root has that name. */
function runDir(root: string, runs: RunList, id: string): string | null {
  if (runs.get(id) === null) return null;
  return resolveUnder(root, id);
}

function notFound(reply: FastifyReply, id: string | undefined): FastifyReply {
  return reply.code(404).send({ error: id === undefined ? 'say which run: ?run=NAME' : `no run folder named ${JSON.stringify(id)} under the runs folder` });
}

/**
 * Server-sent events of a run: GET /api/events?run=ID streams the run's events.jsonl, first the
 * events already written, then each new one as the training process appends it (`event: run`),
 * says when a live picture is rewritten (`event: picture`, with a version to fetch it by) and when
 * the run's process is gone without ending it (`event: stopped`: killed or crashed). The browser's
 * EventSource reconnects by itself; each connection starts from the file's beginning, so a page
 * never misses an epoch.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventsTail } from './events-tail.js';
import { runStopped } from './run-summary.js';
import { APP_CSP } from './security.js';

/** Streams open at once, at most: each holds a watcher and a timer. */
export const MAX_STREAMS = 64;

/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** How often a training run's process is looked for: a killed run writes no last event. */
const STOPPED_CHECK_MS = 3_000;

/**
 * Counts open streams and opens new ones while there is room.
 * @example
 * const streams = new LiveStreams();
 * app.get('/api/events', (req, reply) => streams.open(req, reply, 'runs/live'));
 */
export class LiveStreams {
  private open_ = 0;

  /** @param max streams open at once, at most. */
  constructor(private readonly max = MAX_STREAMS) {}

  /** How many streams are open now. */
  get count(): number {
    return this.open_;
  }

  /**
   * Answers `request` with the event stream of the run folder `dir`, or 503 when too many
   * streams are open.
   * @param request the request.
   * @param reply its reply, taken over for the stream's lifetime.
   * @param dir the run folder, already checked to lie under the runs folder.
   */
  open(request: FastifyRequest, reply: FastifyReply, dir: string): FastifyReply {
    if (this.open_ >= this.max) return reply.code(503).header('retry-after', '5').send({ error: 'too many live views open; close some and retry' });
    this.open_++;
    // The stream outlives the handler: fastify lets go of the reply, so headers are set here.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
      'content-security-policy': APP_CSP,
    });
    let id = 0;
    // Tells EventSource to wait 1 s before reconnecting after the server closes a stream.
    res.write('retry: 1000\n\n');
    const tail = new EventsTail(dir, (message) => {
      if (message.type === 'reset') res.write('event: reset\ndata: {}\n\n');
      else if (message.type === 'picture') res.write(`event: picture\ndata: ${JSON.stringify({ file: message.file, version: message.version })}\n\n`);
      else for (const event of message.events) res.write(`id: ${++id}\nevent: run\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    // `event: stopped` when the run's process is found gone; said again only after it trains again.
    let saidStopped = false;
    const checkStopped = () => {
      const stopped = runStopped(dir);
      if (stopped && !saidStopped) res.write('event: stopped\ndata: {}\n\n');
      saidStopped = stopped;
    };
    const stoppedCheck = setInterval(checkStopped, STOPPED_CHECK_MS);
    stoppedCheck.unref();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      tail.stop();
      clearInterval(heartbeat);
      clearInterval(stoppedCheck);
      this.open_--;
    };
    request.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
    tail.start();
    checkStopped();
    return reply;
  }
}

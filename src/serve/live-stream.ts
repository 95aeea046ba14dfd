/**
 * Server-sent events of a run: GET /api/events?run=ID streams the run's events.jsonl, first the
 * events already written, then each new one as the training process appends it (`event: run`),
 * says when a live picture is rewritten (`event: picture`, with a version to fetch it by) and when
 * the run's process is gone without ending it (`event: stopped`: killed or crashed). The browser's
 * EventSource reconnects by itself; each connection starts from the file's beginning, so a page
 * never misses an epoch.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventsTail } from './events-tail.js';
import { runStopped } from './run-summary.js';
import { APP_CSP } from './security.js';

/** Streams open at once, at most: each holds a watcher and a timer. */
export const MAX_STREAMS = 64;

/** Streams one client (one address) may hold at once: a page needs one, a few tabs a few. */
export const MAX_STREAMS_PER_CLIENT = 8;

/** A stream is closed after this long; EventSource reconnects by itself and starts over. */
export const STREAM_LIFETIME_MS = 30 * 60_000;

/**
 * Bytes queued for a client before its stream stops reading the run (and beyond 2 MiB more,
 * is closed): a client that never reads cannot make the server hold a run's history in memory.
 */
export const MAX_BUFFERED_BYTES = 256 * 1024;

/** The limits of LiveStreams; tests lower them. */
export interface StreamLimits {
  max: number;
  perClient: number;
  lifetimeMs: number;
  maxBuffered: number;
  /** How often each stream's run is looked at besides fs.watch (EventsTail's POLL_MS by default). */
  pollMs?: number;
}

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
  private readonly perClient = new Map<string, number>();
  private readonly responses = new Set<ServerResponse>();
  private readonly limits: StreamLimits;

  /**
   * @param root the runs folder: the files a stream reads must really lie under it.
   * @param limits streams at once, per client, their lifetime and the bytes queued per client.
   */
  constructor(private readonly root?: string, limits: Partial<StreamLimits> = {}) {
    this.limits = { max: MAX_STREAMS, perClient: MAX_STREAMS_PER_CLIENT, lifetimeMs: STREAM_LIFETIME_MS, maxBuffered: MAX_BUFFERED_BYTES, ...limits };
  }

  /** How many streams are open now. */
  get count(): number {
    return this.open_;
  }

  /** Bytes written to open streams that their clients have not taken yet. */
  get queuedBytes(): number {
    let total = 0;
    for (const res of this.responses) total += res.writableLength;
    return total;
  }

  /**
   * Answers `request` with the event stream of the run folder `dir`, or 503 when too many
   * streams are open.
   * @param request the request.
   * @param reply its reply, taken over for the stream's lifetime.
   * @param dir the run folder, already checked to lie under the runs folder.
   */
  open(request: FastifyRequest, reply: FastifyReply, dir: string): FastifyReply {
    const { max, perClient, lifetimeMs, maxBuffered } = this.limits;
    if (this.open_ >= max) return reply.code(503).header('retry-after', '5').send({ error: 'too many live views open; close some and retry' });
    const client = request.ip;
    const held = this.perClient.get(client) ?? 0;
    if (held >= perClient) return reply.code(429).header('retry-after', '5').send({ error: `this client holds ${held} live views already, the most one may; close some and retry` });
    this.open_++;
    this.perClient.set(client, held + 1);
    // The stream outlives the handler: fastify lets go of the reply, so headers are set here.
    reply.hijack();
    const res = reply.raw;
    this.responses.add(res);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
      'content-security-policy': APP_CSP,
    });
    let id = 0;
    // What a client has not read stays queued here: past the limit the run is not read further
    // (the tail waits, as `ready` says), and far past it the stream is closed.
    const send = (text: string) => {
      // The tail stops reading past maxBuffered, but a read already under way (up to 1 MiB)
      // still lands: a stream beyond that has a client that is gone or stuck.
      if (res.writableLength > maxBuffered + (2 << 20)) res.destroy();
      else res.write(text);
    };
    // Tells EventSource to wait 1 s before reconnecting after the server closes a stream.
    send('retry: 1000\n\n');
    const tail = new EventsTail(dir, (message) => {
      if (message.type === 'reset') send('event: reset\ndata: {}\n\n');
      else if (message.type === 'picture') send(`event: picture\ndata: ${JSON.stringify({ file: message.file, version: message.version })}\n\n`);
      else for (const event of message.events) send(`id: ${++id}\nevent: run\ndata: ${JSON.stringify(event)}\n\n`);
    }, { root: this.root, ready: () => res.writableLength < maxBuffered, pollMs: this.limits.pollMs });
    const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    // `event: stopped` when the run's process is found gone; said again only after it trains again.
    let saidStopped = false;
    const checkStopped = () => {
      const stopped = runStopped(dir, this.root);
      if (stopped && !saidStopped) send('event: stopped\ndata: {}\n\n');
      saidStopped = stopped;
    };
    const stoppedCheck = setInterval(checkStopped, STOPPED_CHECK_MS);
    stoppedCheck.unref();
    // Ended after its lifetime: a stream cannot be held for ever; the page reconnects.
    const lifetime = setTimeout(() => res.end(), lifetimeMs);
    lifetime.unref();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      tail.stop();
      clearInterval(heartbeat);
      clearInterval(stoppedCheck);
      clearTimeout(lifetime);
      this.responses.delete(res);
      this.open_--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    };
    request.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
    tail.start();
    checkStopped();
    return reply;
  }
}

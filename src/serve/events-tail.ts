/**
 * Follows a run folder's events.jsonl as the training process appends to it, the way `tail -f`
 * does, and hands each new whole line on as a RunEvent. It watches the folder with fs.watch for
 * prompt news and also polls, because fs.watch is not reliable everywhere (network and overlay
 * file systems, some containers drop or never send its events); where fs.watch cannot start at
 * all the poll alone still works.
 */
import { closeSync, type FSWatcher, openSync, readSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { parseRunEvents, type RunEvent } from '../run/run-events.js';
import { fileUnder } from './safe-path.js';

/** The file followed inside the run folder. */
const EVENTS_FILE = 'events.jsonl';

/** How often the poll looks, in milliseconds, when fs.watch says nothing. */
export const POLL_MS = 500;

/** At most this many bytes are read per look; the rest comes on the next one. */
const MAX_READ = 1 << 20;

/** Pictures a live view redraws when the run replaces them (each epoch, by an atomic rename). */
export const LIVE_PICTURES = ['reconstructions.png'] as const;

/**
 * What a listener of EventsTail hears: new events; that the file was replaced (a run restarted
 * with --force); or that a picture was rewritten, with its mtime as a version for cache busting.
 */
export type TailMessage =
  | { type: 'events'; events: RunEvent[] }
  | { type: 'reset' }
  | { type: 'picture'; file: string; version: number };

/**
 * Follows `<dir>/events.jsonl` from its start: the events already there come first, then new ones
 * as they are written. A last line still being written waits until its newline arrives.
 * @example
 * const tail = new EventsTail('runs/live', (m) => { if (m.type === 'events') console.log(m.events); });
 * tail.start(); // … later: tail.stop();
 */
export class EventsTail {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private identity = '';
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly pictureVersions = new Map<string, number>();

  /**
   * @param dir the run folder.
   * @param listener called with each batch of new events, in order.
   * @param options how often to poll besides fs.watch; `watch: false` polls alone (as where fs.watch fails);
   *   `root`, the folder every file read must really lie under (default: the run folder itself);
   *   `ready`, false while the reader cannot take more (a client that does not read): nothing is read then.
   */
  constructor(
    private readonly dir: string,
    private readonly listener: (message: TailMessage) => void,
    private readonly options: { pollMs?: number; watch?: boolean; root?: string; ready?: () => boolean } = {},
  ) {}

  /** Reads what is there now and starts watching. */
  start(): void {
    if (this.options.watch !== false) this.watch();
    this.timer = setInterval(() => this.check(), this.options.pollMs ?? POLL_MS);
    this.timer.unref();
    this.check();
  }

  private watch(): void {
    try {
      // The folder, not the file: the file may not exist yet, and a rename over it ends a file watch.
      this.watcher = watch(this.dir, { persistent: false }, (_kind, name) => {
        if (name === null || name === EVENTS_FILE || (LIVE_PICTURES as readonly string[]).includes(name)) this.check();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = null; // No fs.watch here (or too many watchers): the poll carries on alone.
    }
  }

  /** Stops watching and polling; no more calls to the listener. */
  stop(): void {
    this.stopped = true;
    this.stopWatching();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Passes on whatever was appended since the last look, as whole lines, then any picture rewritten. */
  check(): void {
    if (this.stopped || this.options.ready?.() === false) return;
    this.checkEvents();
    this.checkPictures();
  }

  /**
   * A picture is announced once it is there and each time its mtime changes. The events come
   * first: an epoch's event is written before its picture, so a page hears of the epoch, then of
   * the picture, and never asks for a picture that is not there yet.
   */
  private checkPictures(): void {
    for (const file of LIVE_PICTURES) {
      let version: number;
      const real = fileUnder(this.options.root ?? this.dir, join(this.dir, file));
      if (real === null) continue;
      try {
        version = statSync(real).mtimeMs;
      } catch {
        continue;
      }
      if (this.pictureVersions.get(file) === version) continue;
      this.pictureVersions.set(file, version);
      this.listener({ type: 'picture', file, version });
    }
  }

  private checkEvents(): void {
    // A link leading out of the runs folder is not followed: read by its real path, only inside.
    const path = fileUnder(this.options.root ?? this.dir, join(this.dir, EVENTS_FILE));
    if (path === null) return;
    let size: number;
    let identity: string;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return;
      size = stat.size;
      identity = `${stat.dev}:${stat.ino}`;
    } catch {
      return; // Not written yet.
    }
    // Another file under the name, or a shorter one: the run started over; so does the reader.
    if ((this.identity !== '' && identity !== this.identity) || size < this.offset) {
      this.offset = 0;
      this.pending = Buffer.alloc(0);
      this.listener({ type: 'reset' });
    }
    this.identity = identity;
    if (size === this.offset) return;
    const chunk = this.read(path, this.offset, Math.min(size - this.offset, MAX_READ));
    if (chunk === null) return;
    this.offset += chunk.length;
    // Bytes, not text, wait for the newline: a UTF-8 character is never split by a 0x0a byte.
    const buffered = Buffer.concat([this.pending, chunk]);
    const lastNewline = buffered.lastIndexOf(0x0a);
    this.pending = buffered.subarray(lastNewline + 1);
    if (lastNewline < 0) return;
    const events = parseRunEvents(buffered.subarray(0, lastNewline + 1).toString('utf8'));
    if (events.length > 0) this.listener({ type: 'events', events });
  }

  /** Up to `length` bytes of the file from `position`; null when it cannot be opened. */
  private read(path: string, position: number, length: number): Buffer | null {
    const buffer = Buffer.alloc(length);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
    } finally {
      closeSync(fd);
    }
  }
}

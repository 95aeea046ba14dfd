/**
 * The run list: every output folder under the runs folder, found a few levels deep (a comparison
 * keeps its runs in runs/compare-x/deep), each summarized once and then again only when its
 * records change. Listing a thousand folders costs a readdir and a few stats per folder; the JSON
 * is read again only for folders whose records have a new mtime or size.
 */
import { type Dirent, readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathSegments, resolveUnder } from './safe-path.js';
import { RECORD_FILES, type RunSummary, summarizeRun } from './run-summary.js';

/** How deep under the runs folder output folders are looked for: runs/a, runs/a/b, runs/a/b/c. */
export const MAX_DEPTH = 3;

/** Folders never looked into: dependencies and build output a runs folder may sit beside. */
const SKIPPED = new Set(['node_modules']);

interface CacheEntry {
  key: string;
  summary: RunSummary;
}

/**
 * Lists the runs under one folder, remembering each folder's summary until its records change.
 * @example
 * const runs = new RunList('runs');
 * for (const run of runs.list()) console.log(run.id, run.sse);
 */
export class RunList {
  private readonly cache = new Map<string, CacheEntry>();
  private last: { at: number; rows: RunSummary[] } | null = null;

  /**
   * @param root the runs folder.
   * @param maxAgeMs a listing this fresh is answered again without looking at the disk: many
   *   clients asking at once then cost one walk of the folder a window. 0 looks every time.
   */
  constructor(readonly root: string, private readonly maxAgeMs = 0) {}

  /**
   * Every output folder under the root, newest first. Folders and symlinks whose names start
   * with a dot, and symlinked folders, are not entered: the list shows what is really there.
   */
  list(): RunSummary[] {
    if (this.last && performance.now() - this.last.at < this.maxAgeMs) return this.last.rows;
    const seen = new Set<string>();
    const rows: RunSummary[] = [];
    this.walk(this.root, [], rows, seen);
    // Folders that went away leave the cache too, so it never outgrows the runs folder.
    for (const id of this.cache.keys()) if (!seen.has(id)) this.cache.delete(id);
    rows.sort((a, b) => b.date.localeCompare(a.date) || a.id.localeCompare(b.id));
    this.last = { at: performance.now(), rows };
    return rows;
  }

  /**
   * The summary of one run folder, or null when `id` names no output folder under the root.
   * @param id the folder relative to the root, e.g. `compare-x/deep`.
   */
  get(id: string): RunSummary | null {
    const segments = pathSegments(id);
    if (segments === null || segments.length === 0 || segments.length > MAX_DEPTH) return null;
    if (resolveUnder(this.root, id) === null) return null;
    return this.summarize(join(this.root, ...segments), segments.join('/'), null);
  }

  private walk(dir: string, segments: string[], rows: RunSummary[], seen: Set<string>): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // Removed while listing, or not readable: nothing to show.
    }
    if (segments.length > 0) {
      const id = segments.join('/');
      const summary = this.summarize(dir, id, new Set(entries.filter((e) => e.isFile()).map((e) => e.name)));
      if (summary) {
        rows.push(summary);
        seen.add(id);
      }
    }
    if (segments.length >= MAX_DEPTH) return;
    for (const entry of entries) {
      // isDirectory() of a Dirent is false for a symlink, so links are never followed here.
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      if (pathSegments(entry.name) === null) continue;
      this.walk(join(dir, entry.name), [...segments, entry.name], rows, seen);
    }
  }

  /** The folder's summary, from the cache while its records are unchanged; null if it is no output folder. */
  private summarize(dir: string, id: string, files: Set<string> | null): RunSummary | null {
    const recordFile = RECORD_FILES.find((f) => (files ? files.has(f) : statOrNull(join(dir, f))?.isFile()));
    if (!recordFile) return null;
    const recordStat = statOrNull(join(dir, recordFile));
    if (!recordStat) return null;
    const stamp = (s: Stats | null) => (s ? `${s.mtimeMs}:${s.size}` : '-');
    // metrics.json and report.html appear as a run ends; either changes the row.
    const key = [recordFile, stamp(recordStat), stamp(statOrNull(join(dir, 'metrics.json'))), stamp(statOrNull(join(dir, 'report.html')))].join('|');
    const cached = this.cache.get(id);
    // A training run's process can end without writing anything (killed): its row is read again.
    if (cached?.key === key && cached.summary.status !== 'training') return cached.summary;
    const summary = summarizeRun(dir, id, recordFile, recordStat, this.root);
    this.cache.set(id, { key, summary });
    return summary;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

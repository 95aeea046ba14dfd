/**
 * Which paths the dashboard may touch: only files and folders under its runs folder, named
 * plainly. A request's path is checked twice: by its spelling (no `..`, no dotfiles, no
 * backslashes or NUL bytes), then by where it really leads on disk (its realpath must stay under
 * the runs folder's realpath), so a symlink inside the runs folder that points outside is not
 * followed out.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';

/**
 * The kinds of file the dashboard serves from run folders: the report, pictures, and the run's
 * own records. Weights, checkpoints and anything else stay on disk.
 */
export const SERVED_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.png', '.svg', '.json', '.jsonl']);

/**
 * The segments of a relative path inside the runs folder, or null when its spelling is not one
 * the dashboard serves: empty segments, `.` and `..`, names starting with a dot, backslashes,
 * NUL and other control characters, or `%` left over from a second round of URL encoding.
 * @param relative a path relative to the runs folder, already URL-decoded once, `/`-separated.
 * @example
 * pathSegments('compare-x/deep/report.html'); // ['compare-x', 'deep', 'report.html']
 * pathSegments('../etc/passwd'); // null
 */
export function pathSegments(relative: string): string[] | null {
  const trimmed = relative.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  const segments = trimmed.split('/');
  for (const segment of segments) {
    // A `%` in a decoded path is a second encoding (%252e%252e); no run folder's name needs one.
    // eslint-disable-next-line no-control-regex
    if (segment === '' || segment.startsWith('.') || /[\\%\u0000-\u001f\u007f]/.test(segment)) return null;
  }
  return segments;
}

/**
 * The real path of `relative` under `root`, or null when it is spelled badly (see pathSegments),
 * does not exist, or really lies outside `root` (through a symlink).
 * @param root the runs folder.
 * @param relative the path asked for, relative to `root`.
 * @example
 * resolveUnder('runs', 'deep/report.html'); // '/home/me/runs/deep/report.html'
 */
export function resolveUnder(root: string, relative: string): string | null {
  const segments = pathSegments(relative);
  if (segments === null) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(join(realRoot, ...segments));
  } catch {
    return null;
  }
  return real === realRoot || real.startsWith(realRoot + sep) ? real : null;
}

/**
 * Whether the dashboard serves the file at `relative` under `root`: well spelled, inside the runs
 * folder once symlinks are followed, and of a kind in SERVED_EXTENSIONS.
 * @param root the runs folder.
 * @param relative the path asked for.
 * @example
 * isServedFile('runs', 'deep/model.safetensors'); // false
 */
export function isServedFile(root: string, relative: string): boolean {
  const real = resolveUnder(root, relative);
  return real !== null && SERVED_EXTENSIONS.has(extname(real).toLowerCase()) && SERVED_EXTENSIONS.has(extname(relative).toLowerCase());
}

/**
 * The real path of the regular file at `path` when it lies under `root` once every symlink is
 * followed; null when it is missing, not a regular file, or outside. Every file the dashboard
 * reads from a run folder (records, events, pictures) passes here first, and is then read by
 * this real path, not by the one it was named by.
 * @param root the runs folder (or a run folder inside it).
 * @param path the file, inside `root` by its spelling.
 * @example
 * fileUnder('/home/me/runs', '/home/me/runs/deep/metrics.json'); // null when metrics.json links to /etc/passwd
 */
export function fileUnder(root: string, path: string): string | null {
  const real = pathUnder(root, path);
  try {
    return real !== null && statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The real path of `path` when it lies under `root`'s, else null (a regular file or not). */
function pathUnder(root: string, path: string): string | null {
  try {
    const real = realpathSync.native(path);
    return real.startsWith(realRootOf(root) + sep) ? real : null;
  } catch {
    return null;
  }
}

const realRoots = new Map<string, string>();

/** The realpath of a root, remembered: a dashboard's runs folder (already real) is asked for on every read. */
function realRootOf(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = realpathSync.native(root);
    if (realRoots.size > 1000) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/**
 * The bytes of a file under `root` (see fileUnder), at most `maxBytes` of them.
 * @throws Error saying why, never quoting the file: missing, outside the runs folder, too large
 * @example
 * const text = readFileUnder(root, join(dir, 'metrics.json'), 4 << 20).toString('utf8');
 */
export function readFileUnder(root: string, path: string, maxBytes: number): Buffer {
  const real = pathUnder(root, path);
  const refused = () => new Error(existsSync(path) ? 'not a regular file inside the runs folder (a link leading out of it?)' : 'missing');
  if (real === null) throw refused();
  // One open, then questions to the open file: what is read is what was checked.
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    throw refused();
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refused();
    if (stat.size > maxBytes) throw new Error(`more than ${maxBytes} bytes, more than a record holds`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * JSON text parsed; on a syntax error, an Error that does not quote the text (the parser's own
 * message shows a piece of the file, which may not be the runs folder's to show).
 */
export function parseJsonQuietly(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('not valid JSON');
  }
}

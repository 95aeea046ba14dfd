/**
 * Which paths the dashboard may touch: only files and folders under its runs folder, named
 * plainly. A request's path is checked twice: by its spelling (no `..`, no dotfiles, no
 * backslashes or NUL bytes), then by where it really leads on disk (its realpath must stay under
 * the runs folder's realpath), so a symlink inside the runs folder that points outside is not
 * followed out.
 */
import { realpathSync } from 'node:fs';
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

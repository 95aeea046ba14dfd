/**
 * `aekit serve`: the local dashboard over a runs folder. It prints where it listens and serves
 * until Ctrl-C (or SIGTERM), then closes its connections and exits 0.
 */
import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_PORT, DEFAULT_RATE_LIMIT, isLoopback } from '../../serve/defaults.js';
import { nonNegativeInt } from '../options.js';
import { emit } from '../output.js';

interface ServeFlags {
  runs: string;
  port: number;
  host: string;
  open: boolean;
  rateLimit: number;
  allowHost: string[];
  json: boolean;
}

/** Collects a repeated option's values. */
function collect(value: string, previous: string[]): string[] {
  if (!/^[a-z0-9.:[\]-]+$/i.test(value)) throw new InvalidArgumentError(`expected a host name or address, got "${value}"`);
  return [...previous, value];
}

/** A TCP port: 0 (any free one) to 65535. */
function port(text: string): number {
  const n = nonNegativeInt(text);
  if (n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${text}"`);
  return n;
}

/** The serve command. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('A local dashboard of your runs: list, reports, loss curves compared, and runs in progress live')
    .option('--runs <dir>', 'the folder your runs are in, searched three levels deep', 'runs')
    .option('--port <n>', 'port to listen on; 0 picks a free one', port, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on; anything but 127.0.0.1/localhost lets other machines connect', '127.0.0.1')
    .option('--open', 'open the dashboard in your web browser', false)
    .option('--rate-limit <n>', 'requests per minute per client, 0 for none', nonNegativeInt, DEFAULT_RATE_LIMIT)
    .option('--allow-host <name>', 'also answer to this Host name (repeatable); loopback names, the bound address and this machine\'s name always are', collect, [])
    .option('--json', 'print one JSON object ({"url": …}) on stdout once listening', false)
    .addHelpText('after', `
The dashboard shows every output folder under --runs (training runs, classifiers, compare, pca,
anomaly and segment folders): a table of preset, data, status, test sse/bce or the folder's
headline metric and date, sorted by clicking a column; each run's report.html; the loss curves of
the runs you tick, on one plot; and a run still training, live: its loss curve and
reconstructions redraw as each epoch ends (the server watches the run's events.jsonl).

It listens on 127.0.0.1 only unless --host says otherwise, and answers only to Host names it
knows (loopback names, the bound address, this machine's name, --allow-host), whatever the bind.
Bound to any other address, it asks for a random access token made at start: open the URL it
prints (…/?token=…) once, and the browser keeps the token in a cookie.
It serves only report pages, pictures and JSON records from under --runs (no folder listings, no
dotfiles, nothing a symlink leads to outside it), answers GET only, and never runs anything
from a run folder.

Examples:
  $ aekit serve                                  # runs/ at http://127.0.0.1:6006/
  $ aekit serve --runs experiments --port 8080 --open
  $ aekit train --preset deep --out runs/deep &  # then watch it live in the dashboard
  $ aekit serve --host 0.0.0.0                   # let other machines on your network look`)
    .action(async (flags: ServeFlags) => {
      // Loaded here, not at the top: fastify would otherwise load with every aekit command.
      const { startDashboard } = await import('../../serve/server.js');
      const dashboard = await startDashboard({ runs: flags.runs, host: flags.host, port: flags.port, rateLimit: flags.rateLimit, allowHosts: flags.allowHost });
      emit(flags.json, { url: dashboard.url, runs: flags.runs, host: flags.host }, () => `aekit dashboard of ${flags.runs}/ at ${dashboard.url} (Ctrl-C to stop)`);
      if (!isLoopback(flags.host)) process.stderr.write(`aekit: listening on ${flags.host}: other machines that reach it with the token in its URL can read your runs' reports\n`);
      if (flags.open) openBrowser(dashboard.url);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dashboard.close();
    });
}

/** Opens `url` in the desktop's browser; a machine without one only misses the convenience, and is told the address. */
function openBrowser(url: string): void {
  const opener = browserOpener(process.platform, process.env);
  const yourself = (why: string) => process.stderr.write(`aekit: ${why}; open ${url} yourself\n`);
  if (opener.command === null) {
    yourself(opener.why);
    return;
  }
  const command = opener.command;
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => yourself(`could not open a browser (${command})`));
    // xdg-open without a browser it can start exits with an error and says nothing.
    child.on('exit', (code) => { if (code !== 0) yourself(`${command} could not open a browser (exit code ${code})`); });
    child.unref();
  } catch {
    yourself('could not open a browser');
  }
}

/**
 * How this machine opens a web page: the command, or why it cannot (a Linux session with no
 * display, where xdg-open would fail without a word).
 * @example
 * browserOpener('linux', {}); // { command: null, why: 'no display to open a browser on (DISPLAY and WAYLAND_DISPLAY are unset)' }
 */
export function browserOpener(platform: string, env: Record<string, string | undefined>): { command: string; why: null } | { command: null; why: string } {
  if (platform === 'darwin') return { command: 'open', why: null };
  if (platform === 'win32') return { command: 'explorer', why: null };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { command: null, why: 'no display to open a browser on (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { command: 'xdg-open', why: null };
}

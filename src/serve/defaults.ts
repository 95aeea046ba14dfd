/**
 * The dashboard's defaults and the loopback test, apart from the server so that the command line
 * can show them in `aekit serve --help` without loading fastify: every `aekit` command starts by
 * building the whole command tree, and the server's modules would add to each start.
 */

/** Default port, TensorBoard's, which people already type. */
export const DEFAULT_PORT = 6006;

/** Requests per minute per client, by default: far above what a person clicking through runs makes. */
export const DEFAULT_RATE_LIMIT = 3000;

/** Names a loopback dashboard answers to. */
export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether `host` is a loopback address, where only this machine's pages and programs can connect.
 * @param host an address or name to bind to.
 * @example
 * isLoopback('127.0.0.1'); // true
 */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

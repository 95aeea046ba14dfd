/**
 * The `apache-arrow` package, loaded on first use: it is large (about half a second to load), and
 * every command would pay for it at startup if it were imported statically, Arrow file or not.
 * `require` keeps the loaders synchronous, as the rest of data/ is.
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import type { Footer } from 'apache-arrow/ipc/metadata/file';

const require = createRequire(import.meta.url);
let arrow: typeof Arrow | undefined;
let footer: typeof Footer | undefined;

/**
 * The apache-arrow module.
 * @example
 * const { tableToIPC, tableFromArrays } = arrowLib();
 */
export function arrowLib(): typeof Arrow {
  arrow ??= require('apache-arrow') as typeof Arrow;
  return arrow;
}

/**
 * Arrow's file footer class (the record batches' places in an IPC file), from the same build.
 * @example
 * const f = arrowFooter().decode(bytes);
 */
export function arrowFooter(): typeof Footer {
  footer ??= (require('apache-arrow/ipc/metadata/file') as { Footer: typeof Footer }).Footer;
  return footer;
}

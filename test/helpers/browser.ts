/**
 * Headless Chromium for page tests: Debian's /usr/bin/chromium driven by playwright-core, never a
 * browser download. One browser per test file (launch is the slow part); the file closes it in its
 * top-level after(). On a machine without Chromium (a fresh clone after `npm install`) the browser
 * tests are skipped, each saying so in one line; with AEKIT_REQUIRE_BROWSER=1 (.ci/run sets it
 * after installing Chromium through scripts/setup-browser.sh) they run and fail where it cannot
 * start, so a skip in CI never hides a broken set-up.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Debian's chromium package puts the browser (AEKIT_CHROMIUM names another, as the skip's own test does). */
export const CHROMIUM = process.env.AEKIT_CHROMIUM ?? '/usr/bin/chromium';

/** The flags of ../shared/DESIGN.md: headless, no sandbox (CI runs as root), nothing phoning home. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run',
];

/**
 * Why the browser tests are skipped here (for node:test's `skip` option), or false when they run:
 * they run when Chromium is installed or when AEKIT_REQUIRE_BROWSER=1 requires them.
 * @example
 * test('the page draws', { skip: browserSkip }, async () => { … });
 */
export const browserSkip: string | false = process.env.AEKIT_REQUIRE_BROWSER === '1' || existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}; \`bash scripts/setup-browser.sh\` installs it (AEKIT_REQUIRE_BROWSER=1 makes this a failure)`;

const HOW_TO_INSTALL = 'run `bash scripts/setup-browser.sh` (it installs Debian\'s chromium; .ci/run does the same)';

/**
 * Launches Chromium. (It does not register its own after(): called from a before() hook, that
 * would close the browser as soon as the hook ends.)
 * @throws Error saying how to install Chromium when it is missing or does not start.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Chromium; ${HOW_TO_INSTALL}`);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true, timeout: 60_000 });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start (${(error as Error).message.split('\n')[0]}); ${HOW_TO_INSTALL}`);
  }
  return browser;
}

/**
 * A page whose script errors and failed requests fail the test that reads them: `errors` collects
 * uncaught exceptions and console errors.
 * @param browser the file's browser.
 */
export async function watchedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  return { page, errors };
}

/**
 * The number of points of each line the page's plot in `selector` draws: the vertices of each
 * Vega line mark's path (`M x,y L x,y …`), one per epoch.
 * @param page the page.
 * @param selector the plot's container, e.g. '#loss-curve'.
 */
export async function linePointCounts(page: Page, selector: string): Promise<number[]> {
  // A string expression: the tests compile without the DOM's types.
  const paths: unknown = await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(`${selector} svg g.mark-line path`)})].map((p) => p.getAttribute('d') ?? '')`);
  return (paths as string[]).map((d) => (d.match(/[ML]/g) ?? []).length);
}

/**
 * Waits until the string expression is truthy in the page, asking every 50 ms. Playwright's own
 * waitForFunction polls a string predicate with eval inside the page, which the dashboard's
 * Content-Security-Policy (script-src 'self') rightly forbids (it failed in CI whenever the
 * condition did not hold at once); page.evaluate goes through the debugging protocol instead.
 * @throws Error naming the expression after `timeoutMs`.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await page.evaluate(expression)); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`still false after ${timeoutMs} ms: ${expression}`);
  }
}

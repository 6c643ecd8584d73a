/**
 * Headless Chromium for browser tests: Debian's `chromium` package driven by `playwright-core` (no
 * browser download). A missing browser is a failure that says how to install it, never a skip: CI
 * installs it (`.ci/run`), and a dashboard that was never opened is not a tested dashboard.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where distributions put Chromium; `CHROMIUM_PATH` names another build (e.g. Google Chrome). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a quiet, offline-friendly headless run in containers: no sandbox (CI runs as root), no
 * GPU, no /dev/shm (small in containers), and none of the browser's own background traffic.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class ChromiumMissingError extends Error {
  constructor(looked: readonly string[]) {
    super(
      [
        `Chromium was not found (looked at ${looked.join(', ')}). The dashboard's browser test needs it:`,
        '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium   (.ci/run does this in CI)',
        '  elsewhere:      set CHROMIUM_PATH to a Chromium or Chrome executable',
      ].join('\n'),
    );
    this.name = 'ChromiumMissingError';
  }
}

/** The Chromium executable, or a {@link ChromiumMissingError} saying how to install one. */
export function chromiumPath(): string {
  const looked = [...(process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : []), ...CANDIDATES];
  const found = looked.find((p) => existsSync(p));
  if (!found) throw new ChromiumMissingError(looked);
  return found;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A browser context that can reach only this machine: every request to another host is aborted
 * and recorded, so a test can prove the page needs no network (no CDN, no fonts, no analytics).
 */
export async function loopbackContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext(options);
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:') return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}

/** A page under watch: what it could not reach, its errors, and its Content-Security-Policy violations. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Requests to other hosts, aborted (see {@link loopbackContext}). */
  blocked: string[];
  /** Uncaught errors and console errors, as they happen. */
  problems: string[];
  /** Every CSP violation so far, as `"<directive> <blocked URI>"`. */
  violations: () => Promise<string[]>;
}

/**
 * A page in a fresh loopback-only context that records its errors and every CSP violation from
 * before any of its own scripts run (an init script is the browser's, not the page's, so the
 * policy allows it). Close `context` when done.
 */
export async function watchedPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<WatchedPage> {
  const { context, blocked } = await loopbackContext(browser, options);
  await context.addInitScript(() => {
    const g = globalThis as unknown as { __violations: string[]; document: { addEventListener(type: string, fn: (e: { violatedDirective: string; blockedURI: string }) => void): void } };
    g.__violations = [];
    g.document.addEventListener('securitypolicyviolation', (e) => g.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const violations = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { __violations: string[] }).__violations);
  return { context, page, blocked, problems, violations };
}

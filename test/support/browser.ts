import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** With HICOM_SCREENSHOTS=DIR the walks save their pages there (docs/portal/ holds them). */
export const SCREENSHOTS = process.env.HICOM_SCREENSHOTS;

/** Save the whole page as DIR/NAME.png when HICOM_SCREENSHOTS is set. */
export async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Debian's Chromium (scripts/test-deps.sh installs it); playwright-core drives it, it never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far (a CSP violation shows here). */
  problems: string[];
}

/**
 * The browser's environment: the test's, without libfaketime. Under
 * scripts/test-at.sh the processes under test run on a shifted clock; Chromium
 * under libfaketime runs about twenty times slower (the walks time out), and
 * what its pages show of the time comes from the centre's clock anyway.
 */
function browserEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('FAKETIME')));
  if (env.LD_PRELOAD) env.LD_PRELOAD = env.LD_PRELOAD.split(/[: ]/).filter((lib) => lib !== '' && !/faketime/.test(lib)).join(':');
  if (env.LD_PRELOAD === '') delete env.LD_PRELOAD;
  return env;
}

/**
 * A headless Chromium with a fresh profile (its own user-data-dir, removed
 * in teardown) and one page whose console errors are collected, for tests
 * that look at what a person would see: the timeline report, the portal.
 */
export async function openBrowser(t: { teardown(fn: () => void | Promise<void>): void }, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'hicom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: browserEnv(),
    viewport: options.viewport ?? { width: 1280, height: 900 },
  });
  t.teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

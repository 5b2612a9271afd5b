import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it where missing). */
const CHROMIUM = '/usr/bin/chromium';

// Nothing but the page under test: no sandbox (containers), no GPU, no QUIC, no calls home.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The pictures README shows are refreshed on purpose (CONSOLE_SCREENSHOTS=docs); an ordinary run
// writes them under test-results/ (ignored by git), where a failed run's pages can be looked at.
const SCREENSHOTS = new URL(
  process.env.CONSOLE_SCREENSHOTS === 'docs' ? '../../docs/console/' : '../../test-results/console/',
  import.meta.url,
);

/** A real Chromium with a fresh profile, one page open; closed (profile removed) when the test ends. */
export async function browserPage(): Promise<Page> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'ifs-chromium-'));
  // A persistent context is how Playwright takes a user-data-dir of our choosing.
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  });
  onTestFinished(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return page;
}

/** Writes the page (the whole of it, or what a 1280×800 window shows) to <name>.png under SCREENSHOTS. */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: new URL(`${name}.png`, SCREENSHOTS).pathname,
    fullPage: options.fullPage ?? true,
  });
}

/** Signs in through the console's form. */
export async function signIn(page: Page, base: string, name: string, token: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Console token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

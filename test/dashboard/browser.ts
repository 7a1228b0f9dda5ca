/**
 * Launches Debian's chromium through playwright-core for the dashboard's browser tests. A missing
 * chromium is a test FAILURE with a clear message (CI installs it), never a silent skip.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (a CI artifact). */
export const ARTIFACTS_DIR = resolve('artifacts', 'dashboard');

export interface LaunchedBrowser {
  /** A persistent context on a fresh profile directory (removed on close). */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `chromium not found at ${CHROMIUM_PATH}: the dashboard's browser tests need it ` +
        '(install it with `apt-get install -y chromium`, as .ci/run does, or set CHROMIUM_PATH)',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'elevator-dashboard-chromium-'));
  // A fresh --user-data-dir: playwright takes it as the persistent context's directory.
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    viewport: { width: 1500, height: 1000 },
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The path of a screenshot file in {@link ARTIFACTS_DIR} (created if needed). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

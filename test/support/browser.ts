import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/**
 * Debian's Chromium: scripts/test.sh installs it if needed (scripts/ensure-chromium.sh) and exports
 * CHROMIUM_PATH. Playwright's own browser downloads can't be fetched here, so it always drives this one.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for headless Chromium as root on a machine without outside network: without the
 * background-networking ones Chromium keeps trying to reach Google's hosts at every start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/**
 * A headless Chromium with a fresh, empty profile: `chromium.launch` gives every browser its own
 * temporary user-data dir and deletes it on `close()`. Close the browser in an afterAll/finally.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

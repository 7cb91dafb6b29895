/**
 * Headless Debian Chromium for browser tests (CI installs it; a missing binary fails the test).
 * The background-networking flags matter: this machine's closed network refuses Chromium's own
 * connections, many at a time, without them.
 */
import { type Browser, chromium } from 'playwright-core';

/** Launches /usr/bin/chromium headless, sandbox off (tests run as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

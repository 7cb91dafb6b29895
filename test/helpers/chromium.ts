/**
 * Headless Chromium for browser tests: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium, else the
 * one bundled in the `@sparticuz/chromium` devDependency (test/helpers/prereqs.ts). A missing
 * browser fails the test with one line saying what to install. The background-networking flags
 * matter: this machine's closed network refuses Chromium's own connections, many at a time,
 * without them.
 */
import { type Browser, chromium } from 'playwright-core';
import { requireChromium } from './prereqs';

/** Launches Chromium headless, sandbox off (tests run as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    timeout: 60_000,
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

/**
 * Where the SDK runs, and what it tells the server about itself: the `user-agent` (SDK name and
 * version, Node version, platform, then the application's `appInfo`) and the browser check that
 * keeps platform secrets out of web pages.
 */
import { VERSION } from '../version';

/** The application using the SDK, appended to the `user-agent` (e.g. `acme-broker/2.3.1 (+https://acme.example)`). */
export interface AppInfo {
  /** Application name (letters, digits and `._-`; other characters are replaced by `-`). */
  name: string;
  /** Application version. */
  version?: string | undefined;
  /** A URL about the application. */
  url?: string | undefined;
}

/** True in Node (and runtimes that present as Node). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** True in a web page or worker-like browser context (not Node, Deno or Bun pretending to have a window). */
export function isBrowser(): boolean {
  const g = globalThis as { window?: { document?: unknown }; navigator?: unknown };
  return !isNode() && !!g.window?.document && !!g.navigator;
}

/**
 * The `user-agent` value, or undefined in browsers: they send their own and refuse (or preflight)
 * a script-set one, so there the SDK adds nothing.
 */
export function userAgent(app?: AppInfo): string | undefined {
  if (!isNode()) return undefined;
  const token = (text: string) => text.replace(/[^\w.-]/g, '-');
  const suffix = app
    ? ` ${token(app.name)}${app.version ? `/${token(app.version)}` : ''}${app.url ? ` (${app.url.replace(/[()\s]/g, '')})` : ''}`
    : '';
  return `connect-trade/${VERSION} node/${process.version} ${process.platform}-${process.arch}${suffix}`;
}

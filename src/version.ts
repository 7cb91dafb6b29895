/**
 * The SDK's version, from package.json. The build (tsup `define`) replaces
 * `__CONNECT_TRADE_VERSION__` with the version string, and the fallback then folds away; run from
 * source (ts-jest, tsx) the identifier is undefined and package.json is read instead.
 */
declare const __CONNECT_TRADE_VERSION__: string | undefined;

function sourceVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

/** Version of the connect-trade SDK (package.json's `version`). */
export const VERSION: string =
  typeof __CONNECT_TRADE_VERSION__ === 'string' ? __CONNECT_TRADE_VERSION__ : sourceVersion();

/** The environment that points the SDK (and so every example) at a running sandbox. */
import type { Sandbox } from '../src/sandbox';

/** CONNECT_TRADE_* variables for a sandbox: the URLs of its REST API and both streams, and its credentials. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    CONNECT_TRADE_BASE_URL: sandbox.url,
    CONNECT_TRADE_STREAM_URL: sandbox.streamUrl,
    CONNECT_TRADE_MARKET_DATA_URL: sandbox.marketDataUrl,
    CONNECT_TRADE_CLIENT_ID: sandbox.credentials.clientId,
    CONNECT_TRADE_CLIENT_SECRET: sandbox.credentials.clientSecret,
  };
}

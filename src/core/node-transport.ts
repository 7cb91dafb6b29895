/**
 * Node transport on undici's keep-alive Agent. Going through `Agent#request` instead of fetch skips
 * the WHATWG fetch machinery (Request/Response objects, body streams, redirect bookkeeping) that
 * dominates the cost of a small JSON call; see bench/README.md for the measured difference.
 * undici's `request` never follows redirects, so a 3xx arrives as a response and the retry loop
 * refuses it. Only imported in Node (see transport.ts).
 */
import type { Agent } from 'undici';
import type { Transport } from './transport';

let sharedAgent: Promise<Agent> | undefined;

/** The process-wide keep-alive agent, created on first use. undici is imported here, dynamically, so that merely importing the SDK (or bundling it for a browser) never loads it. */
function agent(): Promise<Agent> {
  sharedAgent ??= import('undici').then(
    ({ Agent }) => new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 }),
  );
  return sharedAgent;
}

/** A transport sending each attempt through the shared undici keep-alive agent (or the one given). */
export async function undiciTransport(given?: Agent): Promise<Transport> {
  const dispatcher = given ?? (await agent());
  return async ({ url, method, headers, body, signal }) => {
    const target = new URL(url);
    const response = await dispatcher.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: method as 'GET',
      headers,
      body: body ?? null,
      signal,
    });
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers))
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: response.statusCode, headers: out, text: await response.body.text() };
  };
}

/**
 * Reading a non-2xx response: its body (JSON, an HTML error page, nothing) becomes the
 * {@link APIError} subclass for its status, with the server's message when it gave one.
 */
import { type APIError, restErrorFactory as errorFactory } from '../core/errors';
import { depthOf } from '../core/json-depth';

// Deeper error bodies are kept as (truncated) text: walking them would overflow the stack.
const MAX_BODY_DEPTH = 64;
const MAX_BODY_TEXT = 65_536;

/** The right APIError subclass for a status, whatever the body (JSON, HTML, empty). */
export function errorFromResponse(
  status: number,
  rawBody: string,
  headers: Headers | Record<string, string>,
): APIError {
  const body = parseBody(rawBody);
  const serverMessage = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  const message = serverMessage ?? (`${status} ${summarize(rawBody)}`.trim() || `HTTP ${status}`);
  return errorFactory.apiError({ status, message, body, headers });
}

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return truncate(raw, MAX_BODY_TEXT);
  }
  return depthOf(parsed, MAX_BODY_DEPTH) > MAX_BODY_DEPTH ? truncate(raw, MAX_BODY_TEXT) : parsed;
}

function summarize(raw: string): string {
  // An HTML error page (a proxy's 502) says little; keep its <title> or a short prefix.
  const title = /<title>([^<]*)<\/title>/i.exec(raw)?.[1];
  return truncate((title ?? raw).replace(/\s+/g, ' ').trim(), 200);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

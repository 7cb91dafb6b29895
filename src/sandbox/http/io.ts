/** Reading request bodies and writing JSON responses on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../http-error';

/** Bodies larger than this are refused (the API's bodies are a few hundred bytes). */
const MAX_BODY_BYTES = 1_000_000;

/** Reads the whole body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw badRequest('request body too large (1 MB at most)', 'payload_too_large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body, requiring `content-type: application/json`; 400 otherwise. */
export function parseJsonBody(req: IncomingMessage, text: string): unknown {
  return parseJsonText(req.headers['content-type'], text);
}

/** Parses a JSON body given its `content-type` header; 400 when missing, of another type, or not JSON. */
export function parseJsonText(contentType: string | string[] | undefined, text: string): unknown {
  if (text.length === 0) throw badRequest('missing request body');
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  if (!/^application\/json\b/i.test(type)) throw badRequest('header `content-type` must be application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON', 'invalid_json');
  }
}

/** Writes a JSON response (or an empty one when `body` is undefined). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

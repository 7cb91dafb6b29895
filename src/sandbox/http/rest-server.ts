/**
 * The REST pipeline on node:http: reads the body, runs the socket-free pipeline
 * (core/rest.ts), writes the answer (or, for the lost-ack fault, destroys the socket after the
 * handler has committed the request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleRestRequest, type RestServerOptions } from '../core/rest';
import { readBody, sendJson } from './io';

export type { RestServerOptions } from '../core/rest';

/** Handles one REST request of the API (not the admin or authorization routes). */
export async function handleRest(
  options: RestServerOptions,
  { req, res, url, requestId }: { req: IncomingMessage; res: ServerResponse; url: URL; requestId: string },
): Promise<void> {
  let body: string;
  try {
    body = await readBody(req);
  } catch (error) {
    const { status, message, code } = error as { status: number; message: string; code: string };
    return sendJson(res, status ?? 400, { message, code }, { 'x-request-id': requestId });
  }
  const answer = await handleRestRequest(options, {
    method: req.method ?? 'GET',
    url,
    headers: req.headers,
    body,
    requestId,
  });
  if (answer.dropped) {
    // The lost ack: the request took effect, but the client never hears about it.
    req.socket.destroy();
    return;
  }
  sendJson(res, answer.status, answer.body, answer.headers);
}

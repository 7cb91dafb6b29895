/**
 * The sandbox's node:http server: REST, the authorization page and the admin endpoint on requests,
 * both streams on WebSocket upgrades. Whatever a client sends, it gets an answer with a JSON body
 * (`{ message, code }`, 4xx for its own faults) and the process keeps serving:
 * - a request target that is not a URL, or a path segment that does not percent-decode: 400;
 * - a request node's HTTP parser refuses (bad header bytes, oversized headers): 400 / 431;
 * - a request without `Host`: answered like any other (the admin endpoint refuses it, 403);
 * - an upgrade to an unknown path or with a broken handshake: 404 / 400 / 405;
 * - a WebSocket frame over {@link MAX_FRAME_BYTES}: ws closes the connection with 1009.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { HttpError } from '../http-error';
import type { SandboxLogger } from '../logger';
import { sendJson } from './io';
import { requestUrl } from './request-target';

/**
 * The largest WebSocket frame (message) a client may send: 64 KiB. Client frames are a few hundred
 * bytes (authenticate, subscribe with a symbol list); a larger one is refused with close 1009
 * instead of being buffered (ws's default would be 100 MiB).
 */
export const MAX_FRAME_BYTES = 64 * 1024;

/** What the server routes to. */
export interface SandboxRoutes {
  /** Handles a request whose target parsed; may throw `HttpError` (answered as JSON). */
  request(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
  /** The stream served at an upgrade path, or undefined (404). */
  stream(pathname: string): ((ws: WebSocket, req: IncomingMessage) => void) | undefined;
  logger: SandboxLogger;
}

/** Writes a whole HTTP response with a JSON body straight to a socket, then ends it. */
function rejectSocket(socket: Duplex, status: number, message: string, code: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify({ message, code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/** node's own status for a parser error (as its default `clientError` handler picks it). */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/** Creates the (not yet listening) server and the WebSocket server behind its upgrades. */
export function createSandboxServer(routes: SandboxRoutes): { server: Server; wss: WebSocketServer } {
  const { logger } = routes;
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await routes.request(req, res, requestUrl(req));
    } catch (error) {
      if (error instanceof HttpError)
        return sendJson(res, error.status, { message: error.message, code: error.code }, error.headers);
      logger.error?.(`sandbox: unhandled ${(error as Error)?.stack ?? String(error)}`);
      sendJson(res, 500, { message: 'internal error in the sandbox', code: 'internal_error' });
    }
  };
  // A request without Host: node would answer an empty 400 itself; the handlers answer it in JSON
  // (REST needs no Host; the admin guard refuses it).
  const server = createServer({ requireHostHeader: false }, (req, res) => void serve(req, res));

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // node's default handler answers in plain text; this one answers in JSON. A response already
    // under way on this connection cannot be followed by another one: only close it then.
    const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    logger.debug?.(`sandbox: refused a malformed request (${error.code ?? error.message})`);
    rejectSocket(socket, clientErrorStatus(error.code), 'malformed HTTP request', 'invalid_request');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  // Without this listener ws answers a broken handshake in plain text; with it, the answer is ours.
  wss.on('wsClientError', (error: Error, socket: Duplex) => {
    const status = /method/i.test(error.message) ? 405 : 400;
    rejectSocket(socket, status, error.message, 'invalid_handshake');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node removes its own error listener from an upgraded socket: a reset must not crash the process.
    socket.on('error', (error) => logger.debug?.(`sandbox: upgrade socket error: ${error.message}`));
    let url: URL;
    try {
      url = requestUrl(req);
    } catch (error) {
      const { message, code } = error as HttpError;
      rejectSocket(socket, 400, message, code);
      return;
    }
    const accept = routes.stream(url.pathname);
    if (!accept) {
      rejectSocket(socket, 404, `no stream at ${url.pathname} (use /stream or /mdstream)`, 'not_found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  });
  return { server, wss };
}

/** A raw HTTP exchange over node:net: the request bytes exactly as given, the response parsed loosely. */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` (CRLF line ends, as written) and reads until the server closes or `timeoutMs`. */
export function rawRequest(port: number, request: string, timeoutMs = 3000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${Buffer.concat(chunks).toString()}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(request);
  });
}

/** A GET with `connection: close`, plus extra header lines. */
export function rawGet(port: number, target: string, headers: string[] = []): Promise<RawResponse> {
  return rawRequest(
    port,
    [`GET ${target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', ...headers, '', ''].join('\r\n'),
  );
}

/** The headers of a WebSocket upgrade request. */
export const UPGRADE_HEADERS = [
  'upgrade: websocket',
  'sec-websocket-version: 13',
  'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
];

/** An upgrade request (its `connection: Upgrade` replaces `close`). */
export function rawUpgrade(
  port: number,
  target: string,
  headers: string[] = UPGRADE_HEADERS,
): Promise<RawResponse> {
  return rawRequest(
    port,
    [`GET ${target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: Upgrade', ...headers, '', ''].join('\r\n'),
  );
}

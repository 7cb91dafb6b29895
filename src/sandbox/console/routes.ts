/**
 * The sandbox's browser pages on node:http: the link page (`/authorize/{connection_id}` and its
 * assets) and the developer console (`/__sandbox/console…`). Both are socket-free handlers
 * (`PageRequest` → `PageResponse`); this module reads the request, runs the shared Host/Origin
 * guard, and writes the answer (or keeps an event stream open).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminPolicy } from '../http/admin-guard';
import { readBody } from '../http/io';
import { decodePathSegment } from '../http/request-target';
import { LINK_CSS, LINK_CSS_PATH, LINK_JS, LINK_JS_PATH } from '../link/html';
import type { LinkPages } from '../link/link-page';
import { guardPage, type PageRequest, type PageResponse, pageResponse } from '../link/page-http';
import { CONSOLE_PATH, type DevConsole } from './dev-console';

const AUTHORIZE = /^\/authorize\/([^/]+)$/;
/** Heartbeat comment on an idle event stream, so proxies and browsers keep it open. */
const EVENT_HEARTBEAT_MS = 15_000;

/** The pages of one sandbox. */
export interface SandboxPages {
  link: LinkPages;
  console: DevConsole;
  policy: AdminPolicy;
}

/** Whether a path belongs to the pages (checked before the admin and REST routes). */
export function ownsPath(pathname: string): boolean {
  return (
    AUTHORIZE.test(pathname) ||
    pathname === LINK_CSS_PATH ||
    pathname === LINK_JS_PATH ||
    pathname === CONSOLE_PATH ||
    pathname.startsWith(`${CONSOLE_PATH}/`)
  );
}

/** Answers a page request without a socket (guard included). */
export async function handlePage(pages: SandboxPages, req: PageRequest): Promise<PageResponse> {
  const { pathname } = req.url;
  const authorize = AUTHORIZE.exec(pathname);
  // A connection id that does not percent-decode is a 400 (JSON, like every malformed target).
  const connectionId = authorize && decodePathSegment(authorize[1] ?? '', 'connection_id');
  const refused = guardPage(req, pages.policy);
  if (refused) return refused;
  if (pathname === LINK_CSS_PATH) return pageResponse(200, 'text/css; charset=utf-8', LINK_CSS);
  if (pathname === LINK_JS_PATH) return pageResponse(200, 'text/javascript; charset=utf-8', LINK_JS);
  if (connectionId !== null) return pages.link.handle(req, connectionId);
  return pages.console.handle(req);
}

/** Serves a page request on node:http. */
export async function servePage(
  pages: SandboxPages,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
  const answer = await handlePage(pages, { method, url, headers: req.headers, body });
  if (res.headersSent || res.destroyed) return;
  if (answer.events) {
    res.writeHead(answer.status, { ...answer.headers, connection: 'keep-alive' });
    res.flushHeaders();
    const send = (event: string, data: unknown) => {
      if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const stop = answer.events.open(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), EVENT_HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
    return;
  }
  const bytes = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(bytes.length) });
  res.end(method === 'HEAD' ? undefined : bytes);
}

/**
 * The developer console at `/__sandbox/console`: a live view of everything the sandbox does (REST
 * requests, stream frames, entities, prices) and its admin controls, for a person at a browser.
 *
 * Entry is by the per-run token the banner prints (`/__sandbox/console?token=…`): the first visit
 * trades it for an HttpOnly, SameSite=Strict cookie scoped to the console and drops it from the
 * address bar. Every console route wants that cookie or the token: none → 401, a wrong one → 403.
 * The live connection is Server-Sent Events (`/__sandbox/console/events`); controls are JSON POSTs
 * to `/__sandbox/console/api/control`. Host and Origin are checked before any of this
 * (`guardPage`).
 */
import { timingSafeEqual } from 'node:crypto';
import { fmt } from '../decimal';
import { type FaultSpec, faultSpecError } from '../faults';
import type { AdminControls } from '../http/admin';
import { esc } from '../link/html';
import { header, type PageRequest, type PageResponse, pageResponse, refusal } from '../link/page-http';
import type { SandboxTraffic } from '../options';
import type { SandboxState } from '../state';
import { consoleAssets } from './assets';
import { forDisplay } from './redact';
import { sdkCall } from './sdk-call';

/** The console's path. */
export const CONSOLE_PATH = '/__sandbox/console';
const COOKIE = 'ct_console';
/** Requests and frames kept for a console opened later. */
const MAX_LOG = 200;
const MAX_FRAMES = 100;
/** Price samples kept per symbol (one per sample interval). */
const MAX_SAMPLES = 600;

/** One logged REST request. */
export interface ConsoleRequest {
  seq: number;
  at: string;
  requestId: string | undefined;
  operationId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number | undefined;
  dropped: boolean;
  requestBody: unknown;
  responseBody: unknown;
  sdk: string | undefined;
}

/** What the console reads and drives. */
export interface DevConsoleDeps {
  state: SandboxState;
  controls: AdminControls;
  /** The per-run token. */
  token: string;
  /** Current prices by symbol. */
  prices(): Record<string, string>;
  /** Milliseconds between live samples of prices and entities. Default 500. */
  sampleMs?: number;
}

type Client = (event: string, data: unknown) => void;

/** The developer console of one sandbox. */
export class DevConsole {
  private readonly log: ConsoleRequest[] = [];
  private readonly frames: unknown[] = [];
  private readonly clients = new Set<Client>();
  private readonly history: { t: number; prices: Record<string, string> }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastEntities = '';
  private seq = 0;

  constructor(private readonly deps: DevConsoleDeps) {}

  /** Records one exchange the sandbox saw (its `onTraffic`). */
  record(entry: SandboxTraffic): void {
    if (entry.kind === 'rest') {
      this.seq += 1;
      const logged: ConsoleRequest = {
        seq: this.seq,
        at: new Date().toISOString(),
        requestId: entry.requestId,
        operationId: entry.operationId,
        method: entry.method,
        path: entry.path,
        status: entry.status,
        durationMs: entry.durationMs,
        dropped: entry.dropped,
        requestBody: forDisplay(entry.requestBody),
        responseBody: forDisplay(entry.responseBody),
        sdk: sdkCall(entry.operationId, entry.path, forDisplay(entry.requestBody)),
      };
      push(this.log, logged, MAX_LOG);
      this.broadcast('request', logged);
    } else {
      const frame = {
        at: new Date().toISOString(),
        stream: entry.stream,
        direction: entry.direction,
        frame: forDisplay(entry.frame),
      };
      push(this.frames, frame, MAX_FRAMES);
      this.broadcast('frame', frame);
    }
  }

  /** Stops sampling and ends every live connection. */
  close(): void {
    this.stopSampling();
    this.clients.clear();
  }

  /** Answers a request under `/__sandbox/console` (Host and Origin already checked). */
  async handle(req: PageRequest): Promise<PageResponse> {
    const path = req.url.pathname;
    const given = req.url.searchParams.get('token') ?? cookie(req, COOKIE);
    if (given === undefined || given === '')
      return this.denied(
        401,
        'The developer console needs the token the sandbox printed at start (…/__sandbox/console?token=…).',
      );
    if (!this.tokenMatches(given)) return this.denied(403, 'That console token is not this sandbox run’s.');
    if (path === CONSOLE_PATH && req.url.searchParams.has('token'))
      // Trade the token in the address bar for a cookie only the console sees.
      return pageResponse(303, 'text/plain; charset=utf-8', 'See /__sandbox/console\n', {
        location: CONSOLE_PATH,
        'set-cookie': `${COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=${CONSOLE_PATH}`,
      });
    if (req.method === 'POST' && path === `${CONSOLE_PATH}/api/control`) return this.control(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refusal(405, 'Method not allowed.');
    if (path === CONSOLE_PATH) return pageResponse(200, 'text/html; charset=utf-8', SHELL);
    if (path === `${CONSOLE_PATH}/console.js`)
      return pageResponse(200, 'text/javascript; charset=utf-8', (await consoleAssets()).js, {
        'cache-control': 'private, max-age=300',
      });
    if (path === `${CONSOLE_PATH}/console.css`)
      return pageResponse(200, 'text/css; charset=utf-8', (await consoleAssets()).css, {
        'cache-control': 'private, max-age=300',
      });
    if (path === `${CONSOLE_PATH}/events`)
      return {
        ...pageResponse(200, 'text/event-stream; charset=utf-8', ''),
        events: { open: (send) => this.subscribe(send) },
      };
    if (path === `${CONSOLE_PATH}/api/snapshot`)
      return pageResponse(200, 'application/json; charset=utf-8', JSON.stringify(this.snapshot()));
    return refusal(404, `No console page at ${path}.`);
  }

  private tokenMatches(given: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(this.deps.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private denied(status: 401 | 403, message: string): PageResponse {
    return pageResponse(
      status,
      'text/html; charset=utf-8',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console locked</title></head><body><main><h1>Developer console</h1><p>${esc(message)}</p></main></body></html>`,
    );
  }

  private subscribe(send: Client): () => void {
    send('hello', this.snapshot());
    this.clients.add(send);
    if (!this.timer) {
      this.timer = setInterval(() => this.sample(), this.deps.sampleMs ?? 500);
      this.timer.unref();
    }
    return () => {
      this.clients.delete(send);
      if (this.clients.size === 0) this.stopSampling();
    };
  }

  private stopSampling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const point = { t: Date.now(), prices: this.deps.prices() };
    push(this.history, point, MAX_SAMPLES);
    this.broadcast('prices', point);
    const entities = this.entities();
    const text = JSON.stringify(entities);
    if (text !== this.lastEntities) {
      this.lastEntities = text;
      this.broadcast('entities', entities);
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const client of this.clients) client(event, data);
  }

  private snapshot() {
    if (this.history.length === 0)
      push(this.history, { t: Date.now(), prices: this.deps.prices() }, MAX_SAMPLES);
    return {
      info: this.deps.controls.info(),
      requests: this.log,
      frames: this.frames,
      history: this.history,
      entities: this.entities(),
    };
  }

  private entities() {
    const { state } = this.deps;
    const accounts = [...state.accounts.values()];
    return {
      faults: this.deps.controls.pendingFaults(),
      users: [...state.users.values()].map((u) => ({ user_id: u.userId, created_at: u.createdAt })),
      connections: [...state.connections.values()].map((c) => ({
        connection_id: c.connectionId,
        user_id: c.userId,
        broker: c.broker,
        type: c.type,
        status: c.status,
        accounts: c.accountIds.length,
      })),
      accounts: accounts.map((a) => ({
        account_id: a.accountId,
        user_id: a.userId,
        connection_id: a.connectionId,
        broker: a.broker,
        cash: fmt(a.cash, 2),
      })),
      orders: [...state.orders.values()]
        .slice(-100)
        .reverse()
        .map(({ order: o }) => ({
          order_id: o.order_id,
          account_id: o.account_id,
          symbol: o.symbol,
          side: o.side,
          order_type: o.order_type,
          order_qty: o.order_qty,
          status: o.status,
          filled_qty: o.filled_qty,
          avg_fill_price: o.avg_fill_price,
        })),
      positions: accounts.flatMap((a) =>
        [...a.positions.values()].map((p) => ({
          account_id: a.accountId,
          symbol: p.symbol,
          qty: fmt(p.qty),
          avg_price: fmt(p.avgPrice, 2),
        })),
      ),
    };
  }

  private control(req: PageRequest): PageResponse {
    if (!/^application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? ''))
      return refusal(415, 'Console controls take application/json.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return refusal(400, 'Not JSON.');
    }
    const c = this.deps.controls;
    try {
      const result = ((): unknown => {
        switch (body.action) {
          case 'fault': {
            const problem = faultSpecError(body.fault);
            if (problem) throw new TypeError(problem);
            return { affected_streams: c.injectFault(body.fault as FaultSpec) };
          }
          case 'clear_faults':
            c.clearFaults();
            return { cleared: true };
          case 'price':
            return { price: c.setPrice(String(body.symbol), String(body.price)) };
          case 'tick':
            return { prices: c.tick(Number(body.count ?? 1)) };
          case 'advance_clock':
            return { now: c.advanceClock(Number(body.ms)) };
          case 'close_session':
            c.closeSession();
            return { closed: true };
          case 'reset':
            c.reset();
            return { reset: true };
          default:
            throw new TypeError(`unknown action ${JSON.stringify(body.action)}`);
        }
      })();
      this.sample();
      return pageResponse(200, 'application/json; charset=utf-8', JSON.stringify(result ?? {}));
    } catch (error) {
      return pageResponse(
        400,
        'application/json; charset=utf-8',
        JSON.stringify({ message: (error as Error).message }),
      );
    }
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

function cookie(req: PageRequest, name: string): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Developer console · Connect Trade sandbox</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/console.css">
<script type="module" src="${CONSOLE_PATH}/console.js"></script>
</head>
<body>
<div id="app"><main><h1>Developer console</h1><p>Loading…</p></main></div>
</body>
</html>
`;

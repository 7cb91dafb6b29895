/**
 * SimNet: an in-memory `fetch` and `WebSocket` over the sandbox core. Every delivery takes a seeded
 * latency of at least 1 ms on the (virtual) clock; frames of one connection never overtake each
 * other, different connections interleave freely. While faults are on, each request or frame may
 * draw one from the fault plan.
 */

import type { InProcessSocket } from '../../../src/sandbox/core/session-socket';
import type { SandboxCore } from '../../../src/sandbox/core/world';
import type { Rng } from './rng';
import type { Trace } from './trace';

/** Per-delivery fault probabilities of one run (printed with a failing seed). */
export interface FaultPlan {
  drop_request: number;
  drop_response: number;
  duplicate_request: number;
  rate_limited: number;
  server_error: number;
  close_mid_stream: number;
  duplicate_frame: number;
  /** Per workload step. */
  skip_seq: number;
  restart: number;
  token_expiry: number;
}

export const FAULT_KINDS = [
  'drop_request',
  'drop_response',
  'duplicate_request',
  'rate_limited',
  'server_error',
  'close_mid_stream',
  'skip_seq',
  'duplicate_frame',
  'restart',
  'token_expiry',
] as const satisfies readonly (keyof FaultPlan)[];
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Draws the plan of a seed: most kinds on at a low rate, some off. */
export function drawFaultPlan(rng: Rng): FaultPlan {
  const rate = (max: number) => (rng.chance(0.8) ? Math.round(rng.float() * max * 1000) / 1000 : 0);
  return {
    drop_request: rate(0.08),
    drop_response: rate(0.08),
    duplicate_request: rate(0.08),
    rate_limited: rate(0.08),
    server_error: rate(0.08),
    close_mid_stream: rate(0.03),
    duplicate_frame: rate(0.05),
    skip_seq: rate(0.15),
    restart: rate(0.05),
    token_expiry: rate(0.1),
  };
}

interface Pending {
  fail(error: unknown): void;
}

/** The simulated network of one run. */
export class SimNet {
  faultsOn = true;
  readonly faults: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;
  private requestSeq = 0;
  private connectionSeq = 0;
  private epoch = 0;
  private readonly inFlight = new Set<Pending>();
  /** Requests answered 429: not to be sent again before the virtual time given by `Retry-After`. */
  private readonly notBefore = new Map<string, number>();
  /** Broken network-level invariants (a re-send before `Retry-After`). */
  readonly violations: { invariant: string; message: string }[] = [];
  private readonly sockets = new Set<SimSocket>();
  /** Called after a frame was handed to a client socket's `onmessage` (the workload's observers). */
  onDelivered: ((url: string, text: string) => void) | undefined;

  constructor(
    private readonly core: SandboxCore,
    private readonly rng: Rng,
    readonly plan: FaultPlan,
    readonly trace: Trace,
  ) {}

  /** A seeded latency of 1 to 20 ms. */
  latency(): number {
    return this.rng.int(1, 20);
  }

  /** Draws whether fault `kind` happens now (never while faults are off). */
  draw(kind: FaultKind): boolean {
    if (!this.faultsOn || !this.rng.chance(this.plan[kind])) return false;
    this.faults[kind]++;
    this.trace.add(`fault ${kind}`);
    return true;
  }

  /** The in-memory fetch the SDK's REST client is given. */
  readonly fetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const id = ++this.requestSeq;
      const url = new URL(String(input));
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>))
        headers[k.toLowerCase()] = v;
      const body = typeof init.body === 'string' ? init.body : '';
      const what = `${method} ${url.pathname}${url.search}`;
      let settled = false;
      const pending: Pending = {
        fail: (error) => {
          if (settled) return;
          settled = true;
          this.inFlight.delete(pending);
          reject(error);
        },
      };
      const answer = (
        status: number,
        text: string,
        extra: Record<string, string> = {},
        onRead?: () => void,
      ) =>
        setTimeout(() => {
          if (settled) return;
          settled = true;
          onRead?.();
          this.inFlight.delete(pending);
          this.trace.add(`rest #${id} <- ${status}`);
          resolve(new Response(text, { status, headers: { 'content-type': 'application/json', ...extra } }));
        }, this.latency());
      const signal = init.signal;
      if (signal?.aborted) return pending.fail(signal.reason);
      signal?.addEventListener('abort', () => pending.fail(signal.reason), { once: true });
      this.inFlight.add(pending);
      this.trace.add(`rest #${id} -> ${what}`);
      // Only order placements are told apart on the wire: one cl_order_id is one call (the workload
      // marks the ids it gives to two concurrent calls `shared_`). Other identical requests may
      // come from independent calls.
      const clOrderId =
        method === 'POST' && url.pathname === '/orders'
          ? /"cl_order_id":"([^"]+)"/.exec(body)?.[1]
          : undefined;
      const identity =
        clOrderId && !clOrderId.startsWith('shared_') ? `${headers['user-id'] ?? ''} ${clOrderId}` : '';
      const allowedAt = identity ? this.notBefore.get(identity) : undefined;
      if (allowedAt !== undefined && Date.now() < allowedAt)
        this.violations.push({
          invariant: 'retry-after-honoured',
          message: `${what} sent again ${allowedAt - Date.now()} ms before its Retry-After ended`,
        });
      this.notBefore.delete(identity);
      if (this.draw('drop_request')) return; // vanishes: the client's deadline ends the attempt
      if (this.draw('rate_limited')) {
        const seconds = this.rng.int(1, 5);
        // The wait counts from when the client reads the answer (a restart may cut it before).
        return answer(
          429,
          JSON.stringify({ message: 'simulated 429', code: 'rate_limited' }),
          { 'retry-after': String(seconds) },
          () => {
            if (identity) this.notBefore.set(identity, Date.now() + seconds * 1000);
          },
        );
      }
      if (this.draw('server_error'))
        return answer(503, JSON.stringify({ message: 'simulated 503', code: 'unavailable' }));
      const duplicate = this.draw('duplicate_request');
      const dropResponse = this.draw('drop_response');
      const epoch = this.epoch;
      setTimeout(async () => {
        if (epoch !== this.epoch) return pending.fail(new TypeError('fetch failed (server restarted)'));
        const request = { method, url, headers, body, requestId: `req_sim_${id}` };
        const result = await this.core.rest(request);
        this.trace.add(`rest #${id} applied ${result.status}`);
        if (duplicate) {
          const again = await this.core.rest({ ...request, requestId: `req_sim_${id}_dup` });
          this.trace.add(`rest #${id} duplicate applied ${again.status}`);
        }
        if (dropResponse || result.dropped) return; // applied, the answer never comes back
        answer(result.status, result.body === undefined ? '' : JSON.stringify(result.body), result.headers);
      }, this.latency());
    });

  /** The WebSocket constructor the SDK's streams are given. */
  get WebSocket(): new (
    url: string,
  ) => SimSocket {
    const net = this;
    return class extends SimSocket {
      constructor(url: string) {
        super(net, url);
      }
    };
  }

  /** @internal */ register(socket: SimSocket): InProcessSocket | undefined {
    this.sockets.add(socket);
    const server = this.core.connect(new URL(socket.url).pathname, {
      frame: (text) => socket.serverFrame(text),
      closed: (code, reason) => socket.serverClosed(code, reason),
    });
    return server;
  }

  /** @internal */ forget(socket: SimSocket): void {
    this.sockets.delete(socket);
  }

  /** @internal */ nextConnectionId(): number {
    return ++this.connectionSeq;
  }

  /** A restart of the server (its state kept): every connection and in-flight request is cut. */
  restart(): void {
    this.epoch++;
    for (const pending of [...this.inFlight]) pending.fail(new TypeError('fetch failed (connection reset)'));
    for (const socket of [...this.sockets]) socket.cut();
  }

  /** Every stream connection (open or opening). */
  openSockets(): number {
    return this.sockets.size;
  }
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** The client end of one simulated WebSocket (browser-style callbacks, as the SDK's transport reads them). */
export class SimSocket {
  readyState = CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private server: InProcessSocket | undefined;
  /** No delivery in either direction is scheduled before the previous one (no reordering). */
  private downAt = 0;
  private upAt = 0;
  private readonly id: number;

  constructor(
    private readonly net: SimNet,
    readonly url: string,
  ) {
    this.id = net.nextConnectionId();
    const trace = net.trace;
    trace.add(`ws ${this.id} connect ${new URL(url).pathname}`);
    this.schedule('up', () => {
      if (this.readyState !== CONNECTING) return;
      this.server = net.register(this);
      if (!this.server) return this.finish(1006, 'no such stream');
      this.readyState = OPEN;
      trace.add(`ws ${this.id} open`);
      this.onopen?.({});
    });
  }

  private get trace(): Trace {
    return this.net.trace;
  }

  private schedule(direction: 'up' | 'down', fn: () => void): void {
    const now = Date.now();
    const at = Math.max(now + this.net.latency(), direction === 'up' ? this.upAt : this.downAt);
    if (direction === 'up') this.upAt = at;
    else this.downAt = at;
    setTimeout(fn, at - now);
  }

  send(text: string): void {
    if (this.readyState !== OPEN) throw new Error('WebSocket is not open');
    this.schedule('up', () => {
      this.trace.add(`ws ${this.id} -> ${text.slice(0, 120)}`);
      this.server?.receive(text);
    });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    this.readyState = CLOSING;
    this.schedule('up', () => this.server?.clientGone());
    this.schedule('down', () => this.finish(code, reason));
  }

  terminate(): void {
    this.server?.clientGone();
    this.finish(1006, '');
  }

  /** A frame the server wrote. */
  serverFrame(text: string): void {
    const copies = this.net.draw('duplicate_frame') ? 2 : 1;
    for (let i = 0; i < copies; i++)
      this.schedule('down', () => {
        if (this.readyState !== OPEN) return;
        this.trace.add(`ws ${this.id} <- ${text.slice(0, 120)}`);
        this.onmessage?.({ data: text });
        this.net.onDelivered?.(this.url, text);
      });
    if (this.net.draw('close_mid_stream')) this.cut();
  }

  /** The server closed the connection. */
  serverClosed(code: number, reason: string): void {
    this.schedule('down', () => this.finish(code, reason));
  }

  /** The connection breaks (no close frame): both ends see it. */
  cut(): void {
    const server = this.server;
    this.server = undefined;
    server?.clientGone();
    if (this.readyState === CONNECTING) this.readyState = CLOSING;
    this.schedule('down', () => this.finish(1006, ''));
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.net.forget(this);
    this.trace.add(`ws ${this.id} closed ${code}`);
    this.onclose?.({ code, reason });
  }
}

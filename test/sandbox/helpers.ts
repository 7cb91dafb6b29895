import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies and frames loosely.
export type Json = any;

import type { SchemaName } from '../../src/internal/schema-validator';
import {
  authorizeSandboxConnection,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';

/** A sandbox for tests: no automatic ticks, so the feed only moves when a test says so. */
export function testSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ tickMs: 0, ...options });
}

/** Headers of a user (all four) or of the platform (client only). */
export interface Who {
  userId?: string;
  userSecret?: string;
}

/** A raw REST call: status, parsed body, headers. */
export async function call(
  sb: Sandbox,
  method: string,
  path: string,
  options: { who?: Who; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = {
    'client-id': sb.credentials.clientId,
    'client-secret': sb.credentials.clientSecret,
    ...(options.who?.userId ? { 'user-id': options.who.userId } : {}),
    ...(options.who?.userSecret ? { 'user-secret': options.who.userSecret } : {}),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const response = await fetch(`${sb.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Creates a user, connects it (following the authorization page) and returns its first account. */
export async function onboard(sb: Sandbox, userId = 'user-1') {
  const created = await call(sb, 'POST', '/users', { body: { user_id: userId } });
  const who = { userId, userSecret: created.body.user_secret as string };
  const connection = await call(sb, 'POST', '/connections', {
    who,
    body: { type: 'trade', redirect_url: 'https://app.example/callback' },
  });
  const { redirectUrl } = await authorizeSandboxConnection(connection.body.connection_request_url);
  const accounts = await call(sb, 'GET', '/accounts', { who });
  return {
    who,
    connectionId: connection.body.connection_id as string,
    redirect: redirectUrl,
    account: accounts.body[0] as { account_id: string; broker: string; connection_id: string },
  };
}

let clCounter = 0;
/** A unique cl_order_id. */
export function clId(): string {
  clCounter += 1;
  return `t${Date.now().toString(36)}_${clCounter}`;
}

/** An order request body with defaults (a 10-share AAPL market buy). */
export function orderBody(
  account: { account_id: string; broker: string },
  extra: Record<string, unknown> = {},
) {
  return {
    account_id: account.account_id,
    cl_order_id: clId(),
    broker: account.broker,
    side: 'BUY',
    order_type: 'MKT',
    order_tif: 'DAY',
    instrument: 'EQ',
    symbol: 'AAPL',
    order_qty: '10',
    ...extra,
  };
}

/** A raw WebSocket client that queues frames, validates each one, and waits for matching ones. */
export class TestSocket {
  readonly frames: Json[] = [];
  private waiters: { predicate: (f: Json) => boolean; resolve: (f: Json) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  constructor(
    readonly ws: WebSocket,
    schema: SchemaName,
  ) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      assertMatchesSchema(schema, frame);
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(
    url: string,
    schema: SchemaName,
    options: { localAddress?: string } = {},
  ): Promise<TestSocket> {
    const ws = new WebSocket(url, options);
    const socket = new TestSocket(ws, schema);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or future) matching the predicate. */
  next(predicate: (frame: Json) => boolean, timeoutMs = 2000): Promise<Json> {
    const seen = this.frames.find(predicate);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(frame), 1);
          resolve(frame);
        },
      });
    });
  }

  /** Waits for a frame with this action. */
  action(action: string, timeoutMs?: number): Promise<Json> {
    return this.next((f) => f.action === action, timeoutMs);
  }

  close(): void {
    this.ws.terminate();
  }
}

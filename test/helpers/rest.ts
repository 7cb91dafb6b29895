/**
 * Helpers for REST client tests: clients wired to nock (through global fetch, which nock 14
 * intercepts; the undici transport is tested against a loopback server instead), and fixtures that
 * are validated against the spec before any test may serve them.
 */
import type Nock from 'nock';
import type { SchemaName } from '../../src/internal/schema-validator';
import type { ClientOptions, Logger } from '../../src/rest';
import { ConnectTrade, type ConnectTradeUser } from '../../src/rest';
import type { Order } from '../../src/types';
import { assertMatchesSchema } from './spec';

export { orderFixture } from './fixtures';

/** The fake API origin every nock scope intercepts. */
export const API = 'https://api.test.connecttrade.local';
/** Test credentials (long enough to be registered and scrubbed). */
export const CREDS = {
  clientId: 'cid_test_1',
  clientSecret: 'cs_SECRET_client_7f3a9c',
  userId: 'user-42',
  userSecret: 'us_SECRET_user_4f9a1c',
} as const;

/** A platform client whose requests go through global fetch (so nock sees them). */
export function platformClient(options: ClientOptions = {}): ConnectTrade {
  return new ConnectTrade({
    clientId: CREDS.clientId,
    clientSecret: CREDS.clientSecret,
    baseUrl: API,
    fetch: (input, init) => globalThis.fetch(input, init),
    ...options,
  });
}

/** A user client for CREDS' user. */
export function userClient(options: ClientOptions = {}): ConnectTradeUser {
  return platformClient(options).forUser({ userId: CREDS.userId, userSecret: CREDS.userSecret });
}

// nock overrides node:http for the whole process as soon as it is loaded, and Jest shares node's
// built-in modules between test files: loaded lazily, and restored after each file that used it,
// it cannot leak into files that test the real node:http transport.
let loaded: typeof Nock | undefined;
function nock(): typeof Nock {
  loaded ??= require('nock') as typeof Nock;
  return loaded;
}

/** A nock scope on the fake API. */
export function api(): Nock.Scope {
  return nock()(API);
}

/** Returns the body after checking it against a component schema: fixtures cannot drift from the spec. */
export function fixture<T>(schema: SchemaName, body: T): T {
  assertMatchesSchema(schema, body);
  return body;
}

/** Checks every item of a list fixture against the item schema. */
export function listFixture<T>(schema: SchemaName, items: T[]): T[] {
  for (const item of items) assertMatchesSchema(schema, item);
  return items;
}

/**
 * A body that is deliberately NOT valid against the spec (unknown enum values, extra fields):
 * the tolerant reader must still accept it. The reason documents why validation is skipped.
 */
export function offSpec<T>(_reason: string, body: T): T {
  return body;
}

/** An order page body (checked against OrderPage). */
export function pageFixture(orders: Order[], next: string | null, prev: string | null) {
  return fixture('OrderPage', { orders, next_cursor: next, prev_cursor: prev });
}

/** A logger that records every line, for redaction and field checks. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields: unknown }[] } {
  const lines: { level: string; message: string; fields: unknown }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Installs nock guards for a test file: no real network, no leftover interceptors between tests. */
export function useNock(): void {
  beforeAll(() => nock().disableNetConnect());
  afterEach(() => {
    const pending = nock().pendingMocks();
    nock().cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => {
    nock().enableNetConnect();
    nock().restore();
  });
}

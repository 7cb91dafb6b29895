/**
 * GET /orders: filters, newest-first keyset paging and opaque cursors. A cursor carries the
 * query's filters and its position, so following `next_cursor` never needs the filters again and
 * orders placed meanwhile neither repeat nor shift the pages.
 */
import type { components } from '../../generated/schema';
import { badRequest } from './http-error';
import type { OrderRecord, SandboxState } from './state';

type Schemas = components['schemas'];

/** The filters of an orders query (all optional). */
export interface OrderFilters {
  status?: Schemas['OrderStatusFilter'];
  symbols?: string[];
  side?: Schemas['OrderSide'];
  start_time?: string;
  end_time?: string;
  account_id?: string;
  connection_id?: string;
}

/** The parsed query string of GET /orders. */
export interface OrderQuery extends OrderFilters {
  limit?: number;
  next_cursor?: string;
  prev_cursor?: string;
}

interface Cursor {
  /** The filters of the query that produced the cursor. */
  f: OrderFilters;
  /** Direction: older (`n`) or newer (`p`) than `s`. */
  d: 'n' | 'p';
  /** The boundary order sequence (exclusive). */
  s: number;
}

const OPEN: ReadonlySet<string> = new Set([
  'pending',
  'working',
  'partially_filled',
  'pending_cancel',
  'pending_replace',
]);
const CLOSED: ReadonlySet<string> = new Set(['filled', 'cancelled', 'rejected', 'expired', 'replaced']);

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const STRING_FILTERS = ['status', 'side', 'start_time', 'end_time', 'account_id', 'connection_id'] as const;

/** Whether a decoded cursor's filters have the shapes `matches` reads (a client can forge a cursor). */
function validFilters(value: unknown): value is OrderFilters {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const f = value as Record<string, unknown>;
  if (f.symbols !== undefined && !(Array.isArray(f.symbols) && f.symbols.every((s) => typeof s === 'string')))
    return false;
  return STRING_FILTERS.every((key) => f[key] === undefined || typeof f[key] === 'string');
}

function decode(text: string, name: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor | null;
    if (
      cursor !== null &&
      typeof cursor === 'object' &&
      Number.isSafeInteger(cursor.s) &&
      (cursor.d === 'n' || cursor.d === 'p') &&
      validFilters(cursor.f)
    )
      return cursor;
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest(`${name} is not a cursor this API issued`, 'invalid_cursor');
}

function matches(record: OrderRecord, userId: string, f: OrderFilters): boolean {
  const { order } = record;
  if (record.userId !== userId) return false;
  if (f.status === 'open' && !OPEN.has(order.status)) return false;
  if (f.status === 'closed' && !CLOSED.has(order.status)) return false;
  if (
    f.status &&
    f.status !== 'all' &&
    f.status !== 'open' &&
    f.status !== 'closed' &&
    order.status !== f.status
  )
    return false;
  if (f.symbols && !f.symbols.includes(order.symbol)) return false;
  if (f.side && order.side !== f.side) return false;
  if (f.start_time && record.createdMs < Date.parse(f.start_time)) return false;
  if (f.end_time && record.createdMs > Date.parse(f.end_time)) return false;
  if (f.account_id && order.account_id !== f.account_id) return false;
  if (f.connection_id && record.connectionId !== f.connection_id) return false;
  return true;
}

/** One page of a user's orders, newest first. */
export function listOrders(state: SandboxState, userId: string, query: OrderQuery): Schemas['OrderPage'] {
  if (query.next_cursor && query.prev_cursor)
    throw badRequest('send only one of next_cursor and prev_cursor');
  const limit = query.limit ?? 50;
  const cursor = query.next_cursor
    ? decode(query.next_cursor, 'next_cursor')
    : query.prev_cursor
      ? decode(query.prev_cursor, 'prev_cursor')
      : undefined;
  const { limit: _limit, next_cursor: _next, prev_cursor: _prev, ...queryFilters } = query;
  const filters: OrderFilters = cursor ? cursor.f : queryFilters;
  const all = [...state.orders.values()]
    .filter((r) => matches(r, userId, filters))
    .sort((a, b) => b.seq - a.seq);
  let page: OrderRecord[];
  if (!cursor) page = all.slice(0, limit);
  else if (cursor.d === 'n') page = all.filter((r) => r.seq < cursor.s).slice(0, limit);
  else page = all.filter((r) => r.seq > cursor.s).slice(-limit);
  const first = page[0];
  const last = page[page.length - 1];
  const hasOlder = last ? all.some((r) => r.seq < last.seq) : cursor?.d === 'p';
  const hasNewer = first ? all.some((r) => r.seq > first.seq) : cursor?.d === 'n';
  // An empty page keeps a cursor pointing back to where it came from.
  const olderFrom = last?.seq ?? cursor?.s ?? 0;
  const newerFrom = first?.seq ?? cursor?.s ?? 0;
  return {
    orders: page.map((r) => structuredClone(r.order)),
    next_cursor: hasOlder && page.length > 0 ? encode({ f: filters, d: 'n', s: olderFrom }) : null,
    prev_cursor: hasNewer ? encode({ f: filters, d: 'p', s: newerFrom }) : null,
  };
}

/**
 * Reading relay entries: raw Redis Stream replies (RESP2 arrays or RESP3 maps, whichever the
 * client speaks) into typed entries, and typed entries into the messages a brokerage stream emits.
 * A malformed entry becomes a RelayError (`malformed_entry`), never a crash.
 */
import { errorFactory, type RelayError } from '../core/errors';
import type { BrokerageUpdateMessage } from '../streams/messages';
import type { GapInfo } from '../streams/stream-core';
import { type RelayAction, UPDATE_ACTIONS } from './keys';

/** One raw stream entry: its id and its field/value pairs. */
export interface RawEntry {
  id: string;
  fields: Record<string, string>;
}

/** A decoded entry. */
export type RelayEntry =
  | {
      kind: 'update';
      id: string;
      index: number | undefined;
      sessionId: string;
      fence: number;
      message: BrokerageUpdateMessage;
    }
  | { kind: 'gap'; id: string; index: number | undefined; sessionId: string; fence: number; gap: GapInfo };

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;

/** Field/value pairs from a flat array (RESP2 and RESP3 alike) or a map/object. */
function fieldsOf(raw: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i];
      const v = raw[i + 1];
      // The hot path (node-redis answers strings); Buffers only when a client maps them so.
      if (typeof k === 'string' && typeof v === 'string') fields[k] = v;
      else {
        const key = asString(k);
        const value = asString(v);
        if (key !== undefined && value !== undefined) fields[key] = value;
      }
    }
  } else if (raw instanceof Map) {
    for (const [k, v] of raw) {
      const key = asString(k);
      const value = asString(v);
      if (key !== undefined && value !== undefined) fields[key] = value;
    }
  } else if (raw && typeof raw === 'object') {
    for (const [key, v] of Object.entries(raw)) {
      const value = asString(v);
      if (value !== undefined) fields[key] = value;
    }
  }
  return fields;
}

/** Entries of an XRANGE/XREVRANGE/XAUTOCLAIM list: `[[id, fields], ...]`. Deleted entries (nil fields) are skipped. */
export function entriesOf(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw)) return [];
  const entries: RawEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item)) continue;
    const id = asString(item[0]);
    if (id === undefined || item[1] === null || item[1] === undefined) continue;
    entries.push({ id, fields: fieldsOf(item[1]) });
  }
  return entries;
}

/** Entries of an XREAD/XREADGROUP reply for one stream (`null` on timeout). */
export function streamEntriesOf(raw: unknown): RawEntry[] {
  if (raw === null || raw === undefined) return [];
  // RESP2: [[stream, entries]]; RESP3: a map (node-redis: an object or a Map) of stream → entries.
  if (Array.isArray(raw))
    return raw.length === 1 && Array.isArray(raw[0])
      ? entriesOf(raw[0][1])
      : raw.flatMap((pair) => (Array.isArray(pair) ? entriesOf(pair[1]) : []));
  if (raw instanceof Map) return [...raw.values()].flatMap((v) => entriesOf(v));
  if (typeof raw === 'object') {
    const values = Object.values(raw);
    return values.length === 1 ? entriesOf(values[0]) : values.flatMap((v) => entriesOf(v));
  }
  return [];
}

function malformed(entry: RawEntry, why: string): RelayError {
  return errorFactory.relay('malformed_entry', `Relay entry ${entry.id} is malformed: ${why}`);
}

/** An entry's `index` (previous + 1 in the stream); undefined when absent or not an integer. */
export function indexOf(entry: RawEntry): number | undefined {
  const value = entry.fields.index;
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** Decodes one entry; throws a RelayError when it does not follow the entry format. */
export function decodeEntry(entry: RawEntry): RelayEntry {
  const f = entry.fields;
  const action = f.action as RelayAction | undefined;
  const sessionId = f.session_id ?? '';
  const seq = Number(f.seq);
  const fence = Number(f.fence ?? '0');
  const index = f.index === undefined ? undefined : Number(f.index);
  if (!Number.isInteger(seq) || seq < 0) throw malformed(entry, 'seq is not a non-negative integer');
  if (index !== undefined && !(Number.isInteger(index) && index > 0))
    throw malformed(entry, 'index is not a positive integer');
  if (action === 'session_start')
    return { kind: 'gap', id: entry.id, index, sessionId, fence, gap: { reason: 'reconnect' } };
  let data: unknown;
  try {
    data = JSON.parse(f.data ?? 'null');
  } catch (cause) {
    throw errorFactory.relay(
      'malformed_entry',
      `Relay entry ${entry.id} is malformed: data is not JSON`,
      cause,
    );
  }
  if (action === 'gap') {
    const range = (data ?? {}) as { from?: unknown; to?: unknown; ended?: unknown };
    const gap: GapInfo = { reason: 'seq' };
    if (Number.isInteger(range.from)) gap.from = range.from as number;
    if (Number.isInteger(range.to)) gap.to = range.to as number;
    // The session ended: missing from `from` to its last update (no one can name it), see APPEND.
    if (range.ended === true && sessionId !== '') gap.endedSession = sessionId;
    return { kind: 'gap', id: entry.id, index, sessionId, fence, gap };
  }
  if (action === undefined || !UPDATE_ACTIONS.has(action)) throw malformed(entry, `unknown action ${action}`);
  if (
    typeof data !== 'object' ||
    data === null ||
    typeof (data as { account_id?: unknown }).account_id !== 'string'
  )
    throw malformed(entry, 'data is not an object with an account_id');
  const userId = f.user_id;
  if (!userId) throw malformed(entry, 'user_id is missing');
  const message = { action, seq, user_id: userId, data } as BrokerageUpdateMessage;
  return { kind: 'update', id: entry.id, index, sessionId, fence, message };
}

/**
 * The stable idempotency key of an entry: `session_id:seq` for an update, `session_id:gap:seq` for a
 * gap marker (its seq is the last one it covers), `session_id:end` for an ended session's marker
 * (one per session). They never collide: a consumer group that
 * handled the update a gap names may still have missed the updates before it (members handle
 * entries out of order, and a failover can lose a pending entry), so handling that update says
 * nothing about the gap (found by the relay simulation, seed 777097).
 */
export function idempotencyKey(entry: RelayEntry): string {
  if (entry.kind === 'update') return `${entry.sessionId}:${entry.message.seq}`;
  if (entry.gap.endedSession !== undefined) return `${entry.sessionId}:end`;
  return `${entry.sessionId}:gap:${entry.gap.to ?? 0}`;
}

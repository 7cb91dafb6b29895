/**
 * Fault injection: the same faults from code (`sandbox.faults.*`), from `startSandbox({ faults })`
 * and from the admin endpoint (`POST /__sandbox/faults` with a {@link FaultSpec} as JSON).
 * REST faults wait in a queue until a matching request consumes them; stream faults act at once.
 */

/** Which requests a REST fault applies to (all when omitted). */
export interface RequestMatch {
  /** HTTP method, e.g. `POST`. */
  method?: string;
  /** The request path (`/orders`) or the spec's path template (`/accounts/{account_id}/orders/{order_id}`). */
  path?: string;
}

/** Which stream a stream fault applies to. */
export type StreamKind = 'brokerage' | 'market_data' | 'all';

/** One fault, as JSON (the admin endpoint's body) or as an object (options, `faults.inject`). */
export type FaultSpec =
  /** Delays matching responses by `ms` (every request until cleared, or the next `count`). */
  | ({ type: 'latency'; ms: number; count?: number } & RequestMatch)
  /** Answers the next `count` (default 1) matching requests with `status` without processing them. */
  | ({
      type: 'fail';
      status: number;
      count?: number;
      message?: string;
      code?: string;
      retry_after?: number;
    } & RequestMatch)
  /** Processes the next `count` (default 1) matching requests, then destroys the socket unanswered (lost ack). */
  | ({ type: 'drop_response'; count?: number } & RequestMatch)
  /** Terminates open WebSocket connections at once (the client sees 1006). */
  | { type: 'drop_streams'; stream?: StreamKind }
  /** Stops reading and writing open WebSocket connections for `ms` (until cleared when omitted): no frames, no pongs. */
  | { type: 'stall_streams'; stream?: StreamKind; ms?: number }
  /** Makes the next brokerage update of every open session skip `skip` (default 1) seq numbers. */
  | { type: 'seq_gap'; skip?: number }
  /** Expires market-data tokens now (one connection's, or all): sessions get `token_expired` then close 4003. */
  | { type: 'expire_token'; connection_id?: string };

/** What stream faults act on (implemented by the sandbox's stream servers). */
export interface StreamFaultTarget {
  drop(stream: StreamKind): number;
  stall(stream: StreamKind, ms: number | undefined): number;
  resume(): void;
  seqGap(skip: number): number;
  expireTokens(connectionId: string | undefined): number;
}

interface QueuedFault {
  spec: Extract<FaultSpec, { type: 'latency' | 'fail' | 'drop_response' }>;
  /** Remaining uses; `Infinity` for a persistent latency. */
  remaining: number;
}

/** The result of checking a request against the queued faults. */
export interface RequestFaults {
  latencyMs: number;
  fail?: Extract<FaultSpec, { type: 'fail' }>;
  drop: boolean;
}

function matches(spec: RequestMatch, method: string, path: string, template: string | undefined): boolean {
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  if (spec.path && spec.path !== path && spec.path !== template) return false;
  return true;
}

/** Validates a fault from JSON; returns an error message naming the field, or undefined. */
export function faultSpecError(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'a fault must be a JSON object';
  const v = value as Record<string, unknown>;
  const number = (key: string, min: number) =>
    v[key] !== undefined &&
    (typeof v[key] !== 'number' || !Number.isInteger(v[key]) || (v[key] as number) < min)
      ? `\`${key}\` must be an integer >= ${min}`
      : undefined;
  const string = (key: string) =>
    v[key] !== undefined && typeof v[key] !== 'string' ? `\`${key}\` must be a string` : undefined;
  const stream = () =>
    v.stream !== undefined && !['brokerage', 'market_data', 'all'].includes(v.stream as string)
      ? '`stream` must be brokerage, market_data or all'
      : undefined;
  switch (v.type) {
    case 'latency':
      if (v.ms === undefined) return 'missing `ms`';
      return number('ms', 0) ?? number('count', 1) ?? string('method') ?? string('path');
    case 'fail':
      if (typeof v.status !== 'number' || v.status < 400 || v.status > 599) return '`status` must be 400-599';
      return (
        number('count', 1) ??
        number('retry_after', 0) ??
        string('message') ??
        string('code') ??
        string('method') ??
        string('path')
      );
    case 'drop_response':
      return number('count', 1) ?? string('method') ?? string('path');
    case 'drop_streams':
      return stream();
    case 'stall_streams':
      return stream() ?? number('ms', 0);
    case 'seq_gap':
      return number('skip', 1);
    case 'expire_token':
      return string('connection_id');
    default:
      return '`type` must be latency, fail, drop_response, drop_streams, stall_streams, seq_gap or expire_token';
  }
}

/** The fault controller of one sandbox. */
export class Faults {
  private queue: QueuedFault[] = [];

  constructor(private readonly streams: StreamFaultTarget) {}

  /** Injects one fault; returns how many open streams a stream fault touched (0 for REST faults). */
  inject(spec: FaultSpec): number {
    const error = faultSpecError(spec);
    if (error) throw new TypeError(`invalid fault: ${error}`);
    switch (spec.type) {
      case 'latency':
        this.queue.push({ spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
        return 0;
      case 'fail':
      case 'drop_response':
        this.queue.push({ spec, remaining: spec.count ?? 1 });
        return 0;
      case 'drop_streams':
        return this.streams.drop(spec.stream ?? 'all');
      case 'stall_streams':
        return this.streams.stall(spec.stream ?? 'all', spec.ms);
      case 'seq_gap':
        return this.streams.seqGap(spec.skip ?? 1);
      case 'expire_token':
        return this.streams.expireTokens(spec.connection_id);
    }
  }

  /** Adds latency to every matching request until {@link Faults.clear}. */
  latency(ms: number, match: RequestMatch = {}): void {
    this.inject({ type: 'latency', ms, ...match });
  }

  /** Fails the next `count` matching requests with `status` (e.g. 500, 429 with `retry_after`). */
  failNext(
    count: number,
    status: number,
    options: RequestMatch & { message?: string; code?: string; retry_after?: number } = {},
  ): void {
    this.inject({ type: 'fail', count, status, ...options });
  }

  /** Commits the next `count` matching requests but never answers them (the lost ack). */
  dropNextResponse(count = 1, match: RequestMatch = {}): void {
    this.inject({ type: 'drop_response', count, ...match });
  }

  /** Terminates open stream connections; returns how many. */
  dropStreams(stream: StreamKind = 'all'): number {
    return this.inject({ type: 'drop_streams', stream });
  }

  /** Freezes open stream connections for `ms` (until `clear()` when omitted); returns how many. */
  stallStreams(stream: StreamKind = 'all', ms?: number): number {
    return this.inject(
      ms === undefined ? { type: 'stall_streams', stream } : { type: 'stall_streams', stream, ms },
    );
  }

  /** Makes each open brokerage session skip `skip` seq numbers on its next update. */
  seqGap(skip = 1): number {
    return this.inject({ type: 'seq_gap', skip });
  }

  /** Expires market-data tokens now (all, or one connection's). */
  expireToken(connectionId?: string): number {
    return this.inject(
      connectionId === undefined
        ? { type: 'expire_token' }
        : { type: 'expire_token', connection_id: connectionId },
    );
  }

  /** Removes every queued REST fault and resumes stalled streams. */
  clear(): void {
    this.queue = [];
    this.streams.resume();
  }

  /** The REST faults still queued (what `GET /__sandbox/faults` shows). */
  pending(): FaultSpec[] {
    return this.queue.map((q) =>
      Number.isFinite(q.remaining) ? { ...q.spec, count: q.remaining } : { ...q.spec },
    ) as FaultSpec[];
  }

  /** Consumes the faults that apply to one request. */
  forRequest(method: string, path: string, template: string | undefined): RequestFaults {
    const result: RequestFaults = { latencyMs: 0, drop: false };
    for (const queued of this.queue) {
      if (queued.remaining <= 0 || !matches(queued.spec, method, path, template)) continue;
      const { spec } = queued;
      if (spec.type === 'latency') {
        result.latencyMs += spec.ms;
        queued.remaining--;
      } else if (spec.type === 'fail' && !result.fail) {
        result.fail = spec;
        queued.remaining--;
      } else if (spec.type === 'drop_response' && !result.drop && !result.fail) {
        result.drop = true;
        queued.remaining--;
      }
    }
    this.queue = this.queue.filter((q) => q.remaining > 0);
    return result;
  }
}

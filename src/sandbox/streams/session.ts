/**
 * What both stream servers share per connection: JSON framing with the protocol's errors,
 * validation of every outgoing frame against the spec, the authentication deadline (4008), idle
 * heartbeats, and the stall/drop faults. `ws` answers WebSocket pings by itself.
 */
import type { Socket } from 'node:net';
import { describeSchemaErrors, type SchemaName, schemaErrors } from '../../internal/schema-validator';
import type { OffsetClock } from '../clock';
import { iso } from '../clock';
import type { SessionSocket } from '../core/session-socket';
import { describeErrors } from '../http/error-messages';
import type { SandboxLogger } from '../logger';
import type { SandboxTraffic } from '../options';

/** Timing and checking options shared by both streams. */
export interface SessionOptions {
  clock: OffsetClock;
  /** Idle time after which a heartbeat is sent (protocol: 15 s). */
  heartbeatMs: number;
  /** How long a connection may stay unauthenticated (protocol: 30 s, then close 4008). */
  authTimeoutMs: number;
  /** Validate every outgoing frame against the spec (off for benchmarks). */
  validate: boolean;
  logger: SandboxLogger;
  onViolation: (message: string) => void;
  onTraffic: ((entry: SandboxTraffic) => void) | undefined;
}

/** A parsed client frame: an object with a string `action`. */
export type ClientFrame = Record<string, unknown> & { action: string };

/** One WebSocket connection of a stream. */
export abstract class StreamSession {
  authenticated = false;
  private readonly stream: 'brokerage' | 'market_data';
  private stalled = false;
  private lastSentMs = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly ws: SessionSocket,
    protected readonly options: SessionOptions,
    private readonly schema: SchemaName,
  ) {
    this.stream = schema === 'BrokerageServerMessage' ? 'brokerage' : 'market_data';
    this.lastSentMs = Date.now();
    ws.on('message', (data, isBinary) => this.receive(isBinary ? null : data.toString()));
    ws.on('close', () => this.dispose());
    ws.on('error', (error) => options.logger.debug?.(`sandbox stream error: ${error.message}`));
    this.timers.push(
      setTimeout(() => {
        if (this.authenticated || this.stalled) return;
        this.sendError('auth_timeout', 'no authenticate message within the deadline');
        this.close(4008, 'auth_timeout');
      }, options.authTimeoutMs),
    );
    const every = Math.max(10, Math.floor(options.heartbeatMs / 3));
    this.timers.push(
      setInterval(() => {
        if (this.authenticated && Date.now() - this.lastSentMs >= options.heartbeatMs)
          this.send({ action: 'heartbeat', time: iso(options.clock.nowMs()) });
      }, every),
    );
    for (const timer of this.timers) timer.unref();
  }

  /** Handles one valid-JSON frame with an `action`. */
  protected abstract handle(frame: ClientFrame): void;

  /** Called once when the connection is gone. */
  protected abstract onDisposed(): void;

  /** Whether the socket is still open. */
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one frame (validated first); silently skipped while stalled or closed. */
  send(frame: Record<string, unknown>): boolean {
    if (!this.open || this.stalled) return false;
    if (this.options.validate) {
      const errors = schemaErrors(this.schema, frame);
      if (errors.length > 0) {
        this.options.onViolation(
          `sandbox frame breaks ${this.schema}: ${describeSchemaErrors(errors)} ${JSON.stringify(frame)}`,
        );
        return false;
      }
    }
    this.lastSentMs = Date.now();
    this.options.onTraffic?.({ kind: 'frame', stream: this.stream, direction: 'out', frame });
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a protocol error frame. */
  sendError(code: string, message: string, requestId?: unknown): void {
    const frame: Record<string, unknown> = { action: 'error', code, message };
    if (typeof requestId === 'string' && requestId) frame.request_id = requestId;
    this.send(frame);
  }

  /** Closes with a protocol close code. */
  close(code: number, reason: string): void {
    if (this.open) this.ws.close(code, reason);
  }

  /** Kills the TCP connection without a close frame (the client sees 1006). */
  terminate(): void {
    this.ws.terminate();
  }

  /** Freezes the connection: nothing read, nothing written (no pongs either) for `ms` or until resumed. */
  stall(ms: number | undefined): void {
    this.stalled = true;
    this.socket()?.pause();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (ms !== undefined) {
      this.stallTimer = setTimeout(() => this.resume(), ms);
      this.stallTimer.unref();
    }
  }

  /** Ends a stall. */
  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.socket()?.resume();
  }

  private socket(): Socket | undefined {
    // ws keeps its net.Socket private; pausing it is the only way to stop ws from answering pings.
    return (this.ws as unknown as { _socket?: Socket })._socket;
  }

  private receive(text: string | null) {
    if (text === null) return this.sendError('invalid_message', 'binary frames are not supported');
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.sendError('invalid_json', 'the frame is not valid JSON');
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame))
      return this.sendError('invalid_message', 'a frame must be a JSON object');
    const record = frame as Record<string, unknown>;
    this.options.onTraffic?.({ kind: 'frame', stream: this.stream, direction: 'in', frame: record });
    if (typeof record.action !== 'string')
      return this.sendError('invalid_message', 'a frame needs a string `action`', record.request_id);
    try {
      this.handle(record as ClientFrame);
    } catch (error) {
      this.options.logger.error?.(
        `sandbox stream handler failed: ${(error as Error).stack ?? String(error)}`,
      );
    }
  }

  private dispose(): void {
    for (const timer of this.timers) clearInterval(timer);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.onDisposed();
  }
}

/** Checks a client frame against its schema; returns a message naming the field, or undefined. */
export function frameError(schema: SchemaName, frame: unknown): string | undefined {
  const errors = schemaErrors(schema, frame);
  return errors.length === 0 ? undefined : describeErrors(errors, 'frame', schema);
}

/**
 * An eventemitter3 emitter whose listeners cannot hurt the stream: each listener runs in its own
 * try/catch, and an exception becomes an `error` event carrying a ListenerError. A throwing
 * `error` listener is reported to the logger instead, so it can never recurse.
 */
import EventEmitter from 'eventemitter3';
import { errorFactory } from '../core/errors';

/** Where the SDK writes what it cannot report any other way. */
export interface StreamLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}

/** EventEmitter with per-listener isolation. */
export class SafeEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  /** @internal */
  protected logger: StreamLogger | undefined;

  /** Emits to each listener in isolation; returns whether anyone listened. */
  protected safeEmit(event: EventEmitter.EventNames<Events>, ...args: unknown[]): boolean {
    const listeners = this.listeners(event) as ((...a: unknown[]) => void)[];
    if (listeners.length === 0) return false;
    for (const listener of listeners) {
      try {
        listener.apply(this, args);
      } catch (cause) {
        this.reportListenerError(String(event), cause);
      }
    }
    return true;
  }

  private reportListenerError(event: string, cause: unknown): void {
    const error = errorFactory.listener(event, cause);
    if (event === 'error') {
      this.logger?.warn?.('An error listener threw', { error });
      return;
    }
    const listeners = this.listeners('error' as EventEmitter.EventNames<Events>) as ((e: unknown) => void)[];
    if (listeners.length === 0) this.logger?.warn?.(error.message, { error });
    for (const listener of listeners) {
      try {
        listener.call(this, error);
      } catch (inner) {
        this.logger?.warn?.('An error listener threw', { error: errorFactory.listener('error', inner) });
      }
    }
  }
}

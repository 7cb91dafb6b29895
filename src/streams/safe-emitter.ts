/**
 * An eventemitter3 emitter whose listeners cannot hurt the stream: each listener runs in its own
 * try/catch, and an exception becomes an `error` event carrying a ListenerError. A throwing
 * `error` listener is reported to the logger instead, so it can never recurse.
 */
// The named export, not the default: eventemitter3's types are CommonJS, so under NodeNext an ESM
// consumer's default import is the whole module and every stream would lose its typed events.
import { EventEmitter } from 'eventemitter3';
import { streamErrorFactory as errorFactory } from '../core/errors';

/** Where the SDK writes what it cannot report any other way. */
export interface StreamLogger {
  /** Socket-level detail. */
  debug?(message: string, details?: Record<string, unknown>): void;
  /** Errors nobody listened to, and listeners that threw. */
  warn?(message: string, details?: Record<string, unknown>): void;
}

interface Listener {
  fn: (...args: unknown[]) => void;
  context: unknown;
  once: boolean;
}

/** EventEmitter with per-listener isolation. */
export class SafeEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  /** @internal */
  protected logger: StreamLogger | undefined;

  /** Emits to each listener in isolation (honouring `once`); returns whether anyone listened. */
  protected safeEmit(event: EventEmitter.EventNames<Events>, ...args: unknown[]): boolean {
    // eventemitter3 keeps one listener as an object and several as an array of { fn, context, once };
    // reading them directly (as its own emit does) avoids copying the list on every message.
    const key = EventEmitter.prefixed ? `${EventEmitter.prefixed}${String(event)}` : event;
    const entry = (this as unknown as { _events: Record<string | symbol, Listener | Listener[] | undefined> })
      ._events[key as string];
    if (entry === undefined) return false;
    if (!Array.isArray(entry)) {
      this.invoke(event, entry, args);
      return true;
    }
    for (const listener of entry.slice()) this.invoke(event, listener, args);
    return true;
  }

  private invoke(event: EventEmitter.EventNames<Events>, listener: Listener, args: unknown[]): void {
    if (listener.once) this.removeListener(event, listener.fn as never, undefined, true);
    try {
      listener.fn.apply(listener.context, args);
    } catch (cause) {
      this.reportListenerError(String(event), cause);
    }
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

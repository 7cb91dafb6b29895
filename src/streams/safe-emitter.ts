/**
 * An eventemitter3 emitter whose listeners cannot hurt the stream: each listener runs in its own
 * try/catch, and an exception becomes an `error` event carrying a ListenerError. A throwing
 * `error` listener is reported to the logger instead, so it can never recurse.
 *
 * Only eventemitter3's public API is used (`listeners`, `removeListener`): a `once` registration
 * is remembered here so the isolated emit can remove it the way eventemitter3's own emit would.
 * Emitting and the logger are reached through the module functions {@link safeEmit} and
 * {@link setEmitterLogger}, not protected members, so they stay out of the public `.d.ts`.
 * Listeners run with the emitter as `this` (eventemitter3's per-listener `context` is not used).
 */
// The named export, not the default: eventemitter3's types are CommonJS, so under NodeNext an ESM
// consumer's default import is the whole module and every stream would lose its typed events.
import { EventEmitter } from 'eventemitter3';
import { streamErrorFactory as errorFactory } from '../core/errors';

import type { Logger } from '../core/logging';

/** The SDK's one {@link Logger} (this name is kept for existing imports). */
export type StreamLogger = Logger;

type AnyListener = (...args: unknown[]) => void;

type AnyEmitter = SafeEmitter<EventEmitter.ValidEventTypes>;

// Set by SafeEmitter's static block (they reach its private members).
/** Emits to each listener in isolation (honouring `once`); returns whether anyone listened. */
export let safeEmit: <Events extends EventEmitter.ValidEventTypes>(
  emitter: SafeEmitter<Events>,
  event: EventEmitter.EventNames<Events>,
  ...args: unknown[]
) => boolean;
/** Sets where an emitter reports listener failures nobody else hears. */
export let setEmitterLogger: (emitter: AnyEmitter, logger: StreamLogger | undefined) => void;
/** The logger set by {@link setEmitterLogger}. */
export let emitterLogger: (emitter: AnyEmitter) => StreamLogger | undefined;

/** EventEmitter with per-listener isolation. */
export class SafeEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  #logger: StreamLogger | undefined;
  /** Listeners registered with `once`, per event, not yet called. */
  #once = new Map<string | symbol, Map<AnyListener, number>>();

  /** Adds a listener called at most once. */
  override once<T extends EventEmitter.EventNames<Events>>(
    event: T,
    fn: EventEmitter.EventListener<Events, T>,
    context?: unknown,
  ): this {
    const marks = this.#once.get(event) ?? new Map<AnyListener, number>();
    this.#once.set(event, marks);
    const listener = fn as unknown as AnyListener;
    marks.set(listener, (marks.get(listener) ?? 0) + 1);
    return super.once(event, fn, context);
  }

  static {
    safeEmit = (emitter, event, ...args) => emitter.#emit(event, args);
    setEmitterLogger = (emitter, logger) => {
      emitter.#logger = logger;
    };
    emitterLogger = (emitter) => emitter.#logger;
  }

  #emit(event: string | symbol, args: unknown[]): boolean {
    const name = event as EventEmitter.EventNames<Events>;
    if (this.listenerCount(name) === 0) return false; // the common case of events nobody follows: no copy
    // A copy: listeners added or removed by a listener take effect from the next emit.
    const listeners = this.listeners(name) as unknown as AnyListener[];
    const marks = this.#once.size === 0 ? undefined : this.#once.get(event);
    for (const listener of listeners) {
      const pending = marks?.get(listener);
      if (marks && pending !== undefined) {
        // Removes only a `once` registration of this function (eventemitter3 knows which it is).
        if (pending > 1) marks.set(listener, pending - 1);
        else marks.delete(listener);
        if (marks.size === 0) this.#once.delete(event);
        this.removeListener(name, listener as never, undefined, true);
      }
      try {
        listener.apply(this, args);
      } catch (cause) {
        this.#reportListenerError(String(event), cause);
      }
    }
    return true;
  }

  #reportListenerError(event: string, cause: unknown): void {
    const logger = this.#logger;
    const error = errorFactory.listener(event, cause);
    if (event === 'error') {
      logger?.warn?.('An error listener threw', { error });
      return;
    }
    const listeners = this.listeners('error' as EventEmitter.EventNames<Events>) as unknown as AnyListener[];
    if (listeners.length === 0) logger?.warn?.(error.message, { error });
    for (const listener of listeners) {
      try {
        listener.call(this, error);
      } catch (inner) {
        logger?.warn?.('An error listener threw', { error: errorFactory.listener('error', inner) });
      }
    }
  }
}

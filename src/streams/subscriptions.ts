/**
 * The subscription registry: every subscription the user holds, kept so the connection can
 * replay it after each (re)authentication. The first answer settles the caller's `subscribe()`;
 * a replay the server refuses ends the subscription; a replay left unanswered keeps it (the
 * socket is unhealthy, not the subscription) and asks for a reconnect.
 */
import { type StreamError, StreamTimeoutError } from '../core/errors';
import type { PendingHandlers } from './pending-requests';

interface Registered<M> {
  frame: (requestId: string) => string;
  /** The caller's `subscribe()` while it waits for its first answer (empty once settled). */
  waiters: { resolve: (answer: M) => void; reject: (error: unknown) => void }[];
}

/** What a replay may need from the connection. */
export interface ReplayHooks {
  /** Sends a frame as a tracked request. */
  send(frame: (requestId: string) => string, handlers: PendingHandlers<unknown>): void;
  /** A replay got no answer in time: report it and reconnect (the subscription is kept). */
  unanswered(error: StreamError): void;
  /** The server refused a replay: the subscription is no longer live. */
  refused(key: string, error: StreamError): void;
}

/** Subscriptions by key. */
export class SubscriptionRegistry<M> {
  readonly #entries = new Map<string, Registered<M>>();

  /** Registers a subscription; the promise settles with its first answer. */
  add(key: string, frame: (requestId: string) => string): Promise<M> {
    return new Promise<M>((resolve, reject) => {
      this.#entries.set(key, { frame, waiters: [{ resolve, reject }] });
    });
  }

  /** Forgets a subscription so it is not replayed any more. */
  remove(key: string): void {
    this.#entries.delete(key);
  }

  /** Sends every subscription again (after an authentication), or only `key`. */
  replay(hooks: ReplayHooks, key?: string): void {
    const keys = key === undefined ? [...this.#entries.keys()] : [key];
    for (const k of keys) {
      const entry = this.#entries.get(k);
      if (entry) this.#replayOne(k, entry, hooks);
    }
  }

  /** Rejects every caller still waiting and forgets everything (the stream stopped). */
  clear(error: unknown): void {
    for (const entry of this.#entries.values()) for (const waiter of entry.waiters) waiter.reject(error);
    this.#entries.clear();
  }

  #replayOne(key: string, entry: Registered<M>, hooks: ReplayHooks): void {
    const settle = (fn: (w: Registered<M>['waiters'][number]) => void) => {
      const waiters = entry.waiters;
      entry.waiters = [];
      for (const waiter of waiters) fn(waiter);
    };
    hooks.send(entry.frame, {
      replayed: true,
      resolve: (answer) => settle((w) => w.resolve(answer as M)),
      reject: (error) => {
        const isReplay = entry.waiters.length === 0;
        const current = this.#entries.get(key) === entry;
        if (isReplay && error instanceof StreamTimeoutError && current) {
          hooks.unanswered(error);
          return;
        }
        // The server refused the subscription (or the caller's first subscribe failed): stop replaying it.
        if (current) this.#entries.delete(key);
        if (isReplay) hooks.refused(key, error as StreamError);
        settle((w) => w.reject(error));
      },
    });
  }
}

/**
 * Requests waiting for their answer, matched by `request_id`. Each has a deadline
 * (`requestTimeout`) armed on the socket's timer group, so it dies with the socket. Requests made
 * while the socket is not open wait in a {@link SendQueue} bounded in bytes (refused past it).
 * Requests of the subscription registry are marked `replayed`: a dropped socket forgets them
 * quietly because the registry sends them again after the next authentication.
 */
import { streamErrorFactory as errorFactory } from '../core/errors';
import { SendQueue } from './send-queue';
import type { TimerGroup } from './timers';

/** How a waiting request ends. */
export interface PendingHandlers<M> {
  resolve(answer: M): void;
  reject(error: unknown): void;
  /** Registry requests survive a drop: the replay sends them again. */
  replayed: boolean;
}

/** Sends one text frame on the open socket. */
export type Send = (text: string) => void;

/** In-flight and queued requests of one connection. */
export class PendingRequests<M> {
  readonly #waiting = new Map<string, PendingHandlers<M> & { timer: unknown }>();
  readonly #queue: SendQueue;
  #nextId = 0;

  readonly #timeoutMs: number;

  readonly #timers: () => TimerGroup;

  constructor(timers: () => TimerGroup, options: { requestTimeout: number; maxQueueBytes: number }) {
    this.#timers = timers;
    this.#timeoutMs = options.requestTimeout;
    this.#queue = new SendQueue(options.maxQueueBytes);
  }

  /**
   * Sends a request now through `send` (the socket is open) or queues it until {@link flush};
   * resolves with its answer, rejects on an `error` answer, the deadline or a full queue.
   */
  request(frame: (requestId: string) => string, send: Send | undefined): Promise<M> {
    return new Promise<M>((resolve, reject) => {
      const id = this.#newId();
      const text = frame(id);
      const track = () => this.#track(id, { resolve, reject, replayed: false });
      if (send) {
        track(); // before sending: an in-memory transport may answer synchronously
        send(text);
      } else if (!this.#queue.push(text, reject, track))
        reject(errorFactory.streamQueueFull(this.#queue.maxBytes));
    });
  }

  /** Sends a frame now, its answer going to `handlers` (subscription replays). */
  sendTracked(frame: (requestId: string) => string, handlers: PendingHandlers<M>, send: Send): void {
    const id = this.#newId();
    this.#track(id, handlers);
    send(frame(id));
  }

  /** Sends what was queued while the socket was not open. */
  flush(send: Send): void {
    for (const frame of this.#queue.drain()) {
      frame.sent();
      send(frame.text);
    }
  }

  /** Removes and returns the request waiting for `id` (undefined for an unknown or late answer). */
  take(id: string): PendingHandlers<M> | undefined {
    const entry = this.#waiting.get(id);
    if (!entry) return undefined;
    this.#waiting.delete(id);
    this.#timers().clear(entry.timer);
    return entry;
  }

  /** The socket died: every in-flight request but replayed ones rejects with `error` (queued ones wait). */
  dropAll(error: unknown): void {
    const entries = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const entry of entries) {
      this.#timers().clear(entry.timer);
      if (!entry.replayed) entry.reject(error);
    }
  }

  /** The stream stopped: in-flight and queued requests reject with `error`. */
  close(error: unknown): void {
    this.dropAll(error);
    for (const frame of this.#queue.drain()) frame.fail(error);
  }

  #newId(): string {
    return `r${++this.#nextId}`;
  }

  #track(id: string, handlers: PendingHandlers<M>): void {
    const ms = this.#timeoutMs;
    const timer = this.#timers().set(() => {
      this.#waiting.delete(id);
      handlers.reject(errorFactory.streamTimeout(`request ${id}`, ms));
    }, ms);
    this.#waiting.set(id, { ...handlers, timer });
  }
}

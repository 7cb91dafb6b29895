/**
 * Frames waiting for the socket to (re)open, bounded in bytes so a long outage cannot grow memory
 * without limit. A frame that does not fit is refused at once, never silently dropped.
 */

/** One queued frame and what to do if it never goes out. */
export interface QueuedFrame {
  text: string;
  bytes: number;
  fail(error: unknown): void;
  /** Called once the frame went out on a socket. */
  sent(): void;
}

/**
 * The UTF-8 length of a frame: what it weighs on the wire, and so in the queue's budget. Encoding
 * copies the frame, which only happens while the socket is down (an open socket sends at once).
 */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

/** A FIFO of frames with a byte budget. */
export class SendQueue {
  #frames: QueuedFrame[] = [];
  #used = 0;
  constructor(readonly maxBytes: number) {}

  /** Queues a frame; false when it would exceed the budget. */
  push(text: string, fail: (error: unknown) => void, sent: () => void): boolean {
    const bytes = utf8Length(text);
    if (this.#used + bytes > this.maxBytes) return false;
    this.#frames.push({ text, bytes, fail, sent });
    this.#used += bytes;
    return true;
  }

  /** Removes and returns every queued frame. */
  drain(): QueuedFrame[] {
    const frames = this.#frames;
    this.#frames = [];
    this.#used = 0;
    return frames;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.#used;
  }
}

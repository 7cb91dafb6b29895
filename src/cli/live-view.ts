/**
 * A screen region redrawn in place on a terminal (cursor up + clear, no full-screen takeover), and
 * the plumbing live commands share: stop on Ctrl+C or after `--count` updates.
 */
import type { CliIO } from './io';

/** Redraws a block of text in place (TTY); elsewhere writes nothing (commands print lines instead). */
export class LiveView {
  private lines = 0;

  constructor(private readonly io: CliIO) {}

  /** Replaces the previous frame with `text`. */
  draw(text: string): void {
    if (!this.io.isTTY) return;
    const erase = this.lines > 0 ? `\x1b[${this.lines}F\x1b[0J` : '';
    const body = text.endsWith('\n') ? text : `${text}\n`;
    this.lines = body.split('\n').length - 1;
    this.io.out(erase + body);
  }
}

/**
 * Resolves when the IO's signal aborts (Ctrl+C) or `done()` is called (e.g. after `--count`
 * updates); rejects with the error given to `fail()` (a stream that stopped for good, a failed
 * resync), so the command exits with that error's code instead of 0.
 */
export function untilStopped(io: CliIO): {
  stopped: Promise<void>;
  done: () => void;
  fail: (error: unknown) => void;
} {
  let done = () => {};
  let fail: (error: unknown) => void = () => {};
  // No keep-alive timer of its own: an open stream holds the process, through reconnects too.
  const stopped = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // A failure before the command awaits `stopped` (e.g. while connecting) is thrown there instead.
  stopped.catch(() => {});
  return { stopped, done, fail };
}

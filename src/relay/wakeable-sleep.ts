/**
 * The wait between a relay loop's attempts: it ends after `ms`, or at once when `wake()` is called
 * (on close), so a closing relay never sits out its backoff.
 */
import { type Clock, systemClock } from '../core/clock';

export class WakeableSleep {
  #wake: (() => void) | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Resolves after `ms`, or as soon as {@link wake} is called. */
  sleep(ms: number): Promise<void> {
    let timer: unknown;
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      timer = this.clock.setTimeout(resolve, ms);
    }).finally(() => {
      this.clock.clearTimeout(timer);
      this.#wake = undefined;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.#wake?.();
  }
}

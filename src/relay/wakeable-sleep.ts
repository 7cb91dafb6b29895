/**
 * The wait between a relay loop's attempts: it ends after `ms`, or at once when `wake()` is called
 * (on close), so a closing relay never sits out its backoff.
 */
import { platformClock, type RelayClock } from './relay-clock';

export class WakeableSleep {
  #wake: (() => void) | undefined;

  constructor(private readonly clock: RelayClock = platformClock) {}

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

/**
 * The wait between a relay loop's attempts: it ends after `ms`, or at once when `wake()` is called
 * (on close), so a closing relay never sits out its backoff.
 */
export class WakeableSleep {
  #wake: (() => void) | undefined;

  /** Resolves after `ms`, or as soon as {@link wake} is called. */
  sleep(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      this.#wake = undefined;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.#wake?.();
  }
}

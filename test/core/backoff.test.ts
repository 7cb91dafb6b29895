/** The one backoff: jittered delays under a ceiling, Retry-After (seconds or date, capped), an abortable sleep on injected timers. */
import { backoffDelay, REST_BACKOFF, retryDelay, sleep } from '../../src/core/backoff';
import { APIUserAbortError } from '../../src/rest';

/** Timers a test drives by hand: it records every armed timer and fires them on demand. */
function manualTimers() {
  const armed = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  return {
    armed,
    setTimeout: (fn: () => void, ms: number) => {
      armed.set(++next, { fn, ms });
      return next;
    },
    clearTimeout: (handle: unknown) => void armed.delete(handle as number),
    fireAll() {
      for (const [id, timer] of [...armed]) {
        armed.delete(id);
        timer.fn();
      }
    },
  };
}

describe('backoffDelay', () => {
  const policy = { initialDelay: 100, maxDelay: 1_000 };
  it('is uniform under an exponential ceiling that stops at maxDelay', () => {
    expect([0, 1, 2, 3, 4, 10, 1_000].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(400);
  });
});

describe('retryDelay', () => {
  it('takes Retry-After in seconds, or as an HTTP date, over the backoff', () => {
    expect(retryDelay(1, '2', { random: () => 0.5 })).toBe(2_000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = retryDelay(1, inTenSeconds) ?? -1;
    expect(fromDate).toBeGreaterThan(8_000);
    expect(fromDate).toBeLessThanOrEqual(10_000);
    expect(retryDelay(1, new Date(Date.now() - 60_000).toUTCString())).toBe(0); // a past date: at once
  });

  it('refuses (undefined) a Retry-After beyond the cap, in seconds or as a date', () => {
    expect(retryDelay(1, String(REST_BACKOFF.maxRetryAfter / 1000 + 1))).toBeUndefined();
    expect(retryDelay(1, new Date(Date.now() + 3_600_000).toUTCString())).toBeUndefined();
  });

  it('falls back to the jittered backoff for an absent or unreadable Retry-After', () => {
    expect(retryDelay(2, undefined, { random: () => 0.5 })).toBe(500);
    expect(retryDelay(2, 'soon', { random: () => 0.5 })).toBe(500);
  });
});

describe('sleep', () => {
  it('runs on the injected timers and resolves when they fire', async () => {
    const timers = manualTimers();
    let done = false;
    const slept = sleep(1_234, undefined, timers).then(() => {
      done = true;
    });
    expect([...timers.armed.values()].map((t) => t.ms)).toEqual([1_234]);
    await Promise.resolve();
    expect(done).toBe(false);
    timers.fireAll();
    await slept;
    expect(done).toBe(true);
  });

  it('rejects with APIUserAbortError at once when the signal aborts, and clears its timer', async () => {
    const timers = manualTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal, timers);
    controller.abort();
    await expect(slept).rejects.toBeInstanceOf(APIUserAbortError);
    expect(timers.armed.size).toBe(0);
  });

  it('an already aborted signal arms nothing', async () => {
    const timers = manualTimers();
    await expect(sleep(10, AbortSignal.abort(), timers)).rejects.toBeInstanceOf(APIUserAbortError);
    expect(timers.armed.size).toBe(0);
  });

  it('works with jest fake timers (the default timers)', async () => {
    jest.useFakeTimers();
    try {
      let done = false;
      const slept = sleep(5_000).then(() => {
        done = true;
      });
      await jest.advanceTimersByTimeAsync(4_999);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await slept;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

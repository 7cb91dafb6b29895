/**
 * The virtual clock of a run: @sinonjs/fake-timers with an explicit list of what it fakes. Never
 * `nextTick` or `queueMicrotask`: promise chains run as they would, between two timers.
 */
import FakeTimers from '@sinonjs/fake-timers';

/** What is faked (and nothing else). */
export const TO_FAKE = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'Date',
  'performance',
] as const;

/** The epoch of every run: a fixed instant, so "today" and every timestamp replay exactly. */
export const SIM_EPOCH = Date.UTC(2026, 10, 24, 14, 30);

export type VirtualClock = ReturnType<typeof FakeTimers.install>;

export function installVirtualClock(): VirtualClock {
  return FakeTimers.withGlobal(globalThis).install({
    now: SIM_EPOCH,
    toFake: [...TO_FAKE] as FakeTimers.FakeMethod[],
    shouldClearNativeTimers: false,
  });
}

/**
 * The relay's advanced seams (deterministic simulation, tests): `startRelay`, `relayStream` and
 * `relayGroup` take the SDK's one `Clock` (src/core/clock.ts) and `random()` (src/core/random.ts),
 * defaulting to the platform's, as the REST client and the streams do. This checks them.
 */
import { checkClock } from '../core/clock';

/** Validation issues of the `clock` and `random` options (none when they are absent or sound). */
export function seamIssues(options: {
  clock?: unknown;
  random?: unknown;
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (options.clock !== undefined)
    try {
      checkClock(options.clock);
    } catch (error) {
      issues.push({ path: 'clock', message: (error as Error).message });
    }
  if (options.random !== undefined && typeof options.random !== 'function')
    issues.push({ path: 'random', message: 'must be a function' });
  return issues;
}

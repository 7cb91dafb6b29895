/**
 * The relay's planted defects for the mutation proof (issue 21: "drop the fence check from the
 * relay's append"; and a seam bypass, a global `Date.now` in relayGroup): src/ is copied to a
 * temporary directory inside the checkout (.tmp/, ignored by git and biome, so the copy's imports
 * resolve the checkout's node_modules), the copy gets the defect, and the relay simulation runs
 * over the copy until an invariant breaks.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SimRunResult } from '../scenario';
import { createRelayScenario, type RelayModule } from './relay-scenario';

const ROOT = resolve(__dirname, '../../..');

/** The line of src/relay/scripts.ts that the defect removes. */
export const FENCE_CHECK = "if lease ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then";

/** A copy of src/ whose append has no fence check; `remove()` deletes it. */
export function plantDroppedFence(): { dir: string; load: () => RelayModule; remove: () => void } {
  return plantDefect({ file: 'relay/scripts.ts', find: FENCE_CHECK, replace: 'if false then' });
}

/** The acknowledgement timestamp of src/relay/relay-group.ts (the clock it was given). */
export const GROUP_ACK_NOW = 'String(this.clock.now()), String(DONE_KEYS)';

/** A copy of src/ whose relayGroup stamps acknowledgements with the global `Date.now` (a seam bypass). */
export function plantGlobalNow(): { dir: string; load: () => RelayModule; remove: () => void } {
  return plantDefect({
    file: 'relay/relay-group.ts',
    find: GROUP_ACK_NOW,
    replace: 'String(Date.now()), String(DONE_KEYS)',
  });
}

/** A copy of src/ with `find` replaced in `file` (under src/); `remove()` deletes it. */
function plantDefect({ file, find, replace }: { file: string; find: string; replace: string }): {
  dir: string;
  load: () => RelayModule;
  remove: () => void;
} {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'mutant-'));
  // src/ and what it imports beside it (the generated API types).
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'generated'), join(dir, 'generated'), { recursive: true });
  const path = join(dir, 'src', file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(find)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`src/${file} no longer contains ${JSON.stringify(find)}: update ${__filename}`);
  }
  writeFileSync(path, text.replace(find, replace));
  return {
    dir,
    load: () => require(join(dir, 'src', 'relay')) as RelayModule,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs seeds from `from` over the mutant until one breaks an invariant (at most `max` seeds). */
export async function findDefect(
  load: () => RelayModule,
  from: number,
  max: number,
): Promise<{ seedsRun: number; found: SimRunResult | undefined }> {
  const scenario = createRelayScenario({ load, name: 'relay (mutant)' });
  for (let i = 0; i < max; i++) {
    const result = await scenario.run(from + i);
    if (result.violations.length > 0) return { seedsRun: i + 1, found: result };
  }
  return { seedsRun: max, found: undefined };
}

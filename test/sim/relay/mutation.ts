/**
 * The relay's planted defect for the mutation proof (issue 21, "drop the fence check from the
 * relay's append"): src/ is copied to a temporary directory inside the checkout (.tmp/, ignored by
 * git and biome, so the copy's imports resolve the checkout's node_modules), the copy's APPEND
 * script loses its fence check, and the relay simulation runs over the copy until an invariant
 * breaks.
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
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'mutant-'));
  // src/ and what it imports beside it (the generated API types).
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'generated'), join(dir, 'generated'), { recursive: true });
  const file = join(dir, 'src', 'relay', 'scripts.ts');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(FENCE_CHECK))
    throw new Error(`the fence check of APPEND changed: update FENCE_CHECK in ${__filename}`);
  writeFileSync(file, text.replace(FENCE_CHECK, 'if false then'));
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
  const scenario = createRelayScenario({ load, name: 'relay (no fence check)' });
  for (let i = 0; i < max; i++) {
    const result = await scenario.run(from + i);
    if (result.violations.length > 0) return { seedsRun: i + 1, found: result };
  }
  return { seedsRun: max, found: undefined };
}

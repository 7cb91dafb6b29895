/**
 * Mutation proof (issue 21): with the fence check dropped from the relay's append script (in a
 * copy of src/), the relay simulation finds the defect within 2,000 seeds and names the invariant
 * `relay-fence` (no write from a holder whose lease has ended is accepted).
 */
import { findDefect, plantDroppedFence, plantGlobalNow } from './mutation';

jest.setTimeout(600_000);

it('drop the fence check from the append: found within 2,000 seeds, as relay-fence', async () => {
  const mutant = plantDroppedFence();
  try {
    const { seedsRun, found } = await findDefect(mutant.load, 1, 2_000);
    expect(found?.violations.map((v) => v.invariant)).toEqual(['relay-fence']);
    process.stdout.write(
      `relay mutation "no fence check": found after ${seedsRun} seeds (seed ${found?.seed})\n`,
    );
    expect(seedsRun).toBeLessThanOrEqual(2_000);
  } finally {
    mutant.remove();
  }
});

it('relayGroup stamps with the global Date.now (a seam bypass): found at once, as nondeterminism', async () => {
  const mutant = plantGlobalNow();
  try {
    const { seedsRun, found } = await findDefect(mutant.load, 1, 20);
    expect(found?.violations).toEqual([
      {
        invariant: 'nondeterminism',
        message: 'src/relay/relay-group.ts called the global Date.now, not its clock',
      },
    ]);
    expect(seedsRun).toBe(1);
  } finally {
    mutant.remove();
  }
});

/**
 * The mutation proof (issue 21): each planted defect is found by the simulation within 2,000
 * seeds, naming the right invariant. A defect is found in the first seeds; the limit bounds a
 * regression of the harness.
 */
import { DEFECTS, hunt } from './mutants';

describe('the simulation finds every planted defect', () => {
  for (const defect of DEFECTS)
    it(`${defect.name} -> ${defect.invariant}`, async () => {
      const found = await hunt(defect, 2000, 240_000);
      process.stdout.write(
        `mutation "${defect.name}": ${found.found ? `found after ${found.seeds} seeds` : 'not found'} (${found.invariants.join(', ')})\n`,
      );
      expect(found.found).toBe(true);
      expect(found.invariants).toContain(defect.invariant);
    }, 300_000);
});

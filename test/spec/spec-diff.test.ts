/**
 * `npm run spec:diff`: a fixture "vendor v2" of our spec with one breaking change of each kind (a
 * removed response field, a narrowed request enum) and additive ones (a new operation, a new
 * optional field, a new response enum value) is classified by the tolerant-reader ruleset.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ClassifiedChange, classifyChangelog } from '../../scripts/spec-diff';
import { SPEC_PATH } from '../helpers/spec';
import { vendorV2 } from '../helpers/vendor-v2';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

test('spec:diff classifies a vendor v2 by the tolerant-reader ruleset', async () => {
  const v2 = await vendorV2();
  const failed = await run(TSX, ['scripts/spec-diff.ts', SPEC_PATH, v2, '--json'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    () => undefined,
    (error: { code: number; stdout: string }) => error,
  );
  // Something is breaking: the command fails, and says what.
  expect(failed?.code).toBe(1);
  const changes = JSON.parse(failed?.stdout ?? '[]') as ClassifiedChange[];
  const find = (pattern: RegExp, operation?: string) =>
    changes.filter(
      (c) => pattern.test(`${c.where}: ${c.change}`) && (!operation || c.operation === operation),
    );

  expect(find(/broker_message removed/).length).toBeGreaterThan(0);
  expect(find(/broker_message removed/).every((c) => c.breaking)).toBe(true);
  const narrowed = find(/request body: .*order_tif enum -GTC\+/, 'POST /orders');
  expect(narrowed.length).toBeGreaterThan(0);
  expect(narrowed.every((c) => c.breaking)).toBe(true);

  expect(find(/operation: added/, 'GET /orders/{order_id}')).toEqual([
    expect.objectContaining({ breaking: false }),
  ]);
  const optional = find(/extended_hours added \(optional\)/, 'POST /orders');
  expect(optional.length).toBeGreaterThan(0);
  expect(optional.every((c) => !c.breaking)).toBe(true);
  // optic's own ruleset calls a new response enum value breaking; for our tolerant reader it is not.
  const status = find(/status enum \+suspended/);
  expect(status.length).toBeGreaterThan(0);
  expect(status.every((c) => !c.breaking)).toBe(true);
  expect(find(/venue added/).every((c) => !c.breaking)).toBe(true);
}, 120_000);

test('spec:diff of the spec against itself: nothing, exit 0', async () => {
  const { stdout } = await run(TSX, ['scripts/spec-diff.ts', SPEC_PATH, SPEC_PATH], { cwd: ROOT });
  expect(stdout).toMatch(/0 changes, 0 breaking/);
}, 120_000);

test('a request constraint that goes (an enum opened up) is not breaking; a response field that goes optional is', () => {
  const changes = classifyChangelog([
    {
      name: 'GET /orders',
      change: null,
      parameters: [
        {
          name: "query parameter 'side'",
          change: null,
          attributes: [
            { key: '/enum', change: 'removed', before: { enum: ['BUY', 'SELL'] } },
            { key: '/pattern', change: 'removed', before: { pattern: '^x$' } },
          ],
        },
      ],
      responses: [
        {
          name: '200 response',
          change: null,
          attributes: [
            {
              key: '/properties/updated_at',
              change: 'changed',
              before: { required: true },
              after: { required: false },
            },
          ],
        },
      ],
    },
  ]);
  expect(changes.map((c) => [c.change, c.breaking])).toEqual([
    ['/enum removed', false],
    ['/pattern removed', false],
    ['/properties/updated_at became optional', true],
  ]);
});

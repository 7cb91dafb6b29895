/**
 * Issue 14 part 2: `npm run spec:update -- <vendor v2>` in a copy of the repository swaps the base,
 * reapplies our overlay (the WebSocket schemas and tolerated variants survive) and regenerates; the
 * committed `generated/` then fails `generate --check`, and the typecheck
 * names exactly where the SDK must change (the removed `Order.broker_message` is used by the sandbox's
 * order engine and by an example; the sandbox lacks a handler for the new operation). The copy shares node_modules through a symlink: no install.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { vendorV2Base } from '../helpers/vendor-v2';

const exec = promisify(execFile);
const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Run {
  code: number;
  out: string;
}
async function run(cwd: string, file: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [file, ...args], {
      cwd,
      maxBuffer: 32 * 1024 * 1024,
      timeout: 150_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-spec-update-'));
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'redocly.yaml',
    'openapi',
    'scripts',
    'generated',
    'src',
    'examples',
  ])
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  cpSync(join(ROOT, 'generated'), join(dir, 'generated-committed'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The SDK and what it documents (src/, examples/, generated/): the tests are not what must change.
  writeFileSync(
    join(dir, 'tsconfig.sdk.json'),
    JSON.stringify({ extends: './tsconfig.json', include: ['src', 'examples', 'generated'] }),
  );
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('spec:update with a vendor v2: overlay reapplied, generated/ stale, the typecheck names what must change', async () => {
  // --no-diff: the classification of this fixture is spec-diff.test.ts's (optic is the slow part).
  const update = await run(dir, TSX, ['scripts/spec-overlay.ts', vendorV2Base(), '--no-diff']);
  expect(update.out).not.toMatch(/target gone/);
  // The vendor now lists a side our overlay's known values lack: named, so it gets added there.
  expect(update.out).toMatch(/overlay: OrderSide: the vendor lists SELL_SHORT_EXEMPT/);
  expect(update.code).toBe(0);
  expect(update.out).toMatch(/wrote generated\/schema\.d\.ts/);

  // The overlay still applies: the spec keeps our additions on top of the new base.
  const spec = JSON.parse(readFileSync(join(dir, 'openapi/connect-trade.json'), 'utf8'));
  expect(spec.components.schemas.BrokerageServerMessage).toBeDefined();
  expect(spec.components.schemas.CreateUserResponse.properties.user_secret).toBeDefined();
  expect(spec.components.schemas.ConnectionType.enum).toContain('readonly');
  expect(spec.components.schemas.Order.properties.broker_message).toBeUndefined();
  expect(spec.components.schemas.Order.properties.venue).toBeDefined();
  expect(spec.paths['/orders/{order_id}'].get.responses['429']).toBeDefined();
  expect((await run(dir, TSX, ['scripts/spec-overlay.ts', '--check'])).code).toBe(0);

  // CI's `generate --check` fails on the generated/ committed before the update, naming the stale files.
  const stale = await run(dir, TSX, ['scripts/generate.ts', '--check', '--out', 'generated-committed']);
  expect(stale.code).toBe(1);
  expect(stale.out).toMatch(/stale: generated-committed\/schema\.d\.ts/);
  expect(stale.out).toMatch(/stale: generated-committed\/operations\.ts/);
  expect((await run(dir, TSX, ['scripts/generate.ts', '--check'])).code).toBe(0);

  // The typecheck names each place that uses what the vendor removed (Order.broker_message) or must
  // serve what it added (the sandbox has no handler for the new getOrder), and nothing else.
  const typecheck = await run(dir, TSC, ['-p', 'tsconfig.sdk.json', '--noEmit', '--pretty', 'false']);
  expect(typecheck.code).not.toBe(0);
  const errors = typecheck.out.split('\n').filter((line) => /error TS\d+/.test(line));
  expect(errors.length).toBeGreaterThan(0);
  const where = (line: string) => line.replace(/\(\d+,\d+\).*/, '');
  const removed = errors.filter((line) => /'broker_message'/.test(line));
  const added = errors.filter((line) => /'getOrder' is missing/.test(line));
  expect(errors.filter((line) => !removed.includes(line) && !added.includes(line))).toEqual([]);
  expect([...new Set(removed.map(where))].sort()).toEqual([
    'examples/error-handling.ts',
    'src/core/errors/live-factory.ts', // a failure's message quotes the broker's reason
    'src/sandbox/order-engine.ts',
  ]);
  expect(added.map(where)).toEqual(['src/sandbox/core/rest.ts']);
}, 240_000);

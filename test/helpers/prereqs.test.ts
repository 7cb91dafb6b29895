/**
 * The test prerequisites step (`npm test` runs it first): a program it cannot provide stops the
 * run with one line that says what to install, and the bundled Chromium is found and starts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromiumRuns, findChromium } from './prereqs';

const ROOT = join(__dirname, '..', '..');

it('a missing browser that may not be installed: exit 1 and one line naming the package', async () => {
  const run = promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'test-prereqs.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CHROMIUM_PATH: '/nonexistent/chromium',
        CONNECT_TRADE_TEST_INSTALL: '0',
        REDIS_URL: 'redis://127.0.0.1:1',
      },
    },
  );
  const failure = (await run.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: number; stdout: string; stderr: string } | undefined;
  expect(failure?.code).toBe(1);
  const lines = failure?.stderr.trim().split('\n') ?? [];
  expect(lines).toEqual([
    expect.stringMatching(/^test prerequisites: chromium is required .*apt-get install chromium/),
  ]);
  expect(lines[0]).toContain('CHROMIUM_PATH=/nonexistent/chromium');
});

it('without CHROMIUM_PATH a Chromium is found (Debian, else the bundled one) and starts', () => {
  const saved = process.env.CHROMIUM_PATH;
  delete process.env.CHROMIUM_PATH;
  try {
    const found = findChromium();
    expect(found).toBeDefined();
    expect(chromiumRuns(found ?? '')).toBe(true);
  } finally {
    if (saved !== undefined) process.env.CHROMIUM_PATH = saved;
  }
});

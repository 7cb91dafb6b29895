/**
 * Every example runs green against the sandbox (the same runner as `npm run examples`), and the
 * runner itself really fails on a non-zero exit and on a hang.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXAMPLES_DIR,
  type ExampleResult,
  exampleFiles,
  runExample,
  runExamples,
} from '../scripts/run-examples';

describe('examples/', () => {
  let results: ExampleResult[];
  beforeAll(async () => {
    results = await runExamples();
  }, 60_000);

  it('has one file per task, plus the quickstart', () => {
    expect(exampleFiles()).toEqual([
      'cancel-replace.ts',
      'error-handling.ts',
      'live.ts',
      'market-data.ts',
      'pagination.ts',
      'quickstart.ts',
      'streaming.ts',
    ]);
  });

  it.each(exampleFiles())(
    '%s can be pasted into an app: it imports only packages, no local helper',
    (file) => {
      const source = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
      const specifiers = [...source.matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => m[1]);
      expect(specifiers.length).toBeGreaterThan(0);
      for (const specifier of specifiers)
        expect(specifier).toMatch(/^(connect-trade(\/[a-z]+)?|node:[a-z/]+)$/);
      expect(source).not.toMatch(/require\(['"]\./);
    },
  );

  it.each(exampleFiles())('%s exits 0 against the sandbox, which saw no spec violation', (file) => {
    const result = results.find((r) => r.file === file);
    if (!result?.ok) throw new Error(`${file} failed:\n${result?.output}\n${result?.violations.join('\n')}`);
    expect(result).toMatchObject({ code: 0, timedOut: false, violations: [] });
  });

  it('the quickstart walks all six steps and sees its order fill on the stream', () => {
    const output = results.find((r) => r.file === 'quickstart.ts')?.output ?? '';
    for (const n of [1, 2, 3, 4, 5, 6]) expect(output).toContain(`\n${n}. `);
    // The link step: a URL a person could open, completed as a browser would, back at redirect_url.
    expect(output).toMatch(
      /authorization URL \(open it in a browser\): http:\/\/127\.0\.0\.1:\d+\/authorize\/conn_\d+/,
    );
    expect(output).toMatch(
      /browser would now be at https:\/\/app\.example\.com\/linked\?connection_id=conn_\d+&status=success/,
    );
    expect(output).toMatch(/seq \d+: filled, filled 10 @ \d/);
    expect(output).toMatch(/AAPL +bid \d/);
    expect(output).toContain('Done.');
  });

  it('the error-handling example met every error it demonstrates', () => {
    const output = results.find((r) => r.file === 'error-handling.ts')?.output ?? '';
    for (const name of ['ValidationError', 'ConflictError 409', 'NotFoundError 404', 'RateLimitError 429'])
      expect(output).toContain(name);
    expect(output).toContain('rejected (Unknown symbol: NOPE)');
    expect(output).toMatch(
      /lost ack on POST \/orders: reconciled to \S+, exactly 1 order on the server \(found by listing req_\S+\)/,
    );
  });

  it('the live example waited for its fill through the store', () => {
    const output = results.find((r) => r.file === 'live.ts')?.output ?? '';
    expect(output).toMatch(/filled 5 AAPL at \d/);
    expect(output).toMatch(/position: \d+ AAPL/);
  });
});

describe('the example runner', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-examples-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails an example that exits non-zero', async () => {
    const file = join(dir, 'fails.ts');
    writeFileSync(file, "console.log('about to fail');\nprocess.exit(3);\n");
    const result = await runExample(file);
    expect(result).toMatchObject({ ok: false, code: 3, timedOut: false });
    expect(result.output).toContain('about to fail');
  });

  it('kills and fails an example that hangs', async () => {
    const file = join(dir, 'hangs.ts');
    writeFileSync(file, 'setInterval(() => {}, 1000);\n');
    const result = await runExample(file, 2_500);
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(result.durationMs).toBeLessThan(10_000);
  });
});

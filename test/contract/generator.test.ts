import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SPEC_PATH, spec } from '../helpers/spec';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const generate = (...args: string[]) => run(TSX, ['scripts/generate.ts', ...args], { cwd: ROOT });

// openapi-typescript is ESM-only and cannot load inside jest's CommonJS runtime: run the real script.
describe('scripts/generate.ts', () => {
  it('--check passes on the committed generated/', async () => {
    await expect(generate('--check')).resolves.toMatchObject({
      stdout: expect.stringContaining('up to date'),
    });
  }, 60_000);

  it('--check fails once one enum value of the spec changes', async () => {
    const changed = structuredClone(spec);
    changed.components.schemas.TimeInForce.enum[6] = 'DAY_EXT';
    const dir = mkdtempSync(join(tmpdir(), 'ct-spec-'));
    const specPath = join(dir, 'connect-trade.json');
    writeFileSync(specPath, `${JSON.stringify(changed, null, 2)}\n`);
    await expect(generate('--check', '--spec', specPath)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('stale: generated/schema.d.ts'),
    });
  }, 60_000);

  it('--check fails once a limit of the spec changes (the validation tables are generated)', async () => {
    const changed = structuredClone(spec);
    changed.components.parameters.LimitQuery.schema.maximum = 1000;
    const dir = mkdtempSync(join(tmpdir(), 'ct-spec-'));
    const specPath = join(dir, 'connect-trade.json');
    writeFileSync(specPath, `${JSON.stringify(changed, null, 2)}\n`);
    await expect(generate('--check', '--spec', specPath)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('stale: generated/tables.ts'),
    });
    const out = mkdtempSync(join(tmpdir(), 'ct-gen-'));
    await generate('--spec', specPath, '--out', out);
    const tables = readFileSync(join(out, 'tables.ts'), 'utf8');
    const limitOf = (text: string) =>
      /"limit": \{\s*"type": "integer",\s*"minimum": 1,\s*"maximum": (\d+)/.exec(text)?.[1];
    expect(limitOf(readFileSync(join(ROOT, 'generated/tables.ts'), 'utf8'))).toBe('500');
    expect(limitOf(tables)).toBe('1000');
  }, 60_000);

  it('writes files stamped with the spec hash and the generator version', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ct-gen-'));
    await generate('--out', out);
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(readFileSync(SPEC_PATH, 'utf8')).digest('hex');
    for (const file of ['schema.d.ts', 'operations.ts', 'models.ts', 'tables.ts']) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text.startsWith('// AUTO-GENERATED')).toBe(true);
      expect(text).toContain('DO NOT EDIT');
      expect(text).toContain(`spec-sha256: ${hash}`);
      expect(text).toMatch(/generator: openapi-typescript@\d+\.\d+\.\d+ scripts\/generate\.ts@\d+/);
      expect(text).toBe(readFileSync(join(ROOT, 'generated', file), 'utf8'));
    }
  }, 60_000);
});

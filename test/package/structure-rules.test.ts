/**
 * The structure rules CI enforces (npm run lint): the import rules of src/ (.dependency-cruiser.cjs:
 * no cycle, core imports no wing, wings import core and generated, sandbox and CLI use public
 * entries) and the parameter count (biome `useMaxParams`, at most 4 positional parameters in src/).
 * Each check passes on the tree as it is and fails on a violation planted in a scratch file.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const cruise = (...paths: string[]) =>
  run(bin('depcruise'), [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'err']);

/** Writes scratch files under src/, runs `check`, and removes them whatever happens. */
function planted<T>(files: Record<string, string>, check: () => T): T {
  try {
    for (const [path, text] of Object.entries(files)) writeFileSync(join(ROOT, path), text);
    return check();
  } finally {
    for (const path of Object.keys(files)) rmSync(join(ROOT, path), { force: true });
  }
}

jest.setTimeout(240_000);

describe('import rules (dependency-cruiser)', () => {
  it('hold on src/ as it is', () => {
    const { status, output } = cruise('src');
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('fail on a planted type-only cycle', () => {
    const { status, output } = planted(
      {
        'src/core/planted-a.ts': "import type { B } from './planted-b';\nexport type A = B | 1;\n",
        'src/core/planted-b.ts': "import type { A } from './planted-a';\nexport type B = A | 2;\n",
      },
      () => cruise('src/core'),
    );
    expect(output).toMatch(/no-cycle/);
    expect(status).not.toBe(0);
  });

  it('fail when core imports a wing', () => {
    const { status, output } = planted(
      { 'src/core/planted-wing.ts': "export { RestCore } from '../rest/request';\n" },
      () => cruise('src/core/planted-wing.ts'),
    );
    expect(output).toMatch(/core-imports-no-wing/);
    expect(status).not.toBe(0);
  });

  it('fail when the sandbox reaches into a wing instead of a public entry', () => {
    const { status, output } = planted(
      { 'src/sandbox/planted-entry.ts': "export { RestCore } from '../rest/request';\n" },
      () => cruise('src/sandbox/planted-entry.ts'),
    );
    expect(output).toMatch(/sandbox-and-cli-use-public-entries/);
    expect(status).not.toBe(0);
  });
});

describe('parameter count (biome useMaxParams)', () => {
  it('fails on a function of src/ with 5 positional parameters, passes with an options object', () => {
    const five = planted(
      {
        'src/core/planted-params.ts':
          '/** Planted. */\nexport function add(a: number, b: number, c: number, d: number, e: number): number {\n  return a + b + c + d + e;\n}\n',
      },
      () => run(bin('biome'), ['lint', 'src/core/planted-params.ts']),
    );
    expect(five.output).toMatch(/useMaxParams/);
    expect(five.status).not.toBe(0);
    const named = planted(
      {
        'src/core/planted-params.ts':
          '/** Planted. */\nexport function add({ a, b, c, d, e }: Record<string, number>): number {\n  return (a ?? 0) + (b ?? 0) + (c ?? 0) + (d ?? 0) + (e ?? 0);\n}\n',
      },
      () => run(bin('biome'), ['lint', 'src/core/planted-params.ts']),
    );
    expect(named.status).toBe(0);
  });
});

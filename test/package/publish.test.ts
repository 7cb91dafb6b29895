/**
 * Publishing hygiene, on the packed package: nothing runs on a user's install, no source maps of
 * sources it does not ship, a bin that runs the build; and in a clone (no dist/, since install
 * builds nothing) `npx connect-trade` still works, from src/ through tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { preparePackage, ROOT } from './consumer';

jest.setTimeout(180_000);

let installed: string;
beforeAll(async () => {
  installed = join(await preparePackage(), 'node_modules', 'connect-trade');
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

it('runs no script when an app installs it (built by prepack, not prepare)', () => {
  const { scripts } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
    expect(scripts[hook]).toBeUndefined();
  expect(scripts.prepack).toBe('npm run build');
});

it('ships no source maps (it ships no sources for them to point at) and stays small', () => {
  const shipped = files(installed).map((f) => relative(installed, f));
  expect(shipped.filter((f) => f.endsWith('.map'))).toEqual([]);
  expect(shipped.filter((f) => f.startsWith('src/'))).toEqual([]);
  const bytes = files(installed).reduce((sum, f) => sum + statSync(f).size, 0);
  // 4.5 MB with the maps; docs/images (the README's screenshots of the sandbox pages) is ~0.3 MB.
  expect(bytes).toBeLessThan(3_400_000);
});

it('the installed bin runs the built CLI', () => {
  const { bin } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const out = execFileSync(process.execPath, [join(installed, bin['connect-trade'] ?? ''), '--version'], {
    encoding: 'utf8',
    cwd: tmpdir(),
  });
  expect(out.trim()).toBe('0.1.0');
});

it('in a clone without dist/, `npx connect-trade` runs the CLI from src/', () => {
  // A fresh clone after `npm install`: the repository's files, node_modules, and no dist/.
  const clone = mkdtempSync(join(tmpdir(), 'connect-trade-clone-'));
  try {
    for (const name of [
      'bin',
      'src',
      'generated',
      'openapi',
      'node_modules',
      'package.json',
      'tsconfig.json',
    ])
      symlinkSync(join(ROOT, name), join(clone, name));
    const out = execFileSync('npx', ['--no-install', 'connect-trade', '--help'], {
      encoding: 'utf8',
      cwd: clone,
    });
    expect(out).toMatch(/^Usage: connect-trade/);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});

it('the README tells users how to install the package', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/^npm install .*connect-trade/m);
});

/**
 * Every package the code imports (src/, scripts/, test/, bench/, examples/) is declared in
 * package.json, so `npm ci` on a clean clone installs it and no script works only because some
 * other package happens to pull it in (as `yaml` did through openapi-format).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const declared = new Set([
  pkg.name,
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.devDependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? files(path) : /\.(ts|mts|cts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** The package of each bare specifier a file imports or requires (static or dynamic). */
function imported(text: string): string[] {
  const statements =
    /^\s*(?:import|export)\b[^'\n;]*?from\s+'([^']+)'|^\s*\}\s*from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/gm;
  return [...text.matchAll(statements)]
    .map((m) => m.slice(1).find((s) => s !== undefined) as string)
    .filter(
      (s) => PACKAGE.test(s) && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0] as string),
    )
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)));
}
const PACKAGE = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(\/.*)?$/;

test('every imported package is declared in package.json', () => {
  const undeclared: string[] = [];
  for (const dir of ['src', 'scripts', 'test', 'bench', 'examples'])
    for (const file of files(join(ROOT, dir)))
      for (const name of imported(readFileSync(file, 'utf8')))
        if (!declared.has(name)) undeclared.push(`${name} (${file.slice(ROOT.length + 1)})`);
  expect(undeclared).toEqual([]);
});

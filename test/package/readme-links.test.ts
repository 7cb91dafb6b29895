/**
 * The README is the package's front page on the registry and in node_modules, and the guides ship in
 * docs/guides/: every relative link in them must point at a file the package ships (the file list
 * of `npm pack --dry-run`), not at one only a clone has (examples/, src/).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT } from './consumer';

const shipped = new Set(
  (
    JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { files: { path: string }[] }[]
  )[0]?.files.map((f) => f.path),
);

/** The relative link targets of a markdown file, resolved against the repository root. */
function relativeLinks(file: string, markdown = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^([a-z]+:|#)/i.test(target))
    .map((target) => normalize(join(dirname(file), target.replace(/#.*$/, ''))));
}

const documents = ['README.md', ...readdirSync(join(ROOT, 'docs', 'guides')).map((f) => `docs/guides/${f}`)];

it('the package ships the README, LICENSE, CHANGELOG and every guide', () => {
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', ...documents]) expect(shipped).toContain(file);
});

it('the README links every guide', () => {
  const links = relativeLinks('README.md');
  for (const guide of documents.filter((d) => d.startsWith('docs/'))) expect(links).toContain(guide);
});

it.each(documents)('%s links only files the package ships', (file) => {
  expect(relativeLinks(file).filter((target) => !shipped.has(target))).toEqual([]);
});

it('a planted link to a file only a clone has is found (the check can fail)', () => {
  const planted =
    'See [the quickstart](../../examples/quickstart.ts), [x](https://a.example/b.md) and [y](#top).\n';
  const targets = relativeLinks('docs/guides/planted.md', planted);
  expect(targets).toEqual(['examples/quickstart.ts']);
  expect(targets.filter((target) => !shipped.has(target))).toEqual(['examples/quickstart.ts']);
});

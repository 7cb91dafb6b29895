/**
 * After `tsup`: gives the declaration chunk that holds the spec's models a stable name,
 * `dist/spec-models.d.ts` (and `.d.mts`), so go-to-definition on `Order` lands in a file that says
 * what it is instead of a hashed `<name>-<hash>.d.ts`. tsup exposes no chunk-name option for its
 * declaration build; its `models` declaration entry (tsup.config.ts, `src/types.ts`) pulls the
 * generated models into one chunk of their own, which is the one chunk that entry imports from.
 * Fails loudly when the layout is not the expected one.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DIST = resolve(__dirname, '..', 'dist');
const NAME = 'spec-models';

for (const ext of ['.d.ts', '.d.mts']) {
  const js = ext === '.d.ts' ? '.js' : '.mjs';
  const entry = readFileSync(join(DIST, `models${ext}`), 'utf8');
  const sources = [...new Set([...entry.matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1] ?? ''))];
  const chunk = sources[0]?.replace(new RegExp(`\\${js}$`), ext);
  if (sources.length !== 1 || !chunk || !/-[A-Za-z0-9_-]{8}\.d\.m?ts$/.test(chunk))
    throw new Error(`expected dist/models${ext} to import one hashed chunk, found: ${sources.join(', ')}`);
  const from = `'./${sources[0]}'`;
  const to = `'./${NAME}${js}'`;
  renameSync(join(DIST, chunk), join(DIST, `${NAME}${ext}`));
  for (const f of readdirSync(DIST).filter((name) => name.endsWith(ext))) {
    const path = join(DIST, f);
    const text = readFileSync(path, 'utf8');
    if (text.includes(from)) writeFileSync(path, text.split(from).join(to));
  }
}

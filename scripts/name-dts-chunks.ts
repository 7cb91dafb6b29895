/**
 * After `tsup`: gives the declaration chunk that holds the spec's models a stable name,
 * `dist/models.d.ts` (and `.d.mts`), so go-to-definition on `Order` lands in a file that says what
 * it is instead of a hashed `types-<hash>.d.ts`. tsup exposes no chunk-name option for its
 * declaration build; its `models` declaration entry (tsup.config.ts) is a one-line facade over that
 * chunk, so the chunk takes the facade's place. Fails loudly when the layout is not the expected one.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DIST = resolve(__dirname, '..', 'dist');

for (const ext of ['.d.ts', '.d.mts']) {
  const js = ext === '.d.ts' ? '.js' : '.mjs';
  const files = readdirSync(DIST).filter((f) => f.endsWith(ext));
  const chunks = files.filter((f) =>
    new RegExp(`^types-[A-Za-z0-9_-]+${ext.replace(/\./g, '\\.')}$`).test(f),
  );
  const facade = readFileSync(join(DIST, `models${ext}`), 'utf8');
  if (chunks.length !== 1 || !chunks[0] || !facade.includes(chunks[0].replace(ext, js)))
    throw new Error(
      `expected dist/models${ext} to re-export one types-<hash>${ext} chunk, found ${chunks.join(', ')}`,
    );
  const chunk = chunks[0];
  const from = `./${chunk.replace(ext, js)}'`;
  const to = `./models${js}'`;
  renameSync(join(DIST, chunk), join(DIST, `models${ext}`));
  for (const f of files) {
    if (f === chunk || f === `models${ext}`) continue;
    const path = join(DIST, f);
    const text = readFileSync(path, 'utf8');
    if (text.includes(from)) writeFileSync(path, text.split(from).join(to));
  }
}

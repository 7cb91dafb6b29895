/**
 * Part of `npm run build`: bundles the sandbox's developer console (Preact + htm + uPlot) into
 * dist/console/console.js and console.css, which the sandbox serves at /__sandbox/console. They ship
 * in the package and load only when someone opens the console. Prints their gzip size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleConsole } from '../src/sandbox/console/build';

async function main(): Promise<void> {
  const { js, css } = await bundleConsole(join(__dirname, '..', 'src/sandbox/console/client/main.ts'));
  const out = join(__dirname, '..', 'dist', 'console');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'console.js'), js);
  writeFileSync(join(out, 'console.css'), css);
  const gzip = gzipSync(js).length + gzipSync(css).length;
  if (process.env.npm_lifecycle_event !== 'build' || process.argv.includes('--verbose'))
    console.log(`dist/console: ${(gzip / 1000).toFixed(1)} KB gzip`);
}

main().catch((error: unknown) => {
  console.error('build-console FAILED:', error);
  process.exit(1);
});

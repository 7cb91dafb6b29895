/**
 * The BUILT package as a consumer sees it: `dist/` is rebuilt when older than its sources, then
 * `npm pack`ed (so `files` and `exports` are what ships) and unpacked into
 * `.tmp/consumer/node_modules/connect-trade`. Dependencies resolve from the repository's
 * node_modules by walking up, so nothing is downloaded. A lock directory keeps parallel Jest
 * workers from building or unpacking at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');
/** The consumer project: `node_modules/connect-trade` is the unpacked tarball. */
export const CONSUMER = join(ROOT, '.tmp', 'consumer');
const LOCK = join(ROOT, '.tmp', 'package.lock');
const INPUTS = ['src', 'generated', 'openapi', 'package.json', 'tsup.config.ts'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function mtime(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

async function withLock<T>(work: () => T): Promise<T> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than the deadline belongs to a killed run.
      if (Date.now() - mtime(LOCK) > 180_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds `dist/` if missing or stale, packs it and unpacks it into the consumer project; returns that project's path. */
export function preparePackage(): Promise<string> {
  return withLock(() => {
    const built = join(ROOT, 'dist', 'index.js');
    const sources = Math.max(...INPUTS.map((p) => newestMtime(join(ROOT, p))));
    if (mtime(built) < sources) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    const installed = join(CONSUMER, 'node_modules', 'connect-trade');
    // tar restores npm's fixed 1985 mtimes, so a stamp written after unpacking records freshness.
    const stamp = join(CONSUMER, '.unpacked');
    if (mtime(stamp) < mtime(built)) {
      rmSync(CONSUMER, { recursive: true, force: true });
      mkdirSync(installed, { recursive: true });
      writeFileSync(join(CONSUMER, 'package.json'), '{ "name": "consumer", "private": true }\n');
      // Stops bundlers at this project: the repository's tsconfig maps `connect-trade` to src/ (for
      // the examples), which would make these tests measure the sources instead of the package.
      writeFileSync(join(CONSUMER, 'tsconfig.json'), '{ "compilerOptions": {} }\n');
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', CONSUMER], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ) as { filename: string }[];
      const tarball = join(CONSUMER, packed[0]?.filename ?? '');
      execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
      rmSync(tarball);
      writeFileSync(stamp, new Date().toISOString());
    }
    return CONSUMER;
  });
}

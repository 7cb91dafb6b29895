/**
 * The programs the test suite needs besides Node, and where to find them: a headless Chromium
 * (browser tests), tmux (the CLI's terminal test) and redis-server (relay tests).
 *
 * `scripts/test-prereqs.ts` (the first half of `npm test`) installs whichever is missing; the test
 * helpers call the `require*` functions below, which fail with one line naming what to install.
 * Nothing is ever skipped: a missing program is a failing test.
 */
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..');

/** A program the tests need is absent. The message is one line that says what to install. */
export class MissingPrerequisiteError extends Error {
  override name = 'MissingPrerequisiteError';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The Debian package that provides each program (what `npm test` installs when it runs as root). */
export const DEBIAN_PACKAGES = {
  chromium: 'chromium',
  tmux: 'tmux',
  'redis-server': 'redis-server',
} as const;
export type Program = keyof typeof DEBIAN_PACKAGES;

function missing(program: Program, extra = ''): MissingPrerequisiteError {
  return new MissingPrerequisiteError(
    `${program} is required by the tests and was not found${extra}: install it (\`apt-get install ${DEBIAN_PACKAGES[program]}\`, which \`npm test\` does by itself when run as root)`,
  );
}

// --- Chromium ------------------------------------------------------------------------------------

/**
 * The Chromium that `@sparticuz/chromium` (a devDependency) ships inside the npm package, as one
 * brotli-compressed, self-contained binary (it needs only libc, libexpat and libgcc from the
 * system). We inflate just that binary into node_modules/.cache instead of calling the package's
 * `executablePath()`, which writes to a shared /tmp/chromium and reuses whatever version is there.
 */
function bundledChromiumPackage(): { bin: string; version: string } | undefined {
  const dir = join(ROOT, 'node_modules', '@sparticuz', 'chromium');
  const bin = join(dir, 'bin', 'chromium.br');
  if (!existsSync(bin)) return undefined;
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { bin, version };
}

/** Inflates the bundled Chromium once (atomically: parallel Jest workers may race) and returns its path. */
export function bundledChromium(): string | undefined {
  const pkg = bundledChromiumPackage();
  if (!pkg) return undefined;
  const target = join(
    ROOT,
    'node_modules',
    '.cache',
    'connect-trade-tests',
    `chromium-${pkg.version}`,
    'chromium',
  );
  if (isExecutable(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, brotliDecompressSync(readFileSync(pkg.bin)), { mode: 0o755 });
  renameSync(partial, target);
  return target;
}

/**
 * The Chromium the browser tests launch: `CHROMIUM_PATH` when set, else Debian's /usr/bin/chromium
 * when installed, else the one bundled in `@sparticuz/chromium`.
 */
export function findChromium(): string | undefined {
  const override = process.env.CHROMIUM_PATH;
  if (override) return isExecutable(override) ? override : undefined;
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return bundledChromium();
}

export function requireChromium(): string {
  const found = findChromium();
  if (found) return found;
  const override = process.env.CHROMIUM_PATH;
  throw missing('chromium', override ? ` (CHROMIUM_PATH=${override} is not an executable)` : '');
}

/** Does this Chromium start? (`--version` runs no browser, so it is quick.) */
export function chromiumRuns(path: string): boolean {
  try {
    return /Chrom/.test(
      execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: 'pipe' }),
    );
  } catch {
    return false;
  }
}

// --- tmux, redis-server -------------------------------------------------------------------------

export function requireProgram(program: 'tmux' | 'redis-server'): string {
  const found = findOnPath(program);
  if (found) return found;
  throw missing(program, ' on PATH');
}

/**
 * The first half of `npm test`: makes sure the programs the suite needs besides Node are here, so
 * `npm install && npm test` passes on a fresh Debian machine that has only Node.
 *
 * - Chromium: `CHROMIUM_PATH`, else /usr/bin/chromium, else the one `@sparticuz/chromium` ships
 *   inside the npm package (inflated into node_modules/.cache); `apt-get install chromium` only
 *   when none of them starts.
 * - tmux and redis-server (redis-server not when `REDIS_URL` points at a server): `apt-get install`.
 *
 * Installing happens only as root (like CI) and not when CONNECT_TRADE_TEST_INSTALL=0. When a
 * program is still missing, this prints one line per program saying what to install and exits 1:
 * the tests never skip silently.
 */
import { execFileSync } from 'node:child_process';
import {
  chromiumRuns,
  DEBIAN_PACKAGES,
  findOnPath,
  type Program,
  requireChromium,
  requireProgram,
} from '../test/helpers/prereqs';

/** What is wrong with `program`, in one line, or undefined when it is ready. */
function problem(program: Program): string | undefined {
  try {
    if (program === 'redis-server' && process.env.REDIS_URL) return undefined;
    if (program !== 'chromium') return void requireProgram(program);
    const chromium = requireChromium();
    if (chromiumRuns(chromium)) return undefined;
    return `chromium at ${chromium} does not start: install Debian's (\`apt-get install chromium\`) or set CHROMIUM_PATH`;
  } catch (error) {
    return (error as Error).message;
  }
}

const programs = Object.keys(DEBIAN_PACKAGES) as Program[];
const absent = programs.filter((program) => problem(program) !== undefined);
const mayInstall =
  absent.length > 0 &&
  process.getuid?.() === 0 &&
  process.env.CONNECT_TRADE_TEST_INSTALL !== '0' &&
  findOnPath('apt-get') !== undefined;

if (mayInstall) {
  const packages = absent.map((program) => DEBIAN_PACKAGES[program]);
  console.log(`test prerequisites: apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args: string[]) =>
    execFileSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    apt('update', '-qq');
    apt('install', '-y', '-qq', '--no-install-recommends', ...packages);
  } catch {
    // Reported below, per program, by the checks that still fail.
  }
}

const failures = absent.map(problem).filter((line) => line !== undefined);
for (const line of failures) console.error(`test prerequisites: ${line}`);
if (failures.length > 0) process.exit(1);

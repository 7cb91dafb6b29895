/**
 * The mutation proof: copies the source to a temporary directory, plants one defect, and runs
 * simulated seeds in a child process until an invariant breaks (or the seed limit is reached).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One planted defect and the invariant the simulation must name. */
export interface Defect {
  name: string;
  file: string;
  find: string;
  replace: string;
  invariant: string;
}

export const DEFECTS: readonly Defect[] = [
  {
    name: 're-send an order without the lookup',
    file: 'src/rest/orders/reconcile.ts',
    find: "mayExist ||= decision === 'lookup';",
    replace: 'mayExist ||= false;',
    invariant: 'create-outcome',
  },
  {
    name: 'accept a backward seq',
    file: 'src/streams/brokerage-stream.ts',
    find: 'if (seq > last + MAX_SEQ_JUMP || seq <= last) {',
    replace: 'if (seq > last + MAX_SEQ_JUMP) {',
    invariant: 'seq-increasing',
  },
  {
    name: 'ignore Retry-After',
    file: 'src/core/backoff.ts',
    find: 'if (asked !== undefined) return asked <= policy.maxRetryAfter ? asked : undefined;',
    replace: '',
    invariant: 'retry-after-honoured',
  },
  {
    name: 'skip re-subscribing after a reconnect',
    file: 'src/streams/connection.ts',
    find: 'this.#registry.replay(this.#replayHooks);\n',
    replace: 'if (!reconnect) this.#registry.replay(this.#replayHooks);\n',
    // Subscriptions made while away are never confirmed, and those made before stop receiving:
    // the subscription invariant names it (the calls left pending also break liveness).
    invariant: 'subscription-complete',
  },
  {
    name: "drop a fill in the live store's merge",
    file: 'src/live/order-merge.ts',
    find: "  if (filled < 0) return { order: current, outcome: 'regression' };",
    replace:
      "  if (filled < 0) return { order: current, outcome: 'regression' };\n  if (filled > 0) return { order: current, outcome: 'stale' };",
    invariant: 'live-equals-rest',
  },
];

/** What hunting one defect found: the first failing seed (or none) and the invariants it broke. */
export interface Hunt {
  defect: string;
  seeds: number;
  found: boolean;
  invariants: string[];
}

const ROOT = join(__dirname, '..', '..');

/** Copies the tree a simulated run needs, with `defect` planted; returns the copy's directory. */
export function plant(defect: Defect): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-mutant-'));
  for (const part of [
    'src',
    'test/sim',
    'test/helpers',
    'generated',
    'openapi',
    'package.json',
    'tsconfig.json',
  ])
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const path = join(dir, defect.file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(defect.find))
    throw new Error(`defect "${defect.name}": its site is gone from ${defect.file}`);
  writeFileSync(path, text.replace(defect.find, defect.replace));
  return dir;
}

/** Runs seeds 1..max in the planted copy until one fails. */
export function hunt(defect: Defect, max = 2000, timeoutMs = 600_000): Promise<Hunt> {
  const dir = plant(defect);
  const script = `
    const { runSdkSeed } = require(${JSON.stringify(join(dir, 'test/sim/sdk/scenario.ts'))});
    (async () => {
      for (let seed = 1; seed <= ${max}; seed++) {
        const r = await runSdkSeed(seed);
        if (r.violations.length > 0) {
          console.log(JSON.stringify({ seeds: seed, found: true, invariants: r.violations.map((v) => v.invariant) }));
          return;
        }
      }
      console.log(JSON.stringify({ seeds: ${max}, found: false, invariants: [] }));
    })();`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '-e', script],
      { cwd: dir, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        rmSync(dir, { recursive: true, force: true });
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ defect: defect.name, ...(JSON.parse(line) as Omit<Hunt, 'defect'>) });
        } catch {
          reject(error ?? new Error(`no result from the mutant run: ${stdout.slice(-500)}`));
        }
      },
    );
  });
}

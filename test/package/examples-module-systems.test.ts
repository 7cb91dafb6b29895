/**
 * The README says an example can be pasted into an app. Apps are ESM (`"type": "module"`) or
 * CommonJS, so every example is copied unchanged into one app of each kind, which has the packed
 * package installed (test/package/consumer.ts), and run there against a sandbox as its own app
 * would run it (`node --import tsx`). A file that only works in one module system (`require`,
 * `module`, `__dirname`, `__filename`, `import.meta`) fails here.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EXAMPLES_DIR, type ExampleResult, exampleFiles, runExample } from '../../scripts/run-examples';
import { preparePackage } from './consumer';

jest.setTimeout(300_000);

const SYSTEMS = ['module', 'commonjs'] as const;

/** Every example source, fleet/ included. */
function sources(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

it.each(sources().map((p) => relative(EXAMPLES_DIR, p)))(
  '%s uses nothing of one module system only (require, module, __dirname, __filename, import.meta)',
  (file) => {
    const code = readFileSync(join(EXAMPLES_DIR, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
    expect(code).not.toMatch(
      /\brequire\b|\bmodule\b|\b__dirname\b|\b__filename\b|\bimport\.meta\b|\bexports\b/,
    );
  },
);

/** Runs `limit` at a time: each example starts its own sandbox, and the machine may be small. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T);
      }
    }),
  );
  return results;
}

const runs = new Map<string, ExampleResult>();
beforeAll(async () => {
  const consumer = await preparePackage();
  const jobs: { system: string; path: string }[] = [];
  for (const system of SYSTEMS) {
    // Inside the consumer project: `connect-trade` resolves to the packed package, and the
    // consumer's own tsconfig.json stops tsx from finding the repository's path mapping.
    const app = join(consumer, `examples-${system}`);
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: `app-${system}`, private: true, type: system }),
    );
    cpSync(EXAMPLES_DIR, app, { recursive: true });
    for (const file of exampleFiles()) jobs.push({ system, path: join(app, file) });
  }
  const results = await pooled(jobs, 4, (job) => runExample(job.path, 60_000, dirname(job.path)));
  jobs.forEach((job, i) => {
    runs.set(
      `${job.system} ${relative(join(consumer, `examples-${job.system}`), job.path)}`,
      results[i] as ExampleResult,
    );
  });
});

describe.each(SYSTEMS)('in an app with "type": "%s"', (system) => {
  it.each(exampleFiles())('%s runs unchanged and exits 0', (file) => {
    const result = runs.get(`${system} ${file}`);
    if (!result?.ok) throw new Error(`${file} failed:\n${result?.output}\n${result?.violations.join('\n')}`);
    expect(result).toMatchObject({ code: 0, timedOut: false });
  });
});

/**
 * Browser bundle budgets of the BUILT package: esbuild bundles a one-line consumer of each entry
 * (platform browser, ESM, code splitting, minified, as an app bundler would) and reports the
 * min+gzip size of what a page loads up front: the entry chunk plus every chunk it imports
 * statically. Chunks reached only through `import()` (the schema validator behind `validate: true`,
 * the Node transport) are reported apart and not counted. Budgets are in bytes (1 KB = 1000 B).
 *
 * Run: `npm run size` (builds first). The package tests assert the same budgets in CI.
 */
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** One measured consumer bundle. */
export interface BundleReport {
  name: string;
  /** Bytes allowed for the up-front load, min+gzip. */
  budget: number | undefined;
  /** Entry chunk + statically imported chunks, minified then gzipped. */
  initialGzip: number;
  /** Same, minified only. */
  initialMin: number;
  /** Lazily loaded chunks, min+gzip. */
  lazyGzip: number;
  /** Every input file of the whole bundle (initial and lazy). */
  inputs: string[];
  /** Input files of the initial chunks only. */
  initialInputs: string[];
  /** Imports esbuild left external or that name a `node:` module (must be empty for browsers). */
  external: string[];
}

/** The consumers measured: the first two carry the budgets. */
export const BUNDLES: { name: string; code: string; budget?: number }[] = [
  {
    name: 'market-data stream',
    code: "import { MarketDataStream } from 'connect-trade/streams'; globalThis.out = MarketDataStream;",
    // Issue 20's goal: what a page loads up front for `new MarketDataStream(...)` (the entry chunk
    // and the chunks it imports statically; the request checks, `ws` and the schema validator load
    // later). 9,995 B at stop 22 (bench/README.md, "Market-data stream under 10 000 B").
    budget: 10_000,
  },
  {
    name: 'connect-trade/rest',
    code: "import { ConnectTradeRest } from 'connect-trade/rest'; globalThis.out = ConnectTradeRest;",
    // The order checks with the spec's rule tables, order placement (reconciliation) and the rate
    // limiter load on first use, as one chunk (src/rest/deferred/).
    budget: 14_000,
  },
  {
    name: 'brokerage stream',
    code: "import { BrokerageStream } from 'connect-trade/streams'; globalThis.out = BrokerageStream;",
  },
  {
    name: 'connect-trade/streams (all)',
    code: "import * as all from 'connect-trade/streams'; globalThis.out = all;",
  },
  { name: 'connect-trade (all)', code: "import * as all from 'connect-trade'; globalThis.out = all;" },
];

/** Bundles `code` (resolving `connect-trade` from `resolveDir`) and measures it. */
export async function measureBundle(
  name: string,
  code: string,
  resolveDir: string,
  budget?: number,
): Promise<BundleReport> {
  const result = await build({
    stdin: { contents: code, resolveDir, sourcefile: 'consumer.js' },
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/virtual-out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const metafile = result.metafile as Metafile;
  const gzipOf = new Map(
    result.outputFiles.map((file) => [file.path, gzipSync(file.contents, { level: 9 }).length]),
  );
  const outputs = Object.entries(metafile.outputs).filter(([path]) => !path.endsWith('.map'));
  const absolute = (path: string) =>
    result.outputFiles.find((f) => f.path.endsWith(path.replace(/^.*?virtual-out/, '')))?.path ?? path;
  // The consumer's own chunk: chunks reached by `import()` are entry points to esbuild too.
  const entry = outputs.find(([, output]) => output.entryPoint?.endsWith('consumer.js'));
  if (!entry) throw new Error(`${name}: esbuild produced no entry chunk`);
  const initial = new Set<string>();
  const visit = (path: string) => {
    if (initial.has(path)) return;
    initial.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry[0]);
  let initialGzip = 0;
  let initialMin = 0;
  let lazyGzip = 0;
  const initialInputs: string[] = [];
  for (const [path, output] of outputs) {
    const gzip = gzipOf.get(absolute(path)) ?? 0;
    if (initial.has(path)) {
      initialGzip += gzip;
      initialMin += output.bytes;
      initialInputs.push(...Object.keys(output.inputs));
    } else lazyGzip += gzip;
  }
  const external = outputs.flatMap(([, output]) =>
    output.imports.filter((i) => i.external || i.path.startsWith('node:')).map((i) => i.path),
  );
  return {
    name,
    budget,
    initialGzip,
    initialMin,
    lazyGzip,
    inputs: Object.keys(metafile.inputs),
    initialInputs,
    external,
  };
}

async function main(): Promise<void> {
  const { preparePackage } = await import('../test/package/consumer');
  const consumer = await preparePackage();
  console.log('bundle                         initial min   min+gzip   budget   lazy min+gzip');
  let failed = false;
  for (const { name, code, budget } of BUNDLES) {
    const r = await measureBundle(name, code, consumer, budget);
    const over = budget !== undefined && r.initialGzip > budget;
    failed ||= over || r.external.length > 0;
    console.log(
      `${name.padEnd(30)} ${String(r.initialMin).padStart(11)} ${String(r.initialGzip).padStart(10)} ${String(budget ?? '-').padStart(8)} ${String(r.lazyGzip).padStart(15)}${over ? '  OVER BUDGET' : ''}`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();

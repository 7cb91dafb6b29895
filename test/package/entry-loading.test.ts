/**
 * What importing each entry of the BUILT package actually loads, in a fresh Node process: every
 * file in `require.cache` (CommonJS) or seen by a module `load` hook (ESM), mapped back to the
 * sources it was built from through the `// src/...` comment esbuild writes before each bundled
 * module (the package ships no source maps; eventemitter3 and openapi-fetch are inlined in the
 * CommonJS build, so file names alone would not show them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preparePackage } from './consumer';

jest.setTimeout(180_000);

let consumer: string;
beforeAll(async () => {
  consumer = await preparePackage();
});

/** The files a child process loaded and the sources behind the package's own files. */
interface Loaded {
  files: string[];
  sources: string[];
}

/** esbuild's unminified output names each bundled module on a line of its own: `// src/rest/client.ts`. */
const MODULE_COMMENT = /^\/\/ ((?:src|generated|openapi|node_modules)\/\S+)$/gm;

function sourcesOf(files: string[]): string[] {
  const sources = new Set<string>();
  for (const file of files) {
    if (!file.includes('node_modules/connect-trade/dist/') || !existsSync(file)) continue;
    for (const [, source] of readFileSync(file, 'utf8').matchAll(MODULE_COMMENT))
      if (source) sources.add(source);
  }
  return [...sources];
}

/** Runs CommonJS `body` in the consumer project, then reports `require.cache`. */
function loadedByRequire(body: string): Loaded {
  const script = join(consumer, 'load-cjs.js');
  writeFileSync(
    script,
    `(async () => { ${body}; process.stdout.write(JSON.stringify(Object.keys(require.cache))); })().catch((e) => { console.error(e); process.exit(1); });\n`,
  );
  const files = JSON.parse(
    execFileSync(process.execPath, [script], { cwd: consumer, encoding: 'utf8' }),
  ) as string[];
  return { files, sources: sourcesOf(files) };
}

/** Imports `specifier` from an ES module in the consumer project; a `load` hook logs every module. */
function loadedByImport(specifier: string): Loaded {
  const log = join(consumer, 'load-esm.log');
  writeFileSync(log, '');
  const hooks = `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`;
  writeFileSync(
    join(consumer, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
  );
  writeFileSync(join(consumer, 'load-esm.mjs'), `await import(${JSON.stringify(specifier)});\n`);
  execFileSync(process.execPath, ['--import', './register.mjs', 'load-esm.mjs'], { cwd: consumer });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => fileURLToPath(url));
  return { files, sources: sourcesOf(files) };
}

const nodeModule = (files: string[], name: string) =>
  files.filter((f) => f.includes(`/node_modules/${name}/`));
const streamSources = (sources: string[]) =>
  sources.filter((s) => s.includes('eventemitter3') || s.startsWith('src/streams/'));

describe('connect-trade/rest loads no WebSocket, undici or eventemitter3 code', () => {
  it('CommonJS require', () => {
    const { files, sources } = loadedByRequire("require('connect-trade/rest')");
    expect(sources).toContain('src/rest/client.ts'); // the detector sees what was loaded
    for (const name of ['ws', 'undici', 'eventemitter3', 'isomorphic-ws', 'ajv'])
      expect(nodeModule(files, name)).toEqual([]);
    expect(streamSources(sources)).toEqual([]);
    expect(
      sources.filter((s) => /node-transport|schema-validator|openapi\/connect-trade\.json/.test(s)),
    ).toEqual([]);
  });

  it('ESM import', () => {
    const { files, sources } = loadedByImport('connect-trade/rest');
    expect(files.some((f) => f.endsWith('/dist/rest.mjs'))).toBe(true);
    expect(sources).toContain('src/rest/client.ts');
    for (const name of ['ws', 'undici', 'eventemitter3', 'isomorphic-ws', 'ajv'])
      expect(nodeModule(files, name)).toEqual([]);
    expect(streamSources(sources)).toEqual([]);
  });
});

describe('the loaders are lazy, and the detector sees them when they load', () => {
  it('connect-trade loads the stream code but not ws or ajv until a stream connects', () => {
    const { files, sources } = loadedByRequire("require('connect-trade')");
    expect(sources).toEqual(expect.arrayContaining(['src/streams/connection.ts']));
    expect(sources.some((s) => s.includes('eventemitter3'))).toBe(true);
    for (const name of ['ws', 'undici', 'ajv']) expect(nodeModule(files, name)).toEqual([]);
  });

  it('a first REST call loads the node:http transport (never undici) and a first stream connect loads ws', () => {
    // The node transport has a stable file name (package.json `browser` maps it out of bundles).
    const nodeTransport = (files: string[]) => files.filter((f) => f.endsWith('/dist/node-transport.js'));
    expect(nodeTransport(loadedByRequire("require('connect-trade')").files)).toEqual([]);
    const { files } = loadedByRequire(`
      const { ConnectTrade } = require('connect-trade');
      const ct = new ConnectTrade({ clientId: 'c', clientSecret: 'secret-x', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
      await ct.users.list().catch(() => {});
      const stream = ct.stream({ url: 'ws://127.0.0.1:9', reconnect: { maxAttempts: 0 } });
      await stream.connect().catch(() => {});
      await stream.close();`);
    expect(nodeTransport(files).length).toBe(1);
    expect(nodeModule(files, 'undici')).toEqual([]);
    expect(nodeModule(files, 'ws').length).toBeGreaterThan(0);
    expect(nodeModule(files, 'ajv')).toEqual([]);
  });
});

describe('connect-trade/relay loads the optional peer `redis` only when it first reaches Redis', () => {
  /** Relay code is recognisable by the commands only it sends. */
  const relayCode = (files: string[]) =>
    files.filter(
      (f) => f.includes('node_modules/connect-trade/dist/') && readFileSync(f, 'utf8').includes('XAUTOCLAIM'),
    );

  it('CommonJS: requiring the entry loads no redis; a first connect does', () => {
    const idle = loadedByRequire("require('connect-trade/relay')");
    expect(relayCode(idle.files).length).toBeGreaterThan(0); // the detector sees relay code
    expect(nodeModule(idle.files, 'redis')).toEqual([]);
    expect(nodeModule(idle.files, '@redis/client')).toEqual([]);
    const used = loadedByRequire(`
      const { relayStream } = require('connect-trade/relay');
      const s = relayStream({ redis: 'redis://127.0.0.1:9', connectTimeoutMs: 300 });
      s.on('error', () => {});
      await s.connect().catch(() => {});
      await s.close();`);
    expect(nodeModule(used.files, '@redis/client').length).toBeGreaterThan(0);
  });

  it('ESM: the entry imports without redis code', () => {
    const { files } = loadedByImport('connect-trade/relay');
    expect(files.some((f) => f.endsWith('/dist/relay.mjs'))).toBe(true);
    expect(relayCode(files).length).toBeGreaterThan(0);
    expect(nodeModule(files, '@redis/client')).toEqual([]);
  });

  it('the main entry carries no relay code', () => {
    const { files } = loadedByRequire("require('connect-trade')");
    expect(files.some((f) => f.includes('node_modules/connect-trade/dist/'))).toBe(true);
    expect(relayCode(files)).toEqual([]);
  });
});

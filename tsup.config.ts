import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** Public entry points (one per package.json `exports` subpath). */
const entry = {
  index: 'src/index.ts',
  rest: 'src/rest.ts',
  sandbox: 'src/sandbox.ts',
  streams: 'src/streams.ts',
  relay: 'src/relay.ts',
  // Not a public subpath: the Node transport gets a stable file name so package.json `browser` can
  // map it to nothing (it imports node:http; browsers never reach it). transport.ts imports it lazily.
  'node-transport': 'src/rest/node-transport.ts',
  // Likewise the OpenTelemetry instrumentation (imported only when `telemetry` is set).
  'telemetry-otel': 'src/core/telemetry-otel.ts',
};

const common: Options = {
  // No source maps: dist/ is not minified, so stack traces already read well, and maps of sources
  // the package does not ship were most of its size (dist/cli.js.map alone was 1 MB).
  sourcemap: false,
  // `npm run build` empties dist/ first; the two builds below run side by side.
  clean: false,
  target: 'node20',
  platform: 'node',
  treeshake: true,
  outDir: 'dist',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.js' }),
  // src/version.ts: the version is read from package.json here, once, not written in the source.
  define: { __CONNECT_TRADE_VERSION__: JSON.stringify(version) },
  // A devDependency the sandbox's console reaches only in a clone without a build (console/build.ts).
  external: ['esbuild'],
};

/**
 * CommonJS inlines these two (their types stay external; both remain dependencies): resolving two
 * more packages costs more at cold `require` than their code does (bench/import.ts). ESM keeps
 * them external so app bundlers dedupe them and use eventemitter3's own ESM wrapper.
 */
const inlinedInCjs = ['eventemitter3', 'openapi-fetch'];

/**
 * Declarations get one more entry: the spec's models. Shared declarations otherwise land in one
 * hashed chunk named after whichever module rollup picks (`errors-<hash>.d.ts`); as an entry of
 * their own they sit in `dist/spec-models.d.ts` (scripts/name-dts-chunks.ts), where go-to-definition on `Order` and friends lands.
 */
const dts = { entry: { ...entry, models: 'src/types.ts' } };

export default defineConfig([
  // Code splitting keeps lazily imported modules (ajv + the spec for `validate`, `ws`, undici) out
  // of every entry's load: they become chunks loaded by `import()` (ESM) or a deferred `require`
  // (CJS). Entries share chunks, so `instanceof` holds across subpaths.
  { ...common, entry, format: ['cjs'], dts, splitting: true, noExternal: inlinedInCjs },
  // The sandbox console finds its built assets beside its own code: in ES modules through
  // `import.meta.url` (src/sandbox/console/assets.ts), which CommonJS does not have.
  {
    ...common,
    entry,
    format: ['esm'],
    dts,
    splitting: true,
    define: { ...common.define, __MODULE_URL__: 'import.meta.url' },
  },
  {
    // The `connect-trade` bin: one CommonJS file of its own. Built apart so its module graph
    // (which pulls in the sandbox) cannot change how the library entries are chunked.
    ...common,
    entry: { cli: 'src/cli/index.ts' },
    format: ['cjs'],
    dts: false,
    splitting: false,
    noExternal: inlinedInCjs,
  },
]);

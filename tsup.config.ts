import { defineConfig } from 'tsup';

/** Public entry points (one per package.json `exports` subpath) and the `connect-trade` bin. */
const entry = {
  index: 'src/index.ts',
  rest: 'src/rest.ts',
  sandbox: 'src/sandbox.ts',
  streams: 'src/streams.ts',
  cli: 'src/cli/index.ts',
};

export default defineConfig({
  entry,
  format: ['cjs', 'esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Code splitting keeps lazily imported modules (ajv + the spec for `validate`, `ws`, undici) out of
  // every entry's load: they become chunks loaded by `import()` (ESM) or a deferred `require` (CJS).
  splitting: true,
  treeshake: true,
  // Inlined (their types stay external; both remain dependencies): resolving two more packages
  // cost more at cold \`require\` than their code does (bench/import.ts).
  noExternal: ['eventemitter3', 'openapi-fetch'],
  outDir: 'dist',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.js' }),
});

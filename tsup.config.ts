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
  splitting: false,
  treeshake: true,
  outDir: 'dist',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.js' }),
});

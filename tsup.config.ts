import { defineConfig } from 'tsup';

/** Public entry points (`src/rest.ts` is `connect-trade/rest`). Add `src/streams.ts`, `src/sandbox.ts` here when they exist. */
const entry = ['src/index.ts', 'src/rest.ts'];

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

import { defineConfig } from 'tsup';

/** Public entry points. Add `src/rest.ts`, `src/streams.ts`, `src/sandbox.ts` here when they exist. */
const entry = ['src/index.ts', 'src/streams.ts'];

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

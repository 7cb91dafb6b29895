/**
 * Import rules of src/ (src/README.md draws them), checked by `npm run lint:imports` in CI:
 * no import cycle (type-only imports included); core/ imports no wing; the sandbox and the CLI
 * use the package's public entries only.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycle in src/, type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-no-wing',
      severity: 'error',
      comment:
        'src/core/ holds what several wings share: it imports only itself, generated/ and src/version.ts.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/types\\.ts$', '^src/version\\.ts$'] },
    },
    {
      name: 'wings-import-core-and-generated',
      severity: 'error',
      comment:
        'A wing (rest, streams, live, relay) imports itself, core/, generated/, types.ts and version.ts; live/ and relay/ also build on the streams and the REST client.',
      from: { path: '^src/(rest|streams)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/core/', '^src/$1/', '^src/types\\.ts$', '^src/version\\.ts$', '^src/internal/'],
      },
    },
    {
      name: 'sandbox-and-cli-use-public-entries',
      severity: 'error',
      comment:
        'The sandbox and the CLI are users of the SDK: they import its public entries (src/index.ts, rest.ts, streams.ts, relay.ts, sandbox.ts), core/ and types.ts, never a wing file.',
      from: { path: '^src/(sandbox|cli)/' },
      to: { path: '^src/(rest|streams|live|relay)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(generated|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.d.ts', '.js'] },
  },
};

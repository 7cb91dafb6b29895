/**
 * The public API report (`@microsoft/api-extractor`), one file per entry point of package.json
 * `exports`: `etc/connect-trade.api.md` for `connect-trade`, `etc/connect-trade-rest.api.md` for
 * `connect-trade/rest`, and so on. Reads the built declarations, so run `npm run build` first.
 *
 *   npm run api:report    rewrite etc/*.api.md (commit them with the change)
 *   npm run api:check     exit 1 when the public API differs from the committed report (CI)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const ROOT = resolve(__dirname, '..');
const check = process.argv.includes('--check');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { require?: { types?: string } } | string>;
};

let failed = false;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const types = typeof target === 'string' ? undefined : target.require?.types;
  if (!types) continue; // ./package.json
  const name = subpath === '.' ? pkg.name : `${pkg.name}-${subpath.slice(2).replace(/\//g, '-')}`;
  const entry = join(ROOT, types);
  if (!existsSync(entry)) throw new Error(`${types} is missing: run \`npm run build\` first`);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: ROOT,
      newlineKind: 'lf',
      mainEntryPointFilePath: entry,
      compiler: { tsconfigFilePath: join(ROOT, 'tsconfig.json') },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: join(ROOT, 'etc'),
        reportTempFolder: join(ROOT, '.tmp', 'api-report'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is for review: missing release tags and doc-comment style are not what it checks.
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
    configObjectFullPath: join(ROOT, 'etc', 'api-extractor.json'),
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
  if (check && result.apiReportChanged) {
    failed = true;
    console.error(
      `etc/${name}.api.md: the public API of '${subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`}' changed.`,
    );
  } else if (!result.succeeded && !result.apiReportChanged) {
    failed = true;
    console.error(`${name}: api-extractor failed (${result.errorCount} errors)`);
  } else console.log(`etc/${name}.api.md ${check ? 'up to date' : 'written'}`);
}
if (failed) {
  console.error('Run `npm run build && npm run api:report`, review the diff of etc/*.api.md and commit it.');
  process.exit(1);
}

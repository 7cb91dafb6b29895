/**
 * The console's browser assets (`console.js`, `console.css`: Preact + htm + uPlot, bundled by
 * esbuild). The package ships them built in `dist/console/` (`npm run build`); in a clone without a
 * build, they are bundled on first use from `client/` (esbuild is a devDependency there). Read only
 * when the console is opened: nothing here loads with the SDK.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ConsoleAssets } from './build';

/** `import.meta.url` in the ES module build (tsup.config.ts); undefined in CommonJS and from source. */
declare const __MODULE_URL__: string | undefined;

/** The directory of this module's code (`dist/` once built, `src/sandbox/console/` from source). */
function here(): string | undefined {
  if (typeof __dirname === 'string') return __dirname;
  if (typeof __MODULE_URL__ === 'string') return dirname(fileURLToPath(__MODULE_URL__));
  // Source loaded as an ES module (tsx) without a build: find the package from the working directory.
  try {
    return join(
      dirname(createRequire(join(process.cwd(), 'index.js')).resolve('connect-trade/package.json')),
      'dist',
    );
  } catch {
    return undefined;
  }
}

let loading: Promise<ConsoleAssets> | undefined;

/** The assets, read (or bundled) once per process. */
export function consoleAssets(): Promise<ConsoleAssets> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<ConsoleAssets> {
  const dir = here();
  if (dir !== undefined) {
    const built = join(dir, 'console');
    if (existsSync(join(built, 'console.js')))
      return {
        js: readFileSync(join(built, 'console.js'), 'utf8'),
        css: readFileSync(join(built, 'console.css'), 'utf8'),
      };
    const entry = join(dir, 'client', 'main.ts');
    if (existsSync(entry)) {
      const { bundleConsole } = await import('./build');
      return bundleConsole(entry);
    }
  }
  throw new Error('the developer console assets are missing (dist/console/console.js): run `npm run build`');
}

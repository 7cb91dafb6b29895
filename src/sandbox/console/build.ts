/**
 * Bundles the console's browser code with esbuild: one minified ES module and one stylesheet
 * (uPlot's), no source maps, nothing external. Used by `npm run build` (scripts/build-console.ts)
 * and, in a clone without a build, on the first console request.
 */
/** The console's bundled script and stylesheet. */
export interface ConsoleAssets {
  js: string;
  css: string;
}

/** Bundles `entry` (client/main.ts) in memory. */
export async function bundleConsole(entry: string): Promise<ConsoleAssets> {
  // A devDependency: reached only when no built assets exist (a clone), never from dist/.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/console',
    entryNames: 'console',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  if (js === undefined) throw new Error('esbuild produced no console.js');
  return { js, css };
}

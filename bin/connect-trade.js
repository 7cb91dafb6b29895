#!/usr/bin/env node
/**
 * The `connect-trade` bin. The published package runs the built CLI (dist/cli.js, built by
 * `prepack`). A clone of the repository has no dist/ after `npm install` (nothing is built on
 * install), so there it runs the CLI from src/ through tsx, a devDependency: `npx connect-trade`
 * works in a fresh clone and always runs the current sources.
 *
 * In a clone, tsx is registered exactly as its own `tsx` command does: its ESM hooks (so that every
 * `import()` in src/, extensionless or of a directory, resolves to the .ts file) and its CommonJS
 * hook (src/ is CommonJS, `"type": "commonjs"`). The CommonJS hook alone leaves `import()` to
 * Node's ESM resolver, which finds no `.ts` file. `tsx/esm/api` is imported, not required: its
 * CommonJS build resolves its own loader from the wrong directory (tsx 4.23).
 */
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const sources = join(root, 'src', 'cli', 'index.ts');
if (existsSync(sources) && existsSync(join(root, 'node_modules', 'tsx'))) {
  import('tsx/esm/api')
    .then(({ register }) => {
      register();
      require('tsx/cjs/api').register();
      return import(pathToFileURL(sources).href);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
} else {
  require('../dist/cli.js');
}

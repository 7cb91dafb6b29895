#!/usr/bin/env node
/**
 * The `connect-trade` bin. The published package runs the built CLI (dist/cli.js, built by
 * `prepack`). A clone of the repository has no dist/ after `npm install` (nothing is built on
 * install), so there it runs the CLI from src/ through tsx, a devDependency: `npx connect-trade`
 * works in a fresh clone and always runs the current sources.
 */
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const sources = join(root, 'src', 'cli', 'index.ts');
if (existsSync(sources) && existsSync(join(root, 'node_modules', 'tsx'))) {
  require('tsx/cjs/api').register();
  require(sources);
} else {
  require('../dist/cli.js');
}

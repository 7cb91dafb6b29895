/**
 * Conventions of the ecosystem's best SDKs, on the packed package: a default export (ESM and
 * CommonJS, typed in both), a LICENSE that matches package.json, a CHANGELOG, and a README that says
 * how to install a package that is not on the registry yet.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { preparePackage, ROOT } from './consumer';

jest.setTimeout(180_000);

let consumer: string;
let installed: string;
beforeAll(async () => {
  consumer = await preparePackage();
  installed = join(consumer, 'node_modules', 'connect-trade');
});

async function node(file: string, source: string): Promise<unknown> {
  const dir = join(consumer, 'conventions');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), source);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir });
  return JSON.parse(stdout);
}

it('ESM: the default export of connect-trade and connect-trade/rest is the client', async () => {
  const result = await node(
    'default.mjs',
    `import ConnectTrade, { ConnectTrade as Named } from 'connect-trade';
     import RestClient, { ConnectTrade as RestNamed } from 'connect-trade/rest';
     const ct = new ConnectTrade({ clientId: 'c', clientSecret: 's' });
     process.stdout.write(JSON.stringify({ main: ConnectTrade === Named, rest: RestClient === RestNamed, stream: typeof ct.stream }));`,
  );
  expect(result).toEqual({ main: true, rest: true, stream: 'function' });
});

it('CommonJS: require() keeps its named exports and gains .default (the same class)', async () => {
  const result = await node(
    'default.cjs',
    `const m = require('connect-trade');
     const { ConnectTrade } = require('connect-trade');
     const rest = require('connect-trade/rest');
     process.stdout.write(JSON.stringify({
       named: typeof ConnectTrade, main: m.default === ConnectTrade, rest: rest.default === rest.ConnectTrade,
       interop: m.__esModule === true, errors: typeof m.ValidationError,
     }));`,
  );
  expect(result).toEqual({ named: 'function', main: true, rest: true, interop: true, errors: 'function' });
});

it('TypeScript sees the default export under node16 CommonJS and NodeNext ESM', async () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const source = `import ConnectTrade from 'connect-trade';
import RestClient from 'connect-trade/rest';
export const ct: ConnectTrade = new ConnectTrade({ clientId: 'c', clientSecret: 's' });
export const rest: RestClient = new RestClient({ clientId: 'c', clientSecret: 's' });
export const stream = ct.stream();
`;
  for (const [type, module] of [
    ['commonjs', 'node16'],
    ['module', 'nodenext'],
  ]) {
    const dir = join(consumer, 'conventions', `ts-${type}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type }));
    writeFileSync(join(dir, 'index.ts'), source);
    const options = {
      module,
      strict: true,
      target: 'es2022',
      types: ['node'],
      noEmit: true,
      skipLibCheck: false,
    };
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: options, files: ['index.ts'] }),
    );
    const out = await promisify(execFile)(process.execPath, [tsc, '-p', dir, '--pretty', 'false']).then(
      (r) => `${r.stdout}${r.stderr}`,
      (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(`${type}: ${out.trim()}`).toBe(`${type}: `);
  }
});

it('ships LICENSE (the license package.json names) and CHANGELOG.md', () => {
  const { license } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    license: string;
  };
  expect(license).toBe('MIT');
  const text = readFileSync(join(installed, 'LICENSE'), 'utf8');
  expect(text).toMatch(/^MIT License\n/);
  expect(text).toContain('Permission is hereby granted, free of charge');
  expect(existsSync(join(installed, 'CHANGELOG.md'))).toBe(true);
  expect(readFileSync(join(installed, 'CHANGELOG.md'), 'utf8')).toMatch(
    /^# Changelog\n[\s\S]*## \[0\.1\.0\]/,
  );
});

it('the README says the package is not on the registry yet, and how to install it from a tarball or git', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme).toMatch(/not (yet )?(published|on the npm registry)/i);
  expect(readme).toMatch(/^npm install && npm pack$/m);
  expect(readme).toMatch(/^npm install \S+\.tgz/m);
  expect(readme).toMatch(/^npm install git\+\S+/m);
});

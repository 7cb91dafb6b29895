import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../src/index';

interface Pkg {
  version: string;
  sideEffects: unknown;
  exports: Record<string, unknown>;
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as Pkg;

describe('package', () => {
  it('exports VERSION matching package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('declares no side effects', () => {
    expect(pkg.sideEffects).toBe(false);
  });

  it('lists `types` first in every exports condition', () => {
    const root = pkg.exports['.'] as Record<string, Record<string, string>>;
    expect(Object.keys(root)).toEqual(['import', 'require']);
    for (const condition of Object.values(root)) {
      expect(Object.keys(condition)[0]).toBe('types');
      expect(Object.keys(condition)).toEqual(['types', 'default']);
    }
    expect(root.import).toEqual({ types: './dist/index.d.mts', default: './dist/index.mjs' });
    expect(root.require).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });
});

import type { Config } from 'jest';

const config: Config = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 20000,
  // Same mapping as tsconfig.json `paths`: examples import 'connect-trade' by name.
  moduleNameMapper: {
    '^connect-trade$': '<rootDir>/src/index.ts',
    '^connect-trade/(.*)$': '<rootDir>/src/$1',
  },
  transform: {
    // ts-jest 29.4 transpiles each file on its own (no type checking) because tsconfig.json sets
    // `isolatedModules: true`; the old ts-jest `isolatedModules` option is deprecated. Types are
    // checked separately by `npm run typecheck`.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};

export default config;

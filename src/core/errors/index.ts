/**
 * The SDK's one error hierarchy: the root and shared client-side errors (base.ts), one file per
 * subsystem (rest.ts, stream.ts, live.ts, relay.ts), and the one factory that builds them all
 * (factory.ts, with the live store's and relay's part in live-factory.ts).
 */
export * from './base';
export * from './factory';
export * from './live';
export * from './relay';
export * from './rest';
export * from './stream';

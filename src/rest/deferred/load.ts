/** The one loader of the deferred chunk (on-demand.ts): started by the first call that needs it. */
import type * as Deferred from './on-demand';

/** The deferred part of the REST client. */
export type DeferredModule = typeof Deferred;

let pending: Promise<DeferredModule> | undefined;
let loaded: DeferredModule | undefined;

/** Loads the deferred chunk once; a failed load (a browser gone offline) is tried again by the next call. */
export function loadDeferred(): Promise<DeferredModule> {
  pending ??= import('./on-demand').then(
    (module) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      pending = undefined;
      throw error;
    },
  );
  return pending;
}

/**
 * The chunk once loaded, else undefined: the hot calls (a page of orders, an order, a symbols
 * filter) then run without an await or async frame (bench/README.md).
 */
export function deferredIfLoaded(): DeferredModule | undefined {
  return loaded;
}

/** The one loader of the deferred chunk (index.ts): started by the first call that needs it. */
import type * as Deferred from './index';

/** The deferred part of the REST client. */
export type DeferredModule = typeof Deferred;

let pending: Promise<DeferredModule> | undefined;

/** Loads the deferred chunk once; a failed load (a browser gone offline) is tried again by the next call. */
export function loadDeferred(): Promise<DeferredModule> {
  pending ??= import('./index').catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

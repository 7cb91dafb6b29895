// Browser bundle entry for browser-secrets.test.ts: exposes the REST entry point to the page.
import * as rest from '../../../src/rest';

(globalThis as unknown as { ConnectTradeRest: typeof rest }).ConnectTradeRest = rest;

// Browser bundle entry for browser.test.ts: exposes the streams entry point to the page.
import * as streams from '../../../src/streams';

(globalThis as unknown as { ConnectTradeStreams: typeof streams }).ConnectTradeStreams = streams;

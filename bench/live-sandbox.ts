/** The sandbox of `bench/live.ts`, in its own process so its memory and CPU stay out of the measurement. */
import { startSandbox } from '../src/sandbox';

async function main(): Promise<void> {
  const sb = await startSandbox({ tickMs: 0, validateResponses: false, startingCash: '100000000.00' });
  process.send?.({ url: sb.url, streamUrl: sb.streamUrl, credentials: sb.credentials });
  process.on('disconnect', () => void sb.close().then(() => process.exit(0)));
}

void main();

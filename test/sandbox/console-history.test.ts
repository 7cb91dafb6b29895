/**
 * The developer console's price history is bounded: it keeps the newest 600 samples per console
 * (one per sample interval), however long a console stays open, and a console opened later gets
 * exactly those in its snapshot. Sampling runs only while a console is connected.
 */
import { DevConsole } from '../../src/sandbox/console/dev-console';
import type { AdminControls } from '../../src/sandbox/http/admin';
import { SandboxState } from '../../src/sandbox/state';

const TOKEN = 'console-token-for-tests';
const SAMPLE_MS = 500;

function consoleWithPrices() {
  let tick = 0;
  const devConsole = new DevConsole({
    state: new SandboxState(),
    controls: { info: () => ({}), pendingFaults: () => [] } as unknown as AdminControls,
    token: TOKEN,
    // Each sample reads a new price, so a sample's place in the history can be told from its price.
    prices: () => ({ AAPL: String(++tick) }),
    sampleMs: SAMPLE_MS,
  });
  return { devConsole, reads: () => tick };
}

async function snapshot(devConsole: DevConsole) {
  const url = new URL(`http://127.0.0.1/__sandbox/console/api/snapshot?token=${TOKEN}`);
  const answer = await devConsole.handle({ method: 'GET', url, headers: {} } as never);
  return JSON.parse(String(answer.body)) as { history: { t: number; prices: { AAPL: string } }[] };
}

async function openEvents(devConsole: DevConsole, onEvent: (event: string) => void) {
  const url = new URL(`http://127.0.0.1/__sandbox/console/events?token=${TOKEN}`);
  const answer = (await devConsole.handle({ method: 'GET', url, headers: {} } as never)) as {
    events?: { open(send: (event: string, data: unknown) => void): () => void };
  };
  if (!answer.events) throw new Error('the events route did not open an event stream');
  return answer.events.open((event) => onEvent(event));
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

it('keeps the newest 600 price samples, in order, after 1,000 intervals', async () => {
  const { devConsole, reads } = consoleWithPrices();
  let samples = 0;
  const close = await openEvents(devConsole, (event) => {
    if (event === 'prices') samples++;
  });
  jest.advanceTimersByTime(1_000 * SAMPLE_MS);
  expect(samples).toBe(1_000);

  const { history } = await snapshot(devConsole);
  expect(history).toHaveLength(600);
  const prices = history.map((s) => Number(s.prices.AAPL));
  // The newest samples, oldest first and consecutive: the oldest were dropped, not the latest.
  expect(prices[599]).toBe(reads());
  expect(prices).toEqual(Array.from({ length: 600 }, (_, i) => reads() - 599 + i));
  const times = history.map((s) => s.t);
  expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual(Array(599).fill(SAMPLE_MS));
  close();
  devConsole.close();
});

it('samples only while a console is connected', async () => {
  const { devConsole, reads } = consoleWithPrices();
  const close = await openEvents(devConsole, () => {});
  jest.advanceTimersByTime(10 * SAMPLE_MS);
  const readsWhileOpen = reads();
  close();
  jest.advanceTimersByTime(1_000 * SAMPLE_MS);
  expect(reads()).toBe(readsWhileOpen);
  devConsole.close();
});

import { StreamError, StreamTimeoutError } from '../../src/streams';
import { ConnectGate } from '../../src/streams/connect-gate';
import { TimerGroup } from '../../src/streams/timers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const timers = () =>
  new TimerGroup({ setTimeout, clearTimeout: (h) => clearTimeout(h as never), now: Date.now });

test('the connect gate: connectTimeout for the callers, handshakeTimeout per attempt', async () => {
  const group = timers();
  const expired = jest.fn();
  const gate = new ConnectGate(group, { connectTimeout: 1_000, handshakeTimeout: 100 }, expired);
  const waiting = gate.wait();
  const attempt = jest.fn();
  gate.startAttempt(attempt);
  jest.advanceTimersByTime(100);
  expect(attempt).toHaveBeenCalledWith(100);
  gate.startAttempt(attempt);
  gate.endAttempt();
  jest.advanceTimersByTime(899);
  expect(attempt).toHaveBeenCalledTimes(1);
  expect(expired).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(expired).toHaveBeenCalledWith(expect.any(StreamTimeoutError));
  gate.fail(new StreamError('stopped'));
  await expect(waiting).rejects.toThrow('stopped');
  expect(group.size).toBe(0);
});

import { StreamError, StreamTimeoutError } from '../../src/streams';
import { PendingRequests } from '../../src/streams/pending-requests';
import { TimerGroup } from '../../src/streams/timers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const timers = () =>
  new TimerGroup({ setTimeout, clearTimeout: (h) => clearTimeout(h as never), now: Date.now });

test('a request sent now is answered by its id; an unknown id is nobody’s', async () => {
  const group = timers();
  const pending = new PendingRequests<{ request_id: string }>(() => group, {
    requestTimeout: 100,
    maxQueueBytes: 100,
  });
  const sent: string[] = [];
  const answer = pending.request(
    (id) => `{"id":"${id}"}`,
    (text) => sent.push(text),
  );
  expect(sent).toEqual(['{"id":"r1"}']);
  expect(pending.take('r9')).toBeUndefined();
  pending.take('r1')?.resolve({ request_id: 'r1' });
  await expect(answer).resolves.toEqual({ request_id: 'r1' });
  expect(group.size).toBe(0); // its deadline was cleared
});

test('unanswered past requestTimeout rejects with StreamTimeoutError', async () => {
  const group = timers();
  const pending = new PendingRequests(() => group, { requestTimeout: 100, maxQueueBytes: 100 });
  const answer = pending.request(
    () => 'x',
    () => {},
  );
  jest.advanceTimersByTime(100);
  await expect(answer).rejects.toBeInstanceOf(StreamTimeoutError);
});

test('while not open requests queue within the byte budget, are refused past it, and go out on flush', async () => {
  const group = timers();
  const pending = new PendingRequests(() => group, { requestTimeout: 100, maxQueueBytes: 6 });
  const first = pending.request(() => 'abcd', undefined);
  const refused = pending.request(() => 'efgh', undefined);
  await expect(refused).rejects.toMatchObject({ code: 'queue_full' });
  const sent: string[] = [];
  pending.flush((text) => sent.push(text));
  expect(sent).toEqual(['abcd']);
  expect(group.size).toBe(1); // tracked once sent
  pending.close(new StreamError('closed'));
  await expect(first).rejects.toThrow('closed');
});

test('a dropped socket rejects in-flight requests but not replayed ones; close rejects queued ones too', async () => {
  const group = timers();
  const pending = new PendingRequests(() => group, { requestTimeout: 100, maxQueueBytes: 100 });
  const inFlight = pending.request(
    () => 'a',
    () => {},
  );
  const replayed = jest.fn();
  pending.sendTracked(
    () => 'b',
    { resolve: () => {}, reject: replayed, replayed: true },
    () => {},
  );
  pending.dropAll(new StreamError('dropped'));
  await expect(inFlight).rejects.toThrow('dropped');
  expect(replayed).not.toHaveBeenCalled();
  const queued = pending.request(() => 'c', undefined);
  pending.close(new StreamError('stopped'));
  await expect(queued).rejects.toThrow('stopped');
});

import { StreamError, StreamTimeoutError } from '../../src/streams';
import { SubscriptionRegistry } from '../../src/streams/subscriptions';

test('the registry replays every subscription; an unanswered replay keeps it, a refused one drops it', async () => {
  const registry = new SubscriptionRegistry<string>();
  const first = registry.add('a', (id) => `a:${id}`);
  registry.add('b', (id) => `b:${id}`).catch(() => {});
  const sent: { frame: string; handlers: { resolve(m: unknown): void; reject(e: unknown): void } }[] = [];
  const unanswered = jest.fn();
  const refused = jest.fn();
  const hooks = {
    send: (frame: (id: string) => string, handlers: (typeof sent)[number]['handlers']) =>
      sent.push({ frame: frame('r'), handlers }),
    unanswered,
    refused,
  };
  registry.replay(hooks);
  expect(sent.map((s) => s.frame)).toEqual(['a:r', 'b:r']);
  sent[0]?.handlers.resolve('ok');
  await expect(first).resolves.toBe('ok');
  sent.length = 0;
  registry.replay(hooks); // after a reconnect
  sent[0]?.handlers.reject(new StreamTimeoutError('late'));
  expect(unanswered).toHaveBeenCalledTimes(1);
  sent[1]?.handlers.reject(new StreamError('refused'));
  sent.length = 0;
  registry.replay(hooks);
  expect(sent.map((s) => s.frame)).toEqual(['a:r']); // b is gone, a is kept
});

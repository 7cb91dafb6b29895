import { backoffDelay } from '../../src/core/backoff';
import { ConfigurationError } from '../../src/core/errors';
import { resolveStreamOptions } from '../../src/streams/options';

const URL = 'wss://stream.example';

test('the reconnect policy gets its defaults and is a backoff policy', () => {
  const { reconnect } = resolveStreamOptions({ reconnect: { initialDelay: 10, maxDelay: 50 } }, URL);
  expect(reconnect).toEqual({
    initialDelay: 10,
    maxDelay: 50,
    maxAttempts: Number.POSITIVE_INFINITY,
    healthyAfter: 10_000,
    rateLimitedDelay: 30_000,
  });
  expect(backoffDelay(reconnect, 5, () => 0.999999)).toBe(49);
  expect(resolveStreamOptions({}, URL).reconnect.initialDelay).toBe(500);
});

test('a negative or NaN reconnect value is a ConfigurationError naming it; 0 is allowed', () => {
  expect(() => resolveStreamOptions({ reconnect: { maxDelay: -1 } }, URL)).toThrow(
    new ConfigurationError('reconnect.maxDelay must be a non-negative number'),
  );
  expect(() => resolveStreamOptions({ reconnect: { healthyAfter: Number.NaN } }, URL)).toThrow(
    'reconnect.healthyAfter must be a non-negative number',
  );
  expect(() => resolveStreamOptions({ reconnect: { maxAttempts: 0 } }, URL)).not.toThrow();
});

test('timeouts must be positive; pingInterval and maxQueueBytes may be 0 (none); defaults apply', () => {
  expect(() => resolveStreamOptions({ heartbeatTimeout: 0 }, URL)).toThrow(
    new ConfigurationError('heartbeatTimeout must be a positive number'),
  );
  expect(() => resolveStreamOptions({ requestTimeout: Number.NaN }, URL)).toThrow(
    'requestTimeout must be a positive number',
  );
  expect(() => resolveStreamOptions({ maxQueueBytes: -1 }, URL)).toThrow(
    'maxQueueBytes must be a non-negative number',
  );
  const resolved = resolveStreamOptions({ pingInterval: 0, maxQueueBytes: 0, connectTimeout: 5 }, URL);
  expect(resolved).toMatchObject({
    url: URL,
    heartbeatTimeout: 35_000,
    pingInterval: 0,
    connectTimeout: 5,
    handshakeTimeout: 10_000,
    requestTimeout: 10_000,
    maxQueueBytes: 0,
  });
  expect(() => resolveStreamOptions({ url: 'https://x' }, URL)).toThrow(
    'url must start with ws:// or wss://',
  );
});

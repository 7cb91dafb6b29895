import {
  StreamAuthenticationError,
  StreamClosedError,
  StreamSessionReplacedError,
} from '../../../src/streams';
import { CLOSE_CODES, closeError, closeRule, errorCodeRule } from '../../../src/streams/protocol/close-codes';

test('PROTOCOL.md close codes: stop, new token, long backoff, retry', () => {
  expect(closeRule(4001).action).toBe('stop');
  expect(closeRule(4002).action).toBe('stop');
  expect(closeRule(4003).action).toBe('new_token');
  expect(closeRule(4008).action).toBe('retry');
  expect(closeRule(4029).action).toBe('long_backoff');
  for (const code of [1001, 1006, 1011, 1012, 4999]) expect(closeRule(code)).toEqual({ action: 'retry' });
});

test('frames lost to the socket (1003 unsupported data, 1009 too big) retry and are reported', () => {
  expect(closeRule(1003)).toMatchObject({ action: 'retry', report: true });
  expect(closeRule(1009)).toMatchObject({ action: 'retry', report: true });
});

test('each row types its error', () => {
  expect(closeError(4001, 'bad')).toBeInstanceOf(StreamAuthenticationError);
  expect(closeError(4002, 'taken')).toBeInstanceOf(StreamSessionReplacedError);
  const tooBig = closeError(1009, 'big');
  expect(tooBig).toBeInstanceOf(StreamClosedError);
  expect(tooBig).toMatchObject({ closeCode: 1009, code: 'message_too_big' });
  expect(closeError(1006, '')).toMatchObject({ closeCode: 1006, code: undefined });
});

test('server error codes map to the close they announce; unknown codes to nothing', () => {
  expect(errorCodeRule('unauthorized')).toEqual({ closeCode: 4001, rule: CLOSE_CODES[4001] });
  expect(errorCodeRule('session_replaced')?.closeCode).toBe(4002);
  expect(errorCodeRule('token_expired')?.rule.action).toBe('new_token');
  expect(errorCodeRule('invalid_request')).toBeUndefined();
});

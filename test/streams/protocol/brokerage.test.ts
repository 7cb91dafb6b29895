import { StreamProtocolError, ValidationError } from '../../../src/streams';
import {
  checkFilter,
  checkTopics,
  decodeBrokerage,
  encodeBrokerageAuth,
  encodeBrokerageSubscribe,
  encodeBrokerageUnsubscribe,
} from '../../../src/streams/protocol/brokerage';

test('decodes each server action and normalizes seq given as a string', () => {
  const update = decodeBrokerage('{"action":"order_update","seq":"17","user_id":"u","data":{}}');
  expect(update).toMatchObject({ action: 'order_update', seq: 17 });
  expect(decodeBrokerage('{"action":"heartbeat","time":"t"}').action).toBe('heartbeat');
  expect(decodeBrokerage('{"action":"authenticated","session_id":"s"}').action).toBe('authenticated');
  expect(decodeBrokerage('{"action":"subscribed","request_id":"r","topics":[]}').action).toBe('subscribed');
  expect(decodeBrokerage('{"action":"error","code":"c","message":"m"}').action).toBe('error');
});

test('refuses malformed frames with the raw text', () => {
  for (const bad of [
    '{"action":"order_update","seq":0,"user_id":"u","data":{}}',
    '{"action":"balance_update","seq":1,"data":{}}',
    '{"action":"position_update","seq":1,"user_id":"u","data":[]}',
    '{"action":"authenticated"}',
    '{"action":"subscribed","request_id":"r"}',
    '{"action":"teleport"}',
  ]) {
    const error = (() => {
      try {
        decodeBrokerage(bad);
      } catch (e) {
        return e as StreamProtocolError;
      }
    })();
    expect(error).toBeInstanceOf(StreamProtocolError);
    expect(error?.frame).toBe(bad);
  }
});

test('encoders write the documented frames (filters only when set)', () => {
  expect(JSON.parse(encodeBrokerageAuth('id', 'secret'))).toEqual({
    action: 'authenticate',
    client_id: 'id',
    client_secret: 'secret',
  });
  expect(JSON.parse(encodeBrokerageSubscribe('r1', ['orders'], {}))).toEqual({
    action: 'subscribe',
    request_id: 'r1',
    topics: ['orders'],
  });
  expect(JSON.parse(encodeBrokerageSubscribe('r1', ['orders'], { account_id: 'a' })).account_id).toBe('a');
  expect(JSON.parse(encodeBrokerageUnsubscribe('r2', ['balances']))).toEqual({
    action: 'unsubscribe',
    request_id: 'r2',
    topics: ['balances'],
  });
});

test('topics and filters are checked before anything is sent', () => {
  expect(() => checkTopics([])).toThrow(ValidationError);
  expect(() => checkTopics(['orders', 'orders'])).toThrow(/must not repeat/);
  expect(() => checkTopics(['news' as never])).toThrow(ValidationError);
  expect(() => checkTopics(['orders', 'positions'])).not.toThrow();
  expect(() => checkFilter({ account_id: '' })).toThrow(ValidationError);
  expect(() => checkFilter({ nope: 'x' } as never)).toThrow(/unknown filter/);
  expect(() => checkFilter({ connection_id: 'c' })).not.toThrow();
});

import { StreamProtocolError } from '../../../src/streams';
import { expectErrorFrame, expectField, parseFrame, readInteger } from '../../../src/streams/protocol/frame';

test('parseFrame needs a JSON object with a string action', () => {
  expect(parseFrame('{"action":"x","a":1}')).toEqual({ action: 'x', a: 1 });
  for (const bad of ['{', '[1]', 'null', '"x"', '{"action":1}', '{}'])
    expect(() => parseFrame(bad)).toThrow(StreamProtocolError);
});

test('expectField checks kinds', () => {
  const frame = parseFrame('{"action":"a","s":"x","i":2,"o":{},"l":[],"b":true}');
  for (const [field, kind] of [
    ['s', 'string'],
    ['o', 'object'],
    ['l', 'array'],
    ['b', 'boolean'],
  ] as const)
    expect(() => expectField(frame, field, kind, '')).not.toThrow();
  expect(() => expectField(frame, 'l', 'object', '')).toThrow(/"l" must be object/);
  expect(() => expectField(frame, 'missing', 'string', '')).toThrow(StreamProtocolError);
});

test('readInteger accepts 17 and "17", writes back a number, refuses unsafe or malformed values', () => {
  const frame = parseFrame('{"action":"a","n":"17","m":17}');
  readInteger(frame, 'n', { text: '', min: 1 });
  readInteger(frame, 'm', { text: '', min: 1 });
  expect(frame.n).toBe(17);
  expect(frame.m).toBe(17);
  for (const bad of [0, -1, 1.5, '1.5', '1e3', ' 17', '', null, 2 ** 53, '12345678901234567', 1e300]) {
    const f = { action: 'a', n: bad };
    expect(() => readInteger(f, 'n', { text: '', min: 1 })).toThrow(StreamProtocolError);
  }
  const absent = { action: 'a' };
  expect(() => readInteger(absent, 'n', { text: '', min: 1, optional: true })).not.toThrow();
});

test('error frames need code and message; request_id is optional', () => {
  expect(() => expectErrorFrame(parseFrame('{"action":"error","code":"c","message":"m"}'), '')).not.toThrow();
  expect(() => expectErrorFrame(parseFrame('{"action":"error","code":"c"}'), '')).toThrow(/message/);
  expect(() =>
    expectErrorFrame(parseFrame('{"action":"error","code":"c","message":"m","request_id":3}'), ''),
  ).toThrow(/request_id/);
});

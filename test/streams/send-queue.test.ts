import { SendQueue, utf8Length } from '../../src/streams/send-queue';

test('utf8Length counts the bytes sent (ASCII, 2-, 3- and 4-byte characters, a lone surrogate as U+FFFD)', () => {
  for (const text of ['', 'abc', 'é', '€', '😀', 'a€😀é', '\ud800', 'a\ud800'])
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
});

test('frames are kept in order within the byte budget; a frame that does not fit is refused, not dropped', () => {
  const queue = new SendQueue(10);
  const fail = jest.fn();
  expect(queue.push('12345', fail, () => {})).toBe(true);
  expect(queue.push('€€', fail, () => {})).toBe(false); // 6 bytes: 5 + 6 > 10
  expect(queue.push('1234', fail, () => {})).toBe(true);
  expect(queue.bytes).toBe(9);
  const drained = queue.drain();
  expect(drained.map((f) => f.text)).toEqual(['12345', '1234']);
  expect(queue.bytes).toBe(0);
  expect(queue.drain()).toEqual([]);
  expect(fail).not.toHaveBeenCalled();
});

test('a zero budget refuses everything', () => {
  const queue = new SendQueue(0);
  expect(
    queue.push(
      'x',
      () => {},
      () => {},
    ),
  ).toBe(false);
});

import { StreamError } from '../../src/streams';
import { BufferedIterator } from '../../src/streams/buffered-iterator';
import { BoundedFifoBuffer, ConflatingBuffer, FifoBuffer } from '../../src/streams/buffers';

test('FifoBuffer keeps order, refuses values past its limit and counts them', () => {
  const buffer = new FifoBuffer<number>(3);
  expect([1, 2, 3, 4].map((v) => buffer.push(v))).toEqual([true, true, true, false]);
  expect(buffer.dropped).toBe(1);
  expect(buffer.size).toBe(3);
  expect([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([1, 2, 3, undefined]);
});

test('FifoBuffer compacts its consumed prefix (memory follows the backlog)', () => {
  const buffer = new FifoBuffer<number>();
  for (let i = 0; i < 5000; i++) buffer.push(i);
  for (let i = 0; i < 4990; i++) expect(buffer.shift()).toBe(i);
  expect(buffer.size).toBe(10);
  expect((buffer as unknown as { items: unknown[] }).items.length).toBeLessThan(5000);
});

test('BoundedFifoBuffer drops the oldest past its limit and counts the drops', () => {
  const buffer = new BoundedFifoBuffer<number>(2);
  for (const v of [1, 2, 3, 4]) expect(buffer.push(v)).toBe(true);
  expect(buffer.dropped).toBe(2);
  expect([buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([3, 4, undefined]);
});

test('ConflatingBuffer keeps the latest value per key, in first-arrival order, and bounds the keys', () => {
  const buffer = new ConflatingBuffer<{ k: string; v: number }>((x) => x.k, 2);
  buffer.push({ k: 'a', v: 1 });
  buffer.push({ k: 'b', v: 1 });
  buffer.push({ k: 'a', v: 2 });
  expect(buffer.conflated).toBe(1);
  expect(buffer.dropped).toBe(0);
  buffer.push({ k: 'c', v: 1 }); // a third key: the oldest waiting key (a) is dropped
  expect(buffer.dropped).toBe(1);
  expect(buffer.size).toBe(2);
  expect([buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([
    { k: 'b', v: 1 },
    { k: 'c', v: 1 },
    undefined,
  ]);
});

test('an iterator whose buffer refuses a value finishes what it holds, then fails with backlog_overflow', async () => {
  const iterator = new BufferedIterator(new FifoBuffer<number>(2), () => {});
  for (const v of [1, 2, 3, 4]) iterator.push(v);
  expect(iterator.dropped).toBe(1); // 3 was refused; 4 came after the end and is ignored
  await expect(iterator.next()).resolves.toEqual({ value: 1, done: false });
  await expect(iterator.next()).resolves.toEqual({ value: 2, done: false });
  const failure = await iterator.next().catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(StreamError);
  expect((failure as StreamError).code).toBe('backlog_overflow');
});

test('return() (a break) calls onLeave once; an end by the stream does not', async () => {
  const left = jest.fn();
  const a = new BufferedIterator(new FifoBuffer<number>(), () => {}, left);
  await a.return();
  await a.return();
  expect(left).toHaveBeenCalledTimes(1);
  const b = new BufferedIterator(new FifoBuffer<number>(), () => {}, left);
  b.end();
  await b.return();
  expect(left).toHaveBeenCalledTimes(1);
});

test('ConflatingBuffer matches a plain model over thousands of keys, drops and reads interleaved', () => {
  // The model: an array of [key, value] in first-arrival order, searched linearly.
  const limit = 500;
  const buffer = new ConflatingBuffer<{ key: string; n: number }>((v) => v.key, limit);
  const model: { key: string; n: number }[] = [];
  let drops = 0;
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let n = 0; n < 20_000; n++) {
    if (random() < 0.3) {
      expect(buffer.shift()).toEqual(model.shift());
      continue;
    }
    const value = { key: `k${Math.floor(random() * 2_000)}`, n };
    const at = model.findIndex((v) => v.key === value.key);
    if (at >= 0) model[at] = value;
    else {
      if (model.length >= limit) {
        model.shift();
        drops++;
      }
      model.push(value);
    }
    buffer.push(value);
    expect(buffer.size).toBe(model.length);
  }
  expect(buffer.dropped).toBe(drops);
  expect(drops).toBeGreaterThan(0);
  while (model.length > 0) expect(buffer.shift()).toEqual(model.shift());
  expect(buffer.shift()).toBeUndefined();
});

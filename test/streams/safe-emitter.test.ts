import { readFileSync } from 'node:fs';
import { ListenerError } from '../../src/streams';
import { SafeEmitter, safeEmit, setEmitterLogger } from '../../src/streams/safe-emitter';

type Events = { ping: (n: number) => void; error: (e: unknown) => void };

test('each listener runs in isolation; a throw becomes an error event and the others still run', () => {
  const emitter = new SafeEmitter<Events>();
  const seen: number[] = [];
  const errors: unknown[] = [];
  emitter.on('ping', () => {
    throw new Error('boom');
  });
  emitter.on('ping', (n) => seen.push(n));
  emitter.on('error', (e) => errors.push(e));
  expect(safeEmit(emitter, 'ping', 1)).toBe(true);
  expect(seen).toEqual([1]);
  expect(errors[0]).toBeInstanceOf(ListenerError);
});

test('once listeners run once; off() removes them; the same function added with on() stays', () => {
  const emitter = new SafeEmitter<Events>();
  const calls: string[] = [];
  const a = () => calls.push('a');
  const b = () => calls.push('b');
  emitter.once('ping', a);
  emitter.once('ping', b);
  emitter.off('ping', b);
  safeEmit(emitter, 'ping', 1);
  safeEmit(emitter, 'ping', 2);
  expect(calls).toEqual(['a']);
  emitter.once('ping', a);
  emitter.on('ping', a);
  safeEmit(emitter, 'ping', 3);
  safeEmit(emitter, 'ping', 4);
  expect(calls).toEqual(['a', 'a', 'a', 'a']);
  expect(emitter.listenerCount('ping')).toBe(1);
});

test('no listener: false; a throwing error listener goes to the logger, never recursing', () => {
  const emitter = new SafeEmitter<Events>();
  const warn = jest.fn();
  setEmitterLogger(emitter, { warn });
  expect(safeEmit(emitter, 'ping', 1)).toBe(false);
  emitter.on('error', () => {
    throw new Error('inner');
  });
  emitter.on('ping', () => {
    throw new Error('outer');
  });
  safeEmit(emitter, 'ping', 1);
  expect(warn).toHaveBeenCalledWith('An error listener threw', expect.anything());
});

test('does not read eventemitter3 internals', () => {
  const source = readFileSync(`${__dirname}/../../src/streams/safe-emitter.ts`, 'utf8');
  expect(source).not.toMatch(/_events/);
});

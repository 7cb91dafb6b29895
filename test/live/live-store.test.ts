import {
  APIUserAbortError,
  AuthenticationError,
  LiveClosedError,
  LiveStore,
  OrderNotFilledError,
  ValidationError,
  WaitTimeoutError,
} from '../../src/index';
import { errorFromResponse } from '../../src/rest/error-response';
import { at, balance, FakeServer, FakeStream, order, position } from './fake-source';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function open(server: FakeServer, stream: FakeStream, accountIds = ['acc_1']) {
  return LiveStore.open({
    rest: server.rest,
    stream: stream.asLive(),
    userId: 'user-1',
    accountIds,
    ownsStream: true,
  });
}

function waitEvent(store: LiveStore, event: 'synced' | 'stale'): Promise<unknown> {
  return new Promise((resolve) => store.once(event, resolve as () => void));
}

describe('LiveStore', () => {
  it('loads open and today’s orders, positions and balances of its accounts', async () => {
    const server = new FakeServer();
    server.put(order());
    server.put(order({ order_id: 'ord_2', cl_order_id: 'cl_2', status: 'filled', filled_qty: '10' }));
    server.put(order({ order_id: 'ord_x', cl_order_id: 'cl_x', account_id: 'acc_other' }));
    server.positions = [position()];
    server.balances = [balance()];
    const live = await open(server, new FakeStream());
    expect(live.stale).toBe(false);
    expect([...live.orders].map((o) => o.order_id).sort()).toEqual(['ord_1', 'ord_2']);
    expect(live.orders.byClOrderId('cl_2')?.status).toBe('filled');
    expect(live.orders.byClOrderId('cl_2', 'acc_1')?.order_id).toBe('ord_2');
    expect(live.orders.find('cl_1')?.order_id).toBe('ord_1');
    expect(live.positions.get('acc_1', 'AAPL')?.quantity).toBe('10');
    expect(live.balances.get('acc_1')?.cash).toBe('1000.00');
    expect(server.listCalls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account_id: 'acc_1', status: 'open' }),
        expect.objectContaining({ account_id: 'acc_1', status: 'all', start_time: expect.any(String) }),
      ]),
    );
    await live.close();
  });

  it('subscribes before the snapshot and applies updates that arrive while it is in flight', async () => {
    const server = new FakeServer();
    server.put(order());
    let release: () => void = () => {};
    server.gate = new Promise((resolve) => {
      release = resolve;
    });
    const stream = new FakeStream();
    const opening = open(server, stream);
    await flush();
    expect(stream.subscribeCalls).toBe(1);
    // The fill happens after the server built its snapshot: only the stream knows it.
    stream.push('order', order({ status: 'filled', filled_qty: '10', updated_at: at(5) }));
    stream.push('position', position({ quantity: '10' }));
    release();
    const live = await opening;
    expect(live.orders.get('ord_1')?.status).toBe('filled');
    expect(live.positions.get('acc_1', 'AAPL')?.quantity).toBe('10');
    await live.close();
  });

  it('never moves an order backwards and ignores duplicates', async () => {
    const server = new FakeServer();
    server.put(order());
    const stream = new FakeStream();
    const live = await open(server, stream);
    const seen: string[] = [];
    live.on('order', (o) => seen.push(`${o.status}:${o.filled_qty}`));
    const filled = order({ status: 'filled', filled_qty: '10', updated_at: at(3) });
    stream.push('order', order({ status: 'partially_filled', filled_qty: '4', updated_at: at(2) }));
    stream.push('order', filled);
    stream.push('order', { ...filled }); // duplicate
    stream.push('order', order({ status: 'working', filled_qty: '4', updated_at: at(4) })); // late, backwards
    stream.push('order', order({ status: 'partially_filled', filled_qty: '4', updated_at: at(2) })); // replayed
    expect(seen).toEqual(['partially_filled:4', 'filled:10']);
    expect(live.orders.get('ord_1')).toEqual(filled);
    expect(live.stats).toMatchObject({ updates: 5, ignored: 3 });
    await live.close();
  });

  it('keeps the later balance, applies positions in order and removes closed ones', async () => {
    const server = new FakeServer();
    server.balances = [balance({ updated_at: at(5), cash: '900.00' })];
    const stream = new FakeStream();
    const live = await open(server, stream);
    stream.push('balance', balance({ updated_at: at(1), cash: '1.00' })); // older: ignored
    expect(live.balances.get('acc_1')?.cash).toBe('900.00');
    stream.push('balance', balance({ updated_at: at(5), cash: '900.00', equity: '950.00' })); // same time, revalued
    expect(live.balances.get('acc_1')?.equity).toBe('950.00');
    stream.push('position', position({ quantity: '5' }));
    stream.push('position', position({ quantity: '7' }));
    expect(live.positions.get('acc_1', 'AAPL')?.quantity).toBe('7');
    const removed = new Promise((resolve) => live.on('change', (c) => c.kind === 'position' && resolve(c)));
    stream.push('position', position({ quantity: '0' }));
    await expect(removed).resolves.toMatchObject({ removed: true });
    expect(live.positions.size).toBe(0);
    await live.close();
  });

  it('ignores other users and other accounts on the shared stream', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    stream.push('order', order({ order_id: 'o_other_user' }), 'user-2');
    stream.push('order', order({ order_id: 'o_other_acc', account_id: 'acc_9' }));
    stream.push('order', order({ order_id: 'o_mine' }));
    expect([...live.orders].map((o) => o.order_id)).toEqual(['o_mine']);
    await live.close();
  });

  it('resyncs on a gap: goes stale, refetches, converges to the server and emits synced', async () => {
    const server = new FakeServer();
    const yesterday = new Date(Date.parse(at(0)) - 86_400_000).toISOString();
    server.put(
      order({
        order_id: 'gtc',
        cl_order_id: 'gtc',
        order_tif: 'GTC',
        created_at: yesterday,
        updated_at: yesterday,
      }),
    );
    server.positions = [position(), position({ symbol: 'MSFT' })];
    server.balances = [balance()];
    const stream = new FakeStream();
    const live = await open(server, stream);
    expect(live.orders.get('gtc')?.status).toBe('working');
    // While updates were lost: the old GTC order filled, MSFT was sold, cash moved, a new order appeared.
    server.put(
      order({
        order_id: 'gtc',
        cl_order_id: 'gtc',
        order_tif: 'GTC',
        created_at: yesterday,
        updated_at: at(9),
        status: 'filled',
        filled_qty: '10',
      }),
    );
    server.positions = [position({ quantity: '20' })];
    server.balances = [balance({ cash: '10.00', updated_at: at(9) })];
    server.put(order({ order_id: 'ord_new', cl_order_id: 'cl_new', created_at: at(8), updated_at: at(8) }));
    const stale = waitEvent(live, 'stale');
    const synced = waitEvent(live, 'synced');
    stream.emit('gap', { reason: 'seq', from: 3, to: 3 });
    await expect(stale).resolves.toEqual({ reason: 'seq_gap' });
    expect(live.stale).toBe(true);
    await synced;
    expect(live.stale).toBe(false);
    // The GTC order is neither open nor today's any more: it was refreshed by its creation time.
    expect(live.orders.get('gtc')?.status).toBe('filled');
    expect(server.listCalls).toContainEqual(
      expect.objectContaining({ start_time: yesterday, end_time: yesterday }),
    );
    expect(live.orders.get('ord_new')).toBeDefined();
    expect([...live.positions]).toEqual([position({ quantity: '20' })]);
    expect(live.balances.get('acc_1')?.cash).toBe('10.00');
    expect(live.stats).toMatchObject({ gaps: 1, resyncs: 1 });
    await live.close();
  });

  it('buffers during a resync and replays what arrived after the refetch started', async () => {
    const server = new FakeServer();
    server.put(order());
    const stream = new FakeStream();
    const live = await open(server, stream);
    let release: () => void = () => {};
    server.gate = new Promise((resolve) => {
      release = resolve;
    });
    const synced = waitEvent(live, 'synced');
    stream.emit('gap', { reason: 'seq', from: 2, to: 2 });
    await flush();
    stream.push('order', order({ status: 'partially_filled', filled_qty: '3', updated_at: at(4) }));
    expect(live.orders.get('ord_1')?.status).toBe('working'); // buffered, not applied yet
    server.gate = undefined;
    release();
    await synced;
    expect(live.orders.get('ord_1')).toMatchObject({ status: 'partially_filled', filled_qty: '3' });
    await live.close();
  });

  it('refetches when another gap happens during the resync', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    let release: () => void = () => {};
    server.gate = new Promise((resolve) => {
      release = resolve;
    });
    const callsBefore = server.listCalls.length;
    const synced = waitEvent(live, 'synced');
    stream.emit('gap', { reason: 'seq' });
    await flush();
    stream.emit('gap', { reason: 'seq' }); // during the fetch: its result may miss what the gap lost
    server.put(order({ order_id: 'late' }));
    server.gate = undefined;
    release();
    await synced;
    expect(server.listCalls.length).toBe(callsBefore + 4); // two fetches of (open, today's)
    expect(live.orders.get('late')).toBeDefined();
    expect(live.stats.resyncs).toBe(1);
    await live.close();
  });

  it('retries a failed resync, reporting the failure as an error event', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    const errors: unknown[] = [];
    live.on('error', (e) => errors.push(e));
    server.failNext = 2;
    server.put(order({ order_id: 'after' }));
    const synced = waitEvent(live, 'synced');
    stream.emit('gap', { reason: 'seq' });
    await synced;
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(live.orders.get('after')).toBeDefined();
    await live.close();
  });

  it('a 401 on a snapshot call (even one that blames the credentials) does not stop the store or its stream', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    const errors: unknown[] = [];
    live.on('error', (e) => errors.push(e));
    // The API answers 401 for missing entitlements too: one operation's 401 proves nothing about the others.
    server.failWith = () => errorFromResponse(401, '{"message":"Invalid client credentials"}', {});
    server.failNext = 1;
    server.put(order({ order_id: 'after' }));
    const synced = waitEvent(live, 'synced');
    stream.emit('gap', { reason: 'seq' });
    await synced;
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    expect((errors[0] as AuthenticationError).reason).toBe('credentials');
    expect(stream.state).toBe('open');
    expect(live.orders.get('after')).toBeDefined();
    await live.close();
  });

  it('waits between failed resyncs on the one backoff (jittered, growing, injected timers) and close() ends the wait', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const waits: number[] = [];
    const pending = new Set<() => void>();
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        waits.push(ms);
        pending.add(fn);
        return fn;
      },
      clearTimeout: (handle: unknown) => void pending.delete(handle as () => void),
    };
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const live = await LiveStore.open({
      rest: server.rest,
      stream: stream.asLive(),
      userId: 'user-1',
      accountIds: ['acc_1'],
      ownsStream: true,
      timers,
    });
    live.on('error', () => undefined);
    server.failNext = 1_000;
    stream.emit('gap', { reason: 'seq' });
    for (let i = 0; i < 3; i++) {
      for (let spins = 0; pending.size === 0 && spins < 1_000; spins++) await flush();
      const [fire] = pending;
      pending.clear();
      fire?.();
    }
    for (let spins = 0; pending.size === 0 && spins < 1_000; spins++) await flush();
    expect(waits).toEqual([199, 399, 799, 1598]); // 200 ms doubling, full jitter (random 0.999)
    expect(pending.size).toBe(1);
    await live.close(); // aborts the armed wait
    expect(pending.size).toBe(0);
    jest.restoreAllMocks();
  });

  it('after a reconnect, subscribes again as a barrier before the snapshot and drops the old registration', async () => {
    const server = new FakeServer();
    const stream = new FakeStream();
    const live = await open(server, stream);
    const stale = waitEvent(live, 'stale');
    stream.drop();
    await expect(stale).resolves.toEqual({ reason: 'disconnected' });
    const synced = waitEvent(live, 'synced');
    stream.reconnect();
    await synced;
    expect(stream.subscribeCalls).toBe(2);
    expect(stream.unsubscribeCalls).toBe(1);
    await live.close();
    expect(stream.state).toBe('closed');
  });

  it('leaves a shared stream open on close and unsubscribes instead', async () => {
    const stream = new FakeStream();
    const live = await LiveStore.open({
      rest: new FakeServer().rest,
      stream: stream.asLive(),
      userId: 'user-1',
      accountIds: ['acc_1'],
      ownsStream: false,
    });
    await live.close();
    expect(stream.state).toBe('open');
    expect(stream.unsubscribeCalls).toBe(1);
    expect(stream.listenerCount('order_update')).toBe(0);
  });

  it('rejects open() when the first snapshot keeps failing', async () => {
    const server = new FakeServer();
    server.failNext = 10;
    await expect(open(server, new FakeStream())).rejects.toThrow('503 injected');
  });
});

describe('live.waitFor', () => {
  it('resolves on a stream update by cl_order_id', async () => {
    const server = new FakeServer();
    server.put(order());
    const stream = new FakeStream();
    const live = await open(server, stream);
    const waiting = live.waitFor('cl_1', 'filled', { timeout: 2000 });
    stream.push('order', order({ status: 'filled', filled_qty: '10', updated_at: at(2) }));
    await expect(waiting).resolves.toMatchObject({ order_id: 'ord_1', status: 'filled' });
    // Already satisfied: resolves at once.
    await expect(live.waitFor('ord_1', 'terminal')).resolves.toMatchObject({ status: 'filled' });
    await live.close();
  });

  it('polls REST while the stream is down, and merges what it finds', async () => {
    const server = new FakeServer();
    server.put(order());
    const stream = new FakeStream();
    const live = await open(server, stream);
    stream.drop();
    const waiting = live.waitFor('ord_1', (o) => o.filled_qty === '10', { pollInterval: 50, timeout: 3000 });
    await flush();
    server.put(order({ status: 'filled', filled_qty: '10', updated_at: at(7) }));
    await expect(waiting).resolves.toMatchObject({ status: 'filled' });
    expect(live.orders.get('ord_1')?.status).toBe('filled');
    await live.close();
  });

  it('does not poll while synced', async () => {
    const server = new FakeServer();
    server.put(order());
    const live = await open(server, new FakeStream());
    const calls = server.listCalls.length;
    await expect(live.waitFor('ord_1', 'filled', { pollInterval: 50, timeout: 300 })).rejects.toBeInstanceOf(
      WaitTimeoutError,
    );
    expect(server.listCalls.length).toBe(calls);
    await live.close();
  });

  it('rejects typed: timeout, abort, ended unfilled, store closed, bad arguments', async () => {
    const server = new FakeServer();
    server.put(order());
    const stream = new FakeStream();
    const live = await open(server, stream);

    const timeout = live.waitFor('ord_1', 'filled', { timeout: 30 });
    await expect(timeout).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(timeout).rejects.toMatchObject({ orderRef: 'ord_1', lastSeen: { status: 'working' } });

    const controller = new AbortController();
    const aborted = live.waitFor('ord_1', 'filled', { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);

    const cancelled = live.waitFor('ord_1', 'filled');
    stream.push('order', order({ status: 'cancelled', updated_at: at(3) }));
    await expect(cancelled).rejects.toBeInstanceOf(OrderNotFilledError);

    await expect(live.waitFor('', 'filled')).rejects.toBeInstanceOf(ValidationError);
    await expect(live.waitFor('ord_1', 'done' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(live.waitFor('ord_1', 'filled', { timeout: -1 })).rejects.toBeInstanceOf(ValidationError);

    const pending = live.waitFor('nope', 'filled');
    await live.close();
    await expect(pending).rejects.toBeInstanceOf(LiveClosedError);
    await expect(live.waitFor('ord_1', 'filled')).rejects.toBeInstanceOf(LiveClosedError);
  });
});

/**
 * Every public REST method returns an APIPromise (`.withResponse()`, `.asResponse()`), checked by
 * enumerating the resources' methods, then each one called against the sandbox (a real loopback
 * HTTP server): `requestId` is the `x-request-id` header of the response the value came from, the
 * `Response` carries the real status and headers, and its body is still readable.
 */

import { type ConnectTradeUser, NotFoundError, PagePromise } from '../../src/index';
import { APIPromise } from '../../src/rest/api-promise';
import { describeIntegration } from './harness';

/** Method names of a resource object, own prototype chain up to Object.prototype. */
function methodsOf(resource: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(resource); proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function')
        names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  return [...names].sort();
}

// Not REST calls, and why: each appears here so that a new public method cannot go unlisted.
const NOT_REST: Record<string, string> = {
  'orders.validate': 'checks an order and resolves the body create would send; sends nothing',
  'orders.submitAndWait':
    'a composite wait (placement, then stream or polling), like openai-node createAndPoll',
  // TypeScript-private helpers (present on the prototype at run time).
  'orders.mode': 'private',
  'orders.bareListPage': 'private',
};

describeIntegration('withResponse on every public REST method', (ctx) => {
  it('each REST method of each resource returns an APIPromise whose response and request id are real', async () => {
    const requestIds: string[] = [];
    const ct = ctx.client({
      // Records the x-request-id of every response the transport received.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        requestIds.push(response.headers.get('x-request-id') ?? '');
        return response;
      },
    });
    const { user, connectionId, account } = await ctx.onboard(ct);
    const u = user as ConnectTradeUser;
    const order = {
      account_id: account.account_id,
      broker: account.broker,
      symbol: 'AAPL',
      instrument: 'EQ',
      side: 'BUY',
      order_type: 'LMT',
      order_tif: 'GTC',
      order_qty: '1',
      order_limit_price: '1.00',
    } as const;
    let placed = '';
    let placedClOrderId = '';
    // In the order they run; each gives the call (for the later ones, from what the earlier ones made).
    const calls: Record<string, () => APIPromise<unknown>> = {
      'users.create': () => ct.users.create({ user_id: 'wr-extra' }),
      'users.list': () => ct.users.list(),
      'users.delete': () => ct.users.delete('wr-extra'),
      'connections.create': () =>
        u.connections.create({ type: 'trade', redirect_url: 'http://127.0.0.1:9/linked', broker: 'ALPACA' }),
      'connections.list': () => u.connections.list(),
      'connections.token': () => u.connections.token(connectionId),
      'accounts.list': () => u.accounts.list(),
      'balances.list': () => u.balances.list(),
      'positions.list': () => u.positions.list(),
      'transactions.list': () => u.transactions.list(),
      'tokens.create': () => u.tokens.create({ scopes: ['read'] }),
      'orders.create': () => u.orders.create(order),
      'orders.list': () => u.orders.list({ status: 'all' }),
      'orders.reconcile': () =>
        u.orders.reconcile({ account_id: account.account_id, cl_order_id: placedClOrderId }),
      'orders.replace': () =>
        u.orders.replace(account.account_id, placed, { broker: account.broker, order_limit_price: '1.50' }),
      'orders.cancel': () => u.orders.cancel(account.account_id, placed),
    };
    const resources = {
      users: ct.users,
      connections: u.connections,
      accounts: u.accounts,
      balances: u.balances,
      positions: u.positions,
      transactions: u.transactions,
      tokens: u.tokens,
      orders: u.orders,
    };
    const enumerated = Object.entries(resources).flatMap(([name, r]) =>
      methodsOf(r).map((m) => `${name}.${m}`),
    );
    // accounts, balances, positions and transactions are one class; connections.delete runs last below.
    expect(enumerated.filter((n) => !(n in NOT_REST)).sort()).toEqual(
      [...Object.keys(calls), 'connections.delete'].sort(),
    );

    for (const [name, start] of Object.entries(calls)) {
      const call = start();
      expect([name, call instanceof APIPromise]).toEqual([name, true]);
      const { data, response, requestId } = await call.withResponse();
      const wire = ctx.traffic.filter((t) => t.kind === 'rest').at(-1);
      expect({ name, requestId }).toEqual({ name, requestId: requestIds.at(-1) });
      expect(requestId).toMatch(/\S/);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      expect({ name, status: response.status }).toEqual({
        name,
        status: wire?.kind === 'rest' && wire.status,
      });
      // The body is readable and is what the server sent.
      const text = await response.text();
      expect(text === '' ? undefined : JSON.parse(text)).toEqual(wire?.kind === 'rest' && wire.responseBody);
      // Replacing gives the replacing order: that one is cancelled next.
      if (name === 'orders.create' || name === 'orders.replace')
        placed = (data as { order_id: string }).order_id;
      if (name === 'orders.create') placedClOrderId = (data as { cl_order_id: string }).cl_order_id;
      // Reconciling the order just placed finds it, on the page its response is.
      if (name === 'orders.reconcile') expect((data as { order_id: string } | null)?.order_id).toBe(placed);
      if (name === 'orders.list') expect(call).toBeInstanceOf(PagePromise);
      // asResponse is a raw Response too (a second Response over the same answer, no second request).
      const sent = ctx.traffic.length;
      expect((await call.asResponse()).status).toBe(response.status);
      expect(ctx.traffic.length).toBe(sent);
    }

    const connections = await u.connections.list();
    const other = connections.find((c) => c.connection_id !== connectionId);
    const deleted = u.connections.delete(other?.connection_id ?? 'none');
    expect(deleted).toBeInstanceOf(APIPromise);
    expect((await deleted.asResponse()).headers.get('x-request-id')).toBe(requestIds.at(-1));

    // An error status rejects both forms with the typed error.
    await expect(u.connections.delete('conn_missing').withResponse()).rejects.toBeInstanceOf(NotFoundError);
  });
});

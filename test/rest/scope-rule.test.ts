/**
 * The scope rule for plain JavaScript callers: platform operations on `ConnectTrade`, user ones
 * on `ConnectTradeUser`. Reaching across throws a ConfigurationError naming the rule (it used to
 * be `TypeError: Cannot read properties of undefined (reading 'list')`), and nothing is sent.
 */
import { inspect } from 'node:util';
import { ConfigurationError, ConnectTrade } from '../../src/index';
import { ConnectTrade as RestConnectTrade } from '../../src/rest';

const fetchSpy = jest.fn(async () => new Response('[]'));

describe.each([
  ['connect-trade', ConnectTrade],
  ['connect-trade/rest', RestConnectTrade],
])('%s', (_entry, Client) => {
  // biome-ignore lint/suspicious/noExplicitAny: plain JavaScript callers, on purpose.
  const ct: any = new Client({
    clientId: 'c',
    clientSecret: 's',
    baseUrl: 'http://127.0.0.1:1',
    fetch: fetchSpy,
  });
  // biome-ignore lint/suspicious/noExplicitAny: plain JavaScript callers, on purpose.
  const u: any = ct.forUser({ userId: 'user-1', userSecret: 'user-secret-1' });

  it('u.users: a ConfigurationError that says users is a platform operation', () => {
    expect(() => u.users.list()).toThrow(ConfigurationError);
    expect(() => u.users).toThrow(/users is a platform operation.*ct\.users/);
  });

  it.each(['orders', 'accounts', 'connections', 'balances', 'positions', 'transactions', 'tokens'])(
    'ct.%s: a ConfigurationError that points at forUser',
    (name) => {
      expect(() => ct[name]).toThrow(ConfigurationError);
      expect(() => ct[name]).toThrow(
        new RegExp(`${name} is a user operation.*ct\\.forUser\\(.*\\)\\.${name}`),
      );
    },
  );

  it('the right scopes still work, and the guards change neither inspect nor JSON', async () => {
    await ct.users.list();
    await u.orders.list().toArray({ max: 10 });
    expect(fetchSpy).toHaveBeenCalledTimes(2);
    expect(inspect(u)).not.toMatch(/users/);
    expect(JSON.stringify(ct)).not.toMatch(/orders/);
    fetchSpy.mockClear();
  });
});

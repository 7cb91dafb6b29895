/**
 * `orders place|replace` without `--broker` use the account's own broker, so an account linked
 * without `--broker` (a SANDBOX account in the sandbox) takes orders as documented; an account the
 * user does not have is a usage error that names the accounts there are, with no order sent.
 */
import { authorizeSandboxConnection } from '../../src/sandbox';
import { type CliSandbox, cli, startCliSandbox } from './helpers';

jest.setTimeout(60_000);

let s: CliSandbox;
beforeAll(async () => {
  s = await startCliSandbox();
});
afterAll(() => s?.sandbox.close());

const ORDER = [
  '--symbol',
  'AAPL',
  '--side',
  'BUY',
  '--type',
  'LMT',
  '--qty',
  '1',
  '--limit-price',
  '1',
  '--yes',
];

it('an account linked without --broker takes an order placed and replaced without --broker', async () => {
  const link = await cli(
    ['--json', 'connections', 'create', '--redirect-url', 'https://app.example/linked'],
    {
      env: s.env,
    },
  );
  expect(link.code).toBe(0);
  const { connectionId } = await authorizeSandboxConnection(JSON.parse(link.out).authorization_url);
  const accounts = JSON.parse((await cli(['--json', 'accounts'], { env: s.env })).out) as Record<
    string,
    string
  >[];
  const account = accounts.find((a) => a.connection_id === connectionId);
  expect(account?.broker).not.toBe('ALPACA');

  const placed = await cli(['--json', 'orders', 'place', '--account', account?.account_id ?? '', ...ORDER], {
    env: s.env,
  });
  expect(placed.err).toBe('');
  const order = JSON.parse(placed.out) as Record<string, string>;
  expect(order).toMatchObject({ account_id: account?.account_id, broker: account?.broker });

  const replaced = await cli(
    ['--json', 'orders', 'replace', account?.account_id ?? '', order.order_id ?? '', '--limit-price', '2'],
    { env: s.env },
  );
  expect(replaced.err).toBe('');
  expect(JSON.parse(replaced.out)).toMatchObject({ broker: account?.broker, order_limit_price: '2' });
});

it('an account the user does not have: exit 2, the accounts named, no order sent', async () => {
  const before = s.traffic.filter((t) => t.kind === 'rest' && t.method === 'POST').length;
  const r = await cli(['orders', 'place', '--account', 'acc_nope', ...ORDER], { env: s.env });
  expect(r.code).toBe(2);
  expect(r.err).toContain('No account acc_nope');
  expect(r.err).toContain(`${s.accountId} (ALPACA)`);
  expect(s.traffic.filter((t) => t.kind === 'rest' && t.method === 'POST').length).toBe(before);
});

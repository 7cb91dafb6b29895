/** The tolerant reader (PROTOCOL.md): known variants are normalized; unknown values pass through. */
import { MalformedResponseError } from '../../../src/rest';
import { api, fixture, offSpec, orderFixture, platformClient, useNock, userClient } from '../../helpers/rest';

useNock();

describe('tolerant reader', () => {
  it('POST /users: accepts user_secret as well as user-secret', async () => {
    api()
      .post('/users')
      .reply(200, fixture('CreateUserResponse', { user_id: 'u1', user_secret: 'us_variant_secret' }));
    expect(await platformClient().users.create({ user_id: 'u1' })).toEqual({
      user_id: 'u1',
      user_secret: 'us_variant_secret',
    });
  });

  it('POST /users: a body with neither spelling is a MalformedResponseError', async () => {
    api()
      .post('/users')
      .reply(200, offSpec('no secret at all', { user_id: 'u1' }));
    await expect(platformClient().users.create({ user_id: 'u1' })).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
  });

  it.each([
    ['204', 204, undefined],
    ['an empty 200', 200, ''],
  ])('DELETE /users and /connections: %s means deleted', async (_name, status, body) => {
    api().delete('/users/u1').reply(status, body).delete('/connections/c1').reply(status, body);
    expect(await platformClient().users.delete('u1')).toEqual({ user_id: 'u1', deleted: true });
    expect(await userClient().connections.delete('c1')).toEqual({ connection_id: 'c1', deleted: true });
  });

  it('POST /connections: connection_request_url becomes authorization_url', async () => {
    api()
      .post('/connections')
      .reply(
        200,
        fixture('CreateConnectionResponse', { connection_request_url: 'https://connect.example/a' }),
      );
    const result = await userClient().connections.create({
      type: 'market_data',
      redirect_url: 'https://app.example/x',
    });
    expect(result).toEqual({ authorization_url: 'https://connect.example/a' });
  });

  it('GET /connections: connection_type becomes type; a missing status stays missing', async () => {
    api()
      .get('/connections')
      .reply(200, [
        fixture('Connection', { connection_id: 'c1', broker: 'ALPACA', connection_type: 'trade' }),
      ]);
    expect(await userClient().connections.list()).toEqual([
      { connection_id: 'c1', broker: 'ALPACA', type: 'trade' },
    ]);
  });

  it('GET /orders: a bare array is one, final page', async () => {
    const orders = [orderFixture()];
    api().get('/orders').reply(200, fixture('OrderListResponse', orders));
    const page = await userClient().orders.list();
    expect(page.data).toEqual(orders);
    expect(page.hasNextPage()).toBe(false);
    expect(page.hasPreviousPage()).toBe(false);
  });

  it('unknown enum values, unknown brokers and extra fields pass through untouched', async () => {
    const order = offSpec('a status, order type and field the SDK does not know yet', {
      ...orderFixture(),
      status: 'pending_review',
      order_type: 'TRAIL',
      broker: 'NEWBROKER',
      venue: 'XNAS',
    });
    const connection = offSpec('an unknown status and extra field', {
      connection_id: 'c1',
      broker: 'X',
      type: 'crypto',
      status: 'suspended',
      region: 'eu',
    });
    api()
      .get('/orders')
      .reply(200, { orders: [order], next_cursor: null, prev_cursor: null, total: 1 })
      .get('/connections')
      .reply(200, [connection]);
    const u = userClient();
    expect((await u.orders.list()).data).toEqual([order]);
    expect(await u.connections.list()).toEqual([connection]);
  });

  it.each([
    ['an object where a list belongs', '/users', { users: [] }],
    ['a non-JSON 200', '/users', '<html>ok</html>'],
  ])('%s is a MalformedResponseError', async (_name, path, body) => {
    api()
      .get(path)
      .reply(200, body as never);
    await expect(platformClient().users.list()).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('an orders page whose orders is not a list is a MalformedResponseError', async () => {
    api().get('/orders').reply(200, { orders: 'nope', next_cursor: null, prev_cursor: null });
    await expect(userClient().orders.list()).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

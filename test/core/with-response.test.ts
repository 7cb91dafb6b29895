/** `.withResponse()` and `.asResponse()` on every single-response call (openai-node's APIPromise). */
import { APIPromise } from '../../src/core/api-promise';
import { AuthenticationError, ValidationError } from '../../src/rest';
import { api, fixture, platformClient, useNock, userClient } from '../helpers/rest';

useNock();

describe('withResponse / asResponse', () => {
  it('withResponse gives the value, the raw Response and the request id', async () => {
    api()
      .get('/users')
      .reply(200, [{ user_id: 'u1' }], { 'x-request-id': 'req_wr', 'x-extra': 'yes' });
    const call = platformClient().users.list();
    expect(call).toBeInstanceOf(APIPromise);
    const { data, response, requestId } = await call.withResponse();
    expect(data).toEqual([{ user_id: 'u1' }]);
    expect(requestId).toBe('req_wr');
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(await response.json()).toEqual([{ user_id: 'u1' }]);
  });

  it('asResponse gives the raw Response, also for an empty 204', async () => {
    api().delete('/connections/c1').reply(204);
    const response = await userClient().connections.delete('c1').asResponse();
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('plain await still gives the value; an error status rejects every form with the typed error', async () => {
    api().get('/connections').reply(200, []);
    api()
      .get('/connections')
      .times(2)
      .reply(401, fixture('Error', { message: 'bad' }));
    const u = userClient();
    await expect(u.connections.list()).resolves.toEqual([]);
    await expect(u.connections.list().withResponse()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(u.connections.list().asResponse()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('bad input rejects (nothing sent), as from an async method, on every form', async () => {
    const u = userClient();
    const call = u.connections.token('');
    expect(call).toBeInstanceOf(APIPromise);
    await expect(call).rejects.toBeInstanceOf(ValidationError);
    await expect(u.connections.token('').withResponse()).rejects.toBeInstanceOf(ValidationError);
  });

  it('then/catch/finally build plain promises (no second request)', async () => {
    api().get('/users').once().reply(200, []);
    const call = platformClient().users.list();
    const chained = call.then((users) => users.length);
    expect(chained).not.toBeInstanceOf(APIPromise);
    await expect(chained).resolves.toBe(0);
    const [{ data }, again] = await Promise.all([call.withResponse(), call]);
    expect(data).toEqual([]);
    expect(again).toEqual([]);
  });
});

/**
 * RestCore, the one path every REST call takes, over a recording in-memory transport: what goes on
 * the wire (URL, headers, body) and how each kind of answer comes back (value, typed error).
 */
import { inspect } from 'node:util';
import {
  APIConnectionError,
  BadRequestError,
  ConfigurationError,
  MalformedResponseError,
  NotFoundError,
} from '../../src/core/errors';
import { OnFirstUse } from '../../src/rest/on-first-use';
import { resolveOptions } from '../../src/rest/options';
import { createContext, RestCore } from '../../src/rest/request';
import type { WireRequest, WireResponse } from '../../src/rest/transport';

const CLIENT_SECRET = 'cs-live-0123456789';
const USER_SECRET = 'us-live-9876543210';

function harness(answers: (WireResponse | Error)[], options: Parameters<typeof resolveOptions>[0] = {}) {
  const sent: WireRequest[] = [];
  const transport = async (request: WireRequest): Promise<WireResponse> => {
    sent.push(request);
    const answer = answers.shift() ?? { status: 200, headers: {}, text: '{}' };
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const resolved = resolveOptions({
    baseUrl: 'https://api.test/v1',
    clientId: 'cid',
    clientSecret: CLIENT_SECRET,
    maxRetries: 0,
    ...options,
  });
  const context = createContext(resolved, { transport: OnFirstUse.of(transport) });
  const platform = new RestCore(context, { clientId: 'cid', clientSecret: CLIENT_SECRET });
  const user = new RestCore(context, {
    clientId: 'cid',
    clientSecret: CLIENT_SECRET,
    user: { userId: 'u_1', userSecret: USER_SECRET },
  });
  const request = (i: number): WireRequest => {
    const found = sent[i];
    if (!found) throw new Error(`request ${i} was not sent`);
    return found;
  };
  return { sent, request, platform, user };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  text: JSON.stringify(body),
});
const anything = (_what: string, data: unknown) => data;

describe('RestCore: the request on the wire', () => {
  it('builds the URL with path and query serializers (arrays comma-separated), defaultQuery first', async () => {
    const { request, user } = harness([json(200, [])], { defaultQuery: { env: 'paper', limit: '1' } });
    await user.get(
      '/orders' as never,
      { params: { query: { symbols: ['AAPL', 'MSFT'], limit: 50 } } } as never,
      undefined,
      anything,
    );
    const url = new URL(request(0).url);
    expect(url.origin + url.pathname).toBe('https://api.test/v1/orders');
    expect(url.searchParams.get('symbols')).toBe('AAPL,MSFT');
    expect(url.searchParams.get('env')).toBe('paper');
    expect(url.searchParams.get('limit')).toBe('50');
  });

  it('escapes path parameters', async () => {
    const { request, user } = harness([json(200, {})]);
    await user.delete(
      '/connections/{connection_id}' as never,
      { params: { path: { connection_id: 'a/b c' } } } as never,
      undefined,
      anything,
    );
    expect(request(0).url).toBe('https://api.test/v1/connections/a%2Fb%20c');
  });

  it('sends the scope credentials, which win over default and per-call headers', async () => {
    const { request, platform, user } = harness([json(200, []), json(200, [])], {
      defaultHeaders: { 'X-Team': 'ops', 'client-secret': 'from-defaults' },
    });
    await platform.get(
      '/users' as never,
      undefined,
      { headers: { 'Client-Id': 'spoofed', 'X-Call': '1' } },
      anything,
    );
    expect(request(0).headers).toMatchObject({
      'client-id': 'cid',
      'client-secret': CLIENT_SECRET,
      'x-team': 'ops',
      'x-call': '1',
    });
    expect(request(0).headers['user-secret']).toBeUndefined();
    expect(request(0).headers['user-agent']).toMatch(/connect-trade/);
    await user.get('/accounts' as never, undefined, undefined, anything);
    expect(request(1).headers).toMatchObject({ 'user-id': 'u_1', 'user-secret': USER_SECRET });
  });

  it('sends a JSON body with its content type, and none without a body', async () => {
    const { sent, request, platform } = harness([json(200, { user_id: 'u' }), json(200, [])]);
    await platform.post('/users' as never, { body: { user_id: 'u' } } as never, undefined, anything);
    expect(sent[0]).toMatchObject({ method: 'POST', body: '{"user_id":"u"}' });
    expect(request(0).headers['content-type']).toBe('application/json');
    await platform.get('/users' as never, undefined, undefined, anything);
    expect(request(1).body).toBeUndefined();
    expect(request(1).headers['content-type']).toBeUndefined();
  });

  it('passes the per-call deadline and size limit to the transport', async () => {
    const { sent, platform } = harness([json(200, [])], { timeout: 1234 });
    await platform.get('/users' as never, undefined, { maxResponseBytes: 4096 }, anything);
    expect(sent[0]).toMatchObject({ timeout: 1234, maxResponseBytes: 4096 });
  });

  it('fails before any I/O on a user operation without user credentials, or an unknown route', async () => {
    const { sent, platform } = harness([]);
    await expect(platform.get('/accounts' as never, undefined, undefined, anything)).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(platform.get('/nope' as never, undefined, undefined, anything)).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(
      platform.get('/users' as never, undefined, { timeout: -5 }, anything),
    ).rejects.toBeInstanceOf(Error);
    expect(sent).toHaveLength(0);
  });
});

describe('RestCore: the answer', () => {
  it('returns the shape-checked value and, through withResponse, the raw response', async () => {
    const { platform } = harness([json(200, [{ user_id: 'u' }], { 'x-request-id': 'req_7' })]);
    const { data, response, requestId } = await platform
      .get('/users' as never, undefined, undefined, (_w, d) => (d as unknown[]).length)
      .withResponse();
    expect(data).toBe(1);
    expect(requestId).toBe('req_7');
    expect(response.status).toBe(200);
  });

  it('reads 204 and an empty body as no data', async () => {
    const { platform } = harness([{ status: 204, headers: {}, text: '' }]);
    await expect(
      platform.delete(
        '/users/{user_id}' as never,
        { params: { path: { user_id: 'u' } } } as never,
        undefined,
        anything,
      ),
    ).resolves.toBeUndefined();
  });

  it('maps statuses to the typed hierarchy, with the secrets it sent scrubbed from the body', async () => {
    const { user } = harness([
      json(400, { code: 'bad', message: `echo ${USER_SECRET} and ${CLIENT_SECRET}` }),
      json(404, { code: 'not_found', message: 'no' }),
    ]);
    const bad = await user.get('/accounts' as never, undefined, undefined, anything).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    const text = `${String(bad)} ${JSON.stringify(bad)} ${inspect(bad, { depth: 9 })}`;
    expect(text).not.toContain(USER_SECRET);
    expect(text).not.toContain(CLIENT_SECRET);
    await expect(user.get('/accounts' as never, undefined, undefined, anything)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('turns a 2xx that is not JSON, or a shape check that throws, into MalformedResponseError', async () => {
    const { platform } = harness([
      { status: 200, headers: {}, text: '<html>' },
      json(200, { not: 'a list' }),
    ]);
    await expect(platform.get('/users' as never, undefined, undefined, anything)).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
    const shape = (_w: string, d: unknown) => (d as unknown[]).map((x) => x);
    await expect(platform.get('/users' as never, undefined, undefined, shape)).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
  });

  it('types a transport failure as APIConnectionError, without the secrets it sent', async () => {
    const { user } = harness([
      Object.assign(new Error(`socket hang up ${USER_SECRET}`), { code: 'ECONNRESET' }),
    ]);
    const error = await user
      .get('/accounts' as never, undefined, undefined, anything)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(inspect(error, { depth: 9 })).not.toContain(USER_SECRET);
  });

  it('never shows the client secret when printed', () => {
    const { platform } = harness([]);
    expect(inspect(platform, { depth: 9 })).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(platform)).not.toContain(CLIENT_SECRET);
  });
});

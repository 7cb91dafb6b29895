import { ConfigurationError } from '../../src/core/errors';
import { authHeaders, type Credentials, type SecretProvider, scopeOf } from '../../src/rest/auth';

const platform: Credentials = { clientId: 'cid', clientSecret: 'csecret-1234' };
const user = (userSecret: SecretProvider): Credentials => ({
  ...platform,
  user: { userId: 'u_1', userSecret },
});

describe('scopeOf: the operation table decides the headers', () => {
  it('reads the scope of a route from the generated table, case-insensitively on the method', () => {
    expect(scopeOf('GET', '/users')).toBe('platform');
    expect(scopeOf('get', '/accounts')).toBe('user');
    expect(scopeOf('POST', '/connections')).toBe('user');
  });

  it('refuses a route the spec does not have (a programming error, before any I/O)', () => {
    expect(() => scopeOf('GET', '/not-in-the-spec')).toThrow(ConfigurationError);
    expect(() => scopeOf('PUT', '/users')).toThrow(/No operation PUT \/users/);
  });
});

describe('authHeaders', () => {
  it('sends only the client pair on a platform-scoped call, even from a user client', () => {
    expect(authHeaders(platform, 'platform')).toEqual({
      'client-id': 'cid',
      'client-secret': 'csecret-1234',
    });
    expect(authHeaders(user('usecret-1'), 'platform')).toEqual({
      'client-id': 'cid',
      'client-secret': 'csecret-1234',
    });
  });

  it('sends all four headers on a user-scoped call, synchronously for a string secret', () => {
    const headers = authHeaders(user('usecret-1'), 'user');
    expect(headers).not.toBeInstanceOf(Promise);
    expect(headers).toEqual({
      'client-id': 'cid',
      'client-secret': 'csecret-1234',
      'user-id': 'u_1',
      'user-secret': 'usecret-1',
    });
  });

  it('calls a provider on every call (rotation needs no new client), sync or async', async () => {
    let n = 0;
    const sync = user(() => `rotated-${++n}`);
    expect((await authHeaders(sync, 'user'))['user-secret']).toBe('rotated-1');
    expect((await authHeaders(sync, 'user'))['user-secret']).toBe('rotated-2');
    const async = user(async () => 'from-vault');
    expect((await authHeaders(async, 'user'))['user-secret']).toBe('from-vault');
  });

  it('fails with ConfigurationError, naming what is missing but never a secret value', () => {
    expect(() => authHeaders({ clientId: undefined, clientSecret: 'csecret-1234' }, 'platform')).toThrow(
      /CONNECT_TRADE_CLIENT_ID/,
    );
    expect(() => authHeaders({ clientId: 'cid', clientSecret: '' }, 'user')).toThrow(ConfigurationError);
    expect(() => authHeaders(platform, 'user')).toThrow(/ct\.forUser/);
    expect(() => authHeaders(user(''), 'user')).toThrow(/non-empty userSecret/);
    try {
      authHeaders({ ...platform, user: { userId: '', userSecret: 'usecret-1' } }, 'user');
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String(error)).not.toContain('usecret-1');
      expect(String(error)).not.toContain('csecret-1234');
    }
  });

  it('turns a provider that throws, or returns a non-string, into a rejection (never a sync throw)', async () => {
    const throwing = user(() => {
      throw new Error('vault down');
    });
    let result: unknown;
    expect(() => {
      result = authHeaders(throwing, 'user');
    }).not.toThrow();
    await expect(result).rejects.toThrow('vault down');
    await expect(
      authHeaders(
        user(async () => '' as string),
        'user',
      ),
    ).rejects.toBeInstanceOf(ConfigurationError);
    await expect(authHeaders(user((() => 42) as unknown as () => string), 'user')).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});

import {
  ambientSecretCount,
  isSecretName,
  REDACTED,
  redact,
  redactHeaders,
  redactValue,
  registerSecret,
} from '../../src/core/redact';

describe('the ambient registry', () => {
  const owner = {};
  beforeAll(() => {
    registerSecret('ambient-secret-value', owner);
    registerSecret('ambient-secret-value', owner);
  });

  it('replaces a registered secret everywhere in a text, and counts a value once', () => {
    expect(redact('a ambient-secret-value b ambient-secret-value')).toBe(`a ${REDACTED} b ${REDACTED}`);
    const before = ambientSecretCount();
    registerSecret('ambient-secret-value', owner);
    expect(ambientSecretCount()).toBe(before);
  });

  it('ignores values of 3 characters or fewer (they would collide with ordinary text) and non-strings', () => {
    const before = ambientSecretCount();
    registerSecret('abc', owner);
    registerSecret(undefined, owner);
    expect(ambientSecretCount()).toBe(before);
    expect(redact('abc')).toBe('abc');
  });
});

describe('redactValue', () => {
  const owner = {};
  beforeAll(() => registerSecret('deep-secret-xyz', owner));

  it('deep-copies, scrubbing secret values, secret keys and secret-named fields', () => {
    const input = {
      note: 'has deep-secret-xyz inside',
      'deep-secret-xyz': 'as a key',
      nested: [{ user_secret: 'anything', token: 'tok', keep: 1, flag: true, none: null }],
    };
    const out = redactValue(input);
    expect(out).toEqual({
      note: `has ${REDACTED} inside`,
      [REDACTED]: 'as a key',
      nested: [{ user_secret: REDACTED, token: REDACTED, keep: 1, flag: true, none: null }],
    });
    expect(input.nested[0]?.user_secret).toBe('anything');
  });
});

describe('redactHeaders', () => {
  it('copies a Headers object or a record, lower-casing names and hiding secret headers', () => {
    const fromRecord = redactHeaders({
      'Client-Secret': 's',
      'X-Request-Id': 'req_1',
      Authorization: 'Bearer x',
    });
    expect(fromRecord).toEqual({
      'client-secret': REDACTED,
      'x-request-id': 'req_1',
      authorization: REDACTED,
    });
    const fromHeaders = redactHeaders(
      new Headers({ 'set-cookie': 'c=1', 'content-type': 'application/json' }),
    );
    expect(fromHeaders).toEqual({ 'set-cookie': REDACTED, 'content-type': 'application/json' });
    expect(redactHeaders(undefined)).toEqual({});
  });

  it('scrubs ordinary header values with the scope it is given', () => {
    const scoped = redactHeaders({ 'x-echo': 'per-request-secret' }, (t) =>
      t.replaceAll('per-request-secret', '#'),
    );
    expect(scoped).toEqual({ 'x-echo': '#' });
  });
});

describe('isSecretName', () => {
  it.each([
    ['client-secret', true],
    ['CLIENT_SECRET', true],
    ['user-secret', true],
    ['user_secret', true],
    ['access_token', true],
    ['cookie', true],
    ['secretive', false],
    ['user-id', false],
    ['client_id', false],
  ])('%s → %s', (name, expected) => {
    expect(isSecretName(name)).toBe(expected);
  });
});

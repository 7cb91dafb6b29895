import { isSecretName, MIN_SECRET_LENGTH, REDACTED, redactHeaders, redactValue } from '../../src/core/redact';
import { redactHeadersIn, SecretScope } from '../../src/core/secret-scope';

describe('no process-wide secrets', () => {
  it('redactValue knows no secret values: it blanks secret-named fields only, and deep-copies', () => {
    const input = {
      note: 'has deep-secret-xyz inside',
      nested: [{ user_secret: 'anything', token: 'tok', keep: 1, flag: true, none: null }],
    };
    const out = redactValue(input);
    expect(out).toEqual({
      note: 'has deep-secret-xyz inside',
      nested: [{ user_secret: REDACTED, token: REDACTED, keep: 1, flag: true, none: null }],
    });
    expect(input.nested[0]?.user_secret).toBe('anything');
  });
});

describe('a scope scrubs its own secrets', () => {
  it('deep-copies, scrubbing secret values, secret keys and secret-named fields', () => {
    const scope = new SecretScope(undefined, ['deep-secret-xyz']);
    const out = scope.redactValue({
      note: 'has deep-secret-xyz inside',
      'deep-secret-xyz': 'as a key',
      nested: [{ user_secret: 'anything', keep: 1 }],
    });
    expect(out).toEqual({
      note: `has ${REDACTED} inside`,
      [REDACTED]: 'as a key',
      nested: [{ user_secret: REDACTED, keep: 1 }],
    });
  });

  it(`a value shorter than ${MIN_SECRET_LENGTH} characters is redacted only where it is the whole field`, () => {
    expect(MIN_SECRET_LENGTH).toBe(8);
    const scope = new SecretScope(undefined, ['nope', 'seven77', 'eight888']);
    // Inside text: ordinary words and ids are left alone...
    expect(scope.redact('order ord_nope not found')).toBe('order ord_nope not found');
    expect(scope.redact('id seven77x')).toBe('id seven77x');
    // ...from the minimum length on, a secret is found anywhere.
    expect(scope.redact('id xeight888x')).toBe(`id x${REDACTED}x`);
    // A field, code or header holding exactly the value is still redacted, however short.
    expect(scope.redact('nope')).toBe(REDACTED);
    expect(scope.redactValue({ code: 'nope', echo: ['seven77'], message: 'nope!' })).toEqual({
      code: REDACTED,
      echo: [REDACTED],
      message: 'nope!',
    });
    expect(redactHeadersIn(scope, { 'x-echo': 'nope' })).toEqual({ 'x-echo': REDACTED });
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

import { operations } from '../../generated/operations';
import { spec } from '../helpers/spec';

/**
 * The vendor reference's endpoint table (shared/seeds), copied by hand on purpose: the spec must
 * match it, so it must not be derived from the spec. Platform scope = client-id + client-secret only.
 */
const REFERENCE = [
  ['POST', '/users', 'platform'],
  ['GET', '/users', 'platform'],
  ['DELETE', '/users/{user_id}', 'platform'],
  ['POST', '/connections', 'user'],
  ['GET', '/connections', 'user'],
  ['DELETE', '/connections/{connection_id}', 'user'],
  ['GET', '/connections/{connection_id}/token', 'user'],
  ['GET', '/accounts', 'user'],
  ['GET', '/balances', 'user'],
  ['GET', '/positions', 'user'],
  ['POST', '/orders', 'user'],
  ['GET', '/orders', 'user'],
  ['PATCH', '/accounts/{account_id}/orders/{order_id}', 'user'],
  ['DELETE', '/accounts/{account_id}/orders/{order_id}', 'user'],
  ['GET', '/transactions', 'user'],
  // From the vendor's MCP docs, not the reference table.
  ['POST', '/auth/tokens/user', 'user'],
] as const;

const SCHEMES = {
  platform: ['ClientId', 'ClientSecret'],
  user: ['ClientId', 'ClientSecret', 'UserId', 'UserSecret'],
};

type SpecOperation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { $ref: string }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
};

function specOperations(): [string, string, SpecOperation][] {
  const out: [string, string, SpecOperation][] = [];
  for (const [path, item] of Object.entries<Record<string, SpecOperation>>(spec.paths)) {
    for (const [method, op] of Object.entries(item)) out.push([method.toUpperCase(), path, op]);
  }
  return out;
}

function parameter(op: SpecOperation, name: string) {
  const resolved = (op.parameters ?? []).map(
    (p) => spec.components.parameters[p.$ref.split('/').pop() as string],
  );
  return resolved.find((p) => p.name === name);
}

describe('operations', () => {
  it('has exactly the 16 operations of the reference (+ POST /auth/tokens/user)', () => {
    const actual = specOperations()
      .map(([m, p]) => `${m} ${p}`)
      .sort();
    expect(actual).toEqual(REFERENCE.map(([m, p]) => `${m} ${p}`).sort());
    expect(actual).toHaveLength(16);
  });

  it.each(REFERENCE)('%s %s requires the %s credentials, and only those', (method, path, scope) => {
    const op = spec.paths[path][method.toLowerCase()] as SpecOperation;
    expect(op.security).toHaveLength(1);
    expect(Object.keys(op.security?.[0] ?? {}).sort()).toEqual([...SCHEMES[scope]].sort());
  });

  it.each(REFERENCE)('%s %s has an operationId, a defined tag and a summary', (method, path) => {
    const op = spec.paths[path][method.toLowerCase()] as SpecOperation;
    expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(op.summary?.length).toBeGreaterThan(5);
    expect(op.tags).toHaveLength(1);
    expect(spec.tags.map((t: { name: string }) => t.name)).toContain(op.tags?.[0]);
  });

  it('operationIds are unique', () => {
    const ids = specOperations().map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(REFERENCE)(
    '%s %s answers 200 and every reference error status plus 429, with the one Error schema',
    (method, path) => {
      const op = spec.paths[path][method.toLowerCase()] as SpecOperation;
      expect(op.responses['200']).toBeDefined();
      for (const status of ['400', '401', '404', '409', '429', '500'])
        expect(op.responses[status]).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        if (!status.startsWith('4') && !status.startsWith('5')) continue;
        const resolved = spec.components.responses[(response.$ref ?? '').split('/').pop() as string];
        expect(resolved.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    },
  );

  it('409 is declared where an identifier may already exist', () => {
    expect(spec.paths['/users'].post.responses['409']).toBeDefined();
    expect(spec.paths['/orders'].post.responses['409']).toBeDefined();
    expect(spec.paths['/connections'].post.responses['409']).toBeDefined();
  });

  it('404 is declared on every operation with a path id', () => {
    for (const [method, path, op] of specOperations()) {
      if (path.includes('{'))
        expect([method, path, op.responses['404']]).toEqual([method, path, expect.anything()]);
    }
  });

  it('defines the four apiKey header schemes with the reference header names', () => {
    expect(spec.components.securitySchemes).toEqual({
      ClientId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'client-id' }),
      ClientSecret: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'client-secret' }),
      UserId: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'user-id' }),
      UserSecret: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'user-secret' }),
    });
  });

  it('GET /orders pages with limit 1-500 (default 50) and opaque cursors', () => {
    const op = spec.paths['/orders'].get as SpecOperation;
    expect(parameter(op, 'limit')).toMatchObject({
      in: 'query',
      schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    });
    expect(parameter(op, 'next_cursor')).toMatchObject({ in: 'query', schema: { type: 'string' } });
    expect(parameter(op, 'prev_cursor')).toMatchObject({ in: 'query', schema: { type: 'string' } });
    for (const name of ['status', 'symbols', 'side', 'start_time', 'end_time'])
      expect(parameter(op, name)).toBeDefined();
    expect(parameter(op, 'start_time').schema).toEqual({ $ref: '#/components/schemas/Timestamp' });
  });

  it('symbols is a comma-separated list (form, explode: false)', () => {
    for (const path of ['/orders', '/positions']) {
      expect(parameter(spec.paths[path].get, 'symbols')).toMatchObject({
        style: 'form',
        explode: false,
        schema: { type: 'array' },
      });
    }
  });

  it('date filters of GET /transactions use the date format', () => {
    const op = spec.paths['/transactions'].get as SpecOperation;
    expect(parameter(op, 'start_date').schema).toEqual({ $ref: '#/components/schemas/Date' });
    expect(spec.components.schemas.Date.format).toBe('date');
    expect(spec.components.schemas.Timestamp.format).toBe('date-time');
  });

  it('path parameters are required strings', () => {
    for (const [, path, op] of specOperations()) {
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)) {
        expect(parameter(op, name)).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
      }
    }
  });

  it('every body-carrying operation takes JSON', () => {
    for (const [method, , op] of specOperations()) {
      if (method === 'POST' || method === 'PATCH') {
        expect(Object.keys(op.requestBody?.content ?? {})).toEqual(['application/json']);
      }
    }
  });

  describe('generated/operations.ts', () => {
    it.each(REFERENCE)('%s %s has the right method, path and scope', (method, path, scope) => {
      const entry = Object.values(operations).find((o) => o.method === method && o.path === path);
      expect(entry).toMatchObject({ method, path, scope });
    });

    it('marks only GET /orders as paginated', () => {
      const paginated = Object.entries(operations)
        .filter(([, o]) => o.paginated)
        .map(([id]) => id);
      expect(paginated).toEqual(['listOrders']);
    });
  });
});

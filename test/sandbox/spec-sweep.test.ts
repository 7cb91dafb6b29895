import { operations } from '../../generated/operations';
import type { Sandbox } from '../../src/sandbox';
import { spec } from '../helpers/spec';
import { call, onboard, testSandbox } from './helpers';

/** Every operation with its path ids filled in (unknown ids: the sandbox must still answer per spec). */
const ROUTES = Object.entries(operations).map(([id, op]) => ({
  id,
  method: op.method,
  template: op.path,
  path: op.path.replace(/\{[^}]+\}/g, 'nope'),
  declared: Object.keys(spec.paths[op.path][op.method.toLowerCase()].responses).map(Number),
}));

describe('sandbox answers only what the spec declares', () => {
  let sb: Sandbox;
  let who: { userId: string; userSecret: string };
  beforeAll(async () => {
    sb = await testSandbox();
    ({ who } = await onboard(sb, 'sweeper'));
  });
  afterAll(() => sb.close());

  it.each(ROUTES)(
    '$method $template: 401, odd query and unknown ids stay within declared statuses',
    async (route) => {
      const noAuth = await call(sb, route.method, route.path, { headers: { 'client-secret': 'wrong' } });
      expect(noAuth.status).toBe(401);
      const body = ['POST', 'PATCH'].includes(route.method) ? {} : undefined;
      const odd = await call(sb, route.method, `${route.path}?zzz=1`, { who, body });
      expect(route.declared).toContain(odd.status);
      expect(sb.violations).toEqual([]);
    },
  );
});

describe('sandbox edge answers', () => {
  it('has no token for a connection that is not authorized yet (404, declared)', async () => {
    const sb = await testSandbox();
    try {
      const created = await call(sb, 'POST', '/users', { body: { user_id: 'early' } });
      const who = { userId: 'early', userSecret: created.body.user_secret };
      const connection = await call(sb, 'POST', '/connections', {
        who,
        body: { type: 'market_data', redirect_url: 'https://app.example/cb' },
      });
      const token = await call(sb, 'GET', `/connections/${connection.body.connection_id}/token`, { who });
      expect(token.status).toBe(404);
      expect(token.body.code).toBe('connection_not_active');
      const big = await call(sb, 'POST', '/users', { body: { user_id: 'x'.repeat(1_100_000) } });
      expect(big.status).toBe(400);
      expect(sb.violations).toEqual([]);
    } finally {
      await sb.close();
    }
  });
});

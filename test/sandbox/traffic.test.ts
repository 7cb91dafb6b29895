import type { SandboxTraffic } from '../../src/sandbox';
import { assertMatchesSchema } from '../helpers/spec';
import { call, onboard, orderBody, TestSocket, testSandbox } from './helpers';

describe('sandbox onTraffic', () => {
  it('reports every REST exchange and every frame, all valid against the spec', async () => {
    const traffic: SandboxTraffic[] = [];
    const sb = await testSandbox({ onTraffic: (entry) => traffic.push(entry) });
    try {
      const { who, account } = await onboard(sb, 'recorded');
      const socket = await TestSocket.open(sb.streamUrl, 'BrokerageServerMessage');
      socket.send({
        action: 'authenticate',
        client_id: sb.credentials.clientId,
        client_secret: sb.credentials.clientSecret,
      });
      await socket.action('authenticated');
      socket.send({ action: 'subscribe', request_id: 'r', topics: ['orders'] });
      await socket.action('subscribed');
      sb.faults.dropNextResponse(1, { path: '/orders', method: 'POST' });
      await expect(call(sb, 'POST', '/orders', { who, body: orderBody(account) })).rejects.toThrow();
      await socket.action('order_update');
      socket.close();

      const rest = traffic.filter((t) => t.kind === 'rest');
      expect(rest.map((t) => t.operationId)).toEqual([
        'createUser',
        'createConnection',
        'listAccounts',
        'createOrder',
      ]);
      const dropped = rest[3];
      expect(dropped).toMatchObject({ method: 'POST', path: '/orders', status: 200, dropped: true });
      assertMatchesSchema('OrderRequest', dropped?.requestBody);
      const frames = traffic.filter((t) => t.kind === 'frame');
      for (const f of frames) {
        expect(f.stream).toBe('brokerage');
        assertMatchesSchema(
          f.direction === 'in' ? 'BrokerageClientMessage' : 'BrokerageServerMessage',
          f.frame,
        );
      }
      expect(frames.filter((f) => f.direction === 'in')).toHaveLength(2);
      expect(
        frames.some(
          (f) => f.direction === 'out' && (f.frame as { action: string }).action === 'order_update',
        ),
      ).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('ends market-data sessions of a deleted connection with unauthorized (4001)', async () => {
    const sb = await testSandbox();
    try {
      const { who, connectionId } = await onboard(sb, 'to-delete');
      const { token } = (await call(sb, 'GET', `/connections/${connectionId}/token`, { who })).body;
      const socket = await TestSocket.open(sb.marketDataUrl, 'MarketDataServerMessage');
      socket.send({ action: 'authenticate', token });
      await socket.action('authenticated');
      await call(sb, 'DELETE', `/users/${who.userId}`);
      sb.feed.tick();
      expect(await socket.action('error')).toMatchObject({ code: 'unauthorized' });
      expect((await socket.closed).code).toBe(4001);
    } finally {
      await sb.close();
    }
  });
});

/**
 * `connectionTypeField` (issue 14, part 1, item 1) and the tolerant reading of production's spellings
 * (item 2), against the sandbox in both of its spelling modes, with the wire checked through `onTraffic`.
 */
import { ConfigurationError, ConnectTrade } from '../../../src/index';
import { type Sandbox, type SandboxOptions, type SandboxTraffic, startSandbox } from '../../../src/sandbox';

async function withSandbox(
  options: SandboxOptions,
  clientOptions: { connectionTypeField?: 'type' | 'connection_type' },
  run: (ct: ConnectTrade, sent: () => Record<string, unknown>[], sb: Sandbox) => Promise<void>,
): Promise<void> {
  const traffic: SandboxTraffic[] = [];
  const sb = await startSandbox({ tickMs: 0, onTraffic: (t) => traffic.push(t), ...options });
  try {
    const ct = new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, ...clientOptions });
    const sent = () =>
      traffic.flatMap((t) =>
        t.kind === 'rest' && t.operationId === 'createConnection'
          ? [t.requestBody as Record<string, unknown>]
          : [],
      );
    await run(ct, sent, sb);
    expect(sb.violations).toEqual([]);
  } finally {
    await sb.close();
  }
}

describe('connections.create and the connection type field', () => {
  it.each([
    ['production', undefined],
    ['production', 'type'],
    ['production', 'connection_type'],
    ['reference', 'type'],
    ['reference', 'connection_type'],
  ] as const)('sandbox spelling %s, connectionTypeField %s', async (spellings, field) => {
    await withSandbox(
      { spellings },
      field === undefined ? {} : { connectionTypeField: field },
      async (ct, sent) => {
        const { user_id, user_secret } = await ct.users.create({ user_id: `u-${spellings}-${field}` });
        expect(user_secret).toMatch(/^us_sbx/);
        const user = ct.forUser({ userId: user_id, userSecret: user_secret });
        const link = await user.connections.create({
          type: 'readonly',
          broker: 'ALPACA',
          redirect_url: 'https://app.example/linked',
        });
        expect(link.authorization_url).toMatch(/\/authorize\/conn_/);
        const wire = field ?? 'type';
        expect(sent()).toEqual([
          { [wire]: 'readonly', broker: 'ALPACA', redirect_url: 'https://app.example/linked' },
        ]);
        const [listed] = await user.connections.list();
        expect(listed).toMatchObject({ type: 'readonly', broker: 'ALPACA', status: 'pending' });
        expect(listed).not.toHaveProperty('connection_type');
      },
    );
  });

  it('reads each of trade, market_data and readonly back', async () => {
    await withSandbox({}, {}, async (ct) => {
      const { user_id, user_secret } = await ct.users.create({ user_id: 'three' });
      const user = ct.forUser({ userId: user_id, userSecret: user_secret });
      for (const type of ['trade', 'market_data', 'readonly'] as const)
        await user.connections.create({ type, redirect_url: 'https://app.example/linked' });
      expect((await user.connections.list()).map((c) => c.type)).toEqual([
        'trade',
        'market_data',
        'readonly',
      ]);
    });
  });

  it('refuses an unknown connectionTypeField, and a missing type, before sending anything', async () => {
    expect(
      () => new ConnectTrade({ clientId: 'a', clientSecret: 'b', connectionTypeField: 'kind' as never }),
    ).toThrow(ConfigurationError);
    await withSandbox({}, {}, async (ct, sent) => {
      const { user_id, user_secret } = await ct.users.create({ user_id: 'typeless' });
      const user = ct.forUser({ userId: user_id, userSecret: user_secret });
      await expect(
        user.connections.create({ redirect_url: 'https://app.example/linked' } as never),
      ).rejects.toMatchObject({ name: 'ValidationError' });
      expect(sent()).toEqual([]);
    });
  });
});

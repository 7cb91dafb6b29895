/**
 * The integration harness: `describeIntegration` gives a test file one sandbox (no automatic ticks:
 * the feed moves only when a test says so), records ALL of its traffic through `onTraffic`, and ends
 * the file with the contract test: every request, response and frame of the run matches the spec,
 * and the sandbox caught itself breaking it nowhere (`sandbox.violations`).
 */
import { type Account, ConnectTrade, type ConnectTradeUser } from '../../src/index';
import {
  authorizeSandboxConnection,
  type Sandbox,
  type SandboxOptions,
  type SandboxTraffic,
  startSandbox,
} from '../../src/sandbox';
import { trafficViolations } from '../helpers/traffic-contract';

/** What a test of an integration file works with. */
export interface IntegrationContext {
  readonly sb: Sandbox;
  readonly traffic: SandboxTraffic[];
  /** A client pointed at the sandbox (options override the defaults). */
  client(options?: ConstructorParameters<typeof ConnectTrade>[0]): ConnectTrade;
  /** A fresh user with a linked trade connection and its paper account. */
  onboard(
    ct?: ConnectTrade,
  ): Promise<{ user: ConnectTradeUser; connectionId: string; account: Account; ct: ConnectTrade }>;
}

let users = 0;

/** A describe block with its own recorded sandbox and, last, the traffic contract test. */
export function describeIntegration(
  title: string,
  body: (ctx: IntegrationContext) => void,
  options: SandboxOptions = {},
): void {
  describe(title, () => {
    const traffic: SandboxTraffic[] = [];
    let sb: Sandbox | undefined;
    const ctx: IntegrationContext = {
      get sb() {
        if (!sb) throw new Error('the sandbox is not started yet');
        return sb;
      },
      traffic,
      client(overrides = {}) {
        return new ConnectTrade({
          ...ctx.sb.credentials,
          baseUrl: ctx.sb.url,
          streamUrl: ctx.sb.streamUrl,
          marketDataUrl: ctx.sb.marketDataUrl,
          ...overrides,
        });
      },
      async onboard(ct = ctx.client()) {
        const { user_id, user_secret } = await ct.users.create({ user_id: `it-user-${++users}` });
        const user = ct.forUser({ userId: user_id, userSecret: user_secret });
        const { authorization_url } = await user.connections.create({
          type: 'trade',
          redirect_url: 'http://127.0.0.1:9/linked',
          broker: 'ALPACA',
        });
        const { connectionId } = await authorizeSandboxConnection(authorization_url);
        const [account] = await user.accounts.list({ connection_id: connectionId });
        if (!account) throw new Error('no account');
        return { user, connectionId, account, ct };
      },
    };

    beforeAll(async () => {
      sb = await startSandbox({ tickMs: 0, ...options, onTraffic: (entry) => traffic.push(entry) });
    });
    afterAll(async () => {
      await sb?.close();
    });

    body(ctx);

    // Declared last, so jest runs it after every other test of the block.
    it('recorded traffic: every request, response and frame matches the spec', () => {
      expect(traffic.length).toBeGreaterThan(0);
      expect(trafficViolations(traffic)).toEqual([]);
      expect(ctx.sb.violations).toEqual([]);
    });
  });
}

/** Resolves with the first emitted value matching `accept`, or rejects after `ms`. */
export function waitFor<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  accept: (value: T) => boolean = () => true,
  ms = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`waitFor: nothing matched within ${ms} ms`));
    }, ms);
    const stop = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

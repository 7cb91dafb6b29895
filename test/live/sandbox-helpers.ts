/** Helpers of the live tests: a sandbox-backed platform client and linked users. */
import { ConnectTrade, type ConnectTradeUser } from '../../src/index';
import { authorizeSandboxConnection, type Sandbox } from '../../src/sandbox';

/** A platform client pointed at the sandbox (REST retries kept small and fast). */
export function sandboxClient(sb: Sandbox, maxRetries = 2): ConnectTrade {
  return new ConnectTrade({ ...sb.credentials, baseUrl: sb.url, streamUrl: sb.streamUrl, maxRetries });
}

/** Creates a user with one linked trade connection; returns its client and account. */
export async function linkedUser(ct: ConnectTrade, id: string) {
  const { user_id, user_secret } = await ct.users.create({ user_id: id });
  const user: ConnectTradeUser = ct.forUser({ userId: user_id, userSecret: user_secret });
  const { authorization_url } = await user.connections.create({
    type: 'trade',
    redirect_url: 'http://127.0.0.1:9/linked',
  });
  const { connectionId } = await authorizeSandboxConnection(authorization_url);
  const [account] = await user.accounts.list({ connection_id: connectionId });
  if (!account) throw new Error('no account');
  return { user, connectionId, account };
}

/** Resolves when `emitter` emits `event` (or rejects after `ms`). */
export function nextEvent(
  emitter: { once(event: string, fn: (...args: unknown[]) => void): unknown },
  event: string,
  ms = 5000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (value: unknown) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

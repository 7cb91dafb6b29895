/**
 * Credentials and clients for a command, from the SDK's public API only. Either the SDK's
 * environment variables (CONNECT_TRADE_CLIENT_ID / _CLIENT_SECRET / _BASE_URL / _STREAM_URL /
 * _MARKET_DATA_URL, plus CONNECT_TRADE_USER_ID / CONNECT_TRADE_USER_SECRET for user commands), or
 * `--sandbox`: an in-process emulator, seeded with one user and one linked trade connection.
 */
import { ConfigurationError, ConnectTrade, type ConnectTradeUser } from '../index';
import type { Sandbox } from '../sandbox';
import type { CliIO } from './io';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  /** Machine output. */
  json?: boolean;
  /** Run against a fresh in-process sandbox. */
  sandbox?: boolean;
  /** User id for user commands (default CONNECT_TRADE_USER_ID, or `cli-user` in the sandbox). */
  user?: string;
}

/** The user id the sandbox seeds when neither `--user` nor CONNECT_TRADE_USER_ID is given. */
export const SANDBOX_USER = 'cli-user';

/** Lazily built clients for one command run; `close()` stops the sandbox if one was started. */
export class CliContext {
  private platformClient: Promise<ConnectTrade> | undefined;
  private userClient: Promise<ConnectTradeUser> | undefined;
  private sandboxUser: ConnectTradeUser | undefined;
  private sandbox: Sandbox | undefined;
  private readonly secrets: string[] = [];

  constructor(
    readonly io: CliIO,
    readonly options: GlobalOptions,
  ) {
    for (const name of ['CONNECT_TRADE_CLIENT_SECRET', 'CONNECT_TRADE_USER_SECRET']) {
      const value = io.env[name];
      if (value) this.secrets.push(value);
    }
  }

  /** Whether output is JSON. */
  get json(): boolean {
    return this.options.json === true;
  }

  /** Every secret this run knows, so error output can be scrubbed of them. */
  get knownSecrets(): readonly string[] {
    return this.secrets;
  }

  /** The platform client (users; the brokerage stream). */
  platform(): Promise<ConnectTrade> {
    this.platformClient ??= this.options.sandbox ? this.startSandbox() : Promise.resolve(this.fromEnv());
    return this.platformClient;
  }

  /** The client of the selected user (connections, accounts, orders, market data). */
  user(): Promise<ConnectTradeUser> {
    this.userClient ??= this.options.sandbox
      ? this.platform().then(() => this.sandboxUser as ConnectTradeUser)
      : this.userFromEnv();
    return this.userClient;
  }

  /** Stops the sandbox, if this run started one. */
  async close(): Promise<void> {
    await this.sandbox?.close();
  }

  private fromEnv(): ConnectTrade {
    const env = this.io.env;
    return new ConnectTrade({
      clientId: env.CONNECT_TRADE_CLIENT_ID,
      clientSecret: env.CONNECT_TRADE_CLIENT_SECRET,
      baseUrl: env.CONNECT_TRADE_BASE_URL,
      streamUrl: env.CONNECT_TRADE_STREAM_URL,
      marketDataUrl: env.CONNECT_TRADE_MARKET_DATA_URL,
    });
  }

  private async userFromEnv(): Promise<ConnectTradeUser> {
    const userId = this.options.user ?? this.io.env.CONNECT_TRADE_USER_ID;
    const userSecret = this.io.env.CONNECT_TRADE_USER_SECRET;
    if (!userId) throw new ConfigurationError('No user: pass --user <id> or set CONNECT_TRADE_USER_ID');
    if (!userSecret) throw new ConfigurationError('No user secret: set CONNECT_TRADE_USER_SECRET');
    return (await this.platform()).forUser({ userId, userSecret });
  }

  private async startSandbox(): Promise<ConnectTrade> {
    // Loaded only for --sandbox: the emulator brings ajv and the spec.
    const { startSandbox } = await import('../sandbox');
    this.sandbox = await startSandbox({ tickMs: 250 });
    this.secrets.push(this.sandbox.credentials.clientSecret);
    const ct = new ConnectTrade({
      ...this.sandbox.credentials,
      baseUrl: this.sandbox.url,
      streamUrl: this.sandbox.streamUrl,
      marketDataUrl: this.sandbox.marketDataUrl,
    });
    this.sandboxUser = await this.seedSandboxUser(ct);
    return ct;
  }

  /** Creates the user and links one trade connection (the sandbox authorizes it at once). */
  private async seedSandboxUser(ct: ConnectTrade): Promise<ConnectTradeUser> {
    const userId = this.options.user ?? this.io.env.CONNECT_TRADE_USER_ID ?? SANDBOX_USER;
    const created = await ct.users.create({ user_id: userId });
    this.secrets.push(created.user_secret);
    const u = ct.forUser({ userId, userSecret: created.user_secret });
    const link = await u.connections.create({
      type: 'trade',
      broker: 'ALPACA',
      redirect_url: 'http://127.0.0.1/connected',
    });
    await this.sandbox?.authorize(link.authorization_url);
    return u;
  }
}

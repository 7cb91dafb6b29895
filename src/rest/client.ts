/**
 * The entry points. `ConnectTrade` holds the platform credentials and exposes platform operations
 * (`users`); `ct.forUser(...)` returns a {@link ConnectTradeUser} that exposes a user's operations.
 * The two are different types, so calling a platform operation on a user client (or the reverse)
 * does not compile.
 */

import { restErrorFactory as errorFactory } from '../core/errors';
import { SecretScope } from '../core/secret-scope';
import type { Credentials, SecretProvider } from './auth';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options';
import { createContext, type RestContext, RestCore } from './request';
import {
  type Accounts,
  type Balances,
  type Positions,
  type Transactions,
  UserList,
} from './resources/accounts';
import { Connections } from './resources/connections';
import { Orders } from './resources/orders';
import { Tokens } from './resources/tokens';
import { Users } from './resources/users';

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** The credentials of one end user: `userSecret` may be a string or a (possibly async) provider. */
export interface UserCredentials {
  /** The identifier your application chose when creating the user. */
  userId: string;
  /** The secret returned by `ct.users.create`, or a function returning it (called on every request). */
  userSecret: SecretProvider;
}

/** What the SDK's other parts (streams, sandbox) need from a client; not part of the public API. */
export interface ClientInternals {
  readonly options: ResolvedOptions;
  readonly context: RestContext;
  readonly credentials: Credentials;
  /** The options the client was built with (for `withOptions`). */
  readonly given: ClientOptions;
}

const internals = new WeakMap<object, ClientInternals>();
// Options objects built by `withOptions`, mapped to what the derived client must share with its parent.
const inherited = new WeakMap<ClientOptions, Partial<Pick<RestContext, 'transport' | 'limiter'>>>();

/** The resolved options, shared transport and credentials of a client (internal; not exported by the package). */
export function clientInternals(client: ConnectTradeRest | ConnectTradeUser): ClientInternals {
  const found = internals.get(client);
  if (!found) throw errorFactory.configuration('Not a connect-trade client');
  return found;
}

function describe(name: string, options: ResolvedOptions, extra: Record<string, unknown> = {}) {
  return {
    name,
    baseUrl: options.baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret ? '[REDACTED]' : undefined,
    ...extra,
  };
}

/**
 * The REST-only Connect Trade client (`connect-trade/rest`), acting for your platform: user
 * management, and `forUser` for everything else. `ConnectTrade` of `connect-trade` is the full
 * client (this, plus the streams and the live store).
 */
export class ConnectTradeRest {
  /** Platform-scoped user management. */
  readonly users: Users;

  constructor(options: ClientOptions = {}) {
    const resolved = resolveOptions(options);
    const context = createContext(resolved, inherited.get(options));
    const credentials: Credentials = { clientId: resolved.clientId, clientSecret: resolved.clientSecret };
    internals.set(this, { options: resolved, context, credentials, given: options });
    this.users = new Users(new RestCore(context, credentials));
  }

  /**
   * A client with some options changed (timeouts, headers, logger, credentials...) that shares this
   * client's transport and its keep-alive connections; this client is unchanged. Passing `fetch` or
   * `dispatcher` gives the new client its own transport. It also shares this client's rate-limit
   * buckets and concurrency cap (platform-wide limits do not double by deriving clients) unless
   * `rateLimit` or `maxConcurrency` is among the overrides: then it gets a limiter of its own.
   */
  withOptions(overrides: ClientOptions): this {
    const { given, context } = clientInternals(this);
    const merged: ClientOptions = { ...given, ...overrides };
    inherited.set(merged, {
      ...('fetch' in overrides || 'dispatcher' in overrides ? {} : { transport: context.transport }),
      ...('rateLimit' in overrides || 'maxConcurrency' in overrides ? {} : { limiter: context.limiter }),
    });
    return new (this.constructor as new (options: ClientOptions) => this)(merged);
  }

  /** A client acting for one end user (connections, accounts, orders...); shares this client's options and transport. */
  forUser(user: UserCredentials): ConnectTradeUser {
    return new ConnectTradeUser(clientInternals(this), user);
  }

  /** A redacted description (secrets never appear in `JSON.stringify`). */
  toJSON(): Record<string, unknown> {
    return describe('ConnectTrade', clientInternals(this).options);
  }

  /** What `util.inspect` (and so `console.log`) shows: the redacted description. */
  [inspectSymbol](): string {
    return `ConnectTrade ${JSON.stringify(this.toJSON())}`;
  }
}

/** A Connect Trade client acting for one end user. Build it with `ct.forUser({ userId, userSecret })`. */
export class ConnectTradeUser {
  /** The end user this client acts for. */
  readonly userId: string;
  /** Brokerage connections and market-data tokens. */
  readonly connections: Connections;
  /** Brokerage accounts. */
  readonly accounts: Accounts;
  /** Account balances. */
  readonly balances: Balances;
  /** Positions. */
  readonly positions: Positions;
  /** Transactions. */
  readonly transactions: Transactions;
  /** Orders: place, list, replace, cancel. */
  readonly orders: Orders;
  /** User access tokens. */
  readonly tokens: Tokens;

  /** @internal Use `ct.forUser(...)`. */
  constructor(parent: ClientInternals, user: UserCredentials) {
    if (typeof user?.userId !== 'string' || user.userId === '')
      throw errorFactory.configuration('forUser: userId must be a non-empty string');
    if (typeof user.userSecret !== 'string' && typeof user.userSecret !== 'function')
      throw errorFactory.configuration('forUser: userSecret must be a string or a function returning one');
    const credentials: Credentials = {
      clientId: parent.credentials.clientId,
      clientSecret: parent.credentials.clientSecret,
      user: { userId: user.userId, userSecret: user.userSecret },
    };
    internals.set(this, { ...parent, credentials });
    // Per-user state only: this user's secrets live and die with this client (nothing global grows).
    const secrets = new SecretScope(parent.context.secrets, [
      typeof user.userSecret === 'string' ? user.userSecret : undefined,
    ]);
    const core = new RestCore(parent.context, credentials, secrets);
    this.userId = user.userId;
    this.connections = new Connections(core);
    this.accounts = new UserList(core, '/accounts');
    this.balances = new UserList(core, '/balances');
    this.positions = new UserList(core, '/positions');
    this.transactions = new UserList(core, '/transactions');
    this.orders = this.createOrders(core);
    this.tokens = new Tokens(core);
  }

  /** @internal The orders resource over this user's core (the main entry's client adds `submitAndWait`). */
  protected createOrders(core: RestCore): Orders {
    return new Orders(core);
  }

  /** A redacted description (secrets never appear in `JSON.stringify`). */
  toJSON(): Record<string, unknown> {
    return describe('ConnectTradeUser', clientInternals(this).options, {
      userId: this.userId,
      userSecret: '[REDACTED]',
    });
  }

  /** What `util.inspect` (and so `console.log`) shows: the redacted description. */
  [inspectSymbol](): string {
    return `ConnectTradeUser ${JSON.stringify(this.toJSON())}`;
  }
}

/**
 * The scope rule, for plain JavaScript callers (TypeScript already refuses these at compile time):
 * platform operations live on `ConnectTrade`, user operations on `ConnectTradeUser`. Reaching for
 * the other scope's resource throws a ConfigurationError that says where it lives, instead of a
 * TypeError on `undefined`. The getters sit on the prototypes only, so types, `util.inspect` and
 * JSON are unchanged.
 */
function guardScope(target: object, names: readonly string[], message: (name: string) => string): void {
  for (const name of names)
    Object.defineProperty(target, name, {
      configurable: true,
      get() {
        throw errorFactory.configuration(message(name));
      },
    });
}
guardScope(
  ConnectTradeUser.prototype,
  ['users'],
  (name) =>
    `${name} is a platform operation, not a user one: call it on the ConnectTrade client (ct.${name}), which sends only the client credentials`,
);
guardScope(
  ConnectTradeRest.prototype,
  ['connections', 'accounts', 'balances', 'positions', 'transactions', 'orders', 'tokens'],
  (name) =>
    `${name} is a user operation, not a platform one: call it on a user client (ct.forUser({ userId, userSecret }).${name})`,
);

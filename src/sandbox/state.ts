/**
 * Everything the sandbox remembers, in memory: users, connections, accounts (with their cash,
 * positions and transactions), tokens and orders. Ids are sequential (`conn_1`, `ord_7`) so tests
 * read well; secrets and tokens are random.
 */
import { randomBytes } from 'node:crypto';
import type { components } from '../../generated/schema';
import type { Dec } from './decimal';

type Schemas = components['schemas'];

/** A user and its secret. */
export interface UserRecord {
  userId: string;
  secret: string;
  createdAt: string;
}

/** A market-data token of a connection. */
export interface TokenRecord {
  token: string;
  connectionId: string;
  expiresAtMs: number;
  /** Set when the connection is deleted: open market-data sessions end at once. */
  revoked: boolean;
}

/** A brokerage connection. */
export interface ConnectionRecord {
  connectionId: string;
  userId: string;
  type: Schemas['ConnectionType'];
  broker: string;
  status: Schemas['ConnectionStatus'];
  redirectUrl: string;
  /** When its authorization URL stops working (the `expires_at` of `POST /connections`). */
  authorizationExpiresAtMs?: number;
  accountIds: string[];
  /** The one active market-data token (a new one replaces it). */
  token?: TokenRecord;
}

/** A holding of an account. */
export interface PositionRecord {
  symbol: string;
  instrument: Schemas['Instrument'];
  /** Signed: negative for a short position. */
  qty: Dec;
  avgPrice: Dec;
  realized: Dec;
}

/** A paper account of a connection. */
export interface AccountRecord {
  accountId: string;
  accountNumber: string;
  userId: string;
  connectionId: string;
  broker: string;
  institutionName: string;
  cash: Dec;
  positions: Map<string, PositionRecord>;
  transactions: Schemas['Transaction'][];
  updatedAtMs: number;
}

/** An order plus what the engine needs to work it. */
export interface OrderRecord {
  /** Creation sequence: the paging key (newest first). */
  seq: number;
  order: Schemas['Order'];
  userId: string;
  connectionId: string;
  createdMs: number;
  /** The `YYYY-MM-DD` trading day (cl_order_id is unique per account per day). */
  day: string;
  /** Quantity to fill; for notional orders it is computed at the first fill. */
  qty: Dec | undefined;
  notional: Dec | undefined;
  filled: Dec;
  /** Cost of the fills so far (for avg_fill_price). */
  filledCost: Dec;
  /** Whether a STP/STPLMT order's stop has been hit. */
  triggered: boolean;
}

/** The sandbox's whole state; `reset()` on the sandbox builds a fresh one. */
export class SandboxState {
  /**
   * Makes a secret with a readable prefix (user secrets, tokens): random from `crypto` unless a
   * deterministic simulation injects seeded bytes (`SandboxOptions.randomBytes`).
   */
  readonly secret: (prefix: string) => string;

  constructor(bytes: (size: number) => Uint8Array = randomBytes) {
    this.secret = (prefix) => `${prefix}_${Buffer.from(bytes(18)).toString('base64url')}`;
  }

  readonly users = new Map<string, UserRecord>();
  readonly connections = new Map<string, ConnectionRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly orders = new Map<string, OrderRecord>();
  /** `account_id|day|cl_order_id` of every order, for the duplicate check. */
  readonly clOrderIds = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** Forgets everything (POST /__sandbox/reset). */
  clear(): void {
    for (const map of [this.users, this.connections, this.accounts, this.tokens, this.orders]) map.clear();
    this.clOrderIds.clear();
    this.counters.clear();
  }

  /** The next sequential id with a prefix, e.g. `ord_12`. */
  nextId(prefix: string): string {
    const next = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, next);
    return `${prefix}_${next}`;
  }

  /** The next number of a counter (order sequence, account numbers). */
  nextNumber(name: string): number {
    const next = (this.counters.get(name) ?? 0) + 1;
    this.counters.set(name, next);
    return next;
  }

  /** Accounts of a user, optionally narrowed. */
  accountsOf(userId: string, filter: { connectionId?: string; accountId?: string; broker?: string } = {}) {
    return [...this.accounts.values()].filter(
      (a) =>
        a.userId === userId &&
        (filter.connectionId === undefined || a.connectionId === filter.connectionId) &&
        (filter.accountId === undefined || a.accountId === filter.accountId) &&
        (filter.broker === undefined || a.broker === filter.broker),
    );
  }

  /** Deletes a connection with its accounts, orders and token. */
  deleteConnection(connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (!connection) return;
    if (connection.token) {
      connection.token.revoked = true;
      this.tokens.delete(connection.token.token);
    }
    for (const accountId of connection.accountIds) this.accounts.delete(accountId);
    for (const [orderId, record] of this.orders)
      if (record.connectionId === connectionId) this.orders.delete(orderId);
    this.connections.delete(connectionId);
  }

  /** Deletes a user and everything it owns. */
  deleteUser(userId: string): void {
    for (const connection of [...this.connections.values()])
      if (connection.userId === userId) this.deleteConnection(connection.connectionId);
    this.users.delete(userId);
  }
}

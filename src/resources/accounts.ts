/** `u.accounts`, `u.balances`, `u.positions`, `u.transactions`: read-only lists of one user. */
import type { operations } from '../../generated/schema';
import type { RequestOptions } from '../core/options';
import { type RestCore, unwrap } from '../core/request';
import { expectArray } from '../core/response';
import { checkSymbols } from '../core/validation';
import type { Account, Balance, Position, Transaction } from '../types';

/** Filters of `accounts.list`. */
export type AccountListParams = NonNullable<operations['listAccounts']['parameters']['query']>;
/** Filters of `balances.list`. */
export type BalanceListParams = NonNullable<operations['listBalances']['parameters']['query']>;
/** Filters of `positions.list` (`symbols` is sent comma-separated). */
export type PositionListParams = NonNullable<operations['listPositions']['parameters']['query']>;
/** Filters of `transactions.list`. */
export type TransactionListParams = NonNullable<operations['listTransactions']['parameters']['query']>;

/** Brokerage accounts of one user. */
export class Accounts {
  constructor(private readonly core: RestCore) {}

  /** Lists accounts, optionally of one connection or broker. */
  async list(params: AccountListParams = {}, options?: RequestOptions): Promise<Account[]> {
    const init = { params: { query: params }, ...this.core.init('GET', options) };
    return expectArray('GET /accounts', await unwrap(this.core.client.GET('/accounts', init)));
  }
}

/** Balances of one user's accounts. */
export class Balances {
  constructor(private readonly core: RestCore) {}

  /** Lists balances, optionally of one account or connection. */
  async list(params: BalanceListParams = {}, options?: RequestOptions): Promise<Balance[]> {
    const init = { params: { query: params }, ...this.core.init('GET', options) };
    return expectArray('GET /balances', await unwrap(this.core.client.GET('/balances', init)));
  }
}

/** Positions of one user's accounts. */
export class Positions {
  constructor(private readonly core: RestCore) {}

  /** Lists positions, optionally of one account, connection or set of symbols. */
  async list(params: PositionListParams = {}, options?: RequestOptions): Promise<Position[]> {
    checkSymbols(params.symbols);
    const init = { params: { query: params }, ...this.core.init('GET', options) };
    return expectArray('GET /positions', await unwrap(this.core.client.GET('/positions', init)));
  }
}

/** Transactions of one user's accounts. */
export class Transactions {
  constructor(private readonly core: RestCore) {}

  /** Lists transactions, optionally of one account or connection and between two dates (inclusive). */
  async list(params: TransactionListParams = {}, options?: RequestOptions): Promise<Transaction[]> {
    const init = { params: { query: params }, ...this.core.init('GET', options) };
    return expectArray('GET /transactions', await unwrap(this.core.client.GET('/transactions', init)));
  }
}

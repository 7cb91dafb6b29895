/**
 * `u.accounts`, `u.balances`, `u.positions`, `u.transactions`: the four read-only lists of one
 * user. They differ only in path, filters and item type, so one class serves all four.
 */
import type { operations } from '../../../generated/schema';
import type { Account, Balance, Position, Transaction } from '../../types';
import { APIPromise } from '../api-promise';
import { type DeferredModule, deferredIfLoaded, loadDeferred } from '../deferred/load';
import type { RequestOptions } from '../options';
import type { RestCore } from '../request';
import { expectArray } from '../response';

/** Filters of `accounts.list`. */
export type AccountListParams = NonNullable<operations['listAccounts']['parameters']['query']>;
/** Filters of `balances.list`. */
export type BalanceListParams = NonNullable<operations['listBalances']['parameters']['query']>;
/** Filters of `positions.list` (`symbols` is sent comma-separated). */
export type PositionListParams = NonNullable<operations['listPositions']['parameters']['query']>;
/** Filters of `transactions.list`. */
export type TransactionListParams = NonNullable<operations['listTransactions']['parameters']['query']>;

/** Each list's filters and item type, by path. */
export interface UserLists {
  '/accounts': { params: AccountListParams; item: Account };
  '/balances': { params: BalanceListParams; item: Balance };
  '/positions': { params: PositionListParams; item: Position };
  '/transactions': { params: TransactionListParams; item: Transaction };
}

/** A read-only list of one user's data (`u.accounts`, `u.balances`, `u.positions`, `u.transactions`). */
export class UserList<Path extends keyof UserLists> {
  /** @internal Built by the client. */
  constructor(
    private readonly core: RestCore,
    private readonly path: Path,
  ) {}

  /**
   * Lists the user's items: every one, or those matching the filters (an account, a connection,
   * a broker, symbols, a date range; see each list's params type).
   */
  list(
    params: UserLists[Path]['params'] = {},
    options?: RequestOptions,
  ): APIPromise<UserLists[Path]['item'][]> {
    const init = { params: { query: params } } as { params: { query: AccountListParams } };
    const parse = (what: string, data: unknown) =>
      fillListedFor(this.path, params, expectArray<UserLists[Path]['item']>(what, data));
    const symbols = (params as { symbols?: unknown }).symbols;
    if (symbols === undefined) return this.core.get(this.path as '/accounts', init, options, parse);
    // A symbols filter is checked first (a ValidationError, nothing sent); the checks load on first
    // use. Not async: once they are loaded, the call costs no async frame (bench/README.md).
    const send = ({ orderChecks }: DeferredModule) => {
      orderChecks.checkSymbols(symbols);
      return this.core.exchange('GET', this.path, { init, options, shape: parse });
    };
    return APIPromise.from(() => {
      const loaded = deferredIfLoaded();
      return loaded ? send(loaded) : loadDeferred().then(send);
    });
  }
}

/**
 * Fields our spec infers (no vendor text shows them, so they are optional) that the query itself
 * answers: balances and positions listed for one account belong to it, accounts listed for one
 * connection belong to it. A record that carries the field keeps its own value.
 */
const LISTED_FOR: Partial<Record<keyof UserLists, { field: string; param: string }>> = {
  '/balances': { field: 'account_id', param: 'account_id' },
  '/positions': { field: 'account_id', param: 'account_id' },
  '/accounts': { field: 'connection_id', param: 'connection_id' },
};

function fillListedFor<T>(path: keyof UserLists, params: object, items: T[]): T[] {
  const rule = LISTED_FOR[path];
  const value = rule && (params as Record<string, unknown>)[rule.param];
  if (!rule || typeof value !== 'string' || value === '') return items;
  return items.map((item) => {
    const own = (item as Record<string, unknown>)[rule.field];
    return typeof own === 'string' && own !== '' ? item : { ...item, [rule.field]: value };
  });
}

/** Brokerage accounts of one user. */
export type Accounts = UserList<'/accounts'>;
/** Balances of one user's accounts. */
export type Balances = UserList<'/balances'>;
/** Positions of one user's accounts. */
export type Positions = UserList<'/positions'>;
/** Transactions of one user's accounts. */
export type Transactions = UserList<'/transactions'>;

/** `u.live(options)`: checks the options, resolves the accounts, and opens a {@link LiveStore}. */
import type { Clock } from '../core/clock';
import { errorFactory, type ValidationIssue } from '../core/errors';
import type { BrokerageSource } from '../streams/brokerage-source';
import { LiveStore } from './live-store';
import type { LiveRest } from './snapshot';

/** Options of `u.live()`. */
export interface LiveOptions {
  /** Accounts to follow. Default: every account of `connection_id`, or of the user, at open time. */
  account_ids?: readonly string[] | undefined;
  /** Follow the accounts of this connection (when `account_ids` is omitted). */
  connection_id?: string | undefined;
  /**
   * A brokerage source to share: a `BrokerageStream` or a relay consumer (one socket for many users: the server keeps one session per
   * credential pair). The store subscribes on it and leaves it open on `close()`. Default: a new
   * stream, closed with the store. The store subscribes to orders, positions and balances without
   * an account filter and filters by user and account itself: a filtered subscription could
   * replace another store's filter for the same topic on the server.
   */
  stream?: BrokerageSource | undefined;
  /** Most orders one snapshot listing may hold (default 100 000). */
  maxOrders?: number | undefined;
}

function check(options: LiveOptions): void {
  const issues: ValidationIssue[] = [];
  const ids = options.account_ids;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length === 0)
      issues.push({ path: 'account_ids', message: 'must be a non-empty array of account ids' });
    else
      ids.forEach((id, i) => {
        if (typeof id !== 'string' || id === '')
          issues.push({ path: `account_ids.${i}`, message: 'must be a non-empty string' });
      });
  }
  const connection = options.connection_id;
  if (connection !== undefined && (typeof connection !== 'string' || connection === ''))
    issues.push({ path: 'connection_id', message: 'must be a non-empty string' });
  const max = options.maxOrders;
  if (max !== undefined && !(Number.isInteger(max) && max > 0))
    issues.push({ path: 'maxOrders', message: 'must be a positive integer' });
  if (issues.length > 0) throw errorFactory.validation(issues);
}

/** Opens a live store for one user; `newStream` is called only when no stream is shared. */
export async function openLive({
  rest,
  userId,
  options,
  newStream,
  seams = {},
}: {
  rest: LiveRest;
  userId: string;
  options: LiveOptions;
  newStream: () => BrokerageSource;
  seams?: { clock?: Clock; random?: () => number };
}): Promise<LiveStore> {
  check(options);
  let accountIds = options.account_ids ? [...new Set(options.account_ids)] : undefined;
  if (!accountIds) {
    const params = options.connection_id === undefined ? {} : { connection_id: options.connection_id };
    accountIds = (await rest.accounts.list(params)).map((a) => a.account_id);
    if (accountIds.length === 0)
      throw errorFactory.validation([{ path: 'connection_id', message: 'no accounts to follow' }]);
  }
  const stream = options.stream ?? newStream();
  return LiveStore.open({
    rest,
    stream,
    userId,
    accountIds,
    ownsStream: options.stream === undefined,
    ...seams,
    ...(options.maxOrders === undefined ? {} : { maxOrders: options.maxOrders }),
  });
}

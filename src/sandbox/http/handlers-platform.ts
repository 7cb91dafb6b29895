/**
 * Users, connections (with the local authorization page), market-data tokens and user tokens.
 */
import type { components } from '../../../generated/schema';
import { iso } from '../clock';
import { dec } from '../decimal';
import { badRequest, conflict, HttpError, notFound } from '../http-error';
import type { ConnectionRecord, TokenRecord } from '../state';
import type { RestContext, RestRequest, RestResult } from './context';

type Schemas = components['schemas'];

/** How long a market-data token lives (the reference: 24-hour TTL). */
export const TOKEN_TTL_MS = 24 * 3_600_000;
/** How long an authorization URL stays valid. */
const AUTHORIZATION_TTL_MS = 15 * 60_000;

function ownedConnection(ctx: RestContext, userId: string, connectionId: string): ConnectionRecord {
  const connection = ctx.state.connections.get(connectionId);
  if (!connection || connection.userId !== userId) throw notFound(`connection ${connectionId} not found`);
  return connection;
}

/** POST /users */
export function createUser(ctx: RestContext, req: RestRequest): RestResult {
  const { user_id } = req.body as Schemas['CreateUserRequest'];
  if (ctx.state.users.has(user_id)) throw conflict(`user ${user_id} already exists`, 'duplicate_user_id');
  const secret = ctx.state.secret('us_sbx');
  ctx.state.users.set(user_id, { userId: user_id, secret, createdAt: iso(ctx.clock.nowMs()) });
  const secretField = ctx.spellings === 'reference' ? 'user-secret' : 'user_secret';
  return { status: 200, body: { user_id, [secretField]: secret } };
}

/** GET /users */
export function listUsers(ctx: RestContext): RestResult {
  return {
    status: 200,
    body: [...ctx.state.users.values()].map((u) => ({ user_id: u.userId, created_at: u.createdAt })),
  };
}

/** DELETE /users/{user_id} */
export function deleteUser(ctx: RestContext, req: RestRequest): RestResult {
  const userId = req.params.user_id as string;
  if (!ctx.state.users.has(userId)) throw notFound(`user ${userId} not found`);
  ctx.state.deleteUser(userId);
  return { status: 200, body: { user_id: userId, deleted: true } };
}

/** POST /connections: a pending connection and the local page that authorizes it. */
export function createConnection(ctx: RestContext, req: RestRequest): RestResult {
  const body = req.body as Schemas['CreateConnectionRequest'];
  const connectionId = ctx.state.nextId('conn');
  const expiresAtMs = ctx.clock.nowMs() + AUTHORIZATION_TTL_MS;
  ctx.state.connections.set(connectionId, {
    connectionId,
    userId: req.userId as string,
    // Either name (the spec's oneOf has made sure there is exactly one).
    type: body.type ?? body.connection_type ?? 'trade',
    broker: body.broker ?? 'SANDBOX',
    status: 'pending',
    redirectUrl: body.redirect_url,
    authorizationExpiresAtMs: expiresAtMs,
    accountIds: [],
  });
  return {
    status: 200,
    body: {
      [ctx.spellings === 'reference' ? 'authorization_url' : 'connection_request_url']:
        `${ctx.baseUrl()}/authorize/${connectionId}`,
      expires_at: iso(expiresAtMs),
      connection_id: connectionId,
    },
  };
}

/** GET /authorize/{connection_id}: authorizes at once; returns where to redirect. */
export function authorizeConnection(ctx: RestContext, connectionId: string): string {
  const connection = ctx.state.connections.get(connectionId);
  if (!connection) throw notFound(`connection ${connectionId} not found`);
  let url: URL;
  try {
    url = new URL(connection.redirectUrl);
  } catch {
    throw badRequest(`redirect_url of connection ${connectionId} is not an absolute URL`);
  }
  if (connection.status === 'pending') {
    connection.status = 'active';
    // A readonly connection sees its account but cannot trade (the order engine rejects its orders).
    if (connection.type !== 'market_data') openPaperAccount(ctx, connection);
  }
  url.searchParams.set('connection_id', connectionId);
  return url.toString();
}

/** Opens the paper account of a connection that just became active. */
export function openPaperAccount(ctx: RestContext, connection: ConnectionRecord): void {
  const nowMs = ctx.clock.nowMs();
  const accountId = ctx.state.nextId('acc');
  const cash = dec(ctx.startingCash);
  ctx.state.accounts.set(accountId, {
    accountId,
    accountNumber: `PA${String(ctx.state.nextNumber('account-number')).padStart(8, '0')}`,
    userId: connection.userId,
    connectionId: connection.connectionId,
    broker: connection.broker,
    institutionName: 'Connect Trade Sandbox (paper)',
    cash,
    positions: new Map(),
    transactions: [
      {
        transaction_id: ctx.state.nextId('txn'),
        account_id: accountId,
        type: 'DEPOSIT',
        amount: ctx.startingCash,
        currency: 'USD',
        date: iso(nowMs).slice(0, 10),
        description: 'Paper account funding',
      },
    ],
    updatedAtMs: nowMs,
  });
  connection.accountIds.push(accountId);
}

/** GET /connections */
export function listConnections(ctx: RestContext, req: RestRequest): RestResult {
  const connections = [...ctx.state.connections.values()].filter((c) => c.userId === req.userId);
  return {
    status: 200,
    body: connections.map((c) => ({
      connection_id: c.connectionId,
      broker: c.broker,
      [ctx.spellings === 'reference' ? 'type' : 'connection_type']: c.type,
      status: c.status,
      accounts: c.accountIds.flatMap((id) => {
        const account = ctx.state.accounts.get(id);
        return account
          ? [
              {
                account_id: id,
                account_number: account.accountNumber,
                institution_name: account.institutionName,
              },
            ]
          : [];
      }),
    })),
  };
}

/** DELETE /connections/{connection_id}: also revokes its token. */
export function deleteConnection(ctx: RestContext, req: RestRequest): RestResult {
  const connection = ownedConnection(ctx, req.userId as string, req.params.connection_id as string);
  ctx.state.deleteConnection(connection.connectionId);
  return { status: 200, body: { connection_id: connection.connectionId, deleted: true } };
}

/** GET /connections/{connection_id}/token: a 24-hour token that replaces the previous one. */
export function getConnectionToken(ctx: RestContext, req: RestRequest): RestResult {
  const connection = ownedConnection(ctx, req.userId as string, req.params.connection_id as string);
  if (connection.status !== 'active')
    // The spec declares no 400 here: a connection that is not active has no token to give (404).
    throw new HttpError(
      404,
      `connection ${connection.connectionId} is ${connection.status}`,
      'connection_not_active',
    );
  // The old token stops authenticating new sessions; sessions already open keep running until it expires.
  if (connection.token) ctx.state.tokens.delete(connection.token.token);
  const token: TokenRecord = {
    token: ctx.state.secret('mdt_sbx'),
    connectionId: connection.connectionId,
    expiresAtMs: ctx.clock.nowMs() + TOKEN_TTL_MS,
    revoked: false,
  };
  connection.token = token;
  ctx.state.tokens.set(token.token, token);
  return { status: 200, body: { token: token.token, expires_at: iso(token.expiresAtMs) } };
}

/** POST /auth/tokens/user: a one-hour user access token. */
export function createUserToken(ctx: RestContext): RestResult {
  return { status: 200, body: { access_token: ctx.state.secret('uat_sbx'), expires_in: '3600' } };
}

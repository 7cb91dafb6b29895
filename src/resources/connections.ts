/** `u.connections`: a user's brokerage connections and market-data tokens. */
import type { components } from '../../generated/schema';
import type { RequestOptions } from '../core/options';
import { registerSecret } from '../core/redact';
import { type RestCore, unwrap } from '../core/request';
import { expectArray, expectObject, expectString } from '../core/response';
import { requireId } from '../core/validation';
import type { ConnectionToken } from '../types';

type Schemas = components['schemas'];

/**
 * Body of `connections.create`. Always `type`: the client option `connectionTypeField` decides whether
 * it travels as `type` or `connection_type`.
 */
export type CreateConnectionParams = Omit<Schemas['CreateConnectionRequest'], 'type' | 'connection_type'> & {
  type: Schemas['ConnectionType'];
};
/** The authorization URL to show the user (`connection_request_url` is normalized to `authorization_url`). */
export type ConnectionAuthorization = Omit<Schemas['CreateConnectionResponse'], 'connection_request_url'> & {
  authorization_url: string;
};
/** A brokerage connection (`connection_type` is normalized to `type`). */
export type Connection = Omit<Schemas['Connection'], 'connection_type'>;
/** The answer to a connection deletion (synthesized when the server answers 204 or an empty body). */
export type DeletedConnection = Schemas['DeleteConnectionResponse'];

/** Reads a Connection, accepting the `connection_type` spelling of `type`. */
export function normalizeConnection(value: unknown): Connection {
  const { connection_type, ...rest } = expectObject('GET /connections item', value);
  if (rest.type === undefined && connection_type !== undefined) rest.type = connection_type;
  expectString('GET /connections item', rest, 'connection_id');
  return rest as Connection;
}

/** Connection operations of one user. */
export class Connections {
  constructor(private readonly core: RestCore) {}

  /** Starts connecting a broker; returns the URL to show the user (never retried once it may have reached the server). */
  async create(params: CreateConnectionParams, options?: RequestOptions): Promise<ConnectionAuthorization> {
    requireId('type', params?.type);
    const { type, ...fields } = params;
    const body =
      this.core.context.options.connectionTypeField === 'connection_type'
        ? { ...fields, connection_type: type }
        : { ...fields, type };
    const data = await unwrap(
      this.core.client.POST('/connections', { body, ...this.core.init('POST', options) }),
    );
    const { connection_request_url, ...rest } = expectObject('POST /connections', data);
    const url = expectString(
      'POST /connections',
      { ...rest, connection_request_url },
      'authorization_url',
      'connection_request_url',
    );
    return { ...rest, authorization_url: url };
  }

  /** Lists the user's connections. */
  async list(options?: RequestOptions): Promise<Connection[]> {
    const data = await unwrap(this.core.client.GET('/connections', this.core.init('GET', options)));
    return expectArray('GET /connections', data).map(normalizeConnection);
  }

  /** Deletes a connection and revokes its tokens. */
  async delete(connectionId: string, options?: RequestOptions): Promise<DeletedConnection> {
    requireId('connectionId', connectionId);
    const data = await unwrap(
      this.core.client.DELETE('/connections/{connection_id}', {
        params: { path: { connection_id: connectionId } },
        ...this.core.init('DELETE', options),
      }),
    );
    return data === undefined
      ? { connection_id: connectionId, deleted: true }
      : (expectObject('DELETE /connections', data) as DeletedConnection);
  }

  /** Mints a market-data stream token for a connection (valid 24 h; replaces the previous one). */
  async token(connectionId: string, options?: RequestOptions): Promise<ConnectionToken> {
    requireId('connectionId', connectionId);
    const data = await unwrap(
      this.core.client.GET('/connections/{connection_id}/token', {
        params: { path: { connection_id: connectionId } },
        ...this.core.init('GET', options),
      }),
    );
    const body = expectObject('GET /connections/{connection_id}/token', data);
    registerSecret(expectString('GET /connections/{connection_id}/token', body, 'token'));
    return body as unknown as ConnectionToken;
  }
}

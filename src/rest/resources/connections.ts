/** `u.connections`: a user's brokerage connections and market-data tokens. */
import type { components } from '../../../generated/schema';
import type { SecretScope } from '../../core/secret-scope';
import type { Connection, ConnectionToken } from '../../types';
import { APIPromise } from '../api-promise';
import type { RequestOptions } from '../options';
import type { RestCore } from '../request';
import { requireId } from '../require-id';
import { expectArray, expectObject, expectString } from '../response';

export type { Connection } from '../../types';

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
/** The answer to a connection deletion (synthesized when the server answers 204 or an empty body). */
export type DeletedConnection = Schemas['DeleteConnectionResponse'];

/** Reads a Connection, accepting the `connection_type` spelling of `type`. */
export function normalizeConnection(value: unknown): Connection {
  const { connection_type, ...rest } = expectObject('GET /connections item', value);
  if (rest.type === undefined && connection_type !== undefined) rest.type = connection_type;
  expectString('GET /connections item', rest, 'connection_id');
  return rest as unknown as Connection;
}

/** Connection operations of one user. */
export class Connections {
  constructor(private readonly core: RestCore) {}

  /** Starts connecting a broker; returns the URL to show the user (never retried once it may have reached the server). */
  create(params: CreateConnectionParams, options?: RequestOptions): APIPromise<ConnectionAuthorization> {
    return APIPromise.defer(() => {
      requireId('type', params?.type);
      const { type, ...fields } = params;
      const body =
        this.core.context.options.connectionTypeField === 'connection_type'
          ? { ...fields, connection_type: type }
          : { ...fields, type };
      return this.core.post('/connections', { body }, options, authorization);
    });
  }

  /** Lists the user's connections. */
  list(options?: RequestOptions): APIPromise<Connection[]> {
    return APIPromise.defer(() => {
      return this.core.get('/connections', undefined, options, (what, data) =>
        expectArray(what, data).map(normalizeConnection),
      );
    });
  }

  /** Deletes a connection and revokes its tokens. */
  delete(connectionId: string, options?: RequestOptions): APIPromise<DeletedConnection> {
    return APIPromise.defer(() => {
      requireId('connectionId', connectionId);
      const init = { params: { path: { connection_id: connectionId } } };
      // PROTOCOL.md: a 204 or empty body means deleted.
      return this.core.delete('/connections/{connection_id}', init, options, (what, data) =>
        data === undefined
          ? { connection_id: connectionId, deleted: true }
          : expectObject<DeletedConnection>(what, data),
      );
    });
  }

  /** Mints a market-data stream token for a connection (valid 24 h; replaces the previous one). */
  token(connectionId: string, options?: RequestOptions): APIPromise<ConnectionToken> {
    return APIPromise.defer(() => {
      requireId('connectionId', connectionId);
      const init = { params: { path: { connection_id: connectionId } } };
      return this.core.get('/connections/{connection_id}/token', init, options, (what, data) =>
        connectionToken(what, data, this.core.secrets),
      );
    });
  }
}

/** The authorization answer, `connection_request_url` normalized to `authorization_url`. */
function authorization(what: string, data: unknown): ConnectionAuthorization {
  const { connection_request_url, ...rest } = expectObject(what, data);
  const url = expectString(
    what,
    { ...rest, connection_request_url },
    'authorization_url',
    'connection_request_url',
  );
  return { ...rest, authorization_url: url } as ConnectionAuthorization;
}

/** A stream token, kept among the client's secrets before anyone can log it. */
function connectionToken(what: string, data: unknown, secrets: SecretScope): ConnectionToken {
  const body = expectObject<ConnectionToken>(what, data);
  secrets.add(expectString(what, body, 'token'));
  return body;
}

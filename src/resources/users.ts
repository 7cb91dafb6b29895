/** `ct.users`: platform-scoped user management (client-id/client-secret only). */
import type { components } from '../../generated/schema';
import type { RequestOptions } from '../core/options';
import { registerSecret } from '../core/redact';
import { type RestCore, unwrap } from '../core/request';
import { expectArray, expectObject, expectString } from '../core/response';
import { requireId } from '../core/validation';
import type { User } from '../types';

type Schemas = components['schemas'];

/** A newly created user and its secret (shown once: store it). The reference's `user-secret` is normalized. */
export type CreatedUser = Omit<Schemas['CreateUserResponse'], 'user-secret' | 'user_secret'> & {
  user_secret: string;
};
/** The answer to a user deletion (synthesized when the server answers 204 or an empty body). */
export type DeletedUser = Schemas['DeleteUserResponse'];
/** Body of `users.create`. */
export type CreateUserParams = Schemas['CreateUserRequest'];

/** Platform operations on users. */
export class Users {
  constructor(private readonly core: RestCore) {}

  /** Creates a user; returns `{ user_id, user_secret }` (never retried once it may have reached the server). */
  async create(params: CreateUserParams, options?: RequestOptions): Promise<CreatedUser> {
    requireId('user_id', params?.user_id);
    const data = await unwrap(
      this.core.client.POST('/users', {
        body: { user_id: params.user_id },
        ...this.core.init('POST', options),
      }),
    );
    const body = expectObject('POST /users', data);
    // The reference spells it `user-secret`; a production client saw `user_secret`.
    const secret = expectString('POST /users', body, 'user-secret', 'user_secret');
    registerSecret(secret);
    const { 'user-secret': _hyphen, user_secret: _underscore, ...rest } = body;
    return { ...rest, user_id: expectString('POST /users', rest, 'user_id'), user_secret: secret };
  }

  /** Lists every user of the platform credentials. */
  async list(options?: RequestOptions): Promise<User[]> {
    return expectArray(
      'GET /users',
      await unwrap(this.core.client.GET('/users', this.core.init('GET', options))),
    );
  }

  /** Deletes a user and all their connections. */
  async delete(userId: string, options?: RequestOptions): Promise<DeletedUser> {
    requireId('userId', userId);
    const data = await unwrap(
      this.core.client.DELETE('/users/{user_id}', {
        params: { path: { user_id: userId } },
        ...this.core.init('DELETE', options),
      }),
    );
    // PROTOCOL.md: a 204 or empty body means deleted.
    return data === undefined
      ? { user_id: userId, deleted: true }
      : (expectObject('DELETE /users', data) as DeletedUser);
  }
}

/** `ct.users`: platform-scoped user management (client-id/client-secret only). */
import type { components } from '../../../generated/schema';
import type { SecretScope } from '../../core/secret-scope';
import type { User } from '../../types';
import { APIPromise } from '../api-promise';
import type { RequestOptions } from '../options';
import type { RestCore } from '../request';
import { requireId } from '../require-id';
import { expectArray, expectObject, expectString } from '../response';

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
  create(params: CreateUserParams, options?: RequestOptions): APIPromise<CreatedUser> {
    return APIPromise.defer(() => {
      requireId('user_id', params?.user_id);
      return this.core.post('/users', { body: { user_id: params.user_id } }, options, (what, data) =>
        createdUser(what, data, this.core.secrets),
      );
    });
  }

  /** Lists every user of the platform credentials. */
  list(options?: RequestOptions): APIPromise<User[]> {
    return APIPromise.defer(() => {
      return this.core.get('/users', undefined, options, expectArray<User>);
    });
  }

  /** Deletes a user and all their connections. */
  delete(userId: string, options?: RequestOptions): APIPromise<DeletedUser> {
    return APIPromise.defer(() => {
      requireId('userId', userId);
      const init = { params: { path: { user_id: userId } } };
      // PROTOCOL.md: a 204 or empty body means deleted.
      return this.core.delete('/users/{user_id}', init, options, (what, data) =>
        data === undefined ? { user_id: userId, deleted: true } : expectObject<DeletedUser>(what, data),
      );
    });
  }
}

/** A created user, its secret kept among the platform client's secrets (a bounded list) and normalized to `user_secret`. */
function createdUser(what: string, data: unknown, secrets: SecretScope): CreatedUser {
  const body = expectObject(what, data);
  // The reference spells it `user-secret`; a production client saw `user_secret`.
  const secret = expectString(what, body, 'user-secret', 'user_secret');
  secrets.add(secret);
  const { 'user-secret': _hyphen, user_secret: _underscore, ...rest } = body;
  return { ...rest, user_id: expectString(what, rest, 'user_id'), user_secret: secret };
}

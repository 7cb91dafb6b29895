/** `u.tokens`: user access tokens (POST /auth/tokens/user). */
import type { components } from '../../../generated/schema';
import type { SecretScope } from '../../core/secret-scope';
import type { UserToken } from '../../types';
import { APIPromise } from '../api-promise';
import type { RequestOptions } from '../options';
import type { RestCore } from '../request';
import { expectObject, expectString } from '../response';

/** Body of `tokens.create`. */
export type CreateUserTokenParams = components['schemas']['CreateUserTokenRequest'];

/** User access tokens. */
export class Tokens {
  constructor(private readonly core: RestCore) {}

  /** Mints a user access token (JWT, 1 hour) with the given scopes. */
  create(params: CreateUserTokenParams, options?: RequestOptions): APIPromise<UserToken> {
    return APIPromise.defer(() => {
      return this.core.post('/auth/tokens/user', { body: params }, options, (what, data) =>
        userToken(what, data, this.core.secrets),
      );
    });
  }
}

/** A token answer; its access token is kept among the client's secrets before anyone can log it. */
function userToken(what: string, data: unknown, secrets: SecretScope): UserToken {
  const body = expectObject<UserToken>(what, data);
  secrets.add(expectString(what, body, 'access_token'));
  return body;
}

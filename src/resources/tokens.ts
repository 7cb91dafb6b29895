/** `u.tokens`: user access tokens (POST /auth/tokens/user). */
import type { components } from '../../generated/schema';
import type { RequestOptions } from '../core/options';
import { registerSecret } from '../core/redact';
import { type RestCore, unwrap } from '../core/request';
import { expectObject, expectString } from '../core/response';
import type { UserToken } from '../types';

/** Body of `tokens.create`. */
export type CreateUserTokenParams = components['schemas']['CreateUserTokenRequest'];

/** User access tokens. */
export class Tokens {
  constructor(private readonly core: RestCore) {}

  /** Mints a user access token (JWT, 1 hour) with the given scopes. */
  async create(params: CreateUserTokenParams, options?: RequestOptions): Promise<UserToken> {
    const data = await unwrap(
      this.core.client.POST('/auth/tokens/user', { body: params, ...this.core.init('POST', options) }),
    );
    const body = expectObject('POST /auth/tokens/user', data);
    registerSecret(expectString('POST /auth/tokens/user', body, 'access_token'));
    return body as unknown as UserToken;
  }
}

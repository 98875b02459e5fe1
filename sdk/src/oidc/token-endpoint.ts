import { AuthError } from '../errors.ts'
import type { LoginContext, TokenResponse } from '../login/types.ts'
import type { AuthRequestKind } from '../transport/auth-request.ts'

/** An OAuth request body (RFC 6749 §4.1.3, §6; RFC 7009 §2.1): form-encoded, no cookies. */
export const formPost = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
})

/**
 * A token request and its answer (RFC 6749 §5.1), read into the SDK's fields. Anything but a
 * bearer access token with well-typed companions is an `invalid_response`, never a half-read
 * set. A refused code is `invalid_grant`; a refused refresh stays the core's `refresh_failed`.
 */
export async function requestTokens(send: LoginContext['send'], kind: AuthRequestKind, endpoint: string, fields: Record<string, string>): Promise<TokenResponse> {
  const body = await send(kind, endpoint, formPost(fields)).catch((error: AuthError) => {
    throw error.code === 'invalid_credentials' ? new AuthError('invalid_grant', error.message, error.status) : error
  })
  const { access_token: accessToken, refresh_token: refreshToken, id_token: idToken, expires_in: expiresIn, token_type: type } = body
  const optional = (value: unknown, kind: string) => value === undefined || typeof value === kind
  if (
    typeof accessToken !== 'string' ||
    !/^bearer$/i.test(String(type)) ||
    !optional(refreshToken, 'string') ||
    !optional(idToken, 'string') ||
    !optional(expiresIn, 'number')
  ) {
    throw new AuthError('invalid_response', 'the token endpoint answered without a usable bearer token')
  }
  return { accessToken, refreshToken, idToken, expiresIn } as TokenResponse
}

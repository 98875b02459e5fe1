import type { Protocol } from './types.ts'

/**
 * An RFC 6749 token endpoint (`endpoints.login` and `endpoints.refresh` may both point at it):
 * form-encoded grants, snake_case answers, §5.2 errors; RFC 7009 revocation at logout. Public
 * client: `client_id` only.
 */
export const oauth2Protocol: Protocol = (context) => {
  const post = (kind: 'login' | 'refresh' | 'logout', fields: Record<string, string | undefined>) => {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries({ ...fields, client_id: context.clientId })) if (value) form.set(name, value)
    return context.send(kind, context.url(kind), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    })
  }
  const grant = async (kind: 'login' | 'refresh', fields: Record<string, string | undefined>) => {
    const body = await post(kind, fields)
    return {
      accessToken: body.access_token as string,
      refreshToken: body.refresh_token as string | undefined,
      expiresIn: body.expires_in as number | undefined,
    }
  }
  return {
    login: ({ username, password, ...rest }) => grant('login', { grant_type: 'password', username, password, ...rest }),
    refresh: (refreshToken) => grant('refresh', { grant_type: 'refresh_token', refresh_token: refreshToken }),
    // RFC 7009: revoking the refresh token ends the grant; the access token then dies at `exp`.
    async logout({ accessToken, refreshToken }) {
      await post('logout', refreshToken ? { token: refreshToken, token_type_hint: 'refresh_token' } : { token: accessToken, token_type_hint: 'access_token' })
    },
  }
}

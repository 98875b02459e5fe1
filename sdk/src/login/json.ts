import type { LoginMethod, TokenResponse } from './types.ts'

/** A JSON POST; `headers` join the content type. */
export const jsonPost = (body: unknown, credentials: RequestCredentials, headers?: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
  credentials,
})

/**
 * First-party JSON sign-in, the default (`@authlens/mock-server`'s API): camelCase fields, the
 * refresh token in the body or in an HttpOnly cookie. Every request is a JSON POST; with the
 * cookie, the refresh cookie rides (and the CSRF header with it) only to these endpoints.
 */
export const jsonLogin =
  (): LoginMethod =>
  ({ url, send, cookieTransport: cookie, csrfHeaders }) => {
    // The answer's fields are checked where tokens are read (readTokenSet), whatever sent them.
    const post = (kind: 'login' | 'refresh' | 'logout', body: object, headers?: Record<string, string>) =>
      send(kind, url(kind), jsonPost(body, cookie ? 'include' : 'same-origin', { ...(cookie && csrfHeaders()), ...headers })) as Promise<unknown> as Promise<TokenResponse>
    return {
      login: (credentials) => post('login', { ...credentials, refreshTokenTransport: cookie ? 'cookie' : 'body' }),
      refresh: (refreshToken) => post('refresh', cookie ? {} : { refreshToken }),
      async logout({ accessToken, refreshToken }) {
        await post('logout', refreshToken ? { refreshToken } : {}, accessToken ? { Authorization: `Bearer ${accessToken}` } : {})
      },
    }
  }

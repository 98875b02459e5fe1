import type { LoginMethod } from './types.ts'

/** A JSON POST; `headers` join the content type. */
export const jsonPost = (body: unknown, credentials?: RequestCredentials, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
  ...(credentials ? { credentials } : {}),
})

/**
 * First-party JSON sign-in, the default (`@authlens/mock-server`'s API): camelCase fields, the
 * refresh token in the body or in an HttpOnly cookie.
 */
export const jsonLogin = (): LoginMethod => (context) => {
  const cookie = context.cookieTransport
  // The refresh cookie rides only where it is needed: login (to receive it), refresh and logout.
  const cookieCredentials: RequestCredentials = cookie ? 'include' : 'same-origin'
  const read = (body: Record<string, unknown>) => body as { accessToken: string; refreshToken?: string; expiresIn?: number }
  return {
    async login(credentials) {
      const body = { ...credentials, refreshTokenTransport: cookie ? 'cookie' : 'body' }
      return read(await context.send('login', context.url('login'), jsonPost(body, cookieCredentials)))
    },
    async refresh(refreshToken) {
      const init = cookie ? { method: 'POST', headers: context.csrfHeaders(), credentials: 'include' as const } : jsonPost({ refreshToken })
      return read(await context.send('refresh', context.url('refresh'), init))
    },
    async logout({ accessToken, refreshToken }) {
      const headers: Record<string, string> = cookie ? context.csrfHeaders() : {}
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`
      await context.send('logout', context.url('logout'), jsonPost(refreshToken ? { refreshToken } : {}, cookieCredentials, headers))
    },
  }
}

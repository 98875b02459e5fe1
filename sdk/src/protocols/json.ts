import type { Protocol } from './types.ts'

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/** The mock server's JSON API: camelCase fields, refresh token in the body or an HttpOnly cookie. */
export const jsonProtocol: Protocol = (context) => {
  const cookie = context.cookieTransport
  const read = (body: Record<string, unknown>) => body as { accessToken: string; refreshToken?: string; expiresIn?: number }
  return {
    async login(credentials) {
      const init = json({ ...credentials, refreshTokenTransport: cookie ? 'cookie' : 'body' })
      return read(await context.send('login', context.url('login'), { ...init, credentials: cookie ? 'include' : 'same-origin' }))
    },
    async refresh(refreshToken) {
      const init = cookie
        ? { method: 'POST', headers: context.csrfHeaders(), credentials: 'include' as const }
        : json({ refreshToken })
      return read(await context.send('refresh', context.url('refresh'), init))
    },
    async logout({ accessToken, refreshToken }) {
      const init = json(refreshToken ? { refreshToken } : {})
      const headers = init.headers as Record<string, string>
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`
      if (cookie) Object.assign(headers, context.csrfHeaders())
      await context.send('logout', context.url('logout'), { ...init, credentials: cookie ? 'include' : 'same-origin' })
    },
  }
}

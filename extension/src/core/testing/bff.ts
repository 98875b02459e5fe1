import type { CookieRecord } from '../cookies.ts'
import type { ExchangeObservation, Observation } from '../observations.ts'
import { exchange } from './observations.ts'
import { APP, CODE, IDP, STATE, accessToken, authorizeUrl } from './oidc.ts'

/**
 * Test-only: a backend-for-frontend as DevTools' HAR shows it. The page navigates to the BFF's
 * login route, which redirects to the provider, which redirects back to the BFF's callback; the BFF
 * redeems the code out of sight and answers with an HttpOnly session cookie; the page's API calls
 * go to the BFF's proxy with that cookie and a CSRF header, never a token.
 */

export const BFF_CLIENT_ID = 'bff-client'
export const BFF_CALLBACK = `${APP}/bff/callback`
export const SESSION_VALUE = 'bff-session-0123456789abcdef0123'

export const bffAuthorizeUrl = () => authorizeUrl({ client_id: BFF_CLIENT_ID, redirect_uri: BFF_CALLBACK, nonce: null })
export const bffCallbackUrl = () => `${BFF_CALLBACK}?${new URLSearchParams({ code: CODE, state: STATE, iss: IDP })}`

const navigation = { 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' }

/** The navigation chain: /bff/login → provider → /bff/callback (sets the cookie) → the app. */
export function bffSignIn(at: number, options: { callback?: string } = {}): ExchangeObservation[] {
  const callback = options.callback ?? bffCallbackUrl()
  return [
    exchange({ at, url: `${APP}/bff/login`, requestHeaders: navigation, status: 302, responseHeaders: { Location: bffAuthorizeUrl() } }),
    exchange({ at: at + 10, url: bffAuthorizeUrl(), requestHeaders: navigation, status: 302, responseHeaders: { Location: callback } }),
    exchange({
      at: at + 20,
      url: callback,
      requestHeaders: navigation,
      status: 302,
      responseHeaders: [
        { name: 'Location', value: '/' },
        { name: 'Set-Cookie', value: `__Host-bff=${SESSION_VALUE}; Path=/; Secure; HttpOnly; SameSite=Lax` },
      ],
    }),
    exchange({ at: at + 30, url: `${APP}/`, requestHeaders: navigation, responseHeaders: { 'Content-Type': 'text/html' } }),
  ]
}

export function sessionCookie(partial: Partial<CookieRecord> = {}): Observation {
  return {
    kind: 'cookie',
    at: 0,
    removed: false,
    cookie: { name: '__Host-bff', value: SESSION_VALUE, domain: 'app.example.com', hostOnly: true, path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true, ...partial },
  }
}

/** A call to the BFF's same-origin proxy: the cookie and a CSRF header, no Authorization. */
export function proxyCall(at: number, options: { path?: string; headers?: Record<string, string>; body?: unknown; status?: number } = {}): ExchangeObservation {
  return exchange({
    at,
    url: `${APP}${options.path ?? '/bff/api/me'}`,
    requestHeaders: options.headers ?? { 'Sec-Fetch-Dest': 'empty', 'Sec-Fetch-Mode': 'cors', 'X-CSRF': '1', Cookie: `__Host-bff=${SESSION_VALUE}` },
    status: options.status ?? 200,
    responseHeaders: { 'Content-Type': 'application/json' },
    responseBody: JSON.stringify(options.body ?? { sub: 'u1', name: 'Alice' }),
  })
}

/** What a token-mediating backend adds: an endpoint handing the access token to the page. */
export function tokenHandout(at: number, token = accessToken()): ExchangeObservation {
  return proxyCall(at, { path: '/bff/token', body: { access_token: token, expires_in: 300 } })
}

import type { ExchangeObservation } from '../observations.ts'
import { exchange } from './observations.ts'
import { makeJwt } from './tokens.ts'

/** Test-only: an OpenID Connect code + PKCE round trip as DevTools' HAR shows it. */

export const IDP = 'https://idp.example.com'
export const APP = 'https://app.example.com'
export const CLIENT_ID = 'spa-client'
export const REDIRECT_URI = `${APP}/callback`
/** RFC 7636 Appendix B. */
export const CODE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
export const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
export const CODE = 'SplxlOBeZQQYbYS6WxSbIA'
export const STATE = 'af0ifjsldkj'
export const NONCE = 'n-0S6_WzA2Mj'
export const REFRESH_TOKEN = 'rt-8xLOxBtZp8aaaaaaaaaa'

export function authorizeUrl(overrides: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile offline_access',
    state: STATE,
    nonce: NONCE,
    code_challenge: CODE_CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  }
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null))
  return `${IDP}/authorize?${query}`
}

export function callbackUrl(params: Record<string, string> = { code: CODE, state: STATE, iss: IDP }): string {
  return `${REDIRECT_URI}?${new URLSearchParams(params)}`
}

/** The provider answering the authorization request with a redirect to the callback. */
export function authorizeRedirect(at: number, url = authorizeUrl(), location = callbackUrl()): ExchangeObservation {
  return exchange({ at, url, status: 302, responseHeaders: { Location: location } })
}

export function idToken(claims: Record<string, unknown> = {}): string {
  return makeJwt({ iss: IDP, sub: 'u1', aud: CLIENT_ID, nonce: NONCE, at_hash: 'x4Q8HQ-pWcOeSTJ1ZB8s5g', iat: 1_767_268_800, exp: 1_767_269_100, ...claims }, { alg: 'ES256', typ: 'JWT', kid: 'k1' })
}

export function accessToken(claims: Record<string, unknown> = {}): string {
  return makeJwt({ iss: IDP, sub: 'u1', aud: 'https://api.example.com', client_id: CLIENT_ID, scope: 'openid profile', iat: 1_767_268_800, exp: 1_767_269_100, ...claims }, { alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
}

export function tokenExchange(at: number, options: { body?: Record<string, string>; response?: Record<string, unknown>; status?: number } = {}): ExchangeObservation {
  const body = options.body ?? { grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: CODE_VERIFIER }
  const response = options.response ?? { access_token: accessToken(), id_token: idToken(), refresh_token: REFRESH_TOKEN, token_type: 'Bearer', expires_in: 300 }
  return exchange({
    at,
    method: 'POST',
    url: `${IDP}/token`,
    requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' },
    requestBody: new URLSearchParams(body).toString(),
    status: options.status ?? 200,
    responseHeaders: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    responseBody: JSON.stringify(response),
  })
}

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import type { ExchangeObservation } from '../observations.ts'
import { exchange } from './observations.ts'
import { bytesToBase64url, makeJwt } from './tokens.ts'

/** Test-only: real DPoP proofs (RFC 9449), signed with jose, and the exchanges that carry them. */

/** RFC 9449 §4.1: the example proof for the token request, signed by the key whose thumbprint §6.1 binds. */
export const RFC9449_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19' +
  '.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ' +
  '.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg'
export const RFC9449_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I'

export const AS = 'https://server.example.com'
export const RS = 'https://resource.example.org'

export interface DpopKey {
  privateKey: CryptoKey
  jwk: JWK
  jkt: string
}

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = await exportJWK(publicKey)
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) }
}

let jtis = 0

/** A proof for `htm` `htu`; `ath` from `accessToken` unless given. */
export async function proof(key: DpopKey, claims: { htm: string; htu: string; jti?: string; accessToken?: string; ath?: string; nonce?: string }, header: Record<string, unknown> = {}): Promise<string> {
  const ath = claims.ath ?? (claims.accessToken ? await athOf(claims.accessToken) : undefined)
  const payload = { htm: claims.htm, htu: claims.htu, jti: claims.jti ?? `jti-${++jtis}`, iat: 1_767_268_800, ...(ath ? { ath } : {}), ...(claims.nonce ? { nonce: claims.nonce } : {}) }
  return new SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, ...header }).sign(key.privateKey)
}

export async function athOf(token: string): Promise<string> {
  return bytesToBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))))
}

export function boundAccessToken(jkt: string, claims: Record<string, unknown> = {}): string {
  return makeJwt({ iss: AS, sub: 'u1', aud: RS, scope: 'notes', cnf: { jkt }, iat: 1_767_268_800, exp: 1_767_269_100, ...claims }, { alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
}

/** The token request with its proof; the server answers `token_type` DPoP. */
export function dpopTokenRequest(at: number, dpop: string, accessToken: string, tokenType = 'DPoP'): ExchangeObservation {
  return exchange({
    at,
    method: 'POST',
    url: `${AS}/token`,
    requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: dpop },
    requestBody: 'grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&client_id=spa&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    responseHeaders: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    responseBody: JSON.stringify({ access_token: accessToken, token_type: tokenType, expires_in: 300 }),
  })
}

/** A resource request: `Authorization: <scheme> <token>`, and the proof if any. */
export function resourceRequest(at: number, options: { token: string; scheme?: 'DPoP' | 'Bearer'; dpop?: string; method?: string; url?: string; status?: number }): ExchangeObservation {
  return exchange({
    at,
    method: options.method ?? 'GET',
    url: options.url ?? `${RS}/notes`,
    requestHeaders: { Authorization: `${options.scheme ?? 'DPoP'} ${options.token}`, ...(options.dpop ? { DPoP: options.dpop } : {}) },
    status: options.status ?? 200,
  })
}

import { jwtDecode, type JwtPayload } from 'jwt-decode'
import { AuthError } from './errors.ts'

/** What the SDK keeps: the access and refresh token as one record, written as one value (S29). */
export interface TokenSet {
  accessToken: string
  refreshToken?: string
  /** Claims of the access token; clients read them, only servers verify them. */
  claims: JwtPayload & Record<string, unknown>
  /** Server-time milliseconds, from `exp` (or `expires_in` for opaque tokens). */
  expiresAt: number | null
}

export interface TokenExpectations {
  issuer?: string
  audience?: string
}

/**
 * Reads an access token from a server response or from storage. A value that is not a JWT, or
 * that names another issuer or audience than configured, is refused (RFC 8725 §3.9, S13, S24).
 */
export function readTokenSet(
  accessToken: unknown,
  refreshToken: unknown,
  expiresIn: unknown,
  serverNow: number,
  expect: TokenExpectations,
): TokenSet {
  if (typeof accessToken !== 'string' || accessToken.length > 16_384) throw invalid('access token is missing or too large')
  if (refreshToken !== undefined && typeof refreshToken !== 'string') throw invalid('refresh token is not a string')
  let claims: TokenSet['claims']
  try {
    claims = jwtDecode(accessToken)
  } catch {
    throw invalid('access token is not a readable JWT')
  }
  if (typeof claims !== 'object' || claims === null) throw invalid('access token has no claims')
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) throw invalid('access token is for another issuer')
  if (expect.audience !== undefined && ![claims.aud].flat().includes(expect.audience)) throw invalid('access token is for another audience')
  const expiresAt =
    typeof claims.exp === 'number' ? claims.exp * 1000 : typeof expiresIn === 'number' ? serverNow + expiresIn * 1000 : null
  return { accessToken, ...(refreshToken ? { refreshToken } : {}), claims, expiresAt }
}

const invalid = (message: string) => new AuthError('invalid_response', message)

/** The stored form: tokens only; claims are re-derived (and re-checked) on every load. */
export const serializeTokens = ({ accessToken, refreshToken }: TokenSet): string =>
  JSON.stringify({ v: 1, accessToken, refreshToken })

export function parseStoredTokens(raw: string, serverNow: number, expect: TokenExpectations): TokenSet {
  let record: unknown
  try {
    record = JSON.parse(raw)
  } catch {
    throw invalid('stored tokens are not JSON')
  }
  const { v, accessToken, refreshToken } = (record ?? {}) as Record<string, unknown>
  if (v !== 1) throw invalid('stored tokens have an unknown format')
  return readTokenSet(accessToken, refreshToken, undefined, serverNow, expect)
}

/** A token as the devtools bridge may show it: readable claims, no signature, so unusable. */
export const withoutSignature = (token: string): string => token.split('.').slice(0, 2).join('.') + '.'

import { AuthError } from './errors.ts'

/** Registered claims (RFC 7519 §4.1) as a client may read them. */
export interface JwtClaims {
  iss?: string
  sub?: string
  aud?: string | string[]
  exp?: number
  nbf?: number
  iat?: number
  jti?: string
}

/** What the SDK keeps: the access and refresh token as one record, written as one value (S29). */
export interface TokenSet {
  accessToken: string
  refreshToken?: string
  /** OpenID Connect: the ID token, whose claims are then the user's. */
  idToken?: string
  /** Claims of the access token (of the ID token with OIDC); clients read them, only servers verify them. */
  claims: JwtClaims & Record<string, unknown>
  /** Server-time milliseconds, from `exp` (or `expires_in` for opaque tokens). */
  expiresAt: number | null
}

export interface TokenExpectations {
  issuer?: string
  audience?: string
}

/**
 * Reads a login method's answer (`TokenResponse`, its refresh token kept from `previous` when it
 * sent none) or a stored record (what `serializeTokens` wrote) into the tokens the client holds.
 * A login method with tokens of another shape brings its own (`LoginProtocol.read`).
 */
export type TokenReader = (record: Record<string, unknown>, serverNow: number, expect: TokenExpectations, previous?: TokenSet | null) => TokenSet

/**
 * The default reader. A value that is not a JWT, or that names another issuer or audience than
 * configured, is refused (RFC 8725 §3.9, S13, S24).
 */
export const readTokenSet: TokenReader = ({ accessToken, refreshToken: sent, expiresIn }, serverNow, expect, previous) => {
  // An answer without a refresh token keeps the one we have (RFC 6749 §6, S29).
  const refreshToken = sent ?? previous?.refreshToken
  const claims = typeof accessToken === 'string' && accessToken.length <= 16_384 && ['string', 'undefined'].includes(typeof refreshToken) && decodeJwt(accessToken)
  if (!claims) throw invalid('access token not a readable JWT')
  if ((expect.issuer !== undefined && claims.iss !== expect.issuer) || (expect.audience !== undefined && ![claims.aud].flat().includes(expect.audience))) {
    throw invalid('access token for another issuer or audience')
  }
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : typeof expiresIn === 'number' ? serverNow + expiresIn * 1000 : null
  return { accessToken: accessToken as string, ...(refreshToken ? { refreshToken: refreshToken as string } : {}), claims, expiresAt }
}

/**
 * The payload of a JWS compact token, read but not verified (only the server can verify), or
 * none. Strict where it is cheap: exactly three segments, base64url, UTF-8 (fatal), a JSON object.
 */
export function decodeJwt(token: string): TokenSet['claims'] | undefined {
  const [, payload = '', signature, extra] = token.split('.')
  try {
    const claims: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0))))
    if (signature !== undefined && extra === undefined && !/[^\w-]/.test(payload) && claims && typeof claims === 'object' && !Array.isArray(claims)) return claims as TokenSet['claims']
  } catch {
    // Not base64url, not UTF-8 or not JSON: unreadable, as the caller says.
  }
}

const invalid = (message: string) => new AuthError('invalid_response', message)

/**
 * The stored form: the tokens (and when they expire, for a reader that needs it); claims are
 * re-derived (and re-checked) on every load.
 */
export const serializeTokens = (set: TokenSet): string => JSON.stringify({ ...set, v: 1, claims: undefined })

export function parseStoredTokens(raw: string, serverNow: number, expect: TokenExpectations, read: TokenReader): TokenSet {
  let record: Record<string, unknown> | undefined
  try {
    record = JSON.parse(raw) as Record<string, unknown> | undefined
  } catch {
    // Judged below, with every other unreadable record.
  }
  if (record?.v !== 1) throw invalid('stored tokens unreadable')
  return read(record, serverNow, expect)
}

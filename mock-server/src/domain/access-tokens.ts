import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose'
import { BackendError } from './errors.ts'
import { randomToken } from './random.ts'
import type { Clock } from './clock.ts'
import type { SigningKey } from './signing-keys.ts'
import { timed, type Timings } from './timings.ts'
import type { User } from './users.ts'

/** RFC 9068 media type: an access token is never confused with an ID token or another JWT. */
export const ACCESS_TOKEN_TYPE = 'at+jwt'
/** Larger than any token this backend issues; anything bigger is rejected before parsing (M6). */
export const MAX_TOKEN_LENGTH = 4096

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export interface AccessTokenClaims extends JWTPayload {
  sub: string
  jti: string
  exp: number
  iat: number
  name: string
  role: string
  /** The refresh family (JWT mode) this token belongs to, so logout can revoke it. */
  fid?: string
  /** RFC 9068 §2.2: the OpenID client the token was issued to, and the scope it was granted. */
  client_id?: string
  scope?: string
  /** RFC 9449 §6.1: bound to this DPoP key; only requests with that key's proofs may use it. */
  cnf?: { jkt: string }
}

/** The OpenID client a token is issued to, and what it was granted. */
export interface ClientGrant {
  clientId: string
  scope: string
}

/** What a token (and its refresh family) is bound to besides its user: an OpenID client's grant, a DPoP key. */
export interface TokenBinding {
  client?: ClientGrant
  /** RFC 7638 thumbprint of the DPoP key (RFC 9449 §6). */
  jkt?: string
}

export interface AccessTokenOptions {
  issuer: string
  audience: string
  ttlSeconds: number
  clockToleranceSeconds: number
  clock: Clock
  key: () => Promise<SigningKey>
  /**
   * Looked up after the signature and claims pass (M10, M31); may ask a shared store. Absent:
   * tokens are stateless, and nothing is asked.
   */
  isRevoked?: (issuer: string, jti: string) => boolean | Promise<boolean>
  onVerify: () => void
}

export interface IssuedAccessToken {
  token: string
  claims: AccessTokenClaims
}

export class AccessTokens {
  constructor(private readonly options: AccessTokenOptions) {}

  async issue(user: User, familyId?: string, timings?: Timings, { client, jkt }: TokenBinding = {}): Promise<IssuedAccessToken> {
    const { issuer, audience, ttlSeconds, clock } = this.options
    const key = await this.options.key()
    const iat = clock.nowSeconds()
    const claims: AccessTokenClaims = {
      iss: issuer,
      aud: audience,
      sub: user.id,
      iat,
      nbf: iat,
      exp: iat + ttlSeconds,
      jti: randomToken(16),
      name: user.name,
      role: user.role,
      ...(familyId ? { fid: familyId } : {}),
      ...(client ? { client_id: client.clientId, scope: client.scope } : {}),
      ...(jkt ? { cnf: { jkt } } : {}),
    }
    const token = await timed(timings, 'sign', () =>
      new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE }).sign(key.signKey),
    )
    return { token, claims }
  }

  /**
   * Verifies signature first, then claims (jose's order), so a forged token that is also expired
   * is reported as forged (M24). Only the configured key and algorithm are accepted; header
   * parameters that name keys (`jku`, `x5u`, `jwk`, `x5c`) are never consulted (M7, M23).
   */
  async verify(token: string, timings?: Timings): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('too_large', 'token is larger than any token this server issues')
    if (!COMPACT_JWS.test(token)) throw invalidToken('malformed', 'token is not a compact JWS (three base64url segments)')
    const { issuer, audience, clockToleranceSeconds, clock } = this.options
    const key = await this.options.key()
    this.options.onVerify()
    let payload: JWTPayload
    try {
      ;({ payload } = await timed(timings, 'verify', () =>
        jwtVerify(
          token,
          (header) => {
            // jose reads `b64` only when `crit` lists it and ignores it otherwise, where another verifier
            // may honour it: one token, two payloads. No access token carries it (M22, RFC 7797 §6).
            if (header.b64 !== undefined) throw invalidToken('unsupported', 'token uses the "b64" header parameter, which JWTs must not')
            if (header.kid !== key.kid) throw invalidToken('unknown_key', 'token names a key this server does not have')
            return key.verifyKey
          },
          {
            algorithms: [key.alg],
            issuer,
            audience,
            typ: ACCESS_TOKEN_TYPE,
            requiredClaims: ['exp', 'iat', 'sub', 'jti'],
            clockTolerance: clockToleranceSeconds,
            currentDate: new Date(clock.now()),
          },
        ),
      ))
    } catch (error) {
      throw translateJoseError(error)
    }
    if (typeof payload.iat === 'number' && payload.iat > clock.nowSeconds() + clockToleranceSeconds) {
      throw invalidToken('issued_in_future', 'token was issued in the future')
    }
    const claims = payload as AccessTokenClaims
    const { isRevoked } = this.options
    if (isRevoked && (await timed(timings, 'store', () => isRevoked(issuer, claims.jti)))) throw invalidToken('revoked', 'token has been revoked')
    return claims
  }
}

function invalidToken(reason: string, description: string): BackendError {
  return new BackendError('invalid_token', description, { reason })
}

function translateJoseError(error: unknown): BackendError {
  if (error instanceof BackendError) return error
  if (error instanceof errors.JWTExpired) return invalidToken('expired', 'token has expired')
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidToken('signature', 'signature verification failed')
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidToken('algorithm', 'token algorithm is not accepted for this key')
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.claim === 'nbf' ? 'not_yet_valid' : 'claim'
    return invalidToken(reason, `claim "${error.claim}" is invalid: ${error.reason}`)
  }
  if (error instanceof errors.JOSENotSupported) return invalidToken('unsupported', 'token uses an unsupported header or algorithm')
  if (error instanceof errors.JOSEError) return invalidToken('malformed', 'token is malformed')
  return invalidToken('malformed', 'token could not be read')
}

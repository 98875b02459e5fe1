import { jwtVerify } from 'jose'
import { MAX_TOKEN_LENGTH } from '../access-tokens.ts'
import { BackendError } from '../errors.ts'
import type { SigningKey } from '../signing-keys.ts'
import type { BffUser } from './sessions.ts'

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  nonce: string
  clockToleranceSeconds: number
  /** Seconds since the epoch. */
  now: number
}

/** The claims `/bff/session` passes on: who, by name; never a token. */
const SHOWN = ['sub', 'name', 'preferred_username', 'email', 'email_verified'] as const

/**
 * OIDC Core §3.1.3.7: signature, `iss`, `aud` (and `azp`), `exp`, `iat` and the nonce this sign-in
 * sent. The BFF is part of the backend that signs its provider's ID tokens, so it checks them with
 * that key directly: what a client fetching the JWKS would do, without the fetch (and it works with
 * HS256, whose secret is never published).
 */
export async function verifyIdToken(key: SigningKey, token: string, expected: IdTokenExpectations): Promise<BffUser> {
  try {
    if (token.length > MAX_TOKEN_LENGTH) throw new Error('too large')
    const { payload } = await jwtVerify(token, key.verifyKey, {
      algorithms: [key.alg],
      issuer: expected.issuer,
      audience: expected.clientId,
      clockTolerance: expected.clockToleranceSeconds,
      currentDate: new Date(expected.now * 1000),
      requiredClaims: ['sub', 'iat', 'exp'],
    })
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId) throw new Error('azp')
    if (payload.nonce !== expected.nonce) throw new Error('nonce')
    const user: BffUser = {}
    for (const claim of SHOWN) {
      const value = payload[claim]
      if (typeof value === 'string' || typeof value === 'boolean') user[claim] = value
    }
    return user
  } catch {
    throw new BackendError('invalid_grant', 'the ID token from the provider did not pass its checks', { reason: 'invalid_id_token' })
  }
}

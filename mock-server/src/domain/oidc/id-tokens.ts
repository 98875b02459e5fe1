import { compactVerify, SignJWT } from 'jose'
import { MAX_TOKEN_LENGTH } from '../access-tokens.ts'
import type { SigningKey } from '../signing-keys.ts'
import { timed, type Timings } from '../timings.ts'
import type { User } from '../users.ts'

/** What a person's profile says, as the claims OIDC Core §5.4 ties to each scope. */
export interface Profile {
  user: User
  email: string | undefined
}

/** Standard claims for the granted scopes: `profile` gives names, `email` the address. */
export function scopedClaims({ user, email }: Profile, scope: string): Record<string, string | boolean> {
  const scopes = scope.split(' ')
  return {
    ...(scopes.includes('profile') ? { name: user.name, preferred_username: user.username } : {}),
    ...(scopes.includes('email') && email !== undefined ? { email, email_verified: true } : {}),
  }
}

export interface IdTokenInput {
  issuer: string
  clientId: string
  profile: Profile
  scope: string
  authTime: number
  nonce: string | undefined
  sid: string
  /** Seconds since the epoch. */
  now: number
  ttlSeconds: number
}

/**
 * An ID token (OIDC Core §2), signed with the backend's own key and algorithm. `typ` stays the
 * plain JWT type, so it can never pass for an access token (those must be `at+jwt`, RFC 9068).
 */
export async function signIdToken(key: SigningKey, input: IdTokenInput, timings?: Timings): Promise<string> {
  const claims = {
    iss: input.issuer,
    sub: input.profile.user.id,
    aud: input.clientId,
    azp: input.clientId,
    iat: input.now,
    exp: input.now + input.ttlSeconds,
    auth_time: input.authTime,
    sid: input.sid,
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    ...scopedClaims(input.profile, input.scope),
  }
  return timed(timings, 'sign', () => new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.signKey))
}

/**
 * The ID token a client names at `end_session` (RP-Initiated Logout §2): our signature and our
 * issuer, or nothing. Its expiry does not matter, as a client may sign out long after sign-in.
 */
export async function readIdTokenHint(key: SigningKey, token: string, issuer: string): Promise<{ clientId: string; sub: string } | undefined> {
  if (token.length > MAX_TOKEN_LENGTH) return undefined
  try {
    const { payload } = await compactVerify(token, key.verifyKey, { algorithms: [key.alg] })
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    const clientId = typeof claims.aud === 'string' ? claims.aud : claims.azp
    if (claims.iss !== issuer || typeof clientId !== 'string' || typeof claims.sub !== 'string') return undefined
    return { clientId, sub: claims.sub }
  } catch {
    return undefined
  }
}

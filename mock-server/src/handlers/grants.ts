import type { IssuedAccessToken } from '../domain/access-tokens.ts'
import { BackendError } from '../domain/errors.ts'
import { takeRefreshFailure } from '../domain/faults.ts'
import type { OidcClient } from '../domain/oidc/clients.ts'
import type { CodeRedemption } from '../domain/oidc/codes.ts'
import { signIdToken } from '../domain/oidc/id-tokens.ts'
import type { RefreshFamily, RefreshTransport } from '../domain/refresh-families.ts'
import type { Timings } from '../domain/timings.ts'
import type { User } from '../domain/users.ts'
import type { BackendParts } from './context.ts'
import { countDpopRefusal } from './dpop.ts'

export interface Grant {
  user: User
  access: IssuedAccessToken
  refreshToken: string
  family: RefreshFamily
}

/** Injected refresh failures hang for at most this long, then answer 504: a fault, never a hang. */
export const INJECTED_TIMEOUT_MS = 30_000

/**
 * A password check, counted: shared by the JSON login, the session login and the provider's
 * login page, so all three meet the same users and the same throttle (M17, O8).
 */
export async function signIn(parts: BackendParts, username: string, password: string, timings: Timings): Promise<User> {
  try {
    const user = await parts.users.authenticate(username, password, timings)
    parts.stats.logins++
    return user
  } catch (error) {
    parts.stats.failedLogins++
    throw error
  }
}

/** RFC 9449 §5: `DPoP` for a token bound to a key (`cnf.jkt`), `Bearer` otherwise. */
export function tokenType(access: IssuedAccessToken): 'DPoP' | 'Bearer' {
  return access.claims.cnf ? 'DPoP' : 'Bearer'
}

/**
 * The JSON login (JWT mode): a password sign-in that starts a refresh family. With a DPoP proof's
 * key (`jkt`), the access token and the family are bound to it: the SPA is a public client.
 */
export async function loginGrant(parts: BackendParts, username: string, password: string, transport: RefreshTransport, timings: Timings, jkt?: string): Promise<Grant> {
  const user = await signIn(parts, username, password, timings)
  const { family, refreshToken } = await parts.families.start(user.id, transport, timings, { jkt })
  const access = await parts.tokens.issue(user, family.id, timings, { jkt })
  return { user, access, refreshToken, family }
}

/** `jkt`: the key of the request's DPoP proof, which a bound family demands and the new access token is bound to. */
export async function refreshGrant(parts: BackendParts, refreshToken: string, timings: Timings, jkt?: string, clientless = false): Promise<Grant> {
  await injectRefreshFault(parts)
  parts.stats.refreshes++
  let rotation
  try {
    rotation = await parts.families.rotate(refreshToken, timings, jkt, clientless)
  } catch (error) {
    if (error instanceof BackendError && error.code === 'refresh_token_reused') parts.stats.reuseDetections++
    if (error instanceof BackendError && error.reason === 'dpop_binding') countDpopRefusal(parts, error.reason)
    throw error
  }
  const user = parts.users.findById(rotation.family.userId)
  if (!user) throw new BackendError('invalid_grant', 'the user of this refresh token no longer exists')
  const access = await parts.tokens.issue(user, rotation.family.id, timings, { client: rotation.family.client, jkt })
  return { user, access, refreshToken: rotation.refreshToken, family: rotation.family }
}

export interface CodeGrantResult extends Grant {
  idToken: string
  scope: string
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6): the code is spent before anything is checked (O3);
 * a code presented twice revokes what the first redemption got (O4). Every grant starts a refresh
 * family bound to the provider session, whether or not its refresh token is handed out. With a
 * DPoP proof's key, the access token is bound to it, and so is a public client's family (RFC 9449
 * §5); a confidential client's refresh token is bound to its client authentication instead.
 */
export async function authorizationCodeGrant(parts: BackendParts, client: OidcClient, form: URLSearchParams, timings: Timings, jkt?: string): Promise<CodeGrantResult> {
  const code = form.get('code')
  if (code === null || code === '' || code.length > 128) throw new BackendError('invalid_request', '"code" is required')
  parts.stats.codeRedemptions++
  const redemption = await parts.codes.redeem(
    code,
    { clientId: client.clientId, redirectUri: form.get('redirect_uri') ?? undefined, codeVerifier: form.get('code_verifier') ?? undefined },
    timings,
  )
  if (!redemption.ok) {
    if (redemption.replayed) await revokeRedemption(parts, redemption.replayed)
    throw new BackendError('invalid_grant', redemption.description)
  }
  const granted = redemption.code
  const user = parts.users.findById(granted.userId)
  if (!user) throw new BackendError('invalid_grant', 'the user of this code no longer exists')
  // Signed out at the provider between the redirect and this request: the code dies with the session.
  if (!(await parts.providerSessions.find(granted.sessionId, timings))) throw new BackendError('invalid_grant', 'the sign-in this code came from has ended')
  const grant = { clientId: granted.clientId, scope: granted.scope }
  const { family, refreshToken } = await parts.families.start(user.id, 'body', timings, { client: grant, jkt: client.clientSecret === undefined ? jkt : undefined })
  await parts.providerSessions.bindFamily(granted.sessionId, family.id, timings)
  const access = await parts.tokens.issue(user, family.id, timings, { client: grant, jkt })
  const idToken = await signIdToken(
    await parts.signingKey(),
    {
      issuer: parts.options.issuer,
      clientId: granted.clientId,
      profile: { user, email: parts.users.emailOf(user.id) },
      scope: granted.scope,
      authTime: granted.authTime,
      nonce: granted.nonce,
      sid: granted.sid,
      now: parts.clock.nowSeconds(),
      ttlSeconds: parts.options.accessTokenTtlSeconds,
    },
    timings,
  )
  const issued = { familyId: family.id, accessJti: access.claims.jti, accessExpiresAt: access.claims.exp }
  if (!(await parts.codes.recordRedemption(granted, issued, timings))) {
    await revokeRedemption(parts, issued)
    throw new BackendError('invalid_grant', 'authorization code was used twice; the tokens issued from it are revoked')
  }
  return { user, access, refreshToken, family, idToken, scope: granted.scope }
}

async function revokeRedemption(parts: BackendParts, redemption: CodeRedemption): Promise<void> {
  await parts.families.revoke(redemption.familyId)
  await revokeAccessToken(parts, { jti: redemption.accessJti, exp: redemption.accessExpiresAt })
}

/** Signs a user out everywhere: every refresh family and every session (M30). */
export async function revokeUser(parts: BackendParts, userId: string): Promise<{ families: number; sessions: number }> {
  const [families, sessions] = await Promise.all([
    parts.families.revokeUser(userId),
    parts.sessions.deleteUser(userId),
    parts.providerSessions.deleteUser(userId),
  ])
  return { families, sessions }
}

/** Puts an access token on the revocation list until it expires (M10, M31), if there is one. */
export async function revokeAccessToken(parts: BackendParts, claims: { iss?: string; jti: string; exp: number }): Promise<void> {
  if (parts.options.accessTokenDenylist) await parts.revocations.add(claims.iss ?? parts.options.issuer, claims.jti, claims.exp)
}

async function injectRefreshFault(parts: BackendParts): Promise<void> {
  const failure = takeRefreshFailure(parts.faults)
  if (failure === '401') throw new BackendError('invalid_grant', 'injected failure: refresh refused')
  if (failure === '500') throw new BackendError('server_error', 'injected failure: refresh crashed')
  if (failure === 'timeout') {
    await new Promise((resolve) => setTimeout(resolve, INJECTED_TIMEOUT_MS))
    throw new BackendError('gateway_timeout', 'injected failure: refresh timed out')
  }
}

import type { IssuedAccessToken } from '../domain/access-tokens.ts'
import { BackendError } from '../domain/errors.ts'
import { takeRefreshFailure } from '../domain/faults.ts'
import type { RefreshFamily, RefreshTransport } from '../domain/refresh-families.ts'
import type { Timings } from '../domain/timings.ts'
import type { User } from '../domain/users.ts'
import type { BackendParts } from './context.ts'

export interface Grant {
  user: User
  access: IssuedAccessToken
  refreshToken: string
  family: RefreshFamily
}

/** Injected refresh failures hang for at most this long, then answer 504: a fault, never a hang. */
export const INJECTED_TIMEOUT_MS = 30_000

/** Shared by the JSON API and the RFC 6749 token endpoint, which differ only in wire format. */
export async function passwordGrant(parts: BackendParts, username: string, password: string, transport: RefreshTransport, timings: Timings): Promise<Grant> {
  let user: User
  try {
    user = await parts.users.authenticate(username, password, timings)
  } catch (error) {
    parts.stats.failedLogins++
    throw error
  }
  parts.stats.logins++
  const { family, refreshToken } = await parts.families.start(user.id, transport, timings)
  const access = await parts.tokens.issue(user, family.id, timings)
  return { user, access, refreshToken, family }
}

export async function refreshGrant(parts: BackendParts, refreshToken: string, timings: Timings): Promise<Grant> {
  await injectRefreshFault(parts)
  parts.stats.refreshes++
  let rotation
  try {
    rotation = await parts.families.rotate(refreshToken, timings)
  } catch (error) {
    if (error instanceof BackendError && error.code === 'refresh_token_reused') parts.stats.reuseDetections++
    throw error
  }
  const user = parts.users.findById(rotation.family.userId)
  if (!user) throw new BackendError('invalid_grant', 'the user of this refresh token no longer exists')
  const access = await parts.tokens.issue(user, rotation.family.id, timings)
  return { user, access, refreshToken: rotation.refreshToken, family: rotation.family }
}

/** Signs a user out everywhere: every refresh family and every session (M30). */
export async function revokeUser(parts: BackendParts, userId: string): Promise<{ families: number; sessions: number }> {
  const [families, sessions] = await Promise.all([parts.families.revokeUser(userId), parts.sessions.deleteUser(userId)])
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
